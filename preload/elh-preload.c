/*
 * libelh-preload.so: exit-less system calls for dynamically linked glibc
 * programs that cannot be relinked with elh-musl.
 *
 * Preloaded (LD_PRELOAD) into a program under `elh run`, it interposes
 * glibc's exported wrappers of the frequent calls (read and write and
 * their vector and positioned forms, open, close, the stat family,
 * lseek, fsync, the socket calls, poll, select, epoll_wait, nanosleep,
 * the time calls) and sends them through the monitor's shared area with
 * the protocol of elh-musl's client (arch/x86_64/elh-client.h, the same
 * code).  A call the monitor does not take exit-less, one it hands back
 * (ELH_SQE_RETRAP), one made in a signal handler while the thread's own
 * call is in flight, and every call outside elh go to glibc's own
 * function, which traps; glibc's internal calls (those it makes without
 * its exported wrappers) trap as before.
 *
 * Cancellation, as glibc's own wrappers do it: a wrapper that is a
 * cancellation point acts on a pending cancellation on entry, and waits
 * for its call asynchronously cancellable, so that pthread_cancel signals
 * the thread; the monitor interrupts the call in flight as it delivers
 * SIGCANCEL, and the handler's unwinding waits for the entry to be free
 * before the thread goes (abandon).
 *
 * clock_gettime (CLOCK_MONOTONIC, CLOCK_REALTIME), gettimeofday and time
 * read the monitor's TSC map and make no call at all.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "elh-client.h"

#define EXPORT __attribute__((visibility("default")))

static struct elh_shared *area;
static __thread struct elh_sqe *mine; /* this thread's entry, once claimed */
static __thread int mine_tid;	      /* the tid it was claimed for */

/* The thread's entry.  The child of fork or vfork has a new tid, and the
 * monitor freed every entry in it: an entry whose owner is no longer the
 * tid it was claimed for is claimed again. */
static struct elh_sqe *my_entry(struct elh_shared *s)
{
	struct elh_sqe *q = mine;

	if (q && __atomic_load_n(&q->owner, __ATOMIC_RELAXED) == (uint32_t)mine_tid)
		return q;
	mine_tid = (int)syscall(SYS_gettid);
	mine = elh_client_claim(s, mine_tid);
	return mine;
}

/* Take the shim out of LD_PRELOAD again, so that the program sees the
 * environment it was given (elh run adds it; elh adds it again at the
 * next execve). */
static void hide_from_environment(void)
{
	const char *v = getenv("LD_PRELOAD");
	char *copy, *out, *tok, *save;
	size_t len;

	if (!v)
		return;
	len = strlen(v);
	copy = malloc(len + 1);
	out = malloc(len + 1);
	if (!copy || !out)
		goto done;
	memcpy(copy, v, len + 1);
	out[0] = 0;
	for (tok = strtok_r(copy, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
		const char *base = strrchr(tok, '/');

		if (!strcmp(base ? base + 1 : tok, "libelh-preload.so"))
			continue;
		if (out[0])
			strcat(out, ":");
		strcat(out, tok);
	}
	if (out[0])
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
done:
	free(copy);
	free(out);
}

__attribute__((constructor)) static void elh_preload_init(void)
{
	struct elh_shared *s = (struct elh_shared *)getauxval(AT_ELH_SHARED);

	if (!s)
		return; /* not under elh, or in hypercall mode */
	hide_from_environment();
	if (!elh_client_area_ok(s))
		return;
	__atomic_store_n(&area, s, __ATOMIC_RELEASE);
}

/*
 * A thread cancelled while its call is in flight (glibc's SIGCANCEL
 * handler unwinds it from inside elh_client_await): stop the call, wait
 * for it to complete, and give the entry back.  The monitor interrupts a
 * call in flight as it delivers the signal, but the cancellation may have
 * been pending since before the call was submitted (the wait's switch to
 * asynchronous cancellation acts on it), and then nothing else would end
 * a call that waits for ever: ask for the interruption here.
 */
static void abandon(void *arg)
{
	struct elh_sqe *q = arg;
	struct elh_shared *s = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	uint32_t st;

	__atomic_store_n(&q->waiting, 1, __ATOMIC_SEQ_CST);
	st = __atomic_load_n(&q->state, __ATOMIC_SEQ_CST);
	if (st != ELH_SQE_DONE && st != ELH_SQE_FREE)
		syscall(ELH_SYS_interrupt, (long)(q - s->sqe), 0L);
	while ((st = __atomic_load_n(&q->state, __ATOMIC_SEQ_CST)) != ELH_SQE_DONE &&
	       st != ELH_SQE_FREE)
		elh_client_futex_wait(&q->state, st);
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&q->state, ELH_SQE_FREE, __ATOMIC_RELEASE);
	q->busy = 0;
}

