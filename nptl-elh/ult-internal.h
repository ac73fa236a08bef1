#ifndef ELH_ULT_INTERNAL_H
#define ELH_ULT_INTERNAL_H

/* User-level threads over the guest's vCPUs ("carriers"): what the files
 * of the runtime share.
 *
 * Under `elh run --vcpus N` (elh-abi.h: `vcpus`; AT_ELH_VCPUS in
 * hypercall mode), or run directly with ELH_VCPUS=N (then with the
 * in-process pool of pool.c in place of the monitor's workers), the first
 * thread the program creates turns the process M:N: the calling kernel
 * thread becomes carrier 0 and the main ULT, N-1 more carriers are cloned,
 * and from then on every POSIX thread is a ULT.  Each carrier runs a
 * scheduler on a stack of its own.  A ULT gives its carrier back through
 * __elh_ult_switch with an action for the scheduler to carry out once the
 * ULT's context is saved (queue it, park it on a futex, note its call in
 * flight, end it): no other carrier can see a ULT before its context is
 * complete.
 *
 * Thread calls are served in the guest: futex waits and wakes move ULTs
 * between a hash of wait queues and the run queues, exit ends the ULT
 * (clearing its child tid as the kernel would), gettid and tkill know the
 * ULTs' tids.  A ULT whose exit-less call is in flight yields; its carrier
 * polls the entry, and the monitor's worker bumps the carrier's sleep word
 * when it posts the completion (`notify`), so a carrier with nothing to
 * run can sleep.  Carriers look in their own run queue, their calls in
 * flight, the timers, then steal from the others' queues; with nothing
 * found they spin for the monitor's budget, then sleep on their word
 * through one trapping call.
 *
 * Hand-off.  A ULT whose call must be made on its vCPU and may block
 * (every worker busy: ELH_SQE_BUSY; a blocking call no worker may take,
 * elh-calls.h) holds its carrier for as long as the call lasts.  Before it
 * traps, the carrier hands its calls in flight to the others (`orphans`)
 * and, if fewer than N carriers are left free to run, wakes a parked spare
 * or starts a new one, up to ELH_MAX_CARRIERS.  A spare with nothing of
 * its own parks again once N carriers run, so that N stays the number of
 * vCPUs running threads.
 *
 * A signal thread of the runtime takes the process's signals and routes
 * them to ULTs, and ticks every 10 ms to preempt a ULT that keeps its
 * carrier while others wait (signals.c).
 *
 * A ULT's thread pointer is switched with `wrfsbase` where AT_HWCAP2 says
 * ring 3 may (the KVM platform enables CR4.FSGSBASE when the virtual CPU
 * has it, and systrap and a direct run pass the host kernel's bit), else
 * with arch_prctl(ARCH_SET_FS), which the systrap platform lets through
 * without a trap (set_fs).  The code of the schedulers uses no TLS and
 * makes its calls with `syscall` directly.
 *
 * The files:
 *   sched.c    run queues, stealing, the schedulers, the hand-off, tids,
 *              the start and end of a ULT
 *   futex.c    futex wait queues, timers, requeue, priority inheritance,
 *              futexes shared with other processes
 *   signals.c  signals to ULTs, the vCPUs' handler, the signal thread,
 *              preemption
 *   ult.c      the entry points: __elh_ult_syscall, clone, activation
 *
 * LOCK ORDER.  Every lock is a spin lock (__elh_spin_lock, ult.h), held
 * for a few instructions by a ULT inside the runtime, a scheduler or a
 * kernel thread of the runtime; none is held across a context switch.
 * Where two are held at once, they are taken in this order:
 *
 *   tid_lock                   (ult_kill_from: waking a sigwait,
 *                               interrupting a futex wait)
 *     bucket locks             (two for a requeue: the lower address first)
 *       timer_lock             (park: a wait with a deadline)
 *
 *   orphan_lock, then a run-queue lock (poll_orphans)
 *
 * ult_kill_from also takes timer_lock (timer_del) and a run-queue lock
 * (make_ready) under tid_lock, after it has let go of the bucket's.  A
 * run-queue lock (carrier.lock) is innermost: enqueue takes nothing else,
 * and steal holds one at a time.  grow_lock, and the locks of stack.c and
 * shared.c, are taken alone.  run_timers
 * takes timer_lock, then a bucket's, never both: a ULT it takes off the
 * timers is marked `expiring` until it has looked at the bucket, and a
 * waker that took the ULT off its wait queue meanwhile waits for that
 * mark to clear (timer_del) before it lets the ULT run.
 *
 * The names below that the files share are in musl's reserved space, as
 * mallocng's glue.h does it: a program linked statically may name its own
 * functions `enqueue` or `park`.
 */

