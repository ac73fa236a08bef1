/* The system-call table and the executor: validation and dispatch
 * (--trace: trace.c; --stats and the per-VM state: stats.c). */
#include "syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "executor.h"
#include "guestmem.h"
#include "icall.h"
#include "procfs.h"
#include "special.h"

/* ---- structures the table can describe ---- */

static void show_timespec(char *out, size_t n, const void *v)
{
	const struct timespec *t = v;

	snprintf(out, n, "{tv_sec=%lld, tv_nsec=%ld}", (long long)t->tv_sec, (long)t->tv_nsec);
}

static void show_timespec2(char *out, size_t n, const void *v)
{
	const struct timespec *t = v;

	snprintf(out, n, "[{tv_sec=%lld, tv_nsec=%ld}, {tv_sec=%lld, tv_nsec=%ld}]",
		 (long long)t[0].tv_sec, (long)t[0].tv_nsec, (long long)t[1].tv_sec,
		 (long)t[1].tv_nsec);
}

static void show_timeval(char *out, size_t n, const void *v)
{
	const struct timeval *t = v;

	snprintf(out, n, "{tv_sec=%lld, tv_usec=%ld}", (long long)t->tv_sec, (long)t->tv_usec);
}

static void show_itimerspec(char *out, size_t n, const void *v)
{
	const struct itimerspec *t = v;

	snprintf(out, n, "{it_interval={%lld, %ld}, it_value={%lld, %ld}}",
		 (long long)t->it_interval.tv_sec, (long)t->it_interval.tv_nsec,
		 (long long)t->it_value.tv_sec, (long)t->it_value.tv_nsec);
}

static void show_itimerval(char *out, size_t n, const void *v)
{
	const struct itimerval *t = v;

	snprintf(out, n, "{it_interval={%lld, %ld}, it_value={%lld, %ld}}",
		 (long long)t->it_interval.tv_sec, (long)t->it_interval.tv_usec,
		 (long long)t->it_value.tv_sec, (long)t->it_value.tv_usec);
}

static void show_rlim(char *out, size_t n, uint64_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(out, n, "RLIM_INFINITY");
	else
		snprintf(out, n, "%" PRIu64, v);
}

static void show_rlimit(char *out, size_t n, const void *v)
{
	const struct rlimit *r = v;
	char c[32], m[32];

	show_rlim(c, sizeof(c), r->rlim_cur);
	show_rlim(m, sizeof(m), r->rlim_max);
	snprintf(out, n, "{rlim_cur=%s, rlim_max=%s}", c, m);
}

static void show_loff(char *out, size_t n, const void *v)
{
	snprintf(out, n, "[%lld]", (long long)*(const int64_t *)v);
}

static void show_epoll_event(char *out, size_t n, const void *v)
{
	const struct epoll_event *e = v;

	snprintf(out, n, "{events=0x%x, data=0x%" PRIx64 "}", e->events, (uint64_t)e->data.u64);
}

/* The kernel's termios is smaller than glibc's; ioctl uses the kernel's. */
const struct elh_structdesc elh_structs[ELH_ST_COUNT] = {
	[ELH_ST_NONE] = { "none", 0, NULL },
	[ELH_ST_TIMESPEC] = { "timespec", sizeof(struct timespec), show_timespec },
	[ELH_ST_TIMESPEC2] = { "timespec[2]", 2 * sizeof(struct timespec), show_timespec2 },
	[ELH_ST_TIMEVAL] = { "timeval", sizeof(struct timeval), show_timeval },
	[ELH_ST_TIMEVAL2] = { "timeval[2]", 2 * sizeof(struct timeval), NULL },
	[ELH_ST_TIMEZONE] = { "timezone", sizeof(struct timezone), NULL },
	[ELH_ST_ITIMERSPEC] = { "itimerspec", sizeof(struct itimerspec), show_itimerspec },
	[ELH_ST_ITIMERVAL] = { "itimerval", sizeof(struct itimerval), show_itimerval },
	[ELH_ST_RLIMIT] = { "rlimit", sizeof(struct rlimit), show_rlimit },
	[ELH_ST_STAT] = { "stat", sizeof(struct stat), NULL },
	[ELH_ST_STATX] = { "statx", sizeof(struct statx), NULL },
	[ELH_ST_STATFS] = { "statfs", sizeof(struct statfs), NULL },
	[ELH_ST_UTSNAME] = { "utsname", sizeof(struct utsname), NULL },
	[ELH_ST_SYSINFO] = { "sysinfo", sizeof(struct sysinfo), NULL },
	[ELH_ST_RUSAGE] = { "rusage", sizeof(struct rusage), NULL },
	[ELH_ST_TMS] = { "tms", sizeof(struct tms), NULL },
	[ELH_ST_EPOLL_EVENT] = { "epoll_event", sizeof(struct epoll_event), show_epoll_event },
	[ELH_ST_LOFF] = { "loff_t", sizeof(int64_t), show_loff },
	[ELH_ST_TIME] = { "time_t", sizeof(int64_t), NULL },
	[ELH_ST_U32] = { "u32", sizeof(uint32_t), NULL },
	[ELH_ST_UTIMBUF] = { "utimbuf", sizeof(struct utimbuf), NULL },
	[ELH_ST_SCHED_PARAM] = { "sched_param", sizeof(struct sched_param), NULL },
};

/* The guest's ABI is the x86-64 kernel's; these host structures must match it. */
_Static_assert(sizeof(struct stat) == 144, "struct stat is the kernel's");
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is the kernel's");
_Static_assert(sizeof(struct statx) == 256, "struct statx is the kernel's");
_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo is the kernel's");
_Static_assert(sizeof(struct utsname) == 390, "struct utsname is the kernel's");
_Static_assert(sizeof(struct rusage) == 144, "struct rusage is the kernel's");
_Static_assert(sizeof(struct epoll_event) == 12, "struct epoll_event is packed");
_Static_assert(sizeof(struct rlimit) == 16, "rlim_t is 64-bit");

/* ---- the table ---- */

#define INT   ELH_ARG_INT
#define LONG  ELH_ARG_LONG
#define UINT  ELH_ARG_UINT
#define HEX   ELH_ARG_HEX
#define OCT   ELH_ARG_OCT
#define FD    ELH_ARG_FD
#define DIRFD ELH_ARG_DIRFD
#define PATH  ELH_ARG_PATH
#define STR   ELH_ARG_STR
#define BIN   ELH_ARG_BUF_IN
#define BOUT  ELH_ARG_BUF_OUT
#define SIN   ELH_ARG_STRUCT_IN
#define SOUT  ELH_ARG_STRUCT_OUT
#define SIO   ELH_ARG_STRUCT_INOUT
#define PTR   ELH_ARG_PTR
#define OPT   ELH_ARG_OPT
#define U32   ELH_LEN_U32

