/*
 * The system-call executor: one table entry per x86-64 call number, from
 * which argument validation, --trace and --stats are all derived.
 *
 * Every guest system call goes through elh_syscall().  It looks the number
 * up in elh_systab, checks every argument the table describes (fds against
 * the guest's range, pointer+length against the arena, paths and input
 * structures copied into monitor memory), runs the handler, and accounts
 * and traces the call.  Handlers therefore start from arguments that are
 * already known to be sane, and only deal with what the table cannot
 * express (nested pointers, per-command arguments).
 *
 * Concurrency: the table is constant; elh_syscall may be called from any
 * number of host threads at once.  Statistics are atomic counters; the rare
 * "unsupported" records and the virtual RLIMIT_NOFILE take a mutex.
 */
#ifndef ELH_MONITOR_SYSCALL_H
#define ELH_MONITOR_SYSCALL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "vm.h"

/* What an argument register holds, and so how it is checked and printed. */
enum elh_arg {
	ELH_ARG_NONE,
	ELH_ARG_INT,	      /* int, decimal */
	ELH_ARG_LONG,	      /* long / off_t, decimal */
	ELH_ARG_UINT,	      /* size_t / unsigned, decimal */
	ELH_ARG_HEX,	      /* flags, masks, request codes */
	ELH_ARG_OCT,	      /* mode_t */
	ELH_ARG_FD,	      /* a guest fd: [0, guest_fd_limit) or -EBADF */
	ELH_ARG_DIRFD,	      /* FD or AT_FDCWD; anything if the next argument, a
			       * PATH, is absolute (Linux ignores it then) */
	ELH_ARG_PATH,	      /* NUL-terminated path, copied (PATH_MAX) */
	ELH_ARG_STR,	      /* other string (a name), copied; too long: EINVAL */
	ELH_ARG_BUF_IN,	      /* pointer, length in argument len[i]; host reads */
	ELH_ARG_BUF_OUT,      /* pointer, length in argument len[i]; host writes */
	ELH_ARG_STRUCT_IN,    /* structure elh_structs[len[i]], copied in */
	ELH_ARG_STRUCT_OUT,   /* structure elh_structs[len[i]], range-checked;
			       * the host kernel writes it (fault-safe, and
			       * it follows no pointer inside) */
	ELH_ARG_STRUCT_INOUT, /* copied in, copied back when the call succeeds */
	ELH_ARG_PTR,	      /* validated by the handler */
	ELH_ARG_NKINDS,

	/* Or'ed into a kind: NULL is a legal value and is passed on as NULL. */
	ELH_ARG_OPT = 0x80,
};
#define ELH_ARG_KIND(k) ((k)&0x7f)

/* len[i] of a BUF_* argument: the index of the length argument, or'ed with
 * ELH_LEN_U32 when the length is an unsigned int (the upper half of the
 * register is ignored, as Linux does). */
#define ELH_LEN_U32	 0x10
#define ELH_LEN_INDEX(l) ((l)&7)

/* Structures with a fixed size that the table can describe. */
enum elh_struct {
	ELH_ST_NONE,
	ELH_ST_TIMESPEC,
	ELH_ST_TIMESPEC2, /* utimensat's times[2] */
	ELH_ST_TIMEVAL,
	ELH_ST_TIMEVAL2, /* utimes' times[2] */
	ELH_ST_TIMEZONE,
	ELH_ST_ITIMERSPEC,
	ELH_ST_ITIMERVAL,
	ELH_ST_RLIMIT,
	ELH_ST_STAT,
	ELH_ST_STATX,
	ELH_ST_STATFS,
	ELH_ST_UTSNAME,
	ELH_ST_SYSINFO,
	ELH_ST_RUSAGE,
	ELH_ST_TMS,
	ELH_ST_EPOLL_EVENT,
	ELH_ST_LOFF, /* loff_t offsets of sendfile, splice... */
	ELH_ST_TIME, /* time_t */
	ELH_ST_U32,  /* uid_t, gid_t, unsigned (getresuid, getcpu) */
	ELH_ST_UTIMBUF,
	ELH_ST_SCHED_PARAM,
	ELH_ST_COUNT
};