#include <stdint.h>
#include <time.h>
#include "pthread_impl.h"
#include "syscall.h"
#include "futex.h"
#include "ksigaction.h"
#include "../elh/elh.h"
#include "../elh/elh-calls.h"
#include "ult.h"

#define carriers	__elh_carriers
#define ncarriers	__elh_ncarriers
#define nvcpus		__elh_nvcpus
#define main_ult	__elh_main_ult
#define live		__elh_live
#define self_pid	__elh_self_pid
#define fsgsbase	__elh_fsgsbase
#define tid_lock	__elh_tid_lock
#define tids		__elh_tids
#define tid_add		__elh_tid_add
#define enqueue		__elh_enqueue
#define dequeue		__elh_dequeue
#define make_ready	__elh_make_ready
#define steal		__elh_steal
#define poll_calls	__elh_poll_calls
#define find_work	__elh_find_work
#define set_kmask	__elh_set_kmask
#define kick_carrier	__elh_kick_carrier
#define block		__elh_block
#define new_context	__elh_new_context
#define sched_entry	__elh_sched_entry
#define sched_stack	__elh_sched_stack
#define start_carrier	__elh_start_carrier
#define kwaiting	__elh_kwaiting
#define next_deadline	__elh_next_deadline
#define park		__elh_park
#define run_timers	__elh_run_timers
#define futex_wait	__elh_futex_wait
#define futex_wake	__elh_futex_wake
#define futex_interrupt __elh_futex_interrupt
#define ult_futex	__elh_ult_futex
#define actions		__elh_actions
#define routed		__elh_routed
#define unrouted	__elh_unrouted
#define route_signals	__elh_route_signals
#define deliver_pending __elh_deliver_pending
#define sig_restarts	__elh_sig_restarts
#define interrupt_call	__elh_interrupt_call
#define pend_add	__elh_pend_add
#define take_unrouted	__elh_take_unrouted
#define install		__elh_install
#define signal_thread	__elh_signal_thread
#define ult_kill	__elh_ult_kill
#define ult_sigmask	__elh_ult_sigmask
#define ult_sigaction	__elh_ult_sigaction
#define ult_sigwait	__elh_ult_sigwait
#define ult_pause	__elh_ult_pause_sig

#define FUTEX_WAKE_BITSET 10
#define FUTEX_CMD_MASK	  (~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME))
#define FUTEX_TID_MASK	  0x3fffffff

#define SCHED_STACK (64 * 1024)
#define NBUCKETS    256
#define TID_BASE    0x20000000 /* above any kernel tid, below FUTEX_TID_MASK */

/* A ULT's state: running, in a run queue, in a futex wait queue, with its
 * call in flight, ended.  Written by the ULT's carrier (the scheduler, or
 * the ULT itself); read without a lock by senders of signals, under
 * tid_lock (the ULT cannot end meanwhile), which take the bucket's lock
 * before they end a wait it names. */
enum { U_RUN, U_READY, U_WAIT, U_CALL, U_DEAD };

/* What a ULT asks of its scheduler when it gives the carrier back
 * (block): queue it again, park it on its futex, note its call in flight,
 * end it. */
enum { A_YIELD, A_WAIT, A_CALL, A_EXIT };

struct carrier;

/* A user-level thread.  It lives at the top of its own stack (ult.c: new_ult),
 * except the main one.  Its fields are its own (written by the ULT or by
 * the scheduler running it) but for those marked with the lock that
 * guards them. */
struct ult {
	uint64_t rsp; /* saved by __elh_ult_switch */
	uint64_t fs;  /* thread pointer */
	int tid;
	volatile int state;
	/* One of: a run queue (its carrier's lock), a futex wait queue (the
	 * bucket's lock), a carrier's calls in flight (that carrier's
	 * scheduler), the orphans (orphan_lock). */
	struct ult *next;
	struct ult *tnext;	 /* timer list: timer_lock */
	struct ult *hnext;	 /* tid hash: tid_lock */
	struct carrier *carrier; /* running it, or last ran it */
	/* futex wait: faddr, in_bucket under the bucket's lock of faddr (a
	 * requeue changes faddr under both buckets' locks) */
	volatile int *faddr;
	int fval;
	unsigned fbits;
	int wake_err;	   /* 0 woken, EAGAIN, ETIMEDOUT, EINTR; set by the waker */
	uint64_t deadline; /* CLOCK_MONOTONIC ns, 0 none */
	int in_bucket, in_timers;
	volatile int expiring; /* a scheduler ends its wait for the deadline */
	/* a call in flight */
	struct elh_sqe *sqe;
	/* end */
	volatile int *ctid;
	void *unmap_base;
	size_t unmap_size;
	/* signals: sigpend and rtq are atomic, set by any thread */
	uint64_t mask;
	volatile uint64_t sigpend;
	volatile unsigned short rtq[33]; /* real-time signals 32..64 queued */
	volatile int sigword;		 /* futex word of sigwait, bumped by ult_kill */
	volatile uint64_t waitset;	 /* the signals it waits for in sigwait */
	unsigned delivered;		 /* signals raised for it on its vCPU (pause) */
	char name[16];			 /* prctl(PR_SET_NAME) */
	int direct;			 /* in the child of a vfork-like clone: plain calls */
	int critical;			 /* inside the runtime: not to be preempted */
	int want_yield;			 /* preempted while critical: yield on leaving */
	int in_handler;			 /* in handlers the kernel (monitor) delivered */
	int masked_call;		 /* in ppoll & co (masked_call): mask is the call's */
	uint64_t saved_mask;
	/* start */
	int (*fn)(void *);
	void *arg;
};

