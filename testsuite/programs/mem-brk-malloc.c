/* Memory: raw brk up and down, then malloc/calloc/realloc/free/posix_memalign patterns. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define SLOTS 512

int main(void)
{
	static char *slot[SLOTS];
	static size_t size[SLOTS];
	unsigned int seed = 12345, sum = 0;
	uintptr_t cur, up;
	char *p;

	/* Raw brk before malloc has run: query, grow by 64 KiB, use, shrink back. */
	cur = (uintptr_t)syscall(SYS_brk, 0);
	CHECK(cur != 0);
	up = (uintptr_t)syscall(SYS_brk, cur + 65536);
	CHECK(up == cur + 65536);
	p = (char *)cur;
	memset(p, 'b', 65536);
	CHECK(p[0] == 'b' && p[65535] == 'b');
	CHECK((uintptr_t)syscall(SYS_brk, cur) == cur);
	CHECK((uintptr_t)syscall(SYS_brk, 0) == cur);
	printf("brk: grew by 64 KiB, wrote it, shrank back\n");
	CHECK(sbrk(0) != (void *)-1);

	/* A deterministic random mix of allocations and frees. */
	for (int round = 0; round < 20000; round++) {
		seed = seed * 1103515245 + 12345;
		int i = (int)((seed >> 8) % SLOTS);

		if (slot[i]) {
			/* Check the ends and a sample of the middle. */
			for (size_t k = 0; k < size[i]; k += k < 64 ? 1 : 997)
				CHECK(slot[i][k] == (char)(i + k));
			if (size[i])
				CHECK(slot[i][size[i] - 1] == (char)(i + size[i] - 1));
			free(slot[i]);
			slot[i] = NULL;
		} else {
			seed = seed * 1103515245 + 12345;
			size[i] = (seed >> 8) % ((seed & 31) == 0 ? 200000 : 300);
			slot[i] = malloc(size[i]);
			CHECK(slot[i] != NULL || size[i] == 0);
			for (size_t k = 0; k < size[i]; k++)
				slot[i][k] = (char)(i + k);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i])
			sum = sum * 31 + fnv(slot[i], size[i]);
		free(slot[i]);
	}
	printf("20000 malloc/free rounds: checksum %08x\n", sum);

	/* calloc zeroes, also memory that malloc handed out before. */
	p = malloc(100000);
	CHECK(p != NULL);
	memset(p, 0xff, 100000);
	free(p);
	p = calloc(1000, 100);
	CHECK(p != NULL);
	for (int i = 0; i < 100000; i++)
		CHECK(p[i] == 0);
	free(p);
	/* volatile: keep the compiler from judging the sizes at build time. */
	volatile size_t half = SIZE_MAX / 2, huge = SIZE_MAX - 4096;
	errno = 0;
	CHECK(calloc(half, 4) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc(huge) == NULL && errno == ENOMEM);
	printf("calloc zeroed; overflow and huge sizes fail with ENOMEM\n");

	/* realloc keeps the prefix while growing step by step. */
	p = NULL;
	for (size_t n = 1; n <= (1 << 20); n *= 2) {
		p = realloc(p, n);
		CHECK(p != NULL);
		p[n - 1] = (char)n;
		if (n > 1)
			CHECK(p[n / 2 - 1] == (char)(n / 2));
	}
	CHECK(malloc_usable_size(p) >= (1 << 20));
	free(p);
	printf("realloc growth to 1 MiB kept every earlier byte\n");

	/* Alignment requests. */
	for (size_t al = sizeof(void *); al <= 65536; al *= 4) {
		void *a = NULL;

		CHECK(posix_memalign(&a, al, 1000) == 0);
		CHECK(((uintptr_t)a & (al - 1)) == 0);
		free(a);
		a = aligned_alloc(al, al * 2);
		CHECK(a != NULL && ((uintptr_t)a & (al - 1)) == 0);
		free(a);
	}
	void *a;
	CHECK(posix_memalign(&a, 3, 16) == EINVAL);
	CHECK(((uintptr_t)malloc(1) & 15) == 0);
	printf("posix_memalign and aligned_alloc aligned up to 64 KiB\n");
	printf("ok\n");
	return 0;
}
