/* Invalid file descriptors: EBADF, as Linux says, for every kind of use. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRY(what, call)                                                                            \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		printf("%-32s %ld %s\n", what, r_, r_ < 0 ? (errno == EBADF ? "EBADF" : strerror(errno)) : "");\
	} while (0)

int main(void)
{
	char c;
	struct stat st;
	struct pollfd pf[2] = { { .fd = 4000, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);

	TRY("read(-1)", read(-1, &c, 1));
	TRY("read(4000)", read(4000, &c, 1));
	TRY("write(1000000)", write(1000000, "x", 1));
	TRY("close(-5)", close(-5));
	TRY("close(4000)", close(4000));
	TRY("fstat(4001)", fstat(4001, &st));
	TRY("dup(4002)", dup(4002));
	TRY("dup2(0, -1)", dup2(0, -1));
	TRY("fcntl(4003, F_GETFD)", fcntl(4003, F_GETFD));
	TRY("lseek(4004)", lseek(4004, 0, SEEK_SET));
	TRY("poll with fd 4000", poll(pf, 2, 0));
	printf("revents %#x %#x\n", pf[0].revents, pf[1].revents);
	TRY("epoll_ctl with fd 4000", epoll_ctl(ep, EPOLL_CTL_ADD, 4000, &ev));
	TRY("fchdir(4005)", fchdir(4005));
	TRY("openat(4006, rel)", openat(4006, "relative", O_RDONLY));
	return 0;
}