/* A carrier: a vCPU (a kernel thread) and its scheduler.  Its fields are
 * its scheduler's but for the run queue (`lock`), and the words other
 * carriers and the signal thread read or set atomically (marked). */
struct carrier {
	uint64_t sched_rsp;
	struct ult *cur;	    /* read by the preemption tick */
	uint64_t fs;		    /* FS base loaded */
	uint64_t kmask;		    /* the vCPU's signal mask, as the monitor has it */
	int kunknown;		    /* kmask is not known (left in a signal handler) */
	volatile int kick;	    /* a preemption request is on its way */
	volatile unsigned switches; /* ULTs it has started running */
	unsigned seen_switches;	    /* by the preemption tick */
	int idx, ktid;
	int action;
	volatile int lock; /* run queue */
	struct ult *rq_head, *rq_tail;
	struct ult *calls; /* ULTs with a call in flight; this carrier's own */
	char *stack;
	volatile int held;   /* its ULT is in a call that may block (hand-off) */
	volatile int parked; /* a spare waiting for a carrier to be held */
} __attribute__((aligned(64)));

/* The CPU and the kernel (or the monitor) let ring 3 write the FS base:
 * HWCAP2_FSGSBASE in AT_HWCAP2.  Set at activation. */
extern hidden int fsgsbase;

/* ---- the scheduler (sched.c) ---- */

extern hidden struct carrier carriers[ELH_MAX_CARRIERS];
/* Carriers started, growing with spares (under grow_lock); read
 * anywhere. */
extern hidden volatile int ncarriers;
/* The N of M:N: carriers that run threads at once.  Set before the first
 * carrier but carrier 0 starts, so that none takes itself for a spare. */
extern hidden volatile int nvcpus;
extern hidden struct ult main_ult;
extern hidden volatile int live; /* ULTs not ended; the last one's end exits */
extern hidden long self_pid;
/* The tid hash: every ULT not ended, under tid_lock. */
extern hidden volatile int tid_lock;
extern hidden struct ult *tids[NBUCKETS];

hidden void tid_add(struct ult *);

/* Run queues: FIFO, each under its carrier's lock (innermost).  enqueue
 * puts u at the tail of c's queue; dequeue takes the head, or 0. */
hidden void enqueue(struct carrier *c, struct ult *u);
hidden struct ult *dequeue(struct carrier *c);
/* u runnable, from wherever the caller runs (a ULT or a scheduler on
 * carrier here): on here's queue, an idle carrier woken to steal it. */
hidden void make_ready(struct carrier *here, struct ult *u);
/* The head of another carrier's queue, looking from c's successor on. */
hidden struct ult *steal(struct carrier *c);
/* c's calls in flight that have completed join the tail of its queue. */
hidden void poll_calls(struct carrier *c);
/* The next ULT for c to run: signals to route, calls completed, its own
 * queue, timers, stealing; else it idles (or parks, a spare). */
hidden struct ult *find_work(struct carrier *c);

hidden void set_kmask(struct carrier *c, uint64_t mask);
/* Ask vCPU c to look at the ULT it runs (POOL_SIG with c->kick set). */
hidden void kick_carrier(struct carrier *c);
/* Give u's carrier back with an action; returns when a scheduler runs u
 * again, possibly on another carrier, with its pending signals raised. */
hidden void block(struct ult *u, int action);

/* A context that starts with fn(arg) on the stack below top. */
hidden uint64_t new_context(uintptr_t top, void (*fn)(void *), void *arg);
hidden void sched_entry(void *carrier);
hidden char *sched_stack(void);
/* Start carrier ncarriers (under grow_lock, or at activation); 0, or -1
 * if it cannot be. */
hidden int start_carrier(void);

hidden void __elh_ult_switch(uint64_t *save, uint64_t rsp);
hidden void __elh_ult_trampoline(void);

/* ---- futexes (futex.c) ---- */

/* Threads of this process in a kernel futex wait (shared futexes). */
extern hidden volatile int kwaiting;
/* The earliest deadline of the timers, 0 none; read without the lock. */
extern hidden volatile uint64_t next_deadline;

