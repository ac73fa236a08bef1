/* Pipes: pipe2 flags, EOF, EPIPE with SIGPIPE ignored, O_NONBLOCK EAGAIN,
 * F_GETPIPE_SZ, and a write larger than the pipe in pieces. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	char buf[256];
	static char big[200000];
	long got = 0;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "through a pipe", 14) == 14);
	CHECK(read(p[0], buf, sizeof(buf)) == 14);
	CHECK(close(p[1]) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 0); /* EOF */
	close(p[0]);

	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	printf("pipe size %d\n", fcntl(p[1], F_GETPIPE_SZ));
	memset(big, 'x', sizeof(big));
	while (got < (long)sizeof(big)) {
		ssize_t n = write(p[1], big, sizeof(big));

		if (n < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		got += n;
	}
	printf("nonblocking write filled the pipe: %d\n", got > 0 && got < (long)sizeof(big));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE);
	close(p[1]);
	printf("ok\n");
	return 0;
}
