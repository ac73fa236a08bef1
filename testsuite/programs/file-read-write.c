/* Files: O_EXCL/O_TRUNC/O_APPEND, a large write read back in chunks, readv/writev, errors. */
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

static char big[200003], back[200003];

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], a[4], b[4], c[64], buf[128];
	struct iovec out[3], in[3];
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/data", dir);
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	CHECK(read(fd, buf, 1) == -1 && errno == EBADF);
	CHECK(close(fd) == 0);
	CHECK(open(path, O_WRONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);

	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	while ((n = read(fd, back + got, got + 4099 < sizeof(back) ? 4099 : sizeof(back) - got)) >
	       0)
		got += (size_t)n;
	CHECK(n == 0);
	CHECK(got == sizeof(big));
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	printf("wrote and read %zu bytes, checksum %08x\n", got, fnv(back, got));
	CHECK(close(fd) == 0);

	fd = open(path, O_RDWR | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
	out[0] = (struct iovec){ .iov_base = "alpha ", .iov_len = 6 };
	out[1] = (struct iovec){ .iov_base = "beta ", .iov_len = 5 };
	out[2] = (struct iovec){ .iov_base = "gamma\n", .iov_len = 6 };
	CHECK(writev(fd, out, 3) == 17);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	memset(c, 0, sizeof(c));
	in[0] = (struct iovec){ .iov_base = a, .iov_len = sizeof(a) };
	in[1] = (struct iovec){ .iov_base = b, .iov_len = sizeof(b) };
	in[2] = (struct iovec){ .iov_base = c, .iov_len = sizeof(c) - 1 };
	CHECK(readv(fd, in, 3) == 17);
	c[strcspn(c, "\n")] = 0;
	printf("readv: [%.4s] [%.4s] [%s]\n", a, b, c);
	CHECK(close(fd) == 0);

	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "delta\n", 6) == 6);
	CHECK(lseek(fd, 0, SEEK_CUR) == 23);
	CHECK(close(fd) == 0);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n == 23);
	buf[n] = 0;
	printf("after append:\n%s", buf);
	CHECK(close(fd) == 0);
	CHECK(close(fd) == -1 && errno == EBADF);

	CHECK(open(dir, O_WRONLY) == -1 && errno == EISDIR);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