struct elh_structdesc {
	const char *name;
	uint16_t size;
	/* Decodes a copied-in value for --trace; NULL prints the pointer. */
	void (*show)(char *out, size_t outlen, const void *val);
};
extern const struct elh_structdesc elh_structs[ELH_ST_COUNT];

/* How the result is printed and checked. */
enum elh_result {
	ELH_RES_INT,  /* decimal */
	ELH_RES_SIZE, /* byte count: BUF_OUT data is printed after success */
	ELH_RES_FD,   /* a new fd: at or above the guest's limit, it is closed
		       * and the call fails with EMFILE */
	ELH_RES_HEX,
	ELH_RES_OCT,
	ELH_RES_RAW, /* not a result (rt_sigreturn's restored rax): never an error */
};

enum {
	/* Whether a call blocks, how signals restart it, whether it must run
	 * on the calling thread: elh-calls.h, shared with the guest. */
	ELH_SYS_NO_RETURN = 1 << 1,   /* may not return (exit, exec): traced first */
	ELH_SYS_PASS = 1 << 2,	      /* no handler: the host call of the same
				       * number with the validated arguments */
	ELH_SYS_RAW = 1 << 3,	      /* the handler gets the raw registers (the
				       * special handlers of special.h) */
	ELH_SYS_UNSUPPORTED = 1 << 4, /* known, deliberately ENOSYS (see note) */
};

struct elh_vcpu;
typedef long elh_handler_fn(struct elh_vcpu *cpu, const uint64_t a[6]);

struct elh_sysdesc {
	const char *name; /* NULL: unknown number, ENOSYS */
	uint8_t nargs;
	uint8_t arg[6]; /* enum elh_arg, maybe | ELH_ARG_OPT */
	uint8_t len[6]; /* BUF_*: length argument; STRUCT_*: enum elh_struct */
	uint8_t result; /* enum elh_result */
	uint16_t flags; /* ELH_SYS_* */
	/*
	 * Called only after every argument passed the checks above.  The
	 * array it gets is the guest's registers with PATH, STR and
	 * STRUCT_IN/INOUT arguments replaced by pointers to the monitor's
	 * copies (unless ELH_SYS_RAW) and DIRFD replaced by AT_FDCWD when it
	 * is ignored.
	 */
	elh_handler_fn *handler;
	const char *note; /* why a call is ENOSYS or restricted */
};

extern const struct elh_sysdesc elh_systab[]; /* indexed by call number */
extern const unsigned elh_nsyscalls;

/*
 * Validate, run, account and trace one guest system call.  Returns the
 * guest's rax: a result or -errno.  Unknown numbers (including negative
 * ones and x32 numbers) return -ENOSYS and are counted per number.
 */
long elh_syscall(struct elh_vcpu *cpu, long nr, const uint64_t a[6]);

/*
 * Allocate vm->sys: the --stats counters and the executor's own per-VM
 * state (the guest's virtual RLIMIT_NOFILE).  Must be called once, after
 * guest_fd_limit is set and before the first elh_syscall, whether or not
 * --stats was given.  0 or -ENOMEM.
 */
int elh_sys_stats_init(struct elh_vm *vm);
void elh_sys_stats_free(struct elh_vm *vm);

/* The --stats table: per call name, calls, errors, total and mean time;
 * then the unsupported numbers, ioctl requests, fcntl commands, prctl
 * options and socket families with their counts. */
void elh_sys_stats_print(struct elh_vm *vm, FILE *out);

/* The calls counted so far, whichever way they came (the table's total). */
uint64_t elh_sys_stats_calls(struct elh_vm *vm);

/* The errno's symbolic name ("ENOENT"), or NULL if unknown. */
const char *elh_errno_name(int err);

/* ---- for the handler families (sys_*.c) ---- */

