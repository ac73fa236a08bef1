/* Anonymous mappings: hints, MAP_FIXED, partial munmap, mprotect,
 * MAP_SHARED anonymous memory seen by a second thread, large mappings. */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static volatile int *shared;

static void *writer(void *arg)
{
	(void)arg;
	*shared = 1234;
	return NULL;
}

int main(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b, *big;
	unsigned char vec[4];
	pthread_t t;

	CHECK(a != MAP_FAILED && ((uintptr_t)a & (pg - 1)) == 0);
	for (size_t i = 0; i < 16 * pg; i++)
		CHECK(a[i] == 0);
	memset(a, 7, 16 * pg);
	CHECK(munmap(a + 4 * pg, 4 * pg) == 0);
	CHECK(mincore(a + 4 * pg, pg, vec) == -1 && errno == ENOMEM);
	b = mmap(a + 4 * pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	CHECK(b == a + 4 * pg && b[0] == 0 && a[3 * pg] == 7 && a[8 * pg] == 7);
	CHECK(mmap(a, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
		      MAP_FAILED &&
	      errno == EEXIST);
	CHECK(mprotect(a, pg, PROT_READ) == 0 && a[0] == 7);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(munmap(a + 1, pg) == -1 && errno == EINVAL);

	shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	pthread_create(&t, NULL, writer, NULL);
	pthread_join(t, NULL);
	printf("shared anonymous: %d\n", *shared);

	big = mmap(NULL, 256 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(big != MAP_FAILED);
	for (size_t i = 0; i < (256u << 20); i += 1 << 20)
		big[i] = 1;
	CHECK(munmap(big, 256 << 20) == 0);
	munmap(a, 16 * pg);
	printf("ok\n");
	return 0;
}