/* Wait at a cancellation point: asynchronously cancellable, as glibc's
 * own wrappers are for the duration of their call (pthread_cancel only
 * signals a thread that is). */
static long await_cancellable(struct elh_shared *s, struct elh_sqe *q, int rang)
{
	long r;
	int old;

	pthread_cleanup_push(abandon, q);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	r = elh_client_await(s, q, rang);
	pthread_setcanceltype(old, &old);
	pthread_cleanup_pop(0);
	return r;
}

/*
 * Make call n through the queue: 1 with its result (a value or -errno) in
 * *res, or 0 if the caller must make it itself, by trapping.  cp: the
 * call is a cancellation point.
 */
static int exitless(int cp, long n, const long a[6], long *res)
{
	struct elh_shared *s = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	struct elh_sqe *q;
	uint32_t flags;
	long r;
	int rang;

	if (!s || !elh_client_may(s, n))
		return 0;
	q = my_entry(s);
	if (!q || q->busy) /* no entry; a handler's call while the thread's is in flight */
		return 0;
	if (q->trap_left) {
		q->trap_left--;
		return 0;
	}
	for (;;) {
		if (cp)
			pthread_testcancel(); /* the entry is not busy: it may unwind */
		q->busy = 1;
		rang = elh_client_submit(s, q, 0, n, a);
		r = cp ? await_cancellable(s, q, rang) : elh_client_await(s, q, rang);
		flags = q->flags;
		q->busy = 0;
		if (!(flags & ELH_SQE_RESTART))
			break;
	}
	if (flags & ELH_SQE_RETRAP)
		return 0;
	*res = r;
	return 1;
}

static long ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define ARGS(...) ((const long[6]){ __VA_ARGS__ })
#define L(x)	  ((long)(x))

/* glibc's own function: what a call the queue does not take runs. */
#define REAL(name)                                                                                 \
	static __typeof__(name) *real_;                                                            \
	if (!real_)                                                                                \
	real_ = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* A wrapper of one call: through the queue, else glibc's function. */
#define WRAP(cp, type, name, params, nr, args, call)                                               \
	EXPORT type name params                                                                    \
	{                                                                                          \
		long r_;                                                                           \
		if (exitless(cp, nr, ARGS args, &r_))                                              \
			return (type)ret(r_);                                                      \
		REAL(name);                                                                        \
		return real_ call;                                                                 \
	}

/* ---- files ---- */

WRAP(1, ssize_t, read, (int fd, void *b, size_t n), SYS_read, (fd, L(b), L(n)), (fd, b, n))
WRAP(1, ssize_t, write, (int fd, const void *b, size_t n), SYS_write, (fd, L(b), L(n)), (fd, b, n))
WRAP(1, ssize_t, readv, (int fd, const struct iovec *v, int n), SYS_readv, (fd, L(v), n),
     (fd, v, n))
WRAP(1, ssize_t, writev, (int fd, const struct iovec *v, int n), SYS_writev, (fd, L(v), n),
     (fd, v, n))
WRAP(1, ssize_t, pread, (int fd, void *b, size_t n, off_t o), SYS_pread64, (fd, L(b), L(n), o),
     (fd, b, n, o))
WRAP(1, ssize_t, pread64, (int fd, void *b, size_t n, off64_t o), SYS_pread64, (fd, L(b), L(n), o),
     (fd, b, n, o))
WRAP(1, ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), SYS_pwrite64,
     (fd, L(b), L(n), o), (fd, b, n, o))
WRAP(1, ssize_t, pwrite64, (int fd, const void *b, size_t n, off64_t o), SYS_pwrite64,
     (fd, L(b), L(n), o), (fd, b, n, o))
