/* dup, dup2, dup3, fcntl (F_GETFD/F_SETFD/F_GETFL/F_SETFL/F_DUPFD), locks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char path[64];
	char *dir = scratch_dir();
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int fd, d, flags;

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0);
	d = dup(fd);
	CHECK(d > fd);
	CHECK(write(d, "abc", 3) == 3);
	CHECK(lseek(fd, 0, SEEK_CUR) == 3); /* shared offset */
	CHECK(dup2(fd, 50) == 50);
	CHECK(fcntl(50, F_GETFD) == 0);
	CHECK(dup3(fd, 51, O_CLOEXEC) == 51);
	CHECK(fcntl(51, F_GETFD) == FD_CLOEXEC);
	CHECK(dup3(fd, fd, 0) == -1 && errno == EINVAL);
	CHECK(fcntl(fd, F_DUPFD, 60) >= 60);
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	flags = fcntl(fd, F_GETFL);
	CHECK((flags & O_ACCMODE) == O_RDWR);
	CHECK(fcntl(fd, F_SETFL, flags | O_NONBLOCK | O_APPEND) == 0);
	CHECK(fcntl(fd, F_GETFL) & O_APPEND);
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);
	fl.l_type = F_UNLCK;
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);
	fl.l_type = F_WRLCK;
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK); /* no other holder */
	CHECK(fcntl(fd, 12345) == -1 && errno == EINVAL);
	CHECK(close(50) == 0 && close(51) == 0);
	CHECK(close(50) == -1 && errno == EBADF);
	close(d);
	close(fd);
	unlink(path);
	rmdir(dir);
	printf("ok\n");
	return 0;
}
