/* Pipes: FIONREAD, EOF after the writer closes, EPIPE and SIGPIPE, O_NONBLOCK, pipe2 flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t sigpipes;

static void on_pipe(int sig)
{
	if (sig == SIGPIPE)
		sigpipes++;
}

int main(void)
{
	char buf[256];
	int p[2], avail, fill;
	ssize_t n;
	static char chunk[4096];

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(p) == 0);
	CHECK(fcntl(p[0], F_GETFD) == 0);
	CHECK(write(p[1], "one ", 4) == 4);
	CHECK(write(p[1], "two ", 4) == 4);
	CHECK(write(p[1], "three\n", 6) == 6);
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0);
	printf("FIONREAD: %d\n", avail);
	n = read(p[0], buf, 6);
	CHECK(n == 6);
	n = read(p[0], buf + 6, sizeof(buf) - 7);
	CHECK(n == 8);
	buf[14] = 0;
	printf("read: %s", buf);
	CHECK(read(p[1], buf, 1) == -1 && errno == EBADF);
	CHECK(write(p[0], "x", 1) == -1 && errno == EBADF);
	CHECK(write(p[1], "last", 4) == 4);
	CHECK(close(p[1]) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 4);
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	printf("EOF after the writer closed\n");
	CHECK(close(p[0]) == 0);

	/* Writing to a pipe without readers. */
	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK(pipe(p) == 0);
	CHECK(close(p[0]) == 0);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(signal(SIGPIPE, on_pipe) != SIG_ERR);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(write(p[1], "y", 1) == -1 && errno == EPIPE);
	printf("EPIPE, SIGPIPE handler ran %d times\n", (int)sigpipes);
	CHECK(close(p[1]) == 0);

	/* Non-blocking ends: EAGAIN when empty and when full. */
	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	fill = 0;
	while ((n = write(p[1], chunk, sizeof(chunk))) > 0)
		fill += (int)n;
	CHECK(n == -1 && errno == EAGAIN);
	CHECK(fill >= 4096);
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == fill);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		fill -= (int)n;
	CHECK(n == -1 && errno == EAGAIN && fill == 0);
	printf("non-blocking: EAGAIN when empty and when full\n");
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);

	/* A zero-length write and read. */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], buf, 0) == 0);
	CHECK(read(p[0], buf, 0) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(pipe2(p, 0x12345678) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
