/* Files: in-kernel copies with sendfile, splice through a pipe, copy_file_range. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define SIZE 100000

static char data[SIZE], back[SIZE];
static char dir[] = "/tmp/elh-XXXXXX";

static int make(const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags, 0600);
	CHECK(fd >= 0);
	CHECK(unlink(path) == 0); /* nothing to clean up later */
	return fd;
}

static unsigned int sum_of(int fd, long long *size)
{
	struct stat st;

	CHECK(fstat(fd, &st) == 0);
	*size = (long long)st.st_size;
	CHECK(st.st_size <= SIZE);
	CHECK(pread(fd, back, (size_t)st.st_size, 0) == st.st_size);
	return fnv(back, (size_t)st.st_size);
}

int main(void)
{
	int src, dst, p[2];
	off_t off;
	long long size;
	ssize_t n, total;

	alarm(WATCHDOG_SECONDS);
	CHECK(mkdtemp(dir) != NULL);
	for (int i = 0; i < SIZE; i++)
		data[i] = (char)(i % 253);
	src = make("src", O_RDWR | O_CREAT | O_EXCL);
	CHECK(write(src, data, SIZE) == SIZE);
	printf("source checksum %08x\n", fnv(data, SIZE));

	/* sendfile with an explicit offset leaves the file offset alone. */
	dst = make("sendfile", O_RDWR | O_CREAT | O_EXCL);
	CHECK(lseek(src, 17, SEEK_SET) == 17);
	off = 1000;
	for (total = 0; total < SIZE - 1000; total += n) {
		n = sendfile(dst, src, &off, SIZE);
		CHECK(n > 0);
	}
	CHECK(off == SIZE && lseek(src, 0, SEEK_CUR) == 17);
	printf("sendfile: %08x\n", sum_of(dst, &size));
	printf("  size %lld, matches %d\n", size, memcmp(back, data + 1000, SIZE - 1000) == 0);
	CHECK(close(dst) == 0);

	/* sendfile without an offset uses and advances the file offset. */
	dst = make("sendfile2", O_RDWR | O_CREAT | O_EXCL);
	CHECK(sendfile(dst, src, NULL, 83) == 83);
	CHECK(lseek(src, 0, SEEK_CUR) == 100);
	printf("sendfile at offset: %08x\n", sum_of(dst, &size));
	CHECK(close(dst) == 0);

	/* splice file -> pipe -> file. */
	CHECK(pipe(p) == 0);
	dst = make("splice", O_RDWR | O_CREAT | O_EXCL);
	off = 0;
	for (total = 0; total < SIZE; total += n) {
		n = splice(src, &off, p[1], NULL, 4096, 0);
		CHECK(n > 0);
		for (ssize_t left = n, m; left > 0; left -= m) {
			m = splice(p[0], NULL, dst, NULL, (size_t)left, 0);
			CHECK(m > 0);
		}
	}
	printf("splice: %08x\n", sum_of(dst, &size));
	CHECK(size == SIZE && memcmp(back, data, SIZE) == 0);
	CHECK(close(dst) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);

	/* copy_file_range within one file system. */
	dst = make("cfr", O_RDWR | O_CREAT | O_EXCL);
	{
		loff_t in = 0, out = 0;

		for (total = 0; total < SIZE; total += n) {
			n = syscall(SYS_copy_file_range, src, &in, dst, &out, (size_t)SIZE, 0);
			CHECK(n > 0);
		}
		CHECK(in == SIZE && out == SIZE);
	}
	printf("copy_file_range: %08x\n", sum_of(dst, &size));
	CHECK(size == SIZE);
	CHECK(close(dst) == 0);

	CHECK(sendfile(src, -1, NULL, 1) == -1 && errno == EBADF);
	CHECK(close(src) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
