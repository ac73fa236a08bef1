/* Files: dup/dup2/dup3/F_DUPFD share offset and flags, not FD_CLOEXEC; F_GETFL/F_SETFL. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static const char *accmode(int fl)
{
	switch (fl & O_ACCMODE) {
	case O_RDONLY: return "O_RDONLY";
	case O_WRONLY: return "O_WRONLY";
	case O_RDWR: return "O_RDWR";
	}
	return "?";
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], buf[16];
	int fd, d, d2, hi, fl, a, b;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/dup", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);

	d = dup(fd);
	CHECK(d >= 0 && d != fd);
	CHECK(fcntl(d, F_GETFD) == 0);
	CHECK(lseek(d, 2, SEEK_SET) == 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 2);
	CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0);
	CHECK(lseek(d, 0, SEEK_CUR) == 5);
	printf("dup shares the offset\n");

	/* File status flags are shared between the duplicates. */
	fl = fcntl(d, F_GETFL);
	CHECK(fl >= 0);
	printf("access mode %s append %d nonblock %d\n", accmode(fl), !!(fl & O_APPEND),
	       !!(fl & O_NONBLOCK));
	CHECK(fcntl(d, F_SETFL, fl | O_APPEND | O_NONBLOCK) == 0);
	fl = fcntl(fd, F_GETFL);
	printf("after F_SETFL: access mode %s append %d nonblock %d\n", accmode(fl),
	       !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
	CHECK(write(fd, "X", 1) == 1);
	CHECK(lseek(fd, 0, SEEK_CUR) == 11);

	/* dup2 onto a chosen number, then dup2/dup3 corner cases. */
	hi = dup2(fd, 200);
	CHECK(hi == 200);
	CHECK(fcntl(200, F_GETFD) == 0);
	CHECK(dup2(200, 200) == 200);
	CHECK(dup3(200, 200, 0) == -1 && errno == EINVAL);
	CHECK(dup3(fd, 201, O_CLOEXEC) == 201);
	CHECK(fcntl(201, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(201, F_SETFD, 0) == 0 && fcntl(201, F_GETFD) == 0);
	CHECK(dup2(d, 201) == 201); /* silently closes the old 201 */
	CHECK(pread(201, buf, 2, 0) == 2 && memcmp(buf, "01", 2) == 0);
	printf("dup2 to 200 and dup3 to 201 ok\n");

	d2 = fcntl(fd, F_DUPFD, 150);
	CHECK(d2 >= 150);
	CHECK(fcntl(fd, F_DUPFD_CLOEXEC, 150) > d2);
	CHECK(fcntl(fd, F_DUPFD, -1) == -1 && errno == EINVAL);

	/* The lowest free descriptor is reused. */
	a = open(path, O_RDONLY);
	b = open(path, O_RDONLY);
	CHECK(a >= 0 && b > a);
	CHECK(close(a) == 0);
	CHECK(dup(b) == a);
	printf("lowest free descriptor reused\n");

	CHECK(dup(-1) == -1 && errno == EBADF);
	CHECK(dup2(fd, -1) == -1 && errno == EBADF);
	CHECK(close(hi) == 0);
	CHECK(fcntl(hi, F_GETFD) == -1 && errno == EBADF);
	CHECK(fcntl(fd, 0x7fff) == -1 && errno == EINVAL);

	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
