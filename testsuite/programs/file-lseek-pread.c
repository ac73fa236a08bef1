/* Files: lseek whence values, holes read as zeros, pread/pwrite/preadv/pwritev, ESPIPE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], buf[64], x[3], y[5];
	struct iovec iov[2];
	struct stat st;
	int fd, p[2], zeros = 0;
	static char hole[8192];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/seek", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	CHECK(lseek(fd, 0, SEEK_CUR) == 10);
	CHECK(lseek(fd, 3, SEEK_SET) == 3);
	CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "3456", 4) == 0);
	CHECK(lseek(fd, -2, SEEK_CUR) == 5);
	CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "56", 2) == 0);
	CHECK(lseek(fd, -1, SEEK_END) == 9);
	CHECK(read(fd, buf, 10) == 1 && buf[0] == '9');
	CHECK(lseek(fd, -11, SEEK_END) == -1 && errno == EINVAL);
	CHECK(lseek(fd, 0, 42) == -1 && errno == EINVAL);
	CHECK(lseek(fd, 0, SEEK_CUR) == 10);

	/* A write far past the end leaves a hole that reads as zeros. */
	CHECK(lseek(fd, 10000, SEEK_SET) == 10000);
	CHECK(write(fd, "end", 3) == 3);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10003);
	CHECK(pread(fd, hole, sizeof(hole), 10) == (ssize_t)sizeof(hole));
	for (size_t i = 0; i < sizeof(hole); i++)
		zeros += hole[i] == 0;
	printf("size %lld, zeros in hole %d\n", (long long)st.st_size, zeros);

	/* Positional I/O does not move the file offset. */
	CHECK(lseek(fd, 2, SEEK_SET) == 2);
	CHECK(pwrite(fd, "ABC", 3, 4) == 3);
	CHECK(pread(fd, buf, 6, 2) == 6 && memcmp(buf, "23ABC7", 6) == 0);
	CHECK(pread(fd, buf, 10, 10001) == 2 && memcmp(buf, "nd", 2) == 0);
	CHECK(pread(fd, buf, 10, 20000) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 2);
	iov[0] = (struct iovec){ .iov_base = "xyz", .iov_len = 3 };
	iov[1] = (struct iovec){ .iov_base = "UVWXY", .iov_len = 5 };
	CHECK(pwritev(fd, iov, 2, 1) == 8);
	iov[0] = (struct iovec){ .iov_base = x, .iov_len = sizeof(x) };
	iov[1] = (struct iovec){ .iov_base = y, .iov_len = sizeof(y) };
	CHECK(preadv(fd, iov, 2, 0) == 8);
	printf("preadv: %.3s|%.5s\n", x, y);
	CHECK(lseek(fd, 0, SEEK_CUR) == 2);
	CHECK(pread(fd, buf, 1, -1) == -1 && errno == EINVAL);

	CHECK(pipe(p) == 0);
	CHECK(lseek(p[0], 0, SEEK_CUR) == -1 && errno == ESPIPE);
	CHECK(pread(p[0], buf, 1, 0) == -1 && errno == ESPIPE);
	CHECK(pwrite(p[1], "x", 1, 0) == -1 && errno == ESPIPE);
	close(p[0]);
	close(p[1]);

	CHECK(close(fd) == 0);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