/* The scheduler's half of a wait (A_WAIT): u joins the wait queue of
 * u->faddr, under its bucket's lock, if *u->faddr still holds u->fval and
 * no signal it does not block is pending; else it goes back to c's queue
 * with EAGAIN or EINTR. */
hidden void park(struct carrier *c, struct ult *u);
/* End the waits whose deadline has passed (ETIMEDOUT); they go to c's
 * queue.  Returns how many. */
hidden int run_timers(struct carrier *c);
/* FUTEX_WAIT(_BITSET) for ULT u, from u: 0 when woken, else -EAGAIN,
 * -ETIMEDOUT, -EINTR, -EINVAL. */
hidden long futex_wait(struct ult *u, volatile int *addr, int val, const struct timespec *ts,
		       unsigned bits, int absolute, int realtime);
/* Wake up to n waiters of addr whose bits meet `bits`, onto here's queue;
 * returns how many. */
hidden long futex_wake(struct carrier *here, volatile int *addr, int n, unsigned bits);
/* If u waits on a futex, end its wait with EINTR (it is off its queue and
 * its timer when this returns 1; the caller makes it ready). */
hidden int futex_interrupt(struct ult *u);
/* The futex call of ULT u. */
hidden long ult_futex(struct ult *u, volatile int *addr, int op, int val, const struct timespec *ts,
		      volatile int *addr2, int val3);

/* ---- signals (signals.c) ---- */

/*
 * The vCPU's own signal mask while it runs a ULT: the same for every ULT,
 * so that neither switching threads nor the program's sigprocmask (musl
 * blocks signals around pthread_create and thread exit) costs a call --
 * a VM exit under a monitor.  The ULT's mask lives in the guest (u->mask).
 * Blocked on the vCPU: every signal but
 *  - POOL_SIG, the runtime's kicks;
 *  - the faults, which the kernel raises on the faulting vCPU and forces
 *    through (sig_entry does what Linux does when the thread blocks one);
 *  - SIGPIPE and SIGXFSZ, which the calls the vCPU makes raise on it:
 *    sig_entry always takes them, and holds them pending for a thread
 *    that blocks them.
 * Everything else sent to the process is the signal thread's, which
 * routes it; a signal for a thread is raised on its vCPU by
 * deliver_pending, which unblocks it there for the moment.
 */
#define SIGBIT(s) (1ull << ((s)-1))
#define FAULT_SIGS                                                                                 \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |    \
	 SIGBIT(SIGSYS))
#define CALL_SIGS   (SIGBIT(SIGPIPE) | SIGBIT(SIGXFSZ))
#define RUN_MASK    (~(FAULT_SIGS | CALL_SIGS | SIGBIT(POOL_SIG)))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* The program's signal handlers: the vCPUs' dispositions name the
 * runtime's entry instead (install), which runs the handler on the thread
 * it interrupted, or, if it interrupted a scheduler, leaves the signal in
 * `routed` for the scheduler to give to a thread that does not block it.
 * `unrouted`: routed ones every thread blocks.  Both atomic. */
extern hidden struct k_sigaction actions[_NSIG];
extern hidden volatile uint64_t routed;
extern hidden volatile uint64_t unrouted;

/* Give the signals in `routed` to threads (takes tid_lock). */
hidden void route_signals(struct carrier *c);
/* Raise the signals pending on u, the running ULT, that it does not
 * block, on its vCPU. */
hidden void deliver_pending(struct ult *u);
/* sig's handler has SA_RESTART. */
hidden int sig_restarts(int sig);
/* Stop u's call in flight as a signal handler would. */
hidden void interrupt_call(struct ult *u, int restart);
hidden void pend_add(struct ult *u, int sig);
hidden void take_unrouted(struct ult *u, uint64_t set);
/* The kernel's view of a disposition. */
hidden long install(int sig, const struct k_sigaction *a);
hidden int signal_thread(void *arg);
/* The thread calls on signals, for ULT u (or the running one). */
hidden long ult_kill(int tid, int sig);
hidden long ult_sigmask(struct ult *u, int how, const uint64_t *set, uint64_t *old, size_t size);
hidden long ult_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old,
			  size_t size);
hidden long ult_sigwait(struct ult *u, const uint64_t *set, siginfo_t *info,
			const struct timespec *ts, size_t size);
hidden long ult_pause(struct ult *u, const uint64_t *mask, size_t size);

/* ---- hot helpers ---- */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	if (__elh_clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		__elh_trap(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The running ULT, 0 outside M:N or on a kernel thread of the runtime. */
static inline struct ult *self(void)
{
	return __pthread_self()->elh_ult;
}

static inline int has_work(struct carrier *c)
{
	return __atomic_load_n(&c->rq_head, __ATOMIC_RELAXED) != 0;
}

#endif
