/* File-backed mappings (shared writes reach the file, private ones do not),
 * msync, mremap growing in place or moving, brk through malloc. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char path[64], buf[16];
	char *dir = scratch_dir(), *sh, *pr, *r;
	void *brk0 = sbrk(0), *heap;
	size_t pg = 4096;
	int fd;

	snprintf(path, sizeof(path), "%s/m", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 2 * pg) == 0 && pwrite(fd, "file data", 9, 0) == 9);
	sh = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pr = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(sh != MAP_FAILED && pr != MAP_FAILED);
	CHECK(memcmp(sh, "file data", 9) == 0 && memcmp(pr, "file data", 9) == 0);
	memcpy(sh, "SHARED", 6);
	CHECK(msync(sh, pg, MS_SYNC) == 0);
	CHECK(pread(fd, buf, 6, 0) == 6 && memcmp(buf, "SHARED", 6) == 0);
	memcpy(pr + pg, "PRIVATE", 7);
	CHECK(pread(fd, buf, 7, pg) == 7 && memcmp(buf, "PRIVATE", 7) != 0);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED && errno == EBADF);
	munmap(sh, 2 * pg);
	munmap(pr, 2 * pg);
	close(fd);
	unlink(path);
	rmdir(dir);

	r = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(r, "moves with its data");
	r = mremap(r, pg, 64 * pg, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED && strcmp(r, "moves with its data") == 0);
	r[63 * pg] = 1;
	r = mremap(r, 64 * pg, 2 * pg, 0);
	CHECK(r != MAP_FAILED && strcmp(r, "moves with its data") == 0);
	CHECK(mremap(r, 2 * pg, 1 << 30, 0) == MAP_FAILED || 1);
	munmap(r, 2 * pg);

	heap = malloc(1 << 20);
	CHECK(heap != NULL);
	memset(heap, 3, 1 << 20);
	free(heap);
	CHECK(sbrk(0) >= brk0);
	for (int i = 0; i < 1000; i++)
		free(malloc((size_t)(i * 37) % 5000 + 1));
	printf("ok\n");
	return 0;
}
