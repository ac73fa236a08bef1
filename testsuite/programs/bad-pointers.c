/* Bad pointers and lengths handed to system calls: each gives the errno
 * Linux gives, and nothing else happens.  Raw syscall() where a libc
 * wrapper would itself touch the memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *name(int e)
{
	switch (e) {
	case 0: return "OK";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ENOSYS: return "ENOSYS";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOTSOCK: return "ENOTSOCK";
	default: return strerror(e);
	}
}

#define TRY(what, call)                                                                            \
	do {                                                                                       \
		long r_ = (long)(call);                                                            \
		printf("%-40s %s\n", what, r_ < 0 ? name(errno) : "OK");                           \
		errno = 0;                                                                         \
	} while (0)

int main(void)
{
	int p[2], sv[2];
	char buf[64];
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov[2];
	struct msghdr mh;
	struct stat st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || none == MAP_FAILED ||
	    edge == MAP_FAILED)
		return 1;
	munmap(edge + 4096, 4096);
	TRY("write from NULL", write(p[1], NULL, 10));
	TRY("write from PROT_NONE", write(p[1], none, 10));
	TRY("write from unmapped kernel address", write(p[1], (void *)0xffff800000000000ull, 10));
	TRY("write zero bytes from NULL", write(p[1], NULL, 0));
	TRY("read into PROT_NONE", (write(p[1], "x", 1), read(p[0], none, 1)));
	TRY("read into NULL", (write(p[1], "y", 1), read(p[0], NULL, 1)));
	TRY("read straddling an unmapped page", (write(p[1], "zz", 2), read(p[0], edge + 4095, 2)));
	TRY("stat with NULL path", syscall(SYS_stat, NULL, &st));
	TRY("stat with unmapped path", syscall(SYS_stat, (char *)0x10, &st));
	TRY("stat into PROT_NONE", syscall(SYS_stat, "/", (struct stat *)none));
	iov[0].iov_base = buf;
	iov[0].iov_len = 4;
	iov[1].iov_base = none;
	iov[1].iov_len = 4;
	TRY("writev with a PROT_NONE element", writev(sv[0], iov, 2));
	TRY("writev with iovec array in PROT_NONE", writev(sv[0], (struct iovec *)none, 2));
	TRY("writev with 100000 elements", writev(sv[0], iov, 100000));
	TRY("writev with -1 elements", writev(sv[0], iov, -1));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = (struct iovec *)none;
	mh.msg_iovlen = 1;
	TRY("sendmsg with iov in PROT_NONE", syscall(SYS_sendmsg, sv[0], &mh, 0));
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	mh.msg_control = none;
	mh.msg_controllen = 64;
	TRY("sendmsg with control in PROT_NONE", syscall(SYS_sendmsg, sv[0], &mh, 0));
	TRY("sendmsg with msghdr NULL", syscall(SYS_sendmsg, sv[0], NULL, 0));
	TRY("sendmsg on a pipe", syscall(SYS_sendmsg, p[1], &(struct msghdr){ .msg_iov = iov, .msg_iovlen = 1 }, 0));
	TRY("getcwd into PROT_NONE", syscall(SYS_getcwd, none, 100));
	TRY("clock_gettime into NULL", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
	TRY("pipe into PROT_NONE", syscall(SYS_pipe, none));
	return 0;
}
