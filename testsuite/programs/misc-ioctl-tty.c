/* Misc: isatty/TIOCGWINSZ/tcgetattr give ENOTTY on non-terminals; FIONREAD, FIONBIO, FIOCLEX. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static void probe(const char *what, int fd)
{
	struct winsize ws;
	struct termios tio;
	int tty, e1, r2, e2, r3, e3;

	errno = 0;
	tty = isatty(fd);
	e1 = errno;
	r2 = ioctl(fd, TIOCGWINSZ, &ws);
	e2 = errno;
	r3 = tcgetattr(fd, &tio);
	e3 = errno;
	printf("%-10s isatty %d (%s), TIOCGWINSZ %d (%s), tcgetattr %d (%s)\n", what, tty,
	       e1 == ENOTTY ? "ENOTTY" : "?", r2, e2 == ENOTTY ? "ENOTTY" : "?", r3,
	       e3 == ENOTTY ? "ENOTTY" : "?");
	CHECK(tty == 0 && e1 == ENOTTY && r2 == -1 && r3 == -1);
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64];
	int p[2], sv[2], fd, n;

	CHECK(pipe(p) == 0);
	probe("pipe", p[0]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	probe("socket", sv[0]);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	probe("file", fd);
	int null = open("/dev/null", O_RDWR);
	CHECK(null >= 0);
	probe("/dev/null", null);

	errno = 0;
	CHECK(isatty(-1) == 0 && errno == EBADF);
	CHECK(ioctl(-1, TIOCGWINSZ, NULL) == -1 && errno == EBADF);
	printf("bad descriptor: EBADF\n");

	/* Generic ioctls that do work on these objects. */
	CHECK(write(p[1], "12345", 5) == 5);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
	CHECK(write(fd, "abc", 3) == 3 && lseek(fd, 1, SEEK_SET) == 1);
	CHECK(ioctl(fd, FIONREAD, &n) == 0);
	printf("FIONREAD: pipe %d, file (from offset 1) %d\n", 5, n);
	int on = 1;
	CHECK(ioctl(sv[0], FIONBIO, &on) == 0);
	CHECK((fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK(ioctl(p[0], FIOCLEX) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK(ioctl(p[0], FIONCLEX) == 0 && fcntl(p[0], F_GETFD) == 0);
	printf("FIONBIO, FIOCLEX, FIONCLEX work\n");
	CHECK(ioctl(fd, 0x7fff1234, NULL) == -1 && errno == ENOTTY);
	printf("unknown ioctl on a file: ENOTTY\n");

	CHECK(close(null) == 0 && close(fd) == 0 && unlink(path) == 0 && rmdir(dir) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(sv[0]) == 0 && close(sv[1]) == 0);
	printf("ok\n");
	return 0;
}
