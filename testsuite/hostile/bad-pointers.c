/* Bad pointers, lengths and nested pointers to calls the table allows: the
 * buffers, the iovecs and what they point to, message headers and their
 * names, iovecs and control data, socket addresses, paths, structures;
 * at elh's system area (nothing is mapped there natively), at the top of
 * the address space, with lengths that wrap.  Each is EFAULT (or EINVAL)
 * as on Linux, and the monitor's memory is never read or written.  Raw
 * system calls, so that the C library adds nothing. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostile.h"

#define SYSAREA 0x140001000ul
#define KERNEL	0xffff800000000000ul

static void show(const char *what, long r)
{
	printf("%-60s %s\n", what, r < 0 ? errno_name(errno) : r == 0 ? "0" : ">0");
}

#define TRY(call) show(#call, (long)(call))

int main(int argc, char **argv)
{
	int p[2], sv[2];
	char buf[64] = "data";
	struct iovec iov[2], bad_iov[2];
	struct msghdr mh;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	void *sys = (void *)SYSAREA, *kern = (void *)KERNEL;

	hostile_init(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(pipe(p) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);

	CHECK(write(p[1], "x", 1) == 1); /* so that reads do not wait */
	TRY(syscall(SYS_write, p[1], sys, 16));
	TRY(syscall(SYS_write, p[1], kern, 16));
	TRY(syscall(SYS_read, p[0], sys, 16));
	TRY(syscall(SYS_write, p[1], buf, -1ul));
	TRY(syscall(SYS_write, p[1], (void *)-16ul, 32));

	bad_iov[0].iov_base = sys;
	bad_iov[0].iov_len = 16;
	TRY(syscall(SYS_writev, p[1], sys, 1));
	TRY(syscall(SYS_writev, p[1], bad_iov, 1));
	TRY(syscall(SYS_readv, p[0], bad_iov, 1));
	TRY(syscall(SYS_writev, p[1], bad_iov, 1025));
	TRY(syscall(SYS_writev, p[1], bad_iov, -1));
	iov[0].iov_base = buf;
	iov[0].iov_len = -1ul;
	TRY(syscall(SYS_writev, p[1], iov, 1));
	/* (A bad element after a good one: Linux transfers the good one, elh
	 * says EFAULT, a difference docs/SECURITY.md lists.) */

	memset(&mh, 0, sizeof(mh));
	TRY(syscall(SYS_sendmsg, sv[0], sys, 0));
	TRY(syscall(SYS_recvmsg, sv[1], sys, MSG_DONTWAIT));
	mh.msg_iov = sys;
	mh.msg_iovlen = 1;
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_iov = bad_iov;
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	iov[0].iov_base = buf;
	iov[0].iov_len = 4;
	mh.msg_iov = iov;
	mh.msg_name = sys;
	mh.msg_namelen = sizeof(struct sockaddr_un);
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_name = NULL;
	mh.msg_namelen = 0;
	mh.msg_control = sys;
	mh.msg_controllen = 64;
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_control = buf;
	mh.msg_controllen = 0xffffffffu;
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	mh.msg_iovlen = -1;
	TRY(syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_iovlen = 1;
	TRY(syscall(SYS_sendmmsg, sv[0], sys, 1, 0));

	TRY(syscall(SYS_connect, sv[0], sys, sizeof(sin)));
	TRY(syscall(SYS_connect, sv[0], &sin, -1));
	TRY(syscall(SYS_bind, sv[0], sys, sizeof(struct sockaddr_un)));
	TRY(syscall(SYS_getsockname, sv[0], sys, sys));
	{
		socklen_t len = sizeof(struct sockaddr_un);

		TRY(syscall(SYS_getsockname, sv[0], sys, &len));
		TRY(syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, sys, &len));
		TRY(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_SNDBUF, sys, 4));
	}
	TRY(syscall(SYS_sendto, sv[0], buf, 4, 0, sys, sizeof(sin)));

	TRY(syscall(SYS_open, sys, O_RDONLY));
	TRY(syscall(SYS_open, kern, O_RDONLY));
	TRY(syscall(SYS_stat, "/", sys));
	TRY(syscall(SYS_getcwd, sys, 64));
	TRY(syscall(SYS_pipe, sys));
	TRY(syscall(SYS_poll, sys, 1, 0));
	TRY(syscall(SYS_clock_gettime, 0, sys));
	TRY(syscall(SYS_nanosleep, sys, NULL));
	TRY(syscall(SYS_rt_sigaction, SIGUSR1, sys, NULL, 8));
	TRY(syscall(SYS_rt_sigprocmask, SIG_BLOCK, sys, NULL, 8));
	TRY(syscall(SYS_uname, sys));
	TRY(syscall(SYS_getrandom, sys, 16, 0));
	{
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		TRY(syscall(SYS_ppoll, &pf, 1, sys, NULL, 8));
	}

	/* Still working: the pipe carries what was written before. */
	{
		char out[64];
		long n = read(p[0], out, sizeof(out));

		printf("pipe holds %ld bytes\n", n);
	}
	return 0;
}