WRAP(1, int, close, (int fd), SYS_close, (fd), (fd))
WRAP(1, int, fsync, (int fd), SYS_fsync, (fd), (fd))
WRAP(1, int, fdatasync, (int fd), SYS_fdatasync, (fd), (fd))
WRAP(0, off_t, lseek, (int fd, off_t o, int w), SYS_lseek, (fd, o, w), (fd, o, w))
WRAP(0, off64_t, lseek64, (int fd, off64_t o, int w), SYS_lseek, (fd, o, w), (fd, o, w))

/* The mode argument is there only with O_CREAT or O_TMPFILE. */
static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

#define WRAP_OPEN(name)                                                                            \
	EXPORT int name(const char *path, int flags, ...)                                          \
	{                                                                                          \
		va_list ap;                                                                        \
		mode_t mode;                                                                       \
		long r;                                                                            \
		va_start(ap, flags);                                                               \
		mode = open_mode(flags, ap);                                                       \
		va_end(ap);                                                                        \
		if (exitless(1, SYS_openat, ARGS(AT_FDCWD, L(path), flags, mode), &r))             \
			return (int)ret(r);                                                        \
		REAL(name);                                                                        \
		return real_(path, flags, mode);                                                   \
	}
#define WRAP_OPENAT(name)                                                                          \
	EXPORT int name(int dirfd, const char *path, int flags, ...)                               \
	{                                                                                          \
		va_list ap;                                                                        \
		mode_t mode;                                                                       \
		long r;                                                                            \
		va_start(ap, flags);                                                               \
		mode = open_mode(flags, ap);                                                       \
		va_end(ap);                                                                        \
		if (exitless(1, SYS_openat, ARGS(dirfd, L(path), flags, mode), &r))                \
			return (int)ret(r);                                                        \
		REAL(name);                                                                        \
		return real_(dirfd, path, flags, mode);                                            \
	}
WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)

WRAP(0, int, stat, (const char *p, struct stat *st), SYS_newfstatat, (AT_FDCWD, L(p), L(st), 0),
     (p, st))
WRAP(0, int, lstat, (const char *p, struct stat *st), SYS_newfstatat,
     (AT_FDCWD, L(p), L(st), AT_SYMLINK_NOFOLLOW), (p, st))
WRAP(0, int, fstat, (int fd, struct stat *st), SYS_fstat, (fd, L(st)), (fd, st))
WRAP(0, int, fstatat, (int d, const char *p, struct stat *st, int fl), SYS_newfstatat,
     (d, L(p), L(st), fl), (d, p, st, fl))
WRAP(0, int, stat64, (const char *p, struct stat64 *st), SYS_newfstatat, (AT_FDCWD, L(p), L(st), 0),
     (p, st))
WRAP(0, int, lstat64, (const char *p, struct stat64 *st), SYS_newfstatat,
     (AT_FDCWD, L(p), L(st), AT_SYMLINK_NOFOLLOW), (p, st))
WRAP(0, int, fstat64, (int fd, struct stat64 *st), SYS_fstat, (fd, L(st)), (fd, st))
WRAP(0, int, fstatat64, (int d, const char *p, struct stat64 *st, int fl), SYS_newfstatat,
     (d, L(p), L(st), fl), (d, p, st, fl))

/* ---- sockets ---- */

WRAP(0, int, socket, (int d, int t, int p), SYS_socket, (d, t, p), (d, t, p))
WRAP(0, int, bind, (int fd, const struct sockaddr *a, socklen_t l), SYS_bind, (fd, L(a), l),
     (fd, a, l))
WRAP(0, int, listen, (int fd, int n), SYS_listen, (fd, n), (fd, n))
WRAP(1, int, accept, (int fd, struct sockaddr *a, socklen_t *l), SYS_accept, (fd, L(a), L(l)),
     (fd, a, l))
WRAP(1, int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int fl), SYS_accept4,
     (fd, L(a), L(l), fl), (fd, a, l, fl))
WRAP(1, int, connect, (int fd, const struct sockaddr *a, socklen_t l), SYS_connect, (fd, L(a), l),
     (fd, a, l))
WRAP(0, int, shutdown, (int fd, int how), SYS_shutdown, (fd, how), (fd, how))
WRAP(1, ssize_t, send, (int fd, const void *b, size_t n, int fl), SYS_sendto,
     (fd, L(b), L(n), fl, 0, 0), (fd, b, n, fl))
