/* Misc: getrandom and getentropy sizes and flags; only lengths and booleans are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	static const size_t sizes[] = { 1, 16, 256, 4096 };
	unsigned char a[4096], b[4096];
	ssize_t n;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = getrandom(a, sizes[i], 0);
		CHECK(n == (ssize_t)sizes[i]);
		printf("getrandom(%zu): got %zd bytes\n", sizes[i], n);
	}
	n = getrandom(a, 32, GRND_NONBLOCK);
	CHECK(n == 32);
	printf("GRND_NONBLOCK: got %zd bytes\n", n);
	n = syscall(SYS_getrandom, b, 32, 0);
	CHECK(n == 32);
	/* Two 256-bit draws are equal with probability 2^-256. */
	printf("two draws differ: %d\n", memcmp(a, b, 32) != 0);

	/* All bytes zero in 4096 random ones would be astonishing. */
	memset(a, 0, sizeof(a));
	CHECK(getrandom(a, sizeof(a), 0) == (ssize_t)sizeof(a));
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		nonzero += a[i] != 0;
	printf("buffer was filled: %d\n", nonzero > 3000);
	CHECK(getentropy(b, 256) == 0);
	CHECK(getentropy(b, 257) == -1 && errno == EIO);
	printf("getentropy: 256 ok, 257 refused\n");
	CHECK(getrandom(a, 16, 0x4000) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
