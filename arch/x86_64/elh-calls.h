/*
 * What each system call is, for every part of ELH that must know: the one
 * table of the rules that the monitor, elh-musl's client and nptl-elh
 * follow.  Every list of calls on either side of the ABI (elh-abi.h) is
 * generated from it; testsuite/unit/test-calls.c checks it against
 * signal(7).
 *
 * A row per call that differs from the default: a call with no row does
 * not block, is restarted after an SA_RESTART handler, takes no signal
 * mask, may run on any thread of the process and is never served in the
 * guest.  The columns:
 *
 * blocks   1: may wait for long or for ever (a pipe, a socket, a terminal,
 *          a lock, a timer, another process, the disk).  The monitor runs
 *          it on a worker that is not the last free one, nptl-elh's
 *          in-process pool takes it off the vCPU, and a user-level thread
 *          that must trap it hands its vCPU's other threads over meanwhile.
 *
 * restart  what a signal does to it, as signal(7) sorts the calls:
 *          SA      restarted after a handler with SA_RESTART (ERESTARTSYS);
 *          NOHAND  fails with EINTR after any handler, SA_RESTART or not,
 *                  and restarts when no handler ran (ERESTARTNOHAND,
 *                  ERESTART_RESTARTBLOCK);
 *          NEVER   fails with EINTR after any handler, and even with none
 *                  when a stop signal and SIGCONT interrupted it.
 *          A signal the guest does not see (one it ignores, which Linux
 *          discards before it interrupts anything, or a kick of the
 *          monitor's own) restarts a call of any class.  Classes that
 *          depend on arguments are not in the table: a socket call with
 *          SO_RCVTIMEO or SO_SNDTIMEO, a FUTEX_WAIT with a timeout.
 *
 * mask     the argument that holds a signal mask installed for the call's
 *          duration: NONE, ARG3, ARG4, or PTR5 (argument 5 points to the
 *          mask's address and size, as pselect6's).  Such a call needs the
 *          calling vCPU when the mask is given; a user-level thread takes
 *          the mask in the guest and makes the call without it.
 *
 * vcpu     1: acts on the calling host thread (its name, affinity,
 *          priority, usage, scheduling), or must stay on it: never handed
 *          to a worker.
 *
 * guest    1: nptl-elh serves it in the guest under M:N threads, in whole
 *          or in part (thread creation and exit, futexes, thread ids,
 *          thread signals and masks, thread names); what it does not serve
 *          goes on as any other call.  The calls with a mask are served in
 *          part too, through their mask column.
 *
 * Include it after the system-call numbers (<sys/syscall.h>, or musl's
 * "syscall.h").
 */
#ifndef ELH_CALLS_H
#define ELH_CALLS_H

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441 /* Linux 5.11; older C libraries do not name it */
#endif

