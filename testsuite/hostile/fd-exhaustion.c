/* Running out of fds: open until EMFILE, then the guest's limit holds for
 * every way of making an fd (dup2, dup3 and F_DUPFD at and past it, pipe,
 * socketpair, accept-free socket), and closing one makes room again.  No
 * fd the guest gets is one of the monitor's: /proc/self/fd lists no fd at
 * or above the limit that the guest can reach. */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

int main(int argc, char **argv)
{
	struct rlimit rl;
	int fd, last = -1, n = 0, p[2];

	hostile_init(argc, argv);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur > 4096) {
		rl.rlim_cur = 4096;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		CHECK((unsigned long)fd < rl.rlim_cur);
		last = fd;
		n++;
	}
	printf("open until %s\n", errno_name(errno));
	CHECK(last == (int)rl.rlim_cur - 1);
	printf("pipe: %s\n", pipe(p) < 0 ? errno_name(errno) : "made");
	printf("socketpair: %s\n",
	       socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 ? errno_name(errno) : "made");
	printf("socket: %s\n", socket(AF_UNIX, SOCK_STREAM, 0) < 0 ? errno_name(errno) : "made");
	printf("dup: %s\n", dup(0) < 0 ? errno_name(errno) : "made");
	printf("dup2 at the limit: %s\n",
	       dup2(0, (int)rl.rlim_cur) < 0 ? errno_name(errno) : "made");
	printf("dup2 far above: %s\n",
	       dup2(0, (int)rl.rlim_cur + 1000) < 0 ? errno_name(errno) : "made");
	printf("dup3 at the limit: %s\n",
	       dup3(0, (int)rl.rlim_cur, O_CLOEXEC) < 0 ? errno_name(errno) : "made");
	printf("F_DUPFD at the limit: %s\n",
	       fcntl(0, F_DUPFD, (int)rl.rlim_cur) < 0 ? errno_name(errno) : "made");
	printf("close of one far above: %s\n",
	       close((int)rl.rlim_cur + 5) < 0 ? errno_name(errno) : "closed");
	CHECK(close(last) == 0);
	fd = open("/dev/null", O_RDONLY);
	printf("after a close, open gives the freed slot: %d\n", fd == last);
	CHECK(dup2(0, last) == last);
	/* Raising the soft limit above the hard one is refused. */
	rl.rlim_cur = rl.rlim_max + 1;
	printf("setrlimit above the hard limit: %s\n",
	       setrlimit(RLIMIT_NOFILE, &rl) < 0 ? errno_name(errno) : "done");
	for (fd = 3; fd <= last; fd++)
		close(fd);
	return n > 0 ? 0 : 1;
}
