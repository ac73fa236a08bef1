/* Reporting a refusal or a set-up failure as one line of text. */
#ifndef ELH_MONITOR_ERRORS_H
#define ELH_MONITOR_ERRORS_H

#include <stddef.h>

/* Format the reason into err (errlen bytes) and return -1, so that a check
 * reads `return elh_refuse(err, errlen, "...", ...);`. */
int elh_refuse(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