/* clang-format off */
#define ELH_CALLS(X)                                                     \
	/* name                 blocks  restart mask  vcpu guest */      \
	/* file data */                                                  \
	X(read,                 1,      SA,     NONE, 0,   0)            \
	X(write,                1,      SA,     NONE, 0,   0)            \
	X(readv,                1,      SA,     NONE, 0,   0)            \
	X(writev,               1,      SA,     NONE, 0,   0)            \
	X(pread64,              1,      SA,     NONE, 0,   0)            \
	X(pwrite64,             1,      SA,     NONE, 0,   0)            \
	X(preadv,               1,      SA,     NONE, 0,   0)            \
	X(pwritev,              1,      SA,     NONE, 0,   0)            \
	X(preadv2,              1,      SA,     NONE, 0,   0)            \
	X(pwritev2,             1,      SA,     NONE, 0,   0)            \
	X(sendfile,             1,      SA,     NONE, 0,   0)            \
	X(copy_file_range,      1,      SA,     NONE, 0,   0)            \
	X(splice,               1,      SA,     NONE, 0,   0)            \
	X(tee,                  1,      SA,     NONE, 0,   0)            \
	X(fsync,                1,      SA,     NONE, 0,   0)            \
	X(fdatasync,            1,      SA,     NONE, 0,   0)            \
	X(syncfs,               1,      SA,     NONE, 0,   0)            \
	X(sync,                 1,      SA,     NONE, 0,   0)            \
	X(sync_file_range,      1,      SA,     NONE, 0,   0)            \
	X(fallocate,            1,      SA,     NONE, 0,   0)            \
	X(msync,                1,      SA,     NONE, 0,   0)            \
	X(flock,                1,      SA,     NONE, 0,   0)            \
	X(fcntl,                1,      SA,     NONE, 0,   0)            \
	X(ioctl,                1,      SA,     NONE, 0,   0)            \
	/* opening: a FIFO waits for its other end */                    \
	X(open,                 1,      SA,     NONE, 0,   0)            \
	X(openat,               1,      SA,     NONE, 0,   0)            \
	X(openat2,              1,      SA,     NONE, 0,   0)            \
	X(creat,                1,      SA,     NONE, 0,   0)            \
	/* sockets */                                                    \
	X(connect,              1,      SA,     NONE, 0,   0)            \
	X(accept,               1,      SA,     NONE, 0,   0)            \
	X(accept4,              1,      SA,     NONE, 0,   0)            \
	X(sendto,               1,      SA,     NONE, 0,   0)            \
	X(recvfrom,             1,      SA,     NONE, 0,   0)            \
	X(sendmsg,              1,      SA,     NONE, 0,   0)            \
	X(recvmsg,              1,      SA,     NONE, 0,   0)            \
	X(sendmmsg,             1,      SA,     NONE, 0,   0)            \
	X(recvmmsg,             1,      SA,     NONE, 0,   0)            \
	/* readiness */                                                  \
	X(poll,                 1,      NOHAND, NONE, 0,   0)            \
	X(ppoll,                1,      NOHAND, ARG3, 0,   0)            \
	X(select,               1,      NOHAND, NONE, 0,   0)            \
	X(pselect6,             1,      NOHAND, PTR5, 0,   0)            \
	X(epoll_wait,           1,      NEVER,  NONE, 0,   0)            \
	X(epoll_pwait,          1,      NEVER,  ARG4, 0,   0)            \
	X(epoll_pwait2,         1,      NEVER,  ARG4, 0,   0)            \
	/* time */                                                       \
	X(nanosleep,            1,      NOHAND, NONE, 0,   0)            \
	X(clock_nanosleep,      1,      NOHAND, NONE, 0,   0)            \
	/* processes */                                                  \
	X(wait4,                1,      SA,     NONE, 0,   0)            \
	X(waitid,               1,      SA,     NONE, 0,   0)            \
	X(fork,                 0,      SA,     NONE, 1,   1)            \
	X(vfork,                1,      SA,     NONE, 1,   0)            \
	X(execve,               0,      SA,     NONE, 1,   1)            \
	X(execveat,             0,      SA,     NONE, 1,   1)            \
	X(exit,                 0,      SA,     NONE, 1,   1)            \
	/* System V IPC, POSIX message queues */                         \
	X(msgsnd,               1,      NOHAND, NONE, 0,   0)            \
	X(msgrcv,               1,      NOHAND, NONE, 0,   0)            \
	X(semop,                1,      NEVER,  NONE, 0,   0)            \
	X(semtimedop,           1,      NEVER,  NONE, 0,   0)            \
	X(mq_timedsend,         1,      SA,     NONE, 0,   0)            \
	X(mq_timedreceive,      1,      SA,     NONE, 0,   0)            \
	/* asynchronous I/O; io_uring ties its work to the submitting task */ \
	X(io_getevents,         1,      NEVER,  NONE, 0,   0)            \
	X(io_pgetevents,        1,      NOHAND, NONE, 0,   0)            \
	X(io_uring_enter,       1,      SA,     NONE, 1,   0)            \
	X(getrandom,            1,      SA,     NONE, 0,   0)            \
	/* threads */                                                    \
	X(futex,                1,      SA,     NONE, 1,   1)            \
	X(gettid,               0,      SA,     NONE, 1,   1)            \
	X(set_tid_address,      0,      SA,     NONE, 1,   1)            \
	X(tkill,                0,      SA,     NONE, 1,   1)            \
	X(tgkill,               0,      SA,     NONE, 1,   1)            \
	X(sched_yield,          0,      SA,     NONE, 1,   1)            \
	X(prctl,                0,      SA,     NONE, 1,   1)            \
	X(getrusage,            0,      SA,     NONE, 1,   0)            \
	X(getpriority,          0,      SA,     NONE, 1,   0)            \
	X(setpriority,          0,      SA,     NONE, 1,   0)            \
	X(sched_getaffinity,    0,      SA,     NONE, 1,   0)            \
	X(sched_setaffinity,    0,      SA,     NONE, 1,   0)            \
	X(sched_getscheduler,   0,      SA,     NONE, 1,   0)            \
	X(sched_getparam,       0,      SA,     NONE, 1,   0)            \
	/* signals */                                                    \
	X(kill,                 0,      SA,     NONE, 1,   1)            \
	X(rt_sigaction,         0,      SA,     NONE, 1,   1)            \
	X(rt_sigprocmask,       0,      SA,     NONE, 1,   1)            \
	X(rt_sigpending,        0,      SA,     NONE, 1,   1)            \
	X(pause,                1,      NOHAND, NONE, 1,   1)            \
	X(rt_sigsuspend,        1,      NOHAND, NONE, 1,   1)            \
	X(rt_sigtimedwait,      1,      NEVER,  NONE, 1,   1)