#define R_INT  ELH_RES_INT
#define R_SIZE ELH_RES_SIZE
#define R_FD   ELH_RES_FD
#define R_HEX  ELH_RES_HEX
#define R_OCT  ELH_RES_OCT
#define R_RAW  ELH_RES_RAW

#define NORET ELH_SYS_NO_RETURN
#define PASS  ELH_SYS_PASS
#define RAW   ELH_SYS_RAW
#define UNSUP ELH_SYS_UNSUPPORTED

/* name, nargs, { kinds }, { lengths / structures }, result, flags, handler, note */
#define SYS(nm, ...) [__NR_##nm] = { #nm, __VA_ARGS__ }

static const char no_creds[] = "credentials are per host thread: a raw call would change one "
			       "monitor thread, not the process";
static const char no_posix_timers[] = "POSIX timers signal the monitor process or a host tid; "
				      "not virtualized yet";

/*
 * Entries are grouped by concern.  PASS entries are complete descriptions:
 * after the generic checks the host call is safe as it is.  Entries with a
 * handler need more than the table can say (nested pointers, per-command
 * arguments, virtualized state).  RAW entries are the special calls of
 * special.h, owned by memory.c, thread.c and signal.c.
 */
const struct elh_sysdesc elh_systab[] = {
	/* file data */
	SYS(read, 3, { FD, BOUT, UINT }, { 0, 2 }, R_SIZE, PASS),
	SYS(write, 3, { FD, BIN, UINT }, { 0, 2 }, R_SIZE, PASS),
	SYS(pread64, 4, { FD, BOUT, UINT, LONG }, { 0, 2 }, R_SIZE, PASS),
	SYS(pwrite64, 4, { FD, BIN, UINT, LONG }, { 0, 2 }, R_SIZE, PASS),
	SYS(readv, 3, { FD, PTR, UINT }, { 0 }, R_SIZE, 0, elh_do_readv),
	SYS(writev, 3, { FD, PTR, UINT }, { 0 }, R_SIZE, 0, elh_do_writev),
	SYS(preadv, 5, { FD, PTR, UINT, LONG, LONG }, { 0 }, R_SIZE, 0, elh_do_preadv),
	SYS(pwritev, 5, { FD, PTR, UINT, LONG, LONG }, { 0 }, R_SIZE, 0, elh_do_pwritev),
	SYS(preadv2, 6, { FD, PTR, UINT, LONG, LONG, HEX }, { 0 }, R_SIZE, 0, elh_do_preadv2),
	SYS(pwritev2, 6, { FD, PTR, UINT, LONG, LONG, HEX }, { 0 }, R_SIZE, 0, elh_do_pwritev2),
	SYS(lseek, 3, { FD, LONG, INT }, { 0 }, R_SIZE, PASS),
	SYS(sendfile, 4, { FD, FD, SIO | OPT, UINT }, { 0, 0, ELH_ST_LOFF }, R_SIZE, PASS),
	SYS(copy_file_range, 6, { FD, SIO | OPT, FD, SIO | OPT, UINT, HEX },
	    { 0, ELH_ST_LOFF, 0, ELH_ST_LOFF }, R_SIZE, PASS),
	SYS(splice, 6, { FD, SIO | OPT, FD, SIO | OPT, UINT, HEX },
	    { 0, ELH_ST_LOFF, 0, ELH_ST_LOFF }, R_SIZE, PASS),
	SYS(tee, 4, { FD, FD, UINT, HEX }, { 0 }, R_SIZE, PASS),
	SYS(vmsplice, 4, { FD, PTR, UINT, HEX }, { 0 }, R_SIZE, UNSUP, NULL,
	    "gifts guest pages to a pipe; no program of the corpus needs it"),
	SYS(getdents, 3, { FD, BOUT, UINT }, { 0, 2 | U32 }, R_SIZE, 0, elh_do_getdents,
	    "a listing of /proc/self/fd or fdinfo leaves out the monitor's fds"),
	SYS(getdents64, 3, { FD, BOUT, UINT }, { 0, 2 | U32 }, R_SIZE, 0, elh_do_getdents64,
	    "a listing of /proc/self/fd or fdinfo leaves out the monitor's fds"),
	SYS(readahead, 3, { FD, LONG, UINT }, { 0 }, R_INT, PASS),
	SYS(fadvise64, 4, { FD, LONG, LONG, INT }, { 0 }, R_INT, PASS),
	SYS(fallocate, 4, { FD, HEX, LONG, LONG }, { 0 }, R_INT, PASS),
	SYS(truncate, 2, { PATH, LONG }, { 0 }, R_INT, PASS),
	SYS(ftruncate, 2, { FD, LONG }, { 0 }, R_INT, PASS),
	SYS(fsync, 1, { FD }, { 0 }, R_INT, PASS),
	SYS(fdatasync, 1, { FD }, { 0 }, R_INT, PASS),
	SYS(syncfs, 1, { FD }, { 0 }, R_INT, PASS),
	SYS(sync_file_range, 4, { FD, LONG, LONG, HEX }, { 0 }, R_INT, PASS),
	SYS(sync, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(flock, 2, { FD, HEX }, { 0 }, R_INT, PASS),

	/* opening, closing, fds */
	SYS(open, 3, { PATH, HEX, OCT }, { 0 }, R_FD, PASS),
	SYS(openat, 4, { DIRFD, PATH, HEX, OCT }, { 0 }, R_FD, PASS),
	SYS(openat2, 4, { DIRFD, PATH, BIN, UINT }, { 0, 0, 3 }, R_FD, PASS),
	SYS(creat, 2, { PATH, OCT }, { 0 }, R_FD, PASS),
	SYS(close, 1, { FD }, { 0 }, R_INT, PASS),
	SYS(close_range, 3, { UINT, UINT, HEX }, { 0 }, R_INT, 0, elh_do_close_range,
	    "clamped to the guest's fds; CLOSE_RANGE_UNSHARE is ignored (it would split one "
	    "monitor thread's fd table from the others)"),
	SYS(dup, 1, { FD }, { 0 }, R_FD, PASS),
	SYS(dup2, 2, { FD, INT }, { 0 }, R_FD, 0, elh_do_dup2),
	SYS(dup3, 3, { FD, INT, HEX }, { 0 }, R_FD, 0, elh_do_dup3),
	SYS(fcntl, 3, { FD, INT, PTR }, { 0 }, R_INT, 0, elh_do_fcntl,
	    "per-command allow-list; unknown commands EINVAL"),
	SYS(ioctl, 3, { FD, HEX, PTR }, { 0 }, R_INT, 0, elh_do_ioctl,
	    "per-request allow-list; anything else ENOTTY"),
	SYS(pipe, 1, { PTR }, { 0 }, R_INT, 0, elh_do_pipe),
	SYS(pipe2, 2, { PTR, HEX }, { 0 }, R_INT, 0, elh_do_pipe2),
	SYS(memfd_create, 2, { STR, HEX }, { 0 }, R_FD, PASS),
	SYS(eventfd, 1, { UINT }, { 0 }, R_FD, PASS),
	SYS(eventfd2, 2, { UINT, HEX }, { 0 }, R_FD, PASS),
	SYS(inotify_init, 0, { 0 }, { 0 }, R_FD, PASS),
	SYS(inotify_init1, 1, { HEX }, { 0 }, R_FD, PASS),
	SYS(inotify_add_watch, 3, { FD, PATH, HEX }, { 0 }, R_INT, PASS),
	SYS(inotify_rm_watch, 2, { FD, INT }, { 0 }, R_INT, PASS),
	SYS(signalfd, 3, { FD, PTR, UINT }, { 0 }, R_FD, UNSUP, NULL,
	    "the guest's signals are virtual (signal.c): a host signalfd would read the monitor's"),
	SYS(signalfd4, 4, { FD, PTR, UINT, HEX }, { 0 }, R_FD, UNSUP, NULL,
	    "the guest's signals are virtual (signal.c): a host signalfd would read the monitor's"),

	/* file metadata and names */
	SYS(stat, 2, { PATH, SOUT }, { 0, ELH_ST_STAT }, R_INT, PASS),
	SYS(lstat, 2, { PATH, SOUT }, { 0, ELH_ST_STAT }, R_INT, PASS),
	SYS(fstat, 2, { FD, SOUT }, { 0, ELH_ST_STAT }, R_INT, PASS),
	SYS(newfstatat, 4, { DIRFD, PATH | OPT, SOUT, HEX }, { 0, 0, ELH_ST_STAT }, R_INT, PASS),
	SYS(statx, 5, { DIRFD, PATH | OPT, HEX, HEX, SOUT }, { 0, 0, 0, 0, ELH_ST_STATX }, R_INT,
	    PASS),
	SYS(statfs, 2, { PATH, SOUT }, { 0, ELH_ST_STATFS }, R_INT, PASS),
	SYS(fstatfs, 2, { FD, SOUT }, { 0, ELH_ST_STATFS }, R_INT, PASS),
	SYS(access, 2, { PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(faccessat, 3, { DIRFD, PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(faccessat2, 4, { DIRFD, PATH, OCT, HEX }, { 0 }, R_INT, PASS),
	SYS(readlink, 3, { PATH, PTR, INT }, { 0 }, R_SIZE, RAW, elh_do_readlink),
	SYS(readlinkat, 4, { DIRFD, PATH, PTR, INT }, { 0 }, R_SIZE, RAW, elh_do_readlinkat),
	SYS(mkdir, 2, { PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(mkdirat, 3, { DIRFD, PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(mknod, 3, { PATH, OCT, HEX }, { 0 }, R_INT, PASS),
	SYS(mknodat, 4, { DIRFD, PATH, OCT, HEX }, { 0 }, R_INT, PASS),
	SYS(rmdir, 1, { PATH }, { 0 }, R_INT, PASS),
	SYS(unlink, 1, { PATH }, { 0 }, R_INT, PASS),
	SYS(unlinkat, 3, { DIRFD, PATH, HEX }, { 0 }, R_INT, PASS),
	SYS(rename, 2, { PATH, PATH }, { 0 }, R_INT, PASS),
	SYS(renameat, 4, { DIRFD, PATH, DIRFD, PATH }, { 0 }, R_INT, PASS),
	SYS(renameat2, 5, { DIRFD, PATH, DIRFD, PATH, HEX }, { 0 }, R_INT, PASS),
	SYS(link, 2, { PATH, PATH }, { 0 }, R_INT, PASS),
	SYS(linkat, 5, { DIRFD, PATH, DIRFD, PATH, HEX }, { 0 }, R_INT, PASS),
	SYS(symlink, 2, { PATH, PATH }, { 0 }, R_INT, PASS),
	SYS(symlinkat, 3, { PATH, DIRFD, PATH }, { 0 }, R_INT, PASS),
	SYS(chmod, 2, { PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(fchmod, 2, { FD, OCT }, { 0 }, R_INT, PASS),
	SYS(fchmodat, 3, { DIRFD, PATH, OCT }, { 0 }, R_INT, PASS),
	SYS(chown, 3, { PATH, INT, INT }, { 0 }, R_INT, PASS),
	SYS(fchown, 3, { FD, INT, INT }, { 0 }, R_INT, PASS),
	SYS(lchown, 3, { PATH, INT, INT }, { 0 }, R_INT, PASS),
	SYS(fchownat, 5, { DIRFD, PATH, INT, INT, HEX }, { 0 }, R_INT, PASS),
	SYS(utime, 2, { PATH, SIN | OPT }, { 0, ELH_ST_UTIMBUF }, R_INT, PASS),
	SYS(utimes, 2, { PATH, SIN | OPT }, { 0, ELH_ST_TIMEVAL2 }, R_INT, PASS),
	SYS(utimensat, 4, { DIRFD, PATH | OPT, SIN | OPT, HEX }, { 0, 0, ELH_ST_TIMESPEC2 }, R_INT,
	    PASS),
	SYS(umask, 1, { OCT }, { 0 }, R_OCT, PASS),
	SYS(chdir, 1, { PATH }, { 0 }, R_INT, PASS),
	SYS(fchdir, 1, { FD }, { 0 }, R_INT, PASS),
	SYS(getcwd, 2, { BOUT, UINT }, { 1 }, R_SIZE, PASS),
	SYS(chroot, 1, { PATH }, { 0 }, R_INT, UNSUP, NULL,
	    "would move the monitor's own root too"),
	SYS(getxattr, 4, { PATH, STR, BOUT, UINT }, { 0, 0, 3 }, R_SIZE, PASS),
	SYS(lgetxattr, 4, { PATH, STR, BOUT, UINT }, { 0, 0, 3 }, R_SIZE, PASS),
	SYS(fgetxattr, 4, { FD, STR, BOUT, UINT }, { 0, 0, 3 }, R_SIZE, PASS),
	SYS(listxattr, 3, { PATH, BOUT, UINT }, { 0, 2 }, R_SIZE, PASS),
	SYS(llistxattr, 3, { PATH, BOUT, UINT }, { 0, 2 }, R_SIZE, PASS),
	SYS(flistxattr, 3, { FD, BOUT, UINT }, { 0, 2 }, R_SIZE, PASS),
	SYS(setxattr, 5, { PATH, STR, BIN, UINT, HEX }, { 0, 0, 3 }, R_INT, PASS),
	SYS(lsetxattr, 5, { PATH, STR, BIN, UINT, HEX }, { 0, 0, 3 }, R_INT, PASS),
	SYS(fsetxattr, 5, { FD, STR, BIN, UINT, HEX }, { 0, 0, 3 }, R_INT, PASS),
	SYS(removexattr, 2, { PATH, STR }, { 0 }, R_INT, PASS),
	SYS(lremovexattr, 2, { PATH, STR }, { 0 }, R_INT, PASS),
	SYS(fremovexattr, 2, { FD, STR }, { 0 }, R_INT, PASS),

	/* sockets */
	SYS(socket, 3, { INT, HEX, INT }, { 0 }, R_FD, 0, elh_do_socket,
	    "AF_UNIX, AF_INET, AF_INET6, AF_NETLINK only; others EAFNOSUPPORT"),
	SYS(socketpair, 4, { INT, HEX, INT, PTR }, { 0 }, R_INT, 0, elh_do_socketpair),
	SYS(bind, 3, { FD, PTR, INT }, { 0 }, R_INT, 0, elh_do_bind),
	SYS(connect, 3, { FD, PTR, INT }, { 0 }, R_INT, 0, elh_do_connect),
	SYS(listen, 2, { FD, INT }, { 0 }, R_INT, PASS),
	SYS(accept, 3, { FD, PTR, PTR }, { 0 }, R_FD, 0, elh_do_accept),
	SYS(accept4, 4, { FD, PTR, PTR, HEX }, { 0 }, R_FD, 0, elh_do_accept4),
	SYS(getsockname, 3, { FD, PTR, PTR }, { 0 }, R_INT, 0, elh_do_getsockname),
	SYS(getpeername, 3, { FD, PTR, PTR }, { 0 }, R_INT, 0, elh_do_getpeername),
	SYS(sendto, 6, { FD, BIN, UINT, HEX, PTR, INT }, { 0, 2 }, R_SIZE, 0, elh_do_sendto),
	SYS(recvfrom, 6, { FD, BOUT, UINT, HEX, PTR, PTR }, { 0, 2 }, R_SIZE, 0, elh_do_recvfrom),
	SYS(sendmsg, 3, { FD, PTR, HEX }, { 0 }, R_SIZE, 0, elh_do_sendmsg),
	SYS(recvmsg, 3, { FD, PTR, HEX }, { 0 }, R_SIZE, 0, elh_do_recvmsg),
	SYS(sendmmsg, 4, { FD, PTR, UINT, HEX }, { 0 }, R_INT, 0, elh_do_sendmmsg),
	SYS(recvmmsg, 5, { FD, PTR, UINT, HEX, PTR }, { 0 }, R_INT, 0, elh_do_recvmmsg),
	SYS(shutdown, 2, { FD, INT }, { 0 }, R_INT, PASS),
	SYS(setsockopt, 5, { FD, INT, INT, PTR, INT }, { 0 }, R_INT, 0, elh_do_setsockopt,
	    "levels SOL_SOCKET, IP, IPV6, TCP, UDP, ICMPV6, NETLINK; options carrying "
	    "pointers are copied (socket filters) or refused (netfilter)"),
	SYS(getsockopt, 5, { FD, INT, INT, PTR, PTR }, { 0 }, R_INT, 0, elh_do_getsockopt),

	/* readiness */
	SYS(poll, 3, { PTR, UINT, INT }, { 0 }, R_INT, 0, elh_do_poll),
	SYS(ppoll, 5, { PTR, UINT, PTR, PTR, UINT }, { 0 }, R_INT, 0, elh_do_ppoll),
	SYS(select, 5, { INT, PTR, PTR, PTR, PTR }, { 0 }, R_INT, 0, elh_do_select),
	SYS(pselect6, 6, { INT, PTR, PTR, PTR, PTR, PTR }, { 0 }, R_INT, 0, elh_do_pselect6),
	SYS(epoll_create, 1, { INT }, { 0 }, R_FD, PASS),
	SYS(epoll_create1, 1, { HEX }, { 0 }, R_FD, PASS),
	SYS(epoll_ctl, 4, { FD, INT, FD, PTR }, { 0 }, R_INT, 0, elh_do_epoll_ctl),
	SYS(epoll_wait, 4, { FD, PTR, INT, INT }, { 0 }, R_INT, 0, elh_do_epoll_wait),
	SYS(epoll_pwait, 6, { FD, PTR, INT, INT, PTR, UINT }, { 0 }, R_INT, 0, elh_do_epoll_pwait),
	SYS(epoll_pwait2, 6, { FD, PTR, INT, PTR, PTR, UINT }, { 0 }, R_INT, 0,
	    elh_do_epoll_pwait2),
	SYS(timerfd_create, 2, { INT, HEX }, { 0 }, R_FD, PASS),
	SYS(timerfd_settime, 4, { FD, HEX, SIN, SOUT | OPT },
	    { 0, 0, ELH_ST_ITIMERSPEC, ELH_ST_ITIMERSPEC }, R_INT, PASS),
	SYS(timerfd_gettime, 2, { FD, SOUT }, { 0, ELH_ST_ITIMERSPEC }, R_INT, PASS),

	/* time and sleeping */
	SYS(clock_gettime, 2, { INT, SOUT }, { 0, ELH_ST_TIMESPEC }, R_INT, 0,
	    elh_do_clock_gettime),
	SYS(clock_getres, 2, { INT, SOUT | OPT }, { 0, ELH_ST_TIMESPEC }, R_INT, PASS),
	SYS(clock_settime, 2, { INT, SIN }, { 0, ELH_ST_TIMESPEC }, R_INT, PASS),
	SYS(clock_nanosleep, 4, { INT, HEX, SIN, SOUT | OPT },
	    { 0, 0, ELH_ST_TIMESPEC, ELH_ST_TIMESPEC }, R_INT, PASS),
	SYS(nanosleep, 2, { SIN, SOUT | OPT }, { ELH_ST_TIMESPEC, ELH_ST_TIMESPEC }, R_INT, PASS),
	SYS(gettimeofday, 2, { SOUT | OPT, SOUT | OPT }, { ELH_ST_TIMEVAL, ELH_ST_TIMEZONE }, R_INT,
	    PASS),
	SYS(time, 1, { SOUT | OPT }, { ELH_ST_TIME }, R_INT, PASS),
	SYS(times, 1, { SOUT | OPT }, { ELH_ST_TMS }, R_INT, PASS),
	SYS(getitimer, 2, { INT, SOUT }, { 0, ELH_ST_ITIMERVAL }, R_INT, PASS, NULL,
	    "host itimers: signal.c routes the monitor's SIGALRM/SIGVTALRM/SIGPROF"),
	SYS(setitimer, 3, { INT, SIN | OPT, SOUT | OPT }, { 0, ELH_ST_ITIMERVAL, ELH_ST_ITIMERVAL },
	    R_INT, PASS, NULL, "host itimers: signal.c routes the monitor's SIGALRM"),
	SYS(alarm, 1, { UINT }, { 0 }, R_INT, PASS, NULL,
	    "host alarm: signal.c routes the monitor's SIGALRM"),
	SYS(timer_create, 3, { INT, PTR, PTR }, { 0 }, R_INT, UNSUP, NULL, no_posix_timers),
	SYS(timer_settime, 4, { INT, HEX, PTR, PTR }, { 0 }, R_INT, UNSUP, NULL, no_posix_timers),
	SYS(timer_gettime, 2, { INT, PTR }, { 0 }, R_INT, UNSUP, NULL, no_posix_timers),
	SYS(timer_getoverrun, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_posix_timers),
	SYS(timer_delete, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_posix_timers),

	/* process identity, limits, scheduling */
	SYS(getpid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getppid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getuid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(geteuid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getgid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getegid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getresuid, 3, { SOUT, SOUT, SOUT }, { ELH_ST_U32, ELH_ST_U32, ELH_ST_U32 }, R_INT,
	    PASS),
	SYS(getresgid, 3, { SOUT, SOUT, SOUT }, { ELH_ST_U32, ELH_ST_U32, ELH_ST_U32 }, R_INT,
	    PASS),
	SYS(getgroups, 2, { INT, PTR }, { 0 }, R_INT, 0, elh_do_getgroups),
	SYS(setuid, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setgid, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setreuid, 2, { INT, INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setregid, 2, { INT, INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setresuid, 3, { INT, INT, INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setresgid, 3, { INT, INT, INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setfsuid, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setfsgid, 1, { INT }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(setgroups, 2, { INT, PTR }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(capget, 2, { PTR, PTR }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(capset, 2, { PTR, PTR }, { 0 }, R_INT, UNSUP, NULL, no_creds),
	SYS(getpgrp, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getpgid, 1, { INT }, { 0 }, R_INT, PASS),
	SYS(setpgid, 2, { INT, INT }, { 0 }, R_INT, PASS),
	SYS(getsid, 1, { INT }, { 0 }, R_INT, PASS),
	SYS(setsid, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(getrlimit, 2, { UINT, SOUT }, { 0, ELH_ST_RLIMIT }, R_INT, 0, elh_do_getrlimit,
	    "RLIMIT_NOFILE is virtual: its hard maximum is guest_fd_limit"),
	SYS(setrlimit, 2, { UINT, SIN }, { 0, ELH_ST_RLIMIT }, R_INT, 0, elh_do_setrlimit,
	    "RLIMIT_NOFILE is virtual: its hard maximum is guest_fd_limit"),
	SYS(prlimit64, 4, { INT, UINT, SIN | OPT, SOUT | OPT },
	    { 0, 0, ELH_ST_RLIMIT, ELH_ST_RLIMIT }, R_INT, 0, elh_do_prlimit64,
	    "own process only (EPERM otherwise); RLIMIT_NOFILE is virtual"),
	SYS(getrusage, 2, { INT, SOUT }, { 0, ELH_ST_RUSAGE }, R_INT, PASS),
	SYS(sysinfo, 1, { SOUT }, { ELH_ST_SYSINFO }, R_INT, PASS),
	SYS(uname, 1, { SOUT }, { ELH_ST_UTSNAME }, R_INT, PASS),
	SYS(getrandom, 3, { BOUT, UINT, HEX }, { 1 }, R_SIZE, PASS),
	SYS(getpriority, 2, { INT, INT }, { 0 }, R_INT, PASS),
	SYS(setpriority, 3, { INT, INT, INT }, { 0 }, R_INT, 0, elh_do_setpriority,
	    "PRIO_PROCESS of this process's threads only (ESRCH, EPERM otherwise)"),
	SYS(sched_yield, 0, { 0 }, { 0 }, R_INT, PASS),
	SYS(sched_getaffinity, 3, { INT, UINT, BOUT }, { 0, 0, 1 }, R_INT, PASS),
	SYS(sched_setaffinity, 3, { INT, UINT, BIN }, { 0, 0, 1 }, R_INT, 0,
	    elh_do_sched_setaffinity, "this process's threads only (ESRCH otherwise)"),
	SYS(sched_getscheduler, 1, { INT }, { 0 }, R_INT, PASS),
	SYS(sched_getparam, 2, { INT, SOUT }, { 0, ELH_ST_SCHED_PARAM }, R_INT, PASS),
	SYS(sched_get_priority_max, 1, { INT }, { 0 }, R_INT, PASS),
	SYS(sched_get_priority_min, 1, { INT }, { 0 }, R_INT, PASS),
	SYS(sched_rr_get_interval, 2, { INT, SOUT }, { 0, ELH_ST_TIMESPEC }, R_INT, PASS),
	SYS(getcpu, 3, { SOUT | OPT, SOUT | OPT, PTR }, { ELH_ST_U32, ELH_ST_U32 }, R_INT, PASS),
	SYS(membarrier, 3, { INT, HEX, INT }, { 0 }, R_INT, PASS),
	SYS(prctl, 5, { INT, HEX, HEX, HEX, HEX }, { 0 }, R_INT, 0, elh_do_prctl,
	    "PR_SET_NAME, PR_GET_NAME, PR_SET/GET_DUMPABLE, PR_SET/GET_PDEATHSIG; others EINVAL"),
	SYS(wait4, 4, { INT, PTR, HEX, PTR }, { 0 }, R_INT, 0, elh_do_wait4),
	SYS(waitid, 5, { INT, INT, PTR, HEX, PTR }, { 0 }, R_INT, 0, elh_do_waitid),

	/* calls that would reach past the guest into the monitor */
	SYS(ptrace, 4, { INT, INT, PTR, PTR }, { 0 }, R_INT, 0, elh_do_ptrace,
	    "EPERM: the tracee would be a monitor, this one or another elh"),
	SYS(process_vm_readv, 6, { INT, PTR, UINT, PTR, UINT, HEX }, { 0 }, R_SIZE, 0,
	    elh_do_process_vm_readv,
	    "this process only, both sides inside the arena (EFAULT); others EPERM"),
	SYS(process_vm_writev, 6, { INT, PTR, UINT, PTR, UINT, HEX }, { 0 }, R_SIZE, 0,
	    elh_do_process_vm_writev,
	    "this process only, both sides inside the arena (EFAULT); others EPERM"),
	SYS(kcmp, 5, { INT, INT, INT, HEX, HEX }, { 0 }, R_INT, UNSUP, NULL,
	    "compares host fds and memory of the monitor"),
	SYS(seccomp, 3, { INT, HEX, PTR }, { 0 }, R_INT, UNSUP, NULL,
	    "a filter would apply to the monitor's threads"),
	SYS(bpf, 3, { INT, PTR, UINT }, { 0 }, R_INT, UNSUP, NULL, "not needed; large surface"),
	SYS(userfaultfd, 1, { HEX }, { 0 }, R_FD, UNSUP, NULL,
	    "guest memory faults belong to KVM and memory.c"),
	SYS(perf_event_open, 5, { PTR, INT, INT, FD, HEX }, { 0 }, R_FD, UNSUP, NULL,
	    "not needed; measures the monitor"),
	SYS(unshare, 1, { HEX }, { 0 }, R_INT, UNSUP, NULL,
	    "would split one monitor thread from the others"),
	SYS(setns, 2, { FD, HEX }, { 0 }, R_INT, UNSUP, NULL,
	    "would move one monitor thread to another namespace"),
	SYS(personality, 1, { HEX }, { 0 }, R_HEX, UNSUP, NULL, "changes the monitor's ABI"),
	SYS(io_uring_setup, 2, { UINT, PTR }, { 0 }, R_FD, UNSUP, NULL,
	    "shared rings hold unchecked guest pointers"),
	SYS(io_uring_enter, 6, { FD, UINT, UINT, HEX, PTR, UINT }, { 0 }, R_INT, UNSUP, NULL,
	    "shared rings hold unchecked guest pointers"),
	SYS(io_uring_register, 4, { FD, UINT, PTR, UINT }, { 0 }, R_INT, UNSUP, NULL,
	    "shared rings hold unchecked guest pointers"),
	SYS(pidfd_open, 2, { INT, HEX }, { 0 }, R_FD, UNSUP, NULL, "no child processes yet"),
	SYS(pidfd_getfd, 3, { FD, INT, HEX }, { 0 }, R_FD, UNSUP, NULL,
	    "would fetch host fds by number"),
	SYS(pidfd_send_signal, 4, { FD, INT, PTR, HEX }, { 0 }, R_INT, UNSUP, NULL,
	    "signals go through signal.c"),

	/* special calls: memory.c */
	SYS(mmap, 6, { PTR, UINT, HEX, HEX, INT, LONG }, { 0 }, R_HEX, RAW, elh_sys_mmap),
	SYS(munmap, 2, { PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_munmap),
	SYS(mprotect, 3, { PTR, UINT, HEX }, { 0 }, R_INT, RAW, elh_sys_mprotect),
	SYS(mremap, 5, { PTR, UINT, UINT, HEX, PTR }, { 0 }, R_HEX, RAW, elh_sys_mremap),
	SYS(brk, 1, { PTR }, { 0 }, R_HEX, RAW, elh_sys_brk),
	SYS(madvise, 3, { PTR, UINT, INT }, { 0 }, R_INT, RAW, elh_sys_madvise),
	SYS(msync, 3, { PTR, UINT, HEX }, { 0 }, R_INT, RAW, elh_sys_msync),
	SYS(mincore, 3, { PTR, UINT, PTR }, { 0 }, R_INT, RAW, elh_sys_mincore),

	/* System V IPC (sys_ipc.c; shmat and shmdt: memory.c) */
	SYS(msgget, 2, { INT, HEX }, { 0 }, R_INT, PASS),
	SYS(msgsnd, 4, { INT, PTR, UINT, HEX }, { 0 }, R_INT, 0, elh_do_msgsnd),
	SYS(msgrcv, 5, { INT, PTR, UINT, LONG, HEX }, { 0 }, R_SIZE, 0, elh_do_msgrcv),
	SYS(msgctl, 3, { INT, INT, PTR }, { 0 }, R_INT, 0, elh_do_msgctl),
	SYS(semget, 3, { INT, INT, HEX }, { 0 }, R_INT, PASS),
	SYS(semop, 3, { INT, PTR, UINT }, { 0 }, R_INT, 0, elh_do_semop),
	SYS(semtimedop, 4, { INT, PTR, UINT, PTR }, { 0 }, R_INT, 0, elh_do_semtimedop),
	SYS(semctl, 4, { INT, INT, INT, HEX }, { 0 }, R_INT, 0, elh_do_semctl),
	SYS(shmget, 3, { INT, UINT, HEX }, { 0 }, R_INT, PASS),
	SYS(shmat, 3, { INT, PTR, HEX }, { 0 }, R_HEX, RAW, elh_sys_shmat),
	SYS(shmdt, 1, { PTR }, { 0 }, R_INT, RAW, elh_sys_shmdt),
	SYS(shmctl, 3, { INT, INT, PTR }, { 0 }, R_INT, 0, elh_do_shmctl),

	/* special calls: thread.c */
	SYS(clone, 5, { HEX, PTR, PTR, PTR, PTR }, { 0 }, R_INT, RAW, elh_sys_clone),
	SYS(clone3, 2, { PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_clone3),
	SYS(fork, 0, { 0 }, { 0 }, R_INT, RAW, elh_sys_fork),
	SYS(vfork, 0, { 0 }, { 0 }, R_INT, RAW, elh_sys_vfork),
	SYS(execve, 3, { PATH, PTR, PTR }, { 0 }, R_INT, RAW | NORET, elh_sys_execve),
	SYS(execveat, 5, { DIRFD, PATH, PTR, PTR, HEX }, { 0 }, R_INT, RAW | NORET,
	    elh_sys_execveat),
	SYS(exit, 1, { INT }, { 0 }, R_INT, RAW | NORET, elh_sys_exit),
	SYS(exit_group, 1, { INT }, { 0 }, R_INT, RAW | NORET, elh_sys_exit_group),
	SYS(futex, 6, { PTR, INT, UINT, PTR, PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_futex),
	SYS(set_tid_address, 1, { PTR }, { 0 }, R_INT, RAW, elh_sys_set_tid_address),
	SYS(set_robust_list, 2, { PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_set_robust_list),
	SYS(get_robust_list, 3, { INT, PTR, PTR }, { 0 }, R_INT, RAW, elh_sys_get_robust_list),
	SYS(arch_prctl, 2, { HEX, PTR }, { 0 }, R_INT, RAW, elh_sys_arch_prctl),
	SYS(gettid, 0, { 0 }, { 0 }, R_INT, RAW, elh_sys_gettid),
	SYS(tkill, 2, { INT, INT }, { 0 }, R_INT, RAW, elh_sys_tkill),
	SYS(tgkill, 3, { INT, INT, INT }, { 0 }, R_INT, RAW, elh_sys_tgkill),
	SYS(rseq, 4, { PTR, UINT, HEX, HEX }, { 0 }, R_INT, RAW, elh_sys_rseq),

	/* special calls: signal.c */
	SYS(rt_sigaction, 4, { INT, PTR, PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_rt_sigaction),
	SYS(rt_sigprocmask, 4, { INT, PTR, PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_rt_sigprocmask),
	SYS(rt_sigreturn, 0, { 0 }, { 0 }, R_RAW, RAW, elh_sys_rt_sigreturn),
	SYS(rt_sigsuspend, 2, { PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_rt_sigsuspend),
	SYS(rt_sigpending, 2, { PTR, UINT }, { 0 }, R_INT, RAW, elh_sys_rt_sigpending),
	SYS(rt_sigtimedwait, 4, { PTR, PTR, PTR, UINT }, { 0 }, R_INT, RAW,
	    elh_sys_rt_sigtimedwait),
	SYS(rt_sigqueueinfo, 3, { INT, INT, PTR }, { 0 }, R_INT, RAW, elh_sys_rt_sigqueueinfo),
	SYS(sigaltstack, 2, { PTR, PTR }, { 0 }, R_INT, RAW, elh_sys_sigaltstack),
	SYS(kill, 2, { INT, INT }, { 0 }, R_INT, RAW, elh_sys_kill),
	SYS(pause, 0, { 0 }, { 0 }, R_INT, RAW, elh_sys_pause),
};

const unsigned elh_nsyscalls = sizeof(elh_systab) / sizeof(elh_systab[0]);

/* ---- shared helpers for the handler families ---- */

/* An exit-less worker inside a blocking call: the word that stops it. */
static __thread const uint32_t *host_stop;

void elh_host_stop_word(const uint32_t *stop)
{
	host_stop = stop;
}

long elh_host(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (host_stop) {
		const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };

		return elh_icall(nr, a, host_stop);
	}
	/* syscall(2) maps a raw result in [-4095, -1] to -1 and errno, so
	 * -errno rebuilds the kernel's value exactly (even for calls whose
	 * valid results may be negative). */
	long r = syscall(nr, a0, a1, a2, a3, a4, a5);

	return r == -1 ? -errno : r;
}

long elh_sys_copy_iov(struct elh_vm *vm, uint64_t gva, uint64_t cnt, int toobig,
		      struct iovec *stack, size_t nstack, struct iovec **out)
{
	struct iovec *iov = stack;
	long ret = 0;
	uint64_t i;

	*out = stack;
	if (cnt > UIO_MAXIOV)
		return toobig;
	if (cnt == 0)
		return 0;
	if (cnt > nstack) {
		iov = malloc(cnt * sizeof(*iov));
		if (!iov)
			return -ENOMEM;
	}
	if (elh_guest_read(&vm->arena, iov, gva, cnt * sizeof(*iov))) {
		ret = -EFAULT;
		goto fail;
	}
	for (i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0) {
			ret = -EINVAL;
			goto fail;
		}
		if (elh_guest_range(&vm->arena, ELH_U64(iov[i].iov_base), iov[i].iov_len)) {
			ret = -EFAULT;
			goto fail;
		}
	}
	*out = iov;
	return 0;
fail:
	if (iov != stack)
		free(iov);
	return ret;
}

#define SIGBIT(sig) (1ull << ((sig)-1))

long elh_sys_mask_install(struct elh_vcpu *cpu, uint64_t gset, uint64_t setsize,
			  struct elh_mask_swap *sw)
{
	uint64_t set;

	sw->active = 0;
	if (!gset)
		return 0;
	if (setsize != sizeof(set))
		return -EINVAL;
	if (elh_guest_read(&cpu->vm->arena, &set, gset, sizeof(set)))
		return -EFAULT;
	set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	sw->saved = __atomic_load_n(&cpu->sigmask, __ATOMIC_ACQUIRE);
	__atomic_store_n(&cpu->sigmask, set, __ATOMIC_RELEASE);
	sw->active = 1;
	/* Only thread-directed signals are visible here; process-directed
	 * ones wait for the kick of the thread that routes them. */
	return (__atomic_load_n(&cpu->pending, __ATOMIC_ACQUIRE) & ~set) ? 1 : 0;
}

void elh_sys_mask_restore(struct elh_vcpu *cpu, struct elh_mask_swap *sw, long ret)
{
	if (!sw->active)
		return;
	sw->active = 0;
	if (ret == -EINTR) {
		cpu->saved_mask = sw->saved;
		cpu->saved_mask_valid = 1;
		return;
	}
	__atomic_store_n(&cpu->sigmask, sw->saved, __ATOMIC_RELEASE);
}

/* ---- validation ---- */

static bool is_pointer_kind(unsigned k)
{
	return k >= ELH_ARG_PATH && k <= ELH_ARG_PTR;
}

const char *elh_exe_link(const struct elh_vm *vm, const char *path)
{
	const char *p;
	char *end;
	long pid;

	if (strncmp(path, "/proc/", 6))
		return NULL;
	p = path + 6;
	if (!strncmp(p, "self/", 5))
		p += 5;
	else if (!strncmp(p, "thread-self/", 12))
		p += 12;
	else if (*p >= '1' && *p <= '9' && (pid = strtol(p, &end, 10)) == getpid() && *end == '/')
		p = end + 1;
	else
		return NULL;
	return strcmp(p, "exe") ? NULL : vm->exe_path;
}

/* Does call d follow a symlink that ends its path argument i?  (Creating,
 * removing, renaming and the l* calls act on the link itself.) */
static bool follows_last(const struct elh_sysdesc *d, unsigned i, const uint64_t a[6])
{
	switch (d - elh_systab) {
	case SYS_lstat:
	case SYS_readlink:
	case SYS_readlinkat:
	case SYS_unlink:
	case SYS_unlinkat:
	case SYS_rmdir:
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_symlink:
	case SYS_symlinkat:
	case SYS_lchown:
	case SYS_lgetxattr:
	case SYS_llistxattr:
	case SYS_lsetxattr:
	case SYS_lremovexattr:
	case SYS_mkdir:
	case SYS_mkdirat:
	case SYS_mknod:
	case SYS_mknodat: return false;
	case SYS_link: return false;
	case SYS_linkat: return i == 1 && (a[4] & AT_SYMLINK_FOLLOW);
	case SYS_open:
		return !(a[1] & O_NOFOLLOW) && (a[1] & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	case SYS_openat:
		return !(a[2] & O_NOFOLLOW) && (a[2] & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	case SYS_newfstatat:
	case SYS_utimensat:
	case SYS_faccessat2: return !(a[3] & AT_SYMLINK_NOFOLLOW);
	case SYS_statx: return !(a[2] & AT_SYMLINK_NOFOLLOW);
	case SYS_fchownat: return !(a[4] & AT_SYMLINK_NOFOLLOW);
	default: return true;
	}
}

/* The guest's view of /proc (procfs.c) for path argument i, copied into
 * path: 0 (path as it stands, or rewritten to the program where it went
 * through /proc/<pid>/exe) or -errno. */
static long check_path(struct elh_vm *vm, const struct elh_sysdesc *d, unsigned i,
		       const uint64_t a[6], char *path)
{
	int dirfd = AT_FDCWD;
	char out[PATH_MAX];
	long r;

	/* symlink's target is text stored in the link, not a path walked now. */
	if (i == 0 && (d == &elh_systab[SYS_symlink] || d == &elh_systab[SYS_symlinkat]))
		return 0;
	if (i > 0 && ELH_ARG_KIND(d->arg[i - 1]) == ELH_ARG_DIRFD)
		dirfd = (int)a[i - 1];
	r = elh_proc_walk(vm, dirfd, path, follows_last(d, i, a), out);
	if (r == ELH_PROC_REWRITTEN)
		snprintf(path, PATH_MAX, "%s", out);
	return r < 0 ? r : 0;
}

static long validate(struct elh_vm *vm, const struct elh_sysdesc *d, const uint64_t a[6],
		     uint64_t v[6], struct sys_scratch *s)
{
	unsigned i, np = 0, ns = 0;

	s->copied = 0;
	for (i = 0; i < 6; i++)
		v[i] = a[i];
	for (i = 0; i < d->nargs; i++) {
		unsigned k = ELH_ARG_KIND(d->arg[i]);
		uint64_t len;
		long n;

		if ((d->arg[i] & ELH_ARG_OPT) && a[i] == 0 && is_pointer_kind(k))
			continue;
		switch (k) {
		case ELH_ARG_FD:
			if (!elh_fd_ok(vm, (int)a[i]))
				return -EBADF;
			break;
		case ELH_ARG_PATH:
		case ELH_ARG_STR:
			n = elh_guest_read_string(&vm->arena, s->path[np], PATH_MAX, a[i]);
			if (n == -ENAMETOOLONG && k == ELH_ARG_STR)
				return -EINVAL;
			if (n < 0)
				return n;
			if (k == ELH_ARG_PATH) {
				n = check_path(vm, d, i, a, s->path[np]);
				if (n < 0)
					return n;
			}
			v[i] = ELH_U64(s->path[np]);
			np++;
			s->copied |= 1u << i;
			break;
		case ELH_ARG_BUF_IN:
		case ELH_ARG_BUF_OUT:
			len = a[ELH_LEN_INDEX(d->len[i])];
			if (d->len[i] & ELH_LEN_U32)
				len = (uint32_t)len;
			if (elh_guest_range(&vm->arena, a[i], len))
				return -EFAULT;
			break;
		case ELH_ARG_STRUCT_IN:
		case ELH_ARG_STRUCT_INOUT:
			if (elh_guest_read(&vm->arena, s->st[ns], a[i],
					   elh_structs[d->len[i]].size))
				return -EFAULT;
			v[i] = ELH_U64(s->st[ns]);
			ns++;
			s->copied |= 1u << i;
			break;
		case ELH_ARG_STRUCT_OUT:
			if (elh_guest_range(&vm->arena, a[i], elh_structs[d->len[i]].size))
				return -EFAULT;
			break;
		}
	}
	/* Linux resolves the path before it looks at the directory fd, and
	 * ignores the fd for an absolute path. */
	for (i = 0; i < d->nargs; i++) {
		int fd = (int)a[i];

		if (ELH_ARG_KIND(d->arg[i]) != ELH_ARG_DIRFD || fd == AT_FDCWD || elh_fd_ok(vm, fd))
			continue;
		if (i + 1 < d->nargs && (s->copied & (1u << (i + 1))) &&
		    ELH_ARG_KIND(d->arg[i + 1]) == ELH_ARG_PATH &&
		    *(char *)ELH_PTR(v[i + 1]) == '/') {
			v[i] = (uint64_t)(int64_t)AT_FDCWD; /* never show the host a monitor fd */
			continue;
		}
		return -EBADF;
	}
	return 0;
}

static bool is_open(const struct elh_sysdesc *d)
{
	return d == &elh_systab[SYS_open] || d == &elh_systab[SYS_openat] ||
	       d == &elh_systab[SYS_openat2] || d == &elh_systab[SYS_creat];
}

/* The flags an open was made with (only O_CLOEXEC matters afterwards). */
static int open_flags(struct elh_vm *vm, const struct elh_sysdesc *d, const uint64_t a[6])
{
	uint64_t how;

	if (d == &elh_systab[SYS_open])
		return (int)a[1];
	if (d == &elh_systab[SYS_openat])
		return (int)a[2];
	if (d == &elh_systab[SYS_openat2])
		return elh_guest_read(&vm->arena, &how, a[2], sizeof(how)) ? O_CLOEXEC : (int)how;
	return 0;
}

static long finish(struct elh_vm *vm, const struct elh_sysdesc *d, const uint64_t a[6],
		   const uint64_t v[6], const struct sys_scratch *s, long ret)
{
	unsigned i;

	if (d->flags & ELH_SYS_RAW)
		return ret;
	if (d->result == ELH_RES_FD && ret >= 0)
		ret = elh_sys_new_fd(vm, ret);
	if (ret >= 0 && is_open(d))
		ret = elh_proc_opened(vm, ret, open_flags(vm, d, a));
	if (ret < 0)
		return ret;
	for (i = 0; i < d->nargs; i++) {
		if (ELH_ARG_KIND(d->arg[i]) != ELH_ARG_STRUCT_INOUT || !(s->copied & (1u << i)))
			continue;
		if (elh_guest_write(&vm->arena, a[i], ELH_PTR(v[i]), elh_structs[d->len[i]].size))
			return -EFAULT;
	}
	return ret;
}

/* ---- the executor ---- */

static const struct elh_sysdesc *lookup(long nr)
{
	const struct elh_sysdesc *d;

	if (nr < 0 || (unsigned long)nr >= elh_nsyscalls)
		return NULL;
	d = &elh_systab[nr];
	if (!d->name || (d->flags & ELH_SYS_UNSUPPORTED))
		return NULL;
	return d;
}

long elh_syscall(struct elh_vcpu *cpu, long nr, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	const struct elh_sysdesc *d = lookup(nr);
	bool stats = vm->stats && vm->sys;
	struct sys_scratch s;
	uint64_t v[6], t0 = 0;
	long ret;

	if (!d) {
		const struct elh_sysdesc *named =
		    nr >= 0 && (unsigned long)nr < elh_nsyscalls && elh_systab[nr].name
			? &elh_systab[nr]
			: NULL;

		elh_sys_unsupported(vm, ELH_UNSUP_SYSCALL, nr);
		if (vm->trace) {
			s.copied = 0;
			elh_sys_trace(cpu, nr, named, a, a, &s, true, -ENOSYS);
		}
		return -ENOSYS;
	}
	if (stats)
		t0 = elh_sys_now_ns();
	ret = validate(vm, d, a, v, &s);
	if (ret == 0) {
		if (vm->trace && (d->flags & ELH_SYS_NO_RETURN))
			elh_sys_trace(cpu, nr, d, a, v, &s, false, 0);
		if (d->flags & ELH_SYS_PASS)
			ret = elh_host(nr, v[0], v[1], v[2], v[3], v[4], v[5]);
		else
			ret = d->handler(cpu, (d->flags & ELH_SYS_RAW) ? a : v);
		ret = finish(vm, d, a, v, &s, ret);
	}
	if (stats)
		elh_sys_account(vm, nr, ret, elh_sys_now_ns() - t0);
	if (vm->trace)
		elh_sys_trace(cpu, nr, d, a, v, &s, true, ret);
	return ret;
}
