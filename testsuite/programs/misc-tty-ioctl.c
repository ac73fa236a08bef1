/* Terminal ioctls on things that are not terminals: isatty, TIOCGWINSZ,
 * tcgetattr give ENOTTY; FIONREAD and FIONBIO work on a pipe. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2], n = -1, on = 1;
	struct winsize ws;
	struct termios t;

	CHECK(pipe(p) == 0);
	errno = 0;
	n = isatty(p[0]);
	printf("isatty(pipe) %d %s\n", n, errno_name(errno));
	CHECK(ioctl(p[0], TIOCGWINSZ, &ws) == -1 && errno == ENOTTY);
	CHECK(tcgetattr(p[0], &t) == -1 && errno == ENOTTY);
	CHECK(write(p[1], "12345", 5) == 5);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
	CHECK(ioctl(p[0], FIONBIO, &on) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK(ioctl(p[0], 0x12345678, &n) == -1 && errno == ENOTTY);
	printf("FIONREAD %d\n", n);
	return 0;
}