/* clang-format on */

/* The rules of one call, packed. */
#define ELH_CALL_BLOCKS	   0x001u
#define ELH_CALL_RESTART   0x006u /* the restart class: */
#define ELH_RESTART_SA	   0x000u
#define ELH_RESTART_NOHAND 0x002u
#define ELH_RESTART_NEVER  0x004u
#define ELH_CALL_MASK	   0x038u /* 1 + the mask's argument, 0 for none */
#define ELH_CALL_MASK_PTR  0x040u /* that argument points to {mask, size} */
#define ELH_CALL_VCPU	   0x080u
#define ELH_CALL_GUEST	   0x100u

#define ELH_MASK_NONE 0u
#define ELH_MASK_ARG3 (4u << 3)
#define ELH_MASK_ARG4 (5u << 3)
#define ELH_MASK_PTR5 ((6u << 3) | ELH_CALL_MASK_PTR)

#define ELH_CALL_RULES_(nm, blocks, restart, mask, vcpu, guest)                                    \
	case SYS_##nm:                                                                             \
		return ((blocks) ? ELH_CALL_BLOCKS : 0) | ELH_RESTART_##restart |                  \
		       ELH_MASK_##mask | ((vcpu) ? ELH_CALL_VCPU : 0) |                            \
		       ((guest) ? ELH_CALL_GUEST : 0);

/* The rules of call nr (ELH_CALL_*); 0 for a call with no row. */
static inline unsigned elh_call_rules(long nr)
{
	switch (nr) {
		ELH_CALLS(ELH_CALL_RULES_)
	default: return 0;
	}
}

#undef ELH_CALL_RULES_

static inline int elh_call_blocks(long nr)
{
	return (elh_call_rules(nr) & ELH_CALL_BLOCKS) != 0;
}

/* After a handler with SA_RESTART, is call nr restarted? */
static inline int elh_call_restarts_after_handler(long nr)
{
	return (elh_call_rules(nr) & ELH_CALL_RESTART) == ELH_RESTART_SA;
}

/* The argument that holds call nr's signal mask, or -1; *indirect is set
 * when that argument points to the mask's address and size. */
static inline int elh_call_mask_arg(long nr, int *indirect)
{
	unsigned r = elh_call_rules(nr);

	*indirect = (r & ELH_CALL_MASK_PTR) != 0;
	return (int)((r & ELH_CALL_MASK) >> 3) - 1;
}

/* May a worker, another thread, make call nr for its caller? */
static inline int elh_call_any_thread(long nr)
{
	return !(elh_call_rules(nr) & ELH_CALL_VCPU);
}

/* Does nptl-elh look at call nr before it is made (M:N threads)? */
static inline int elh_call_in_guest(long nr)
{
	return (elh_call_rules(nr) & (ELH_CALL_GUEST | ELH_CALL_MASK)) != 0;
}

#endif
