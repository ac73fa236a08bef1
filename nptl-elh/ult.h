#ifndef ELH_ULT_H
#define ELH_ULT_H

/* nptl-elh: POSIX threads as user-level threads (ULTs) over the guest's
 * vCPUs, for elh-musl programs run with `elh run --vcpus N`.  The ELH
 * client (src/elh/syscall.c) and musl's thread start-up code call in here;
 * nothing else of musl changes. */

#include <stdint.h>
#include "syscall.h"
#include "../elh/elh-abi.h"

/* The runtime's spin lock, over an int word (0: free).  Holders are ULTs
 * inside the runtime (never preempted there), a vCPU's scheduler, or
 * kernel threads, for a few instructions. */
static inline void __elh_spin_lock(volatile int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			__asm__ __volatile__("pause");
}

static inline void __elh_spin_unlock(volatile int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* Set once the first thread is created under an M:N monitor. */
extern hidden volatile int __elh_ult_active;

/* Thread calls served in the guest (clone aside): futex, gettid,
 * set_tid_address, exit, sched_yield, tkill/tgkill, rt_sigprocmask, fork.
 * Returns 1 with *ret set when it served the call, 2 when the call must
 * be made directly with `syscall` (in a vfork-like child), 3 for a call
 * to be made without its signal mask (below), else 0. */
hidden int __elh_ult_syscall(long n, long a, long b, long c, long d, long e, long f, long *ret);

/* A call __elh_ult_syscall returned 3 for (ppoll, pselect6, epoll_pwait
 * with a signal mask) is made again, without its mask: __elh_ult_unmask
 * drops it from the arguments; __elh_ult_direct_done follows, with the
 * result (as it does a call made directly, 2). */
hidden void __elh_ult_unmask(long n, long *d, long *e, long *f);
hidden void __elh_ult_direct_done(long r);

/* Around the ELH client's handling of a call: a ULT inside the runtime is
 * not preempted (it yields on leaving instead). */
hidden void __elh_ult_enter(void);
hidden void __elh_ult_leave(void);

/* For a call in flight: the `notify` word of the entry, and the wait for
 * its completion (the ULT yields its vCPU meanwhile).  Returns the result
 * and leaves the entry free. */
hidden uint32_t __elh_ult_notify(void);
hidden long __elh_ult_await(struct elh_sqe *q);

/* Around a call a thread makes on its vCPU that may block there: the
 * vCPU's other work goes to other vCPUs meanwhile, a spare one started if
 * need be (the hand-off, sched.c). */
hidden void __elh_ult_hold(void);
hidden void __elh_ult_unhold(void);

/* Before submitting again a call the monitor had no worker for
 * (ELH_SQE_BUSY): sleeps 50 us, doubling with tries up to 12.8 ms. */
hidden void __elh_ult_pause(unsigned tries);

/* musl's __clone and __unmapself under M:N (their assembly versions are
 * renamed __clone_kernel and __unmapself_kernel). */
hidden int __clone_kernel(int (*)(void *), void *, int, void *, ...);
hidden int __elh_ult_clone(int (*)(void *), void *, int, void *, int *, void *, int *, int *);
hidden _Noreturn void __elh_ult_unmapself(void *, size_t);

/* Thread stacks kept for reuse under M:N (stack.c): pthread_create takes
 * a mapping of the same size and guard (0: none kept), pthread_join and
 * the end of a detached thread give one back (0: not kept, unmap it). */
hidden void *__elh_stack_take(size_t size, size_t guard);
hidden int __elh_stack_give(void *base, size_t size, size_t guard);
/* The same, from a vCPU's scheduler (no ULT runs). */
hidden int __elh_stack_keep(void *base, size_t size, size_t guard);
/* In a forked child: unmap the kept stacks. */
hidden void __elh_stack_drop(void);

/* The memory another process may share (shared.c): the client notes
 * every call that maps or unmaps memory, with its result; a futex without
 * FUTEX_PRIVATE outside the shared ranges is the process's own. */
static inline int __elh_maps_memory(long n)
{
	return n == SYS_mmap || n == SYS_munmap || n == SYS_mremap || n == SYS_shmat ||
	       n == SYS_shmdt || n == SYS_fork;
}
hidden void __elh_shared_note(long n, long a, long b, long c, long d, long r);
hidden int __elh_shared_addr(const volatile void *p);

/* The in-process pool (pool.c), for M:N with no monitor's area: it makes
 * the area, attaches the client to it and starts a worker; 0 on failure. */
hidden struct elh_shared *__elh_pool_start(int vcpus);
hidden int __elh_pool_active(void);
/* Stop the call in flight in q as a signal handler would (restart: the
 * handler has SA_RESTART). */
hidden void __elh_pool_interrupt(struct elh_sqe *q, int restart);
/* Start a kernel thread of the runtime (no ULT, every signal blocked). */
hidden int __elh_pool_thread(int (*fn)(void *));
/* POOL_SIG taken by a worker (its thread block names no ULT). */
hidden void __elh_pool_signal(void *ucontext);

/* The signal that interrupts a worker's call: musl's cancellation signal,
 * which the runtime keeps installed while the pool runs. */
#define POOL_SIG 33

#endif
