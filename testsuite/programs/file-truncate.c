/* Files: ftruncate/truncate grow with zeros and shrink; errors for bad lengths and fds. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static long long size_of(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st) == 0);
	return (long long)st.st_size;
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], buf[64];
	int fd, ro;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/t", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "abcdefghij", 10) == 10);

	CHECK(ftruncate(fd, 4) == 0);
	printf("shrunk to %lld\n", size_of(fd));
	CHECK(lseek(fd, 0, SEEK_CUR) == 10);
	CHECK(read(fd, buf, 8) == 0);
	CHECK(ftruncate(fd, 8) == 0);
	CHECK(pread(fd, buf, 16, 0) == 8);
	printf("grown to %lld: %.4s + %d %d %d %d\n", size_of(fd), buf, buf[4], buf[5], buf[6],
	       buf[7]);

	CHECK(truncate(path, 100000) == 0);
	printf("truncate by path: %lld\n", size_of(fd));
	CHECK(pread(fd, buf, 4, 99996) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0);
	CHECK(truncate(path, 0) == 0);
	printf("emptied: %lld\n", size_of(fd));

	CHECK(ftruncate(fd, -1) == -1 && errno == EINVAL);
	CHECK(truncate(path, -5) == -1 && errno == EINVAL);
	ro = open(path, O_RDONLY);
	CHECK(ro >= 0);
	CHECK(ftruncate(ro, 10) == -1 && (errno == EINVAL || errno == EBADF));
	CHECK(close(ro) == 0);
	CHECK(truncate(dir, 0) == -1 && errno == EISDIR);
	CHECK(ftruncate(-1, 0) == -1 && errno == EBADF);

	/* O_TRUNC on open empties as well. */
	CHECK(write(fd, "xyz", 3) == 3);
	CHECK(close(fd) == 0);
	fd = open(path, O_RDWR | O_TRUNC);
	CHECK(fd >= 0);
	printf("after O_TRUNC: %lld\n", size_of(fd));
	CHECK(close(fd) == 0);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
