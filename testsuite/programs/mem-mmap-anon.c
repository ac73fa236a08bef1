/* Memory: anonymous mappings: zeroed, MAP_FIXED, partial munmap, madvise, mincore, shared. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PG 4096

static char *shared_map;

static void *writer(void *arg)
{
	(void)arg;
	memset(shared_map, 'T', PG);
	return NULL;
}

int main(void)
{
	unsigned char vec[8];
	pthread_t t;
	char *p, *q;
	size_t zeros = 0;

	CHECK(sysconf(_SC_PAGESIZE) == PG);
	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(((uintptr_t)p & (PG - 1)) == 0);
	for (size_t i = 0; i < 8 * PG; i++)
		zeros += p[i] == 0;
	printf("fresh private mapping: %zu of %d bytes zero\n", zeros, 8 * PG);
	for (size_t i = 0; i < 8 * PG; i++)
		p[i] = (char)(i * 7);
	printf("pattern checksum %08x\n", fnv(p, 8 * PG));

	/* MAP_FIXED over pages 2..3 gives fresh zero pages there, the rest is kept. */
	q = mmap(p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 2 * PG);
	CHECK(q[0] == 0 && q[2 * PG - 1] == 0);
	CHECK(p[PG] == (char)(PG * 7) && p[4 * PG] == (char)(4 * PG * 7));
	printf("MAP_FIXED replaced two pages\n");

	/* madvise(MADV_DONTNEED) on private anonymous memory gives zero pages back. */
	CHECK(madvise(p + 5 * PG, PG, MADV_DONTNEED) == 0);
	CHECK(p[5 * PG] == 0 && p[6 * PG - 1] == 0);
	CHECK(p[6 * PG] == (char)(6 * PG * 7));
	CHECK(madvise(p, PG, MADV_WILLNEED) == 0);
	CHECK(madvise(p, PG, 12345) == -1 && errno == EINVAL);
	printf("MADV_DONTNEED zeroed a page\n");

	/* mincore: touched pages are resident. */
	CHECK(mincore(p, 8 * PG, vec) == 0);
	CHECK(vec[0] & 1);
	CHECK(mincore(p + 1, PG, vec) == -1 && errno == EINVAL);

	/* Unmap a hole in the middle; the sides stay usable. */
	CHECK(munmap(p + 3 * PG, PG) == 0);
	CHECK(p[2 * PG + 10] == 0 && p[4 * PG] == (char)(4 * PG * 7));
	CHECK(mincore(p + 3 * PG, PG, vec) == -1 && errno == ENOMEM);
	CHECK(munmap(p, 8 * PG) == 0); /* unmapping across the hole is fine */
	CHECK(munmap(p + 1, PG) == -1 && errno == EINVAL);
	printf("partial munmap ok\n");

	/* A shared anonymous mapping written by another thread. */
	shared_map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared_map != MAP_FAILED && shared_map[0] == 0);
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(msync(shared_map, PG, MS_SYNC) == 0);
	printf("shared mapping seen: %c%c\n", shared_map[0], shared_map[PG - 1]);
	CHECK(munmap(shared_map, PG) == 0);

	/* A larger mapping (4 MiB), touched every page. */
	size_t big = 4 << 20;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
		 0);
	CHECK(p != MAP_FAILED);
	unsigned long s = 0;
	for (size_t i = 0; i < big; i += PG) {
		p[i] = (char)(i / PG);
		s += (unsigned char)p[i];
	}
	printf("4 MiB mapping: page sum %lu\n", s);
	CHECK(munmap(p, big) == 0);

	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED && errno == EBADF);
	printf("ok\n");
	return 0;
}
