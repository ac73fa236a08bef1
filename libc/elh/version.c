#include "libc.h"

/* Lets a program (and the ELH test suite) tell that it was linked
 * against elh-musl rather than a stock musl. */
const char *__elh_musl_version(void)
{
	return __libc_version;
}
