/* Shared by the fuzz targets. */
#ifndef ELH_TESTSUITE_FUZZ_H
#define ELH_TESTSUITE_FUZZ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The monitor broke a rule the target checks: say which, and abort (the
 * fuzzer keeps the input). */
__attribute__((format(printf, 1, 2))) static inline _Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#endif
