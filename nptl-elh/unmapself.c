#include "pthread_impl.h"
#include "ult.h"

hidden void __unmapself_kernel(void *, size_t);

/* The end of a detached thread that must unmap its own stack: a
 * user-level thread leaves it for its vCPU's scheduler to unmap. */
void __unmapself(void *base, size_t size)
{
	if (__elh_ult_active)
		__elh_ult_unmapself(base, size);
	__unmapself_kernel(base, size);
}
