/* Stdio: printf formats to stdout, a memory stream and a file read back; strtol/strtod. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void emit(FILE *f)
{
	long long big = LLONG_MIN;

	fprintf(f, "ints: %d %i %u %x %X %o %#x %#o\n", -42, 17, 3000000000u, 0xbeefu, 0xbeefu, 8u,
		255u, 8u);
	fprintf(f, "widths: [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%*d]\n", 42, 42, 42, 42, 42, 7,
		6, -3);
	fprintf(f, "longs: %ld %lu %lld %llx %jd %zu %td\n", -1L, ULONG_MAX, big,
		0x123456789abcdefULL, (intmax_t)INT64_MAX, (size_t)12345, (ptrdiff_t)-77);
	fprintf(f, "fixed width types: %" PRId8 " %" PRIu16 " %" PRIx32 " %" PRId64 "\n",
		(int8_t)-8, (uint16_t)65535, (uint32_t)0xdeadbeef, (int64_t)-1234567890123LL);
	fprintf(f, "chars: [%c] [%3c] [%-3c]\n", 'a', 'b', 'c');
	fprintf(f, "strings: [%s] [%10s] [%-10s] [%.3s] [%*.*s]\n", "hello", "right", "left",
		"truncated", 6, 2, "ab");
	fprintf(f, "floats: %f %.2f %e %E %g %G %a\n", 3.14159265358979, 2.005, 123456.789,
		0.000123, 1e-5, 1e20, 1.0);
	fprintf(f, "more floats: %10.4f [%-10.1f] %+.0f %.10g %g %g\n", -2.5, 9.99, 2.5, 1.0 / 3,
		100000.0, 1000000.0);
	fprintf(f, "specials: %f %f %f %F %e\n", INFINITY, -INFINITY, NAN, INFINITY, 0.0);
	fprintf(f, "negative zero: %f %g\n", -0.0, -0.0);
	fprintf(f, "long double: %.20Lf\n", 1.0L / 3);
	fprintf(f, "rounding: %.0f %.0f %.0f %.0f %.1f\n", 0.5, 1.5, 2.5, -0.5, 0.05);
	fprintf(f, "percent: 100%%\n");
	fprintf(f, "positional: %2$s %1$s\n", "world", "hello");
}

static int count_to(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], small[8];
	static char memout[4096], fileout[4096];
	FILE *f, *mem;
	size_t n;
	int r;

	emit(stdout);

	/* The same output into a memory stream and into a file. */
	mem = fmemopen(memout, sizeof(memout), "w");
	CHECK(mem != NULL);
	emit(mem);
	CHECK(fclose(mem) == 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	f = fopen(path, "w+");
	CHECK(f != NULL);
	emit(f);
	CHECK(fflush(f) == 0);
	rewind(f);
	n = fread(fileout, 1, sizeof(fileout) - 1, f);
	CHECK(ferror(f) == 0 && feof(f));
	CHECK(fclose(f) == 0);
	printf("file: %zu bytes, checksum %08x, same as memory stream %d\n", n, fnv(fileout, n),
	       strcmp(fileout, memout) == 0);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);

	/* snprintf truncation reports the full length. */
	r = count_to(small, sizeof(small), "%s-%d", "truncate", 12345);
	printf("snprintf: returned %d, kept \"%s\"\n", r, small);
	CHECK(snprintf(NULL, 0, "%d", -1000000) == 8);
	char *s = NULL;
	CHECK(asprintf(&s, "%s=%04d", "asprintf", 7) == 13);
	printf("%s\n", s);
	free(s);

	/* strtol/strtod round trips. */
	errno = 0;
	printf("strtol: %ld %ld %ld\n", strtol("-0x1F", NULL, 16), strtol("0777", NULL, 0),
	       strtol("  42abc", NULL, 10));
	CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
	printf("strtod: %.17g %.17g\n", strtod("0.1", NULL), strtod("1e-310", NULL));
	printf("ok\n");
	return 0;
}