/* Records of refusals, printed by --stats. */
enum elh_unsup {
	ELH_UNSUP_SYSCALL, /* ENOSYS */
	ELH_UNSUP_IOCTL,   /* ENOTTY */
	ELH_UNSUP_FCNTL,   /* EINVAL */
	ELH_UNSUP_PRCTL,   /* EINVAL */
	ELH_UNSUP_FAMILY,  /* EAFNOSUPPORT */
	ELH_UNSUP_SOCKOPT, /* ENOPROTOOPT: level << 32 | name */
	ELH_UNSUP_KINDS
};
void elh_sys_unsupported(struct elh_vm *vm, enum elh_unsup kind, int64_t value);

/* A guest fd usable as an argument: [0, guest_fd_limit). */
static inline int elh_fd_ok(const struct elh_vm *vm, int fd)
{
	return fd >= 0 && fd < vm->guest_fd_limit;
}

/* The bound for new fds: guest_fd_limit, lowered by the guest's own soft
 * RLIMIT_NOFILE. */
int elh_sys_fd_bound(struct elh_vm *vm);

/*
 * /proc/self/exe names elh's own binary on the host; the guest must find
 * its program there.  For a path naming that link (self, thread-self or
 * the pid), the program's absolute path; NULL for any other path.  Every
 * path argument is replaced so (validate); readlink answers the path.
 */
const char *elh_exe_link(const struct elh_vm *vm, const char *path);

/* Around a fork of the monitor (process.c): hold the lock of the
 * statistics and of RLIMIT_NOFILE (1), release it (0). */
void elh_sys_fork_lock(struct elh_vm *vm, int hold);

/* In the child of a fork: --stats counts the child's own calls. */
void elh_sys_stats_after_fork(struct elh_vm *vm);

/* Accept a new host fd for the guest, or close it and return -EMFILE. */
long elh_sys_new_fd(struct elh_vm *vm, long fd);

/* The guest's virtual RLIMIT_NOFILE: set fails with EINVAL (cur > max) or
 * EPERM (max above the current maximum, which starts at guest_fd_limit). */
void elh_sys_nofile_get(struct elh_vm *vm, struct rlimit *r);
long elh_sys_nofile_set(struct elh_vm *vm, const struct rlimit *r);

/* The host system call; returns the raw kernel result (-errno on error). */
long elh_host(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	      uint64_t a5);
/* On this thread, until called again with NULL, host calls go through
 * elh_icall() with this stop word (exitless.c). */
void elh_host_stop_word(const uint32_t *stop);

#define elh_host0(nr)	       elh_host(nr, 0, 0, 0, 0, 0, 0)
#define elh_host1(nr, a)       elh_host(nr, (uint64_t)(a), 0, 0, 0, 0, 0)
#define elh_host2(nr, a, b)    elh_host(nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0, 0)
#define elh_host3(nr, a, b, c) elh_host(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)
#define elh_host4(nr, a, b, c, d)                                                                  \
	elh_host(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0, 0)
#define elh_host5(nr, a, b, c, d, e)                                                               \
	elh_host(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), (uint64_t)(e), 0)
#define elh_host6(nr, a, b, c, d, e, f)                                                            \
	elh_host(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), (uint64_t)(e),    \
		 (uint64_t)(f))

/* A host pointer as an argument register, and back. */
#define ELH_U64(p) ((uint64_t)(uintptr_t)(p))
#define ELH_PTR(v) ((void *)(uintptr_t)(v))

/*
 * Copy the guest iovec array at gva (cnt entries) into monitor memory and
 * check every element: cnt > UIO_MAXIOV gives toobig (EINVAL for readv,
 * EMSGSIZE for sendmsg), a negative length EINVAL, a buffer outside the
 * arena EFAULT.  Small arrays use stack (nstack entries); larger ones are
 * malloc'ed into *out, which the caller frees when *out != stack.
 */
long elh_sys_copy_iov(struct elh_vm *vm, uint64_t gva, uint64_t cnt, int toobig,
		      struct iovec *stack, size_t nstack, struct iovec **out);

