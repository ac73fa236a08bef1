/* Reporting a refusal or a set-up failure as one line of text. */
#include <stdarg.h>
#include <stdio.h>

#include "errors.h"

int elh_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