WRAP(1, ssize_t, recv, (int fd, void *b, size_t n, int fl), SYS_recvfrom,
     (fd, L(b), L(n), fl, 0, 0), (fd, b, n, fl))
WRAP(1, ssize_t, sendto,
     (int fd, const void *b, size_t n, int fl, const struct sockaddr *a, socklen_t l), SYS_sendto,
     (fd, L(b), L(n), fl, L(a), l), (fd, b, n, fl, a, l))
WRAP(1, ssize_t, recvfrom, (int fd, void *b, size_t n, int fl, struct sockaddr *a, socklen_t *l),
     SYS_recvfrom, (fd, L(b), L(n), fl, L(a), L(l)), (fd, b, n, fl, a, l))
WRAP(1, ssize_t, sendmsg, (int fd, const struct msghdr *m, int fl), SYS_sendmsg, (fd, L(m), fl),
     (fd, m, fl))
WRAP(1, ssize_t, recvmsg, (int fd, struct msghdr *m, int fl), SYS_recvmsg, (fd, L(m), fl),
     (fd, m, fl))
WRAP(0, int, getsockopt, (int fd, int lv, int o, void *v, socklen_t *l), SYS_getsockopt,
     (fd, lv, o, L(v), L(l)), (fd, lv, o, v, l))
WRAP(0, int, setsockopt, (int fd, int lv, int o, const void *v, socklen_t l), SYS_setsockopt,
     (fd, lv, o, L(v), l), (fd, lv, o, v, l))
WRAP(0, int, getsockname, (int fd, struct sockaddr *a, socklen_t *l), SYS_getsockname,
     (fd, L(a), L(l)), (fd, a, l))
WRAP(0, int, getpeername, (int fd, struct sockaddr *a, socklen_t *l), SYS_getpeername,
     (fd, L(a), L(l)), (fd, a, l))

/* ---- waiting ---- */

WRAP(1, int, poll, (struct pollfd * f, nfds_t n, int t), SYS_poll, (L(f), L(n), t), (f, n, t))
WRAP(1, int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t), SYS_select,
     (n, L(r), L(w), L(e), L(t)), (n, r, w, e, t))
WRAP(1, int, epoll_wait, (int fd, struct epoll_event *ev, int n, int t), SYS_epoll_wait,
     (fd, L(ev), n, t), (fd, ev, n, t))
WRAP(1, int, nanosleep, (const struct timespec *t, struct timespec *rem), SYS_nanosleep,
     (L(t), L(rem)), (t, rem))

/* clock_nanosleep returns the error instead of setting errno. */
EXPORT int clock_nanosleep(clockid_t c, int fl, const struct timespec *t, struct timespec *rem)
{
	long r;

	if (c != CLOCK_THREAD_CPUTIME_ID &&
	    exitless(1, SYS_clock_nanosleep, ARGS(c, fl, L(t), L(rem)), &r))
		return r < 0 ? (int)-r : 0;
	REAL(clock_nanosleep);
	return real_(c, fl, t, rem);
}

/* ---- time: no call at all ---- */

EXPORT int clock_gettime(clockid_t c, struct timespec *ts)
{
	struct elh_shared *s = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	uint64_t ns;

	if (s && (c == CLOCK_MONOTONIC || c == CLOCK_REALTIME) &&
	    !elh_client_clock(s, c == CLOCK_MONOTONIC, &ns)) {
		ts->tv_sec = (time_t)(ns / 1000000000);
		ts->tv_nsec = (long)(ns % 1000000000);
		return 0;
	}
	REAL(clock_gettime);
	return real_(c, ts);
}

EXPORT int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct elh_shared *s = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	uint64_t ns;

	if (s && !tz && !elh_client_clock(s, 0, &ns)) {
		tv->tv_sec = (time_t)(ns / 1000000000);
		tv->tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
		return 0;
	}
	REAL(gettimeofday);
	return real_(tv, tz);
}

EXPORT time_t time(time_t *t)
{
	struct elh_shared *s = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	uint64_t ns;

	if (s && !elh_client_clock(s, 0, &ns)) {
		time_t v = (time_t)(ns / 1000000000);

		if (t)
			*t = v;
		return v;
	}
	REAL(time);
	return real_(t);
}