/*
 * The signal mask argument of ppoll, pselect6 and epoll_pwait: copied, its
 * size checked (EINVAL unless 8), and made the vCPU's guest mask for the
 * duration of the call.  The host call itself is made without a mask: the
 * guest's signals are virtual, and signal.c interrupts a vCPU's host call
 * with a kick when a signal becomes deliverable.  elh_sys_mask_restore, with
 * the call's result, puts the old mask back, or for -EINTR leaves the
 * temporary one in place for the delivery and lets signal.c restore the old
 * one (saved_mask), as the kernel does for these calls and sigsuspend.
 * elh_sys_mask_install returns 1 when a signal is already pending that the
 * temporary mask unblocks: the call must then fail with EINTR at once.
 */
struct elh_mask_swap {
	int active;
	uint64_t saved;
};
long elh_sys_mask_install(struct elh_vcpu *cpu, uint64_t gset, uint64_t setsize,
			  struct elh_mask_swap *sw);
void elh_sys_mask_restore(struct elh_vcpu *cpu, struct elh_mask_swap *sw, long ret);

/* The handlers of the calls that are not plain pass-through. */
#define ELH_HANDLER(name) long elh_do_##name(struct elh_vcpu *cpu, const uint64_t a[6])

/* sys_file.c: files, fds, fcntl */
ELH_HANDLER(process_vm_readv);
ELH_HANDLER(process_vm_writev);
ELH_HANDLER(ptrace);
ELH_HANDLER(readv);
ELH_HANDLER(writev);
ELH_HANDLER(preadv);
ELH_HANDLER(pwritev);
ELH_HANDLER(preadv2);
ELH_HANDLER(pwritev2);
ELH_HANDLER(readlink);
ELH_HANDLER(getdents);
ELH_HANDLER(getdents64);
ELH_HANDLER(readlinkat);
ELH_HANDLER(dup2);
ELH_HANDLER(dup3);
ELH_HANDLER(fcntl);
ELH_HANDLER(pipe);
ELH_HANDLER(pipe2);
ELH_HANDLER(close_range);

/* sys_ioctl.c: the ioctl allow-list */
ELH_HANDLER(ioctl);

/* sys_net.c: sockets */
ELH_HANDLER(socket);
ELH_HANDLER(socketpair);
ELH_HANDLER(bind);
ELH_HANDLER(connect);
ELH_HANDLER(accept);
ELH_HANDLER(accept4);
ELH_HANDLER(getsockname);
ELH_HANDLER(getpeername);
ELH_HANDLER(sendto);
ELH_HANDLER(recvfrom);
ELH_HANDLER(sendmsg);
ELH_HANDLER(recvmsg);
ELH_HANDLER(sendmmsg);
ELH_HANDLER(recvmmsg);
ELH_HANDLER(setsockopt);
ELH_HANDLER(getsockopt);

/* sys_poll.c: readiness */
ELH_HANDLER(poll);
ELH_HANDLER(ppoll);
ELH_HANDLER(select);
ELH_HANDLER(pselect6);
ELH_HANDLER(epoll_ctl);
ELH_HANDLER(epoll_wait);
ELH_HANDLER(epoll_pwait);
ELH_HANDLER(epoll_pwait2);

/* sys_ipc.c: System V message queues, semaphores, shmctl */
ELH_HANDLER(msgsnd);
ELH_HANDLER(msgrcv);
ELH_HANDLER(msgctl);
ELH_HANDLER(semop);
ELH_HANDLER(semtimedop);
ELH_HANDLER(semctl);
ELH_HANDLER(shmctl);

/* sys_proc.c: process identity, limits, children */
ELH_HANDLER(getrlimit);
ELH_HANDLER(setrlimit);
ELH_HANDLER(prlimit64);
ELH_HANDLER(getgroups);
ELH_HANDLER(sched_setaffinity);
ELH_HANDLER(setpriority);
ELH_HANDLER(prctl);
ELH_HANDLER(clock_gettime);
ELH_HANDLER(wait4);
ELH_HANDLER(waitid);

#endif
