/* Memory: mremap grow (MAYMOVE), shrink, move to a fixed address; errors; large realloc. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096

int main(void)
{
	char *p, *q, *r, *target;
	unsigned int before;

	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (int i = 0; i < 4 * PG; i++)
		p[i] = (char)(i ^ (i >> 9));
	before = fnv(p, 4 * PG);
	printf("original checksum %08x\n", before);

	/* Same size is a no-op; growing with MAYMOVE may move the mapping. */
	q = mremap(p, 4 * PG, 4 * PG, 0);
	CHECK(q == p);
	q = mremap(p, 4 * PG, 256 * PG, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	CHECK(fnv(q, 4 * PG) == before);
	CHECK(q[4 * PG] == 0 && q[256 * PG - 1] == 0);
	q[256 * PG - 1] = 'e';
	printf("grown to 1 MiB: old part intact, new part zero\n");

	/* Shrink: the tail goes away. */
	r = mremap(q, 256 * PG, 2 * PG, 0);
	CHECK(r == q);
	CHECK(fnv(r, 2 * PG) == fnv(q, 2 * PG));
	CHECK(mincore(r + 2 * PG, PG, (unsigned char[1]){ 0 }) == -1 && errno == ENOMEM);
	printf("shrunk in place\n");

	/* Move to a chosen address. */
	target = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(target != MAP_FAILED);
	char *m = mremap(r, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target + 4 * PG);
	CHECK(m == target + 4 * PG);
	CHECK(m[0] == (char)(0) && m[PG + 1] == (char)((PG + 1) ^ ((PG + 1) >> 9)));
	CHECK(mincore(r, PG, (unsigned char[1]){ 0 }) == -1 && errno == ENOMEM);
	printf("moved to a fixed address, contents kept\n");

	CHECK(mremap(m + 1, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(m, PG, 2 * PG, MREMAP_FIXED, target) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(m, 0, PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	CHECK(munmap(target, 8 * PG) == 0);
	CHECK(mremap(m, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
	printf("errors: EINVAL, EINVAL, EINVAL, EFAULT\n");

	/* realloc of a large block uses mremap in musl; the contents must follow. */
	char *big = malloc(1 << 20);
	CHECK(big != NULL);
	memset(big, 'x', 1 << 20);
	big = realloc(big, 8 << 20);
	CHECK(big != NULL && big[0] == 'x' && big[(1 << 20) - 1] == 'x');
	big[(8 << 20) - 1] = 'y';
	big = realloc(big, 2 << 20);
	CHECK(big != NULL && big[(1 << 20) - 1] == 'x');
	free(big);
	printf("large realloc kept contents\n");
	printf("ok\n");
	return 0;
}
