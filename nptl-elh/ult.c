#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <time.h>
#include "pthread_impl.h"
#include "syscall.h"
#include "futex.h"
#include "ksigaction.h"
#include "../elh/elh.h"
#include "../elh/elh-calls.h"
#include "ult.h"

/* User-level threads over the guest's vCPUs ("carriers").
 *
 * Under `elh run --vcpus N` (elh-abi.h: `vcpus`; AT_ELH_VCPUS in
 * hypercall mode), or run directly with ELH_VCPUS=N (then with the
 * in-process pool of pool.c in place of the monitor's workers), the first
 * thread the program creates turns the process M:N: the calling kernel thread becomes
 * carrier 0 and the main ULT, N-1 more carriers are cloned, and from then
 * on every POSIX thread is a ULT.  Each carrier runs a scheduler on a stack
 * of its own.  A ULT gives its carrier back through __elh_ult_switch with
 * an action for the scheduler to carry out once the ULT's context is saved
 * (queue it, park it on a futex, note its call in flight, end it): no other
 * carrier can see a ULT before its context is complete.
 *
 * Thread calls are served here: futex waits and wakes move ULTs between a
 * hash of wait queues and the run queues, exit ends the ULT (clearing its
 * child tid as the kernel would), gettid and tkill know the ULTs' tids.  A
 * ULT whose exit-less call is in flight yields; its carrier polls the
 * entry, and the monitor's worker bumps the carrier's sleep word when it
 * posts the completion (`notify`), so a carrier with nothing to run can
 * sleep.  Carriers look in their own run queue, their calls in flight,
 * the timers, then steal from the others' queues; with nothing found they
 * spin for the monitor's budget, then sleep on their word through one
 * trapping call.
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
 * carrier while others wait (signal_thread, preempt_tick).
 *
 * A ULT's thread pointer is switched with `wrfsbase` where AT_HWCAP2 says
 * ring 3 may (the KVM platform enables CR4.FSGSBASE when the virtual CPU
 * has it), else with arch_prctl(ARCH_SET_FS), which the systrap platform
 * lets through without a trap (set_fs).  The code of the schedulers uses no
 * TLS and makes its calls with `syscall` directly. */

#define FUTEX_WAKE_BITSET 10
#define FUTEX_CMD_MASK	  (~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME))
#define FUTEX_TID_MASK	  0x3fffffff

#define SCHED_STACK (64 * 1024)
#define NBUCKETS    256
#define TID_BASE    0x20000000 /* above any kernel tid, below FUTEX_TID_MASK */

enum { U_RUN, U_READY, U_WAIT, U_CALL, U_DEAD };
enum { A_YIELD, A_WAIT, A_CALL, A_EXIT };

struct carrier;

struct ult {
	uint64_t rsp; /* saved by __elh_ult_switch */
	uint64_t fs;  /* thread pointer */
	int tid;
	volatile int state;
	struct ult *next;	 /* run queue, wait queue or list of calls in flight */
	struct ult *tnext;	 /* timer list */
	struct ult *hnext;	 /* tid hash */
	struct carrier *carrier; /* running it, or last ran it */
	/* futex wait */
	volatile int *faddr;
	int fval;
	unsigned fbits;
	int wake_err;	   /* 0 woken, EAGAIN, ETIMEDOUT, EINTR */
	uint64_t deadline; /* CLOCK_MONOTONIC ns, 0 none */
	int in_bucket, in_timers;
	volatile int expiring; /* a scheduler ends its wait for the deadline */
	/* a call in flight */
	struct elh_sqe *sqe;
	/* end */
	volatile int *ctid;
	void *unmap_base;
	size_t unmap_size;
	/* signals */
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

struct carrier {
	uint64_t sched_rsp;
	struct ult *cur;
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

volatile int __elh_ult_active;

static struct carrier carriers[ELH_MAX_CARRIERS];
static volatile int ncarriers; /* started; grows with spares */
static int nvcpus;	       /* the N of M:N: carriers that run threads at once */
static volatile int nheld, nparked;
static volatile int grow_lock;
static volatile int orphan_lock;
static struct ult *orphans;   /* calls in flight of held carriers */
static volatile int kwaiting; /* threads in a kernel futex wait (ult_futex) */
static struct ult main_ult;
static volatile int live; /* ULTs not ended */
static volatile int next_tid = TID_BASE;
static volatile int nspinning;
static long self_pid;

static struct bucket {
	volatile int lock;
	struct ult *head;
} buckets[NBUCKETS];

static volatile int timer_lock;
static struct ult *timers;		/* by deadline */
static volatile uint64_t next_deadline; /* of timers, 0 none; read without the lock */

static volatile int tid_lock;
static struct ult *tids[NBUCKETS];

/* The program's signal handlers: the vCPUs' dispositions name sig_entry
 * instead, which runs the handler on the thread it interrupted, or, if it
 * interrupted a scheduler, leaves the signal in `routed` for the
 * scheduler to give to a thread that does not block it. */
static struct k_sigaction actions[_NSIG];
static volatile uint64_t routed;   /* signals taken by a scheduler, to route */
static volatile uint64_t unrouted; /* routed ones every thread blocks */
hidden void __elh_ult_switch(uint64_t *, uint64_t);
hidden void __elh_ult_trampoline(void);

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (__elh_clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		__elh_trap(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static struct ult *self(void)
{
	return __pthread_self()->elh_ult;
}

/* ---- tids ---- */

static void tid_add(struct ult *u)
{
	struct ult **h = &tids[(unsigned)u->tid % NBUCKETS];

	__elh_spin_lock(&tid_lock);
	u->hnext = *h;
	*h = u;
	__elh_spin_unlock(&tid_lock);
}

static void tid_del(struct ult *u)
{
	__elh_spin_lock(&tid_lock);
	for (struct ult **p = &tids[(unsigned)u->tid % NBUCKETS]; *p; p = &(*p)->hnext)
		if (*p == u) {
			*p = u->hnext;
			break;
		}
	__elh_spin_unlock(&tid_lock);
}

/* ---- run queues ---- */

static int has_work(struct carrier *c)
{
	return __atomic_load_n(&c->rq_head, __ATOMIC_RELAXED) != 0;
}

/* Wake a sleeping carrier when nobody spins, so that the work just queued
 * is taken (stolen) at once. */
static void wake_idle(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&nspinning, __ATOMIC_SEQ_CST))
		return;
	for (int i = 0; i < ncarriers; i++) {
		struct elh_carrier *w = &__elh_shared->carrier[i];
		if (__atomic_load_n(&w->sleeping, __ATOMIC_SEQ_CST)) {
			elh_carrier_notify(w);
			return;
		}
	}
}

static void enqueue(struct carrier *c, struct ult *u)
{
	u->state = U_READY;
	u->next = 0;
	__elh_spin_lock(&c->lock);
	if (c->rq_tail)
		c->rq_tail->next = u;
	else
		c->rq_head = u;
	c->rq_tail = u;
	__elh_spin_unlock(&c->lock);
}

static struct ult *dequeue(struct carrier *c)
{
	struct ult *u;

	if (!has_work(c))
		return 0;
	__elh_spin_lock(&c->lock);
	u = c->rq_head;
	if (u) {
		c->rq_head = u->next;
		if (!c->rq_head)
			c->rq_tail = 0;
	}
	__elh_spin_unlock(&c->lock);
	return u;
}

/* Make u runnable from wherever the caller runs (a ULT or a scheduler). */
static void make_ready(struct carrier *here, struct ult *u)
{
	enqueue(here, u);
	if (ncarriers > 1)
		wake_idle();
}

/* ---- timers (futex waits with a timeout) ---- */

static void timer_add(struct ult *u)
{
	struct ult **p;

	__elh_spin_lock(&timer_lock);
	for (p = &timers; *p && (*p)->deadline <= u->deadline; p = &(*p)->tnext)
		;
	u->tnext = *p;
	*p = u;
	u->in_timers = 1;
	next_deadline = timers->deadline;
	__elh_spin_unlock(&timer_lock);
}

/* For a waker that took u off its wait queue: u leaves the timers, and
 * once this returns no scheduler looks at it for its deadline any more. */
static void timer_del(struct ult *u)
{
	__elh_spin_lock(&timer_lock);
	if (u->in_timers) {
		for (struct ult **p = &timers; *p; p = &(*p)->tnext)
			if (*p == u) {
				*p = u->tnext;
				break;
			}
		u->in_timers = 0;
		next_deadline = timers ? timers->deadline : 0;
	}
	__elh_spin_unlock(&timer_lock);
	while (__atomic_load_n(&u->expiring, __ATOMIC_ACQUIRE))
		__asm__ __volatile__("pause");
}

static struct bucket *bucket_of(volatile int *addr)
{
	return &buckets[((uintptr_t)addr >> 2) % NBUCKETS];
}

static int bucket_del(struct bucket *b, struct ult *u)
{
	for (struct ult **p = &b->head; *p; p = &(*p)->next)
		if (*p == u) {
			*p = u->next;
			u->in_bucket = 0;
			return 1;
		}
	return 0;
}

/* End the waits whose deadline has passed; they go to c's queue.  Locks
 * are taken in the order bucket, then timers; a ULT taken off the timers
 * here is marked `expiring` until its bucket is looked at, so that a waker
 * that took it off its wait queue meanwhile does not let it run (and end)
 * before (timer_del). */
static int run_timers(struct carrier *c)
{
	uint64_t now, d = __atomic_load_n(&next_deadline, __ATOMIC_RELAXED);
	int n = 0;

	if (!d || (now = now_ns()) < d)
		return 0;
	for (;;) {
		struct ult *u;
		struct bucket *b;
		int fired = 0;

		__elh_spin_lock(&timer_lock);
		u = timers;
		if (!u || u->deadline > now) {
			next_deadline = u ? u->deadline : 0;
			__elh_spin_unlock(&timer_lock);
			return n;
		}
		timers = u->tnext;
		u->in_timers = 0;
		u->expiring = 1;
		next_deadline = timers ? timers->deadline : 0;
		__elh_spin_unlock(&timer_lock);
		for (;;) {
			volatile int *a = u->faddr;
			b = bucket_of(a);
			__elh_spin_lock(&b->lock);
			if (u->faddr == a)
				break;
			__elh_spin_unlock(&b->lock);
		}
		if (u->in_bucket && bucket_del(b, u)) {
			u->wake_err = ETIMEDOUT;
			fired = 1;
		}
		__elh_spin_unlock(&b->lock);
		__atomic_store_n(&u->expiring, 0, __ATOMIC_RELEASE);
		if (fired) {
			enqueue(c, u);
			n++;
		}
	}
}

/* ---- the scheduler ---- */

/* The CPU and the kernel (or the monitor) let ring 3 write the FS base:
 * HWCAP2_FSGSBASE in AT_HWCAP2. */
static int fsgsbase;

static void set_fs(struct carrier *c, uint64_t fs)
{
	if (c->fs != fs) {
		if (fsgsbase)
			__asm__ __volatile__("wrfsbase %0" : : "r"(fs) : "memory");
		else
			__elh_trap(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, fs, 0, 0, 0, 0);
		c->fs = fs;
	}
}

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

static void set_kmask(struct carrier *c, uint64_t mask)
{
	if (c->kmask != mask || c->kunknown) {
		__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, _NSIG / 8, 0, 0);
		c->kmask = mask;
		c->kunknown = 0;
	}
}

/* Stop u's call in flight as a signal handler would: the monitor does it
 * (ELH_SYS_interrupt), or the in-process pool. */
static void interrupt_call(struct ult *u, int restart)
{
	if (__elh_pool_active())
		__elh_pool_interrupt(u->sqe, restart);
	else
		__elh_trap(ELH_SYS_interrupt, u->sqe - __elh_shared->sqe, restart, 0, 0, 0, 0);
}

/* Ask vCPU c to look at the ULT it runs (sig_entry: its pending signals,
 * or a preemption). */
static void kick(struct carrier *c)
{
	if (!__atomic_exchange_n(&c->kick, 1, __ATOMIC_ACQ_REL))
		__elh_trap(SYS_tkill, c->ktid, POOL_SIG, 0, 0, 0, 0);
}

/* The ULTs whose calls have completed join the tail of the run queue:
 * a thread that yields in a loop cannot keep them waiting. */
static void poll_calls(struct carrier *c)
{
	for (struct ult **p = &c->calls; *p;) {
		struct ult *u = *p;
		if (__atomic_load_n(&u->sqe->state, __ATOMIC_ACQUIRE) == ELH_SQE_DONE) {
			*p = u->next;
			enqueue(c, u);
		} else {
			p = &u->next;
		}
	}
}

static struct ult *steal(struct carrier *c)
{
	for (int i = 1; i < ncarriers; i++) {
		struct carrier *v = &carriers[(c->idx + i) % ncarriers];
		struct ult *u = dequeue(v);
		if (u)
			return u;
	}
	return 0;
}

/* ---- hand-off ---- */

/* Is an orphaned call in state st? */
static int orphan_in(uint32_t st)
{
	int found = 0;

	__elh_spin_lock(&orphan_lock);
	for (struct ult *u = orphans; u && !found; u = u->next)
		found = __atomic_load_n(&u->sqe->state, __ATOMIC_ACQUIRE) == st;
	__elh_spin_unlock(&orphan_lock);
	return found;
}

static int orphan_done(void)
{
	return orphan_in(ELH_SQE_DONE);
}

/* Not taken by a worker yet: as for a carrier's own calls (idle), the
 * doorbell is rung again. */
static int orphan_waiting(void)
{
	return orphan_in(ELH_SQE_SUBMITTED);
}

/* The orphaned calls that have completed join c's queue. */
static void poll_orphans(struct carrier *c)
{
	__elh_spin_lock(&orphan_lock);
	for (struct ult **p = &orphans; *p;) {
		struct ult *u = *p;
		if (__atomic_load_n(&u->sqe->state, __ATOMIC_ACQUIRE) == ELH_SQE_DONE) {
			*p = u->next;
			enqueue(c, u);
		} else {
			p = &u->next;
		}
	}
	__elh_spin_unlock(&orphan_lock);
}

static void carrier_main(struct carrier *c);
static char *sched_stack(void);

/* Start carrier ncarriers (under grow_lock); 0, or -1 if it cannot be. */
static int start_carrier(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_SETTLS;
	int i = ncarriers;
	struct carrier *c = &carriers[i];

	if (i >= ELH_MAX_CARRIERS)
		return -1;
	c->idx = i;
	if (!c->stack && !(c->stack = sched_stack()))
		return -1;
	if (__clone_kernel((int (*)(void *))carrier_main, c->stack + SCHED_STACK, flags, c, 0,
			   __pthread_self(), 0) < 0)
		return -1;
	__atomic_store_n(&ncarriers, i + 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* Keep N carriers free to run threads while some are held: wake a parked
 * spare, or start one. */
static void ensure_carriers(void)
{
	if (ncarriers - nheld - nparked >= nvcpus)
		return;
	__elh_spin_lock(&grow_lock);
	if (ncarriers - nheld - nparked < nvcpus) {
		int woke = 0;
		for (int i = nvcpus; i < ncarriers && !woke; i++) {
			struct carrier *s = &carriers[i];
			if (__atomic_load_n(&s->parked, __ATOMIC_SEQ_CST)) {
				__atomic_store_n(&s->parked, 0, __ATOMIC_SEQ_CST);
				__atomic_sub_fetch(&nparked, 1, __ATOMIC_SEQ_CST);
				elh_carrier_notify(&__elh_shared->carrier[i]);
				woke = 1;
			}
		}
		if (!woke)
			start_carrier();
	}
	__elh_spin_unlock(&grow_lock);
}

/* A spare with nothing of its own, while N others run: it waits until a
 * carrier is held (ensure_carriers clears `parked`). */
static void park_spare(struct carrier *c)
{
	struct elh_carrier *w = &__elh_shared->carrier[c->idx];
	uint32_t ev;

	__elh_spin_lock(&grow_lock);
	if (ncarriers - nheld - nparked <= nvcpus) {
		__elh_spin_unlock(&grow_lock);
		return;
	}
	ev = __atomic_load_n(&w->events, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->parked, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&nparked, 1, __ATOMIC_SEQ_CST);
	__elh_spin_unlock(&grow_lock);
	set_kmask(c, ~0ull);
	while (__atomic_load_n(&c->parked, __ATOMIC_SEQ_CST)) {
		const struct timespec ts = { 0, 10000000 };
		__elh_trap(SYS_futex, (long)&w->events, FUTEX_WAIT, ev, (long)&ts, 0, 0);
		ev = __atomic_load_n(&w->events, __ATOMIC_SEQ_CST);
		/* Fewer than N free carriers: run, woken or not. */
		__elh_spin_lock(&grow_lock);
		if (c->parked && ncarriers - nheld - nparked < nvcpus) {
			c->parked = 0;
			__atomic_sub_fetch(&nparked, 1, __ATOMIC_SEQ_CST);
		}
		__elh_spin_unlock(&grow_lock);
	}
}

void __elh_ult_hold(void)
{
	struct ult *u = self();
	struct carrier *c;

	if (!u || u->direct)
		return;
	c = u->carrier;
	if (c->calls) {
		/* Their completions notify this carrier, which will not look:
		 * the others poll them (and sleep at most 1 ms meanwhile). */
		struct ult *last = c->calls;
		while (last->next)
			last = last->next;
		__elh_spin_lock(&orphan_lock);
		last->next = orphans;
		orphans = c->calls;
		__elh_spin_unlock(&orphan_lock);
		c->calls = 0;
	}
	__atomic_store_n(&c->held, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&nheld, 1, __ATOMIC_SEQ_CST);
	ensure_carriers();
	if (ncarriers > 1)
		wake_idle();
}

/* The held call is over; also when its thread left it otherwise
 * (cancelled, or a handler that did not return), at the scheduler. */
static void release_held(struct carrier *c)
{
	if (__atomic_exchange_n(&c->held, 0, __ATOMIC_SEQ_CST))
		__atomic_sub_fetch(&nheld, 1, __ATOMIC_SEQ_CST);
}

void __elh_ult_unhold(void)
{
	struct ult *u = self();

	if (u && !u->direct)
		release_held(u->carrier);
}

static int anything(struct carrier *c)
{
	if (has_work(c) || __atomic_load_n(&routed, __ATOMIC_RELAXED))
		return 1;
	for (struct ult *u = c->calls; u; u = u->next)
		if (__atomic_load_n(&u->sqe->state, __ATOMIC_ACQUIRE) == ELH_SQE_DONE)
			return 1;
	if (__atomic_load_n(&orphans, __ATOMIC_RELAXED) && orphan_done())
		return 1;
	for (int i = 0; i < ncarriers; i++)
		if (has_work(&carriers[i]))
			return 1;
	uint64_t d = __atomic_load_n(&next_deadline, __ATOMIC_RELAXED);
	return d && now_ns() >= d;
}

/* Nothing to run: spin for the monitor's budget, then sleep on the
 * carrier's word until a worker posts one of its calls, another carrier
 * queues work, or the next timer is due. */
static void idle(struct carrier *c)
{
	struct elh_carrier *w = &__elh_shared->carrier[c->idx];
	uint64_t t0 = __elh_rdtsc(), spin = __elh_shared->spin_tsc;
	uint32_t ev;
	int rang = 0;

	__atomic_add_fetch(&nspinning, 1, __ATOMIC_SEQ_CST);
	while (__elh_rdtsc() - t0 < spin) {
		if (anything(c)) {
			__atomic_sub_fetch(&nspinning, 1, __ATOMIC_SEQ_CST);
			return;
		}
		__asm__ __volatile__("pause");
	}
	__atomic_sub_fetch(&nspinning, 1, __ATOMIC_SEQ_CST);

	/* A call nobody took within the spin: the awake workers are all in
	 * long calls (elh-abi.h).  Ring, and sleep no longer than a
	 * millisecond while such a call waits, ringing again then. */
	for (struct ult *u = c->calls; u && !rang; u = u->next)
		if (__atomic_load_n(&u->sqe->state, __ATOMIC_SEQ_CST) == ELH_SQE_SUBMITTED) {
			elh_ring_doorbell(__elh_shared);
			rang = 1;
		}
	if (!rang && __atomic_load_n(&orphans, __ATOMIC_RELAXED) && orphan_waiting()) {
		elh_ring_doorbell(__elh_shared);
		rang = 1;
	}

	/* The signal thread takes the process's signals: an idle vCPU
	 * blocks them all. */
	set_kmask(c, ~0ull);
	__atomic_store_n(&w->sleeping, 1, __ATOMIC_SEQ_CST);
	ev = __atomic_load_n(&w->events, __ATOMIC_SEQ_CST);
	if (!anything(c)) {
		uint64_t d = __atomic_load_n(&next_deadline, __ATOMIC_RELAXED);
		struct timespec ts, *tp = 0;
		/* While carriers are held, the work they watched (their
		 * calls, timers they would have run) is everyone's: look
		 * again every millisecond. */
		if (__atomic_load_n(&nheld, __ATOMIC_RELAXED))
			rang = 1;
		if (d || rang) {
			uint64_t now = now_ns(), left = d > now ? d - now : 0;
			if (rang && (!d || left > 1000000))
				left = 1000000;
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			tp = &ts;
		}
		__elh_trap(SYS_futex, (long)&w->events, FUTEX_WAIT, ev, (long)tp, 0, 0);
	}
	__atomic_store_n(&w->sleeping, 0, __ATOMIC_RELAXED);
}

static void route_signals(struct carrier *c);

static struct ult *find_work(struct carrier *c)
{
	struct ult *u;

	for (;;) {
		if (__atomic_load_n(&routed, __ATOMIC_RELAXED))
			route_signals(c);
		if (c->calls)
			poll_calls(c);
		if (__atomic_load_n(&orphans, __ATOMIC_RELAXED))
			poll_orphans(c);
		if ((u = dequeue(c)))
			return u;
		if (run_timers(c))
			continue;
		if (ncarriers > 1 && (u = steal(c)))
			return u;
		if (c->idx >= nvcpus && !c->calls && ncarriers - nheld - nparked > nvcpus) {
			park_spare(c);
			continue;
		}
		idle(c);
	}
}

static long futex_wake(struct carrier *, volatile int *, int, unsigned);

/* The end of u, on c's scheduler.  The FS base may still point into u's
 * unmapped TLS: nothing here uses TLS. */
static void end_ult(struct carrier *c, struct ult *u)
{
	volatile int *ctid = u->ctid;
	void *base = u->unmap_base;
	size_t size = u->unmap_size;
	size_t guard = base ? ((struct pthread *)u->fs)->guard_size : 0;
	uint32_t tid = u->tid;

	/* u may live on the stack unmapped below: nothing of it is read
	 * after this point. */
	tid_del(u);
	for (int i = 0; i < ELH_NSLOTS; i++) {
		uint32_t owner = tid;
		__atomic_compare_exchange_n(&__elh_shared->sqe[i].owner, &owner, 0, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
	if (base && !__elh_stack_keep(base, size, guard))
		__elh_trap(SYS_munmap, (long)base, size, 0, 0, 0, 0);
	if (ctid) {
		*ctid = 0;
		/* musl waits on some of these words without FUTEX_PRIVATE
		 * (the thread list lock): the kernel's waiters too. */
		if (!futex_wake(c, ctid, 1, ~0u) && __atomic_load_n(&kwaiting, __ATOMIC_SEQ_CST))
			__elh_trap(SYS_futex, (long)ctid, FUTEX_WAKE, 1, 0, 0, 0);
	}
	if (!__atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST))
		__elh_trap(SYS_exit_group, 0, 0, 0, 0, 0, 0);
}

/* Queue u on a futex if *faddr still holds fval, under the bucket lock
 * that wakers take. */
static int sig_restarts(int sig);

static void park(struct carrier *c, struct ult *u)
{
	struct bucket *b = bucket_of(u->faddr);

	__elh_spin_lock(&b->lock);
	if (*u->faddr != u->fval) {
		__elh_spin_unlock(&b->lock);
		u->wake_err = EAGAIN;
		enqueue(c, u);
		return;
	}
	__atomic_store_n(&u->state, U_WAIT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&u->sigpend, __ATOMIC_SEQ_CST) & ~u->mask) {
		/* A signal sent while it was still running ends the wait. */
		__elh_spin_unlock(&b->lock);
		u->wake_err = EINTR;
		enqueue(c, u);
		return;
	}
	u->next = b->head;
	b->head = u;
	u->in_bucket = 1;
	if (u->deadline)
		timer_add(u);
	__elh_spin_unlock(&b->lock);
}

/* The scheduler of carrier c.  It is entered for the first time from the
 * ULT running on the carrier (c->cur), and then from each ULT it runs: it
 * starts with carrying out what that ULT asked. */
static void schedule(struct carrier *c)
{
	for (;;) {
		struct ult *u = c->cur;

		if (u) {
			release_held(c);
			c->cur = 0;
			switch (c->action) {
			case A_YIELD:
				/* With nothing else to run here, the host CPU is
				 * what there is to yield: a thread the caller waits
				 * for may run on another vCPU sharing it. */
				if (!has_work(c)) {
					struct ult *v = ncarriers > 1 ? steal(c) : 0;
					if (v)
						enqueue(c, v);
					else
						__elh_trap(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
				}
				enqueue(c, u);
				break;
			case A_WAIT: park(c, u); break;
			case A_CALL:
				u->next = c->calls;
				c->calls = u;
				/* A signal sent while it was still running: stop
				 * the call (the sender saw it running). */
				__atomic_store_n(&u->state, U_CALL, __ATOMIC_SEQ_CST);
				if (__atomic_load_n(&u->sigpend, __ATOMIC_SEQ_CST) & ~u->mask)
					interrupt_call(
					    u, sig_restarts(__builtin_ctzll(u->sigpend & ~u->mask) +
							    1));
				break;
			case A_EXIT: end_ult(c, u); break;
			}
		}
		u = find_work(c);
		set_fs(c, u->fs);
		set_kmask(c, RUN_MASK);
		u->carrier = c;
		u->state = U_RUN;
		c->kick = 0;
		c->switches++;
		c->cur = u;
		__elh_ult_switch(&c->sched_rsp, u->rsp);
	}
}

static void sched_entry(void *arg)
{
	schedule(arg);
}

/* A context that starts with fn(arg) on the stack below top. */
static uint64_t new_context(uintptr_t top, void (*fn)(void *), void *arg)
{
	uint64_t *f = (uint64_t *)((top & -16) - 64);

	f[0] = 0x1f80 | (uint64_t)0x37f << 32; /* MXCSR, x87 control word */
	f[1] = f[2] = f[5] = f[6] = 0;
	f[3] = (uint64_t)arg; /* r13 */
	f[4] = (uint64_t)fn;  /* r12 */
	f[7] = (uint64_t)__elh_ult_trampoline;
	return (uint64_t)f;
}

/* Give the carrier back with an action; returns when the scheduler runs u
 * again, possibly on another carrier. */
static void deliver_pending(struct ult *u);

static void block(struct ult *u, int action)
{
	struct carrier *c = u->carrier;

	c->action = action;
	/* Inside a handler, the vCPU's mask is the handler's. */
	if (u->in_handler)
		c->kunknown = 1;
	__elh_ult_switch(&u->rsp, c->sched_rsp);
	if (u->sigpend & ~u->mask)
		deliver_pending(u);
}

/* ---- signals to ULTs ---- */

/* A signal pending on u: a bit, and for a real-time signal a count too
 * (they queue). */
static void pend_add(struct ult *u, int sig)
{
	if (sig >= 32)
		__atomic_add_fetch(&u->rtq[sig - 32], 1, __ATOMIC_SEQ_CST);
	__atomic_or_fetch(&u->sigpend, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
}

/* Take one instance of sig off u's pending signals. */
static void pend_take(struct ult *u, int sig)
{
	if (sig >= 32 && __atomic_load_n(&u->rtq[sig - 32], __ATOMIC_SEQ_CST) &&
	    __atomic_sub_fetch(&u->rtq[sig - 32], 1, __ATOMIC_SEQ_CST))
		return;
	__atomic_and_fetch(&u->sigpend, ~(1ull << (sig - 1)), __ATOMIC_ACQ_REL);
}

/* Signals sent to this ULT that it does not block: each is raised on its
 * vCPU and unblocked there for the moment, so that the kernel (the
 * monitor) runs its handler on the ULT, or takes its default action. */
static void deliver_pending(struct ult *u)
{
	uint64_t p;

	while ((p = __atomic_load_n(&u->sigpend, __ATOMIC_ACQUIRE) & ~u->mask)) {
		int sig = __builtin_ctzll(p) + 1;
		uint64_t open = RUN_MASK & ~SIGBIT(sig);
		pend_take(u, sig);
		__elh_trap(SYS_tkill, u->carrier->ktid, sig, 0, 0, 0, 0);
		__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&open, 0, _NSIG / 8, 0, 0);
		/* Back on the vCPU u runs on now (the handler may have
		 * yielded), with the running mask. */
		u->carrier->kunknown = 1;
		set_kmask(u->carrier, RUN_MASK);
	}
}

static int sig_restarts(int sig)
{
	return (actions[sig].flags & SA_RESTART) != 0;
}

static long futex_wake(struct carrier *, volatile int *, int, unsigned);

/* A signal for thread tid, sent from thread me (0: from a scheduler) on
 * vCPU here. */
static long ult_kill_from(struct carrier *here, struct ult *me, int tid, int sig)
{
	struct ult *u;
	int restart;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (me && tid == me->tid) {
		/* Raised before the call returns, unless blocked: then it
		 * stays with the thread, which may move to another vCPU before
		 * unblocking it (ult_sigmask). */
		if (sig) {
			pend_add(me, sig);
			deliver_pending(me);
		}
		return 0;
	}
	__elh_spin_lock(&tid_lock);
	for (u = tids[(unsigned)tid % NBUCKETS]; u && u->tid != tid; u = u->hnext)
		;
	if (!u || !sig) {
		__elh_spin_unlock(&tid_lock);
		return u ? 0 : -ESRCH;
	}
	__elh_spin_unlock(&tid_lock);
	restart = sig > 0 && sig_restarts(sig);
	__elh_spin_lock(&tid_lock);
	for (u = tids[(unsigned)tid % NBUCKETS]; u && u->tid != tid; u = u->hnext)
		;
	if (!u) {
		__elh_spin_unlock(&tid_lock);
		return -ESRCH;
	}
	pend_add(u, sig);
	__atomic_add_fetch(&u->sigword, 1, __ATOMIC_SEQ_CST);
	/* A sigwait (or pause) of u ends.  Looked for under the lock its
	 * wait takes to check sigword, not by its state, which it sets
	 * after that check: no wake-up is lost between the two. */
	if (futex_wake(here, &u->sigword, 1, ~0u)) {
		__elh_spin_unlock(&tid_lock);
		return 0;
	}
	if (!(u->mask >> (sig - 1) & 1)) {
		/* Interrupt what it waits for: a futex wait ends with EINTR,
		 * a call in flight is stopped on the host as for a handler. */
		if (u->state == U_WAIT) {
			struct bucket *b = bucket_of(u->faddr);
			int woke = 0;
			__elh_spin_lock(&b->lock);
			if (u->in_bucket && u->faddr && bucket_of(u->faddr) == b &&
			    bucket_del(b, u)) {
				u->wake_err = EINTR;
				woke = 1;
			}
			__elh_spin_unlock(&b->lock);
			if (woke) {
				timer_del(u);
				__elh_spin_unlock(&tid_lock);
				make_ready(here, u);
				return 0;
			}
		} else if (u->state == U_CALL && u->sqe) {
			/* Under the lock: u cannot end and free the entry. */
			interrupt_call(u, restart);
		} else if (u->state == U_RUN) {
			/* Running on another vCPU, maybe without ever making a
			 * call: kick that vCPU, whose handler raises the
			 * signals pending for the thread it finds running. */
			kick(u->carrier);
		}
	}
	__elh_spin_unlock(&tid_lock);
	return 0;
}

static long ult_kill(int tid, int sig)
{
	struct ult *me = self();

	return ult_kill_from(me->carrier, me, tid, sig);
}

/* The signals in `set` that route_signals left for whoever unblocks or
 * waits for them become u's. */
static void take_unrouted(struct ult *u, uint64_t set)
{
	if (__atomic_load_n(&unrouted, __ATOMIC_SEQ_CST) & set) {
		uint64_t p = __atomic_fetch_and(&unrouted, ~set, __ATOMIC_SEQ_CST) & set;
		__atomic_or_fetch(&u->sigpend, p, __ATOMIC_SEQ_CST);
	}
}

static long ult_sigmask(struct ult *u, int how, const uint64_t *set, uint64_t *old, size_t size)
{
	uint64_t m;

	if (size != _NSIG / 8)
		return -EINVAL;
	if (old)
		*old = u->mask;
	if (!set)
		return 0;
	switch (how) {
	case SIG_BLOCK: m = u->mask | *set; break;
	case SIG_UNBLOCK: m = u->mask & ~*set; break;
	case SIG_SETMASK: m = *set; break;
	default: return -EINVAL;
	}
	u->mask = m & ~UNBLOCKABLE;
	take_unrouted(u, ~u->mask);
	if (u->sigpend & ~u->mask)
		deliver_pending(u);
	return 0;
}

/* ---- signals the vCPUs receive ---- */

static int on_sched_stack(uintptr_t sp, struct carrier **cp)
{
	for (int i = 0; i < ncarriers; i++)
		if (sp - (uintptr_t)carriers[i].stack < SCHED_STACK) {
			*cp = &carriers[i];
			return 1;
		}
	return 0;
}

/* Preemption (the signal thread ticks, see preempt_tick): a ULT that ran
 * for a whole tick while others wait yields from inside the handler of
 * the kick, unless it is inside the runtime, in which case it yields on
 * leaving it. */
static void preempt(struct ult *u, ucontext_t *uc)
{
	if (u->critical) {
		u->want_yield = 1;
		return;
	}
	u->critical = 1;
	/* The vCPU's mask is the handler's now, not the thread's. */
	u->carrier->kunknown = 1;
	block(u, A_YIELD);
	u->critical = 0;
	/* Resumed, maybe on another vCPU: the return from the handler
	 * leaves it the running mask. */
	memcpy(&uc->uc_sigmask, &(uint64_t){ RUN_MASK }, sizeof(uint64_t));
}

void __elh_ult_enter(void)
{
	struct ult *u = self();
	if (u)
		u->critical++;
}

void __elh_ult_leave(void)
{
	struct ult *u = self();

	if (u && !--u->critical && u->want_yield) {
		u->want_yield = 0;
		u->critical = 1;
		block(u, A_YIELD);
		u->critical = 0;
	}
}

/* Every tick, a vCPU that has run the same ULT since the last one while
 * other ULTs wait in a run queue, or while calls of its own are in flight
 * (their completion is seen by its scheduler only), is asked to switch
 * (POOL_SIG). */
static void preempt_tick(void)
{
	int waiting = 0;

	for (int i = 0; i < ncarriers; i++)
		waiting |= has_work(&carriers[i]);
	for (int i = 0; i < ncarriers; i++) {
		struct carrier *c = &carriers[i];
		unsigned sw = __atomic_load_n(&c->switches, __ATOMIC_RELAXED);
		/* A held carrier's thread is in its call: a kick would only
		 * interrupt it. */
		if ((waiting || __atomic_load_n(&c->calls, __ATOMIC_RELAXED)) &&
		    sw == c->seen_switches && __atomic_load_n(&c->cur, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&c->held, __ATOMIC_RELAXED))
			kick(c);
		c->seen_switches = sw;
	}
}

/* The default action of sig for u, which the kernel (the monitor) takes:
 * the disposition becomes SIG_DFL, and sig is raised again on u's vCPU,
 * unblocked on the return from the handler. */
static void take_default(struct ult *u, int sig, ucontext_t *uc)
{
	struct k_sigaction dfl = { .handler = SIG_DFL };
	uint64_t open = RUN_MASK & ~SIGBIT(sig);

	actions[sig].handler = SIG_DFL;
	__elh_trap(SYS_rt_sigaction, sig, (long)&dfl, 0, _NSIG / 8, 0, 0);
	__elh_trap(SYS_tkill, u->carrier->ktid, sig, 0, 0, 0, 0);
	memcpy(&uc->uc_sigmask, &open, sizeof open);
}

static void sig_entry(int sig, siginfo_t *info, void *ctx)
{
	ucontext_t *uc = ctx;
	struct k_sigaction *a = &actions[sig];
	struct carrier *c;
	struct ult *u;
	void (*h)(int) = a->handler;
	uint64_t before;

	if (on_sched_stack(uc->uc_mcontext.gregs[REG_RSP], &c)) {
		/* A preemption request that came late: nothing to preempt. */
		if (sig == POOL_SIG)
			return;
		/* No thread runs here: a scheduler routes it (find_work), and
		 * its sleep, if that is what was interrupted, ends. */
		__atomic_or_fetch(&routed, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&__elh_shared->carrier[c->idx].events, 1, __ATOMIC_SEQ_CST);
		return;
	}
	if (!self()) {
		/* A worker of the in-process pool: only POOL_SIG reaches it. */
		if (sig == POOL_SIG)
			__elh_pool_signal(ctx);
		return;
	}
	if (sig == POOL_SIG && __atomic_exchange_n(&self()->carrier->kick, 0, __ATOMIC_ACQ_REL)) {
		/* A kick, not a signal of the program's.  Signals sent to the
		 * thread are raised here, unless it is inside the runtime,
		 * which raises them itself (block) or interrupts the call it
		 * makes with them (schedule); else it is preempted. */
		u = self();
		if (!(u->sigpend & ~u->mask))
			preempt(u, uc);
		else if (!u->critical)
			deliver_pending(u);
		return;
	}
	u = self();
	if (u->mask & SIGBIT(sig)) {
		/* Blocked by the thread, not by its vCPU (RUN_MASK).  A fault
		 * the thread blocks takes its default action, as in Linux;
		 * anything else waits for the thread to unblock it. */
		if (info->si_code > 0 && (FAULT_SIGS & SIGBIT(sig)))
			take_default(u, sig, uc);
		else
			pend_add(u, sig);
		return;
	}
	if (h == SIG_IGN)
		return; /* changed meanwhile */
	if (h == SIG_DFL) {
		/* SIGPIPE and SIGXFSZ always come here (install). */
		if (CALL_SIGS & SIGBIT(sig))
			take_default(u, sig, uc);
		return;
	}
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
	u->delivered++; /* for pause and sigsuspend */
	/* The handler runs with the thread's mask, the action's and the
	 * signal, and sees the thread's mask in its context; on return the
	 * thread has the one the handler returns with, and the vCPU the
	 * running mask. */
	before = u->mask;
	u->mask |=
	    ((uint64_t)a->mask[1] << 32 | a->mask[0]) | (a->flags & SA_NODEFER ? 0 : SIGBIT(sig));
	u->mask &= ~UNBLOCKABLE;
	memcpy(&uc->uc_sigmask, &before, sizeof before);
	u->in_handler++;
	if (a->flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))h)(sig, info, ctx);
	else
		h(sig);
	u->in_handler--;
	memcpy(&u->mask, &uc->uc_sigmask, sizeof u->mask);
	u->mask &= ~UNBLOCKABLE;
	memcpy(&uc->uc_sigmask, &(uint64_t){ RUN_MASK }, sizeof(uint64_t));
	/* Signals that arrived while the handler blocked them. */
	if ((u->sigpend & ~u->mask) && !u->critical)
		deliver_pending(u);
}

/* The kernel's view of a disposition: sig_entry in place of a handler.
 * POOL_SIG always reaches sig_entry: it kicks vCPUs and stops the pool's
 * workers' calls. */
static long install(int sig, const struct k_sigaction *a)
{
	struct k_sigaction k = *a;

	if (sig == POOL_SIG && __elh_ult_active) {
		/* SA_RESTART: a preemption request must not interrupt a call
		 * the vCPU makes; a worker's call is stopped all the same
		 * (__elh_pool_signal).  No alternate stack: a thread preempted
		 * in the handler leaves the vCPU. */
		k.handler = (void (*)(int))sig_entry;
		k.flags = SA_SIGINFO | SA_RESTART | 0x04000000 /* SA_RESTORER */;
		k.restorer = __restore_rt;
	} else if ((a->handler != SIG_DFL && a->handler != SIG_IGN) ||
		   (__elh_ult_active && a->handler == SIG_DFL && (CALL_SIGS & SIGBIT(sig)))) {
		k.handler = (void (*)(int))sig_entry;
		k.flags |= SA_SIGINFO;
		if (a->handler == SIG_DFL) {
			k.flags |= 0x04000000 /* SA_RESTORER */;
			k.restorer = __restore_rt;
		}
	}
	return __elh_trap(SYS_rt_sigaction, sig, (long)&k, 0, _NSIG / 8, 0, 0);
}

/* The signal thread, a kernel thread (a guest thread under elh) of the
 * runtime: every signal sent to the process is taken here and routed to a
 * thread (idle vCPUs block them all, so that none is lost to a vCPU whose
 * mask is out of date).  A signal
 * whose default action ignores it is dropped; one whose default stops the
 * process stops it. */
#define TICK_NS 10000000 /* the preemption tick: 10 ms */

static int ignored(int sig);

static int signal_thread(void *arg)
{
	const uint64_t set = ~(1ull << (POOL_SIG - 1));
	const struct timespec tick = { 0, TICK_NS };
	uint64_t next = now_ns() + TICK_NS;

	(void)arg;
	for (;;) {
		long sig =
		    __elh_trap(SYS_rt_sigtimedwait, (long)&set, 0, (long)&tick, _NSIG / 8, 0, 0);
		void (*h)(int);
		uint64_t now = now_ns();

		if (now >= next) {
			preempt_tick();
			next = now + TICK_NS;
		}
		if (sig <= 0 || sig >= _NSIG)
			continue;
		h = actions[sig].handler;
		/* Ignored, unless blocked: Linux looks at the main thread's
		 * mask (route_signals decides for the others). */
		if (ignored(sig) && !(main_ult.mask & SIGBIT(sig)))
			continue;
		if (h == SIG_DFL) {
			switch (sig) {
			case SIGTSTP:
			case SIGTTIN:
			case SIGTTOU: __elh_trap(SYS_kill, self_pid, SIGSTOP, 0, 0, 0, 0); continue;
			}
		}
		__atomic_or_fetch(&routed, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
		route_signals(&carriers[0]);
	}
	return 0;
}

static long ult_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old,
			  size_t size)
{
	long r;

	if (size != _NSIG / 8 || sig < 1 || sig >= _NSIG)
		return -EINVAL;
	if (old)
		*old = actions[sig];
	if (!act)
		return 0;
	if ((r = install(sig, act)) == 0)
		actions[sig] = *act;
	return r;
}

/* Signals a scheduler (or the signal thread) took: each goes to a thread
 * in sigwait for it, else to a thread that does not block it, one that
 * waits (its wait or call is interrupted) if there is one. */
/* Linux ignores sig where it is not blocked. */
static int ignored(int sig)
{
	void (*h)(int) = actions[sig].handler;

	if (h == SIG_IGN)
		return 1;
	if (h != SIG_DFL)
		return 0;
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH: return 1;
	}
	return 0;
}

static void route_signals(struct carrier *c)
{
	uint64_t sigs = __atomic_exchange_n(&routed, 0, __ATOMIC_SEQ_CST);

	while (sigs) {
		int sig = __builtin_ctzll(sigs) + 1, tid = 0, waiter;
		sigs &= sigs - 1;
		__elh_spin_lock(&tid_lock);
		for (int i = 0; i < NBUCKETS && !tid; i++)
			for (struct ult *u = tids[i]; u; u = u->hnext)
				if (u->waitset >> (sig - 1) & 1) {
					tid = u->tid;
					break;
				}
		waiter = tid != 0;
		for (int i = 0; i < NBUCKETS && tid <= 0; i++)
			for (struct ult *u = tids[i]; u; u = u->hnext)
				if (!(u->mask >> (sig - 1) & 1)) {
					tid = u->tid;
					if (u->state == U_WAIT || u->state == U_CALL)
						break;
					tid =
					    -tid; /* a candidate; keep looking for a waiting one */
				}
		__elh_spin_unlock(&tid_lock);
		if (tid < 0)
			tid = -tid;
		/* Kept only while blocked (signal_thread): a thread that does
		 * not block it ignores it, and its call goes on. */
		if (tid && !waiter && ignored(sig))
			continue;
		if (tid)
			ult_kill_from(c, 0, tid, sig);
		else
			__atomic_or_fetch(&unrouted, SIGBIT(sig), __ATOMIC_SEQ_CST);
	}
}

/* sigwait and sigtimedwait: a signal sent to this ULT (pending in the
 * guest), or one routed that every thread blocks, else wait for
 * ult_kill. */
static long futex_wait(struct ult *, volatile int *, int, const struct timespec *, unsigned, int,
		       int);

static long ult_sigwait(struct ult *u, const uint64_t *set, siginfo_t *info,
			const struct timespec *ts, size_t size)
{
	uint64_t want, deadline = 0;
	long r;

	if (size != _NSIG / 8)
		return -EINVAL;
	want = *set;
	if (ts)
		deadline = now_ns() + ts->tv_sec * 1000000000ull + ts->tv_nsec;
	u->waitset = want;
	for (;;) {
		int seen = __atomic_load_n(&u->sigword, __ATOMIC_SEQ_CST);
		uint64_t p = __atomic_load_n(&u->sigpend, __ATOMIC_ACQUIRE) & want;
		struct timespec st;

		/* One that nobody took (route_signals): with the thread's own,
		 * so that the lowest is taken first. */
		if (__atomic_load_n(&unrouted, __ATOMIC_SEQ_CST) & want) {
			take_unrouted(u, want);
			continue;
		}
		if (p) {
			int sig = __builtin_ctzll(p) + 1;
			u->waitset = 0;
			pend_take(u, sig);
			if (info) {
				memset(info, 0, sizeof *info);
				info->si_signo = sig;
				info->si_code = SI_TKILL;
			}
			return sig;
		}
		/* Not from the kernel: the signal thread takes every signal
		 * sent to the process, in order, and one it has taken but not
		 * yet routed would be overtaken by a later one. */
		r = -EAGAIN;
		if (deadline) {
			uint64_t now = now_ns(), left;
			if (now >= deadline)
				break;
			left = deadline - now;
			st.tv_sec = left / 1000000000;
			st.tv_nsec = left % 1000000000;
		}
		if (futex_wait(u, &u->sigword, seen, deadline ? &st : 0, ~0u, 0, 0) == -EINTR) {
			r = -EINTR;
			break;
		}
	}
	u->waitset = 0;
	return r;
}

/* pause and sigsuspend: wait, with a temporary mask for the latter, until
 * a signal is raised for this thread; its handler has run on return. */
static long ult_pause(struct ult *u, const uint64_t *mask, size_t size)
{
	uint64_t saved = u->mask;
	unsigned d0 = u->delivered;

	if (mask) {
		if (size != _NSIG / 8)
			return -EINVAL;
		u->mask = *mask & ~UNBLOCKABLE;
	}
	while (u->delivered == d0) {
		int seen = __atomic_load_n(&u->sigword, __ATOMIC_SEQ_CST);
		if (u->sigpend & ~u->mask) {
			deliver_pending(u);
			break;
		}
		futex_wait(u, &u->sigword, seen, 0, ~0u, 0, 0);
	}
	if (mask)
		u->mask = saved;
	return -EINTR;
}

/* ---- futex ---- */

static long futex_wait(struct ult *u, volatile int *addr, int val, const struct timespec *ts,
		       unsigned bits, int absolute, int realtime)
{
	u->faddr = addr;
	u->fval = val;
	u->fbits = bits;
	u->wake_err = 0;
	u->deadline = 0;
	if (ts) {
		uint64_t rel = ts->tv_sec * 1000000000ull + ts->tv_nsec;
		if (ts->tv_sec < 0 || (unsigned long)ts->tv_nsec >= 1000000000)
			return -EINVAL;
		if (absolute) {
			struct timespec now;
			uint64_t t;
			if (__elh_clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now) <
			    0)
				__elh_trap(SYS_clock_gettime,
					   realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, (long)&now,
					   0, 0, 0, 0);
			t = now.tv_sec * 1000000000ull + now.tv_nsec;
			if (rel <= t)
				return -ETIMEDOUT;
			rel -= t;
		}
		u->deadline = now_ns() + rel;
	}
	block(u, A_WAIT);
	return u->wake_err ? -u->wake_err : 0;
}

static long futex_wake(struct carrier *here, volatile int *addr, int n, unsigned bits)
{
	struct bucket *b = bucket_of(addr);
	struct ult *woken = 0, *u;
	int k = 0;

	__elh_spin_lock(&b->lock);
	for (struct ult **p = &b->head; *p && k < n;) {
		u = *p;
		if (u->faddr == addr && (u->fbits & bits)) {
			*p = u->next;
			u->in_bucket = 0;
			u->next = woken;
			woken = u;
			k++;
		} else {
			p = &u->next;
		}
	}
	__elh_spin_unlock(&b->lock);
	while (woken) {
		u = woken;
		woken = u->next;
		if (u->deadline)
			timer_del(u);
		u->wake_err = 0;
		make_ready(here, u);
	}
	return k;
}

static long futex_requeue(volatile int *addr, int nwake, int nmove, volatile int *addr2, int cmp,
			  int check)
{
	struct bucket *b1 = bucket_of(addr), *b2 = bucket_of(addr2);
	struct ult *woken = 0, *moved = 0, *u;
	struct carrier *here = self()->carrier;
	int k = 0, m = 0;

	if (b1 < b2) {
		__elh_spin_lock(&b1->lock);
		__elh_spin_lock(&b2->lock);
	} else if (b2 < b1) {
		__elh_spin_lock(&b2->lock);
		__elh_spin_lock(&b1->lock);
	} else
		__elh_spin_lock(&b1->lock);
	if (check && *addr != cmp) {
		k = -EAGAIN;
		goto out;
	}
	for (struct ult **p = &b1->head; *p;) {
		u = *p;
		if (u->faddr != addr) {
			p = &u->next;
			continue;
		}
		if (k < nwake) {
			*p = u->next;
			u->in_bucket = 0;
			u->next = woken;
			woken = u;
			k++;
		} else if (m < nmove) {
			*p = u->next;
			u->faddr = addr2;
			u->next = moved;
			moved = u;
			m++;
		} else {
			break;
		}
	}
	while (moved) {
		u = moved;
		moved = u->next;
		u->next = b2->head;
		b2->head = u;
	}
out:
	if (b1 != b2)
		__elh_spin_unlock(&b2->lock);
	__elh_spin_unlock(&b1->lock);
	while (woken) {
		u = woken;
		woken = u->next;
		if (u->deadline)
			timer_del(u);
		u->wake_err = 0;
		make_ready(here, u);
	}
	return k < 0 ? k : k + m;
}

/* Priority-inheritance futexes, with the ownership protocol of Linux and
 * no priorities to inherit (ULTs have none): the word holds the owner's
 * tid, FUTEX_WAITERS while threads wait, and unlocking hands the lock to
 * the first waiter. */
#define PI_WAITERS    0x80000000
#define PI_OWNER_DIED 0x40000000

static long futex_lock_pi(struct ult *u, volatile int *addr, const struct timespec *ts, int try)
{
	struct bucket *b = bucket_of(addr);

	for (;;) {
		int v = __atomic_load_n(addr, __ATOMIC_SEQ_CST), waiters = 0;
		long r;

		if ((v & FUTEX_TID_MASK) == u->tid)
			return -EDEADLK;
		if (!(v & FUTEX_TID_MASK)) {
			__elh_spin_lock(&b->lock);
			for (struct ult *w = b->head; w && !waiters; w = w->next)
				waiters = w->faddr == addr;
			r = __atomic_compare_exchange_n(
			    addr, &v, u->tid | (v & PI_OWNER_DIED) | (waiters ? PI_WAITERS : 0), 0,
			    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			__elh_spin_unlock(&b->lock);
			if (r)
				return 0;
			continue;
		}
		if (try)
			return -EAGAIN;
		if (!(v & PI_WAITERS) &&
		    !__atomic_compare_exchange_n(addr, &v, v | PI_WAITERS, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			continue;
		/* Parked only if the word is unchanged (park); the unlocker
		 * makes u the owner before waking it. */
		r = futex_wait(u, addr, v | PI_WAITERS, ts, ~0u, 1, 1);
		if ((__atomic_load_n(addr, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) == u->tid)
			return 0;
		if (r == -ETIMEDOUT || r == -EINTR || r == -EINVAL)
			return r;
	}
}

static long futex_unlock_pi(struct ult *u, volatile int *addr)
{
	struct bucket *b = bucket_of(addr);
	struct ult *next = 0;
	int more = 0;

	__elh_spin_lock(&b->lock);
	if ((__atomic_load_n(addr, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) != u->tid) {
		__elh_spin_unlock(&b->lock);
		return -EPERM;
	}
	for (struct ult **p = &b->head; *p;) {
		if ((*p)->faddr != addr) {
			p = &(*p)->next;
		} else if (!next) {
			next = *p;
			*p = next->next;
			next->in_bucket = 0;
		} else {
			more = 1;
			break;
		}
	}
	__atomic_store_n(addr, next ? next->tid | (more ? PI_WAITERS : 0) : 0, __ATOMIC_SEQ_CST);
	__elh_spin_unlock(&b->lock);
	if (next) {
		if (next->deadline)
			timer_del(next);
		next->wake_err = 0;
		make_ready(u->carrier, next);
	}
	return 0;
}

/*
 * A futex without FUTEX_PRIVATE in memory another process may share (a
 * process-shared mutex, semaphore or condition variable in MAP_SHARED
 * memory, across fork; shared.c keeps the ranges): its waits are the
 * kernel's, made on the vCPU and held through the hand-off; its wakes wake
 * the guest's waiters and then the kernel's.  Anywhere else the flag makes
 * no difference, as for the kernel, and the futex is the guest's: musl's
 * thread list lock, say, which every exiting thread takes.  `kwaiting`
 * counts this process's threads in a kernel wait, for the wakes the
 * runtime makes itself (a thread's exit).
 */

static long shared_wait(volatile int *addr, int op, int val, const struct timespec *ts, int val3)
{
	long r;

	__atomic_add_fetch(&kwaiting, 1, __ATOMIC_SEQ_CST);
	__elh_ult_hold();
	r = __elh_trap(SYS_futex, (long)addr, op, val, (long)ts, 0, val3);
	__elh_ult_unhold();
	__atomic_sub_fetch(&kwaiting, 1, __ATOMIC_SEQ_CST);
	return r;
}

static long shared_wake(struct carrier *c, volatile int *addr, int op, int n, unsigned bits)
{
	long r = futex_wake(c, addr, n, bits), k;

	if (r < n) {
		k = __elh_trap(SYS_futex, (long)addr, op, n - r, 0, 0, (long)bits);
		if (k > 0)
			r += k;
	}
	return r;
}

static long ult_futex(struct ult *u, volatile int *addr, int op, int val, const struct timespec *ts,
		      volatile int *addr2, int val3)
{
	int cmd = op & FUTEX_CMD_MASK, realtime = (op & FUTEX_CLOCK_REALTIME) != 0;

	if ((uintptr_t)addr & 3)
		return -EINVAL;
	if (!(op & FUTEX_PRIVATE) && __elh_shared_addr(addr)) {
		switch (cmd) {
		case FUTEX_WAIT:
		case FUTEX_WAIT_BITSET: return shared_wait(addr, op, val, ts, val3);
		case FUTEX_WAKE: return shared_wake(u->carrier, addr, op, val, ~0u);
		case FUTEX_WAKE_BITSET:
			if (!val3)
				return -EINVAL;
			return shared_wake(u->carrier, addr, op, val, (unsigned)val3);
		}
	}
	switch (cmd) {
	case FUTEX_WAIT: return futex_wait(u, addr, val, ts, ~0u, 0, 0);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wait(u, addr, val, ts, (unsigned)val3, 1, realtime);
	case FUTEX_WAKE: return futex_wake(u->carrier, addr, val, ~0u);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(u->carrier, addr, val, (unsigned)val3);
	case FUTEX_REQUEUE: return futex_requeue(addr, val, (int)(uintptr_t)ts, addr2, 0, 0);
	case FUTEX_CMP_REQUEUE: return futex_requeue(addr, val, (int)(uintptr_t)ts, addr2, val3, 1);
	case FUTEX_LOCK_PI: return futex_lock_pi(u, addr, ts, 0);
	case FUTEX_TRYLOCK_PI: return futex_lock_pi(u, addr, 0, 1);
	case FUTEX_UNLOCK_PI: return futex_unlock_pi(u, addr);
	}
	return -ENOSYS;
}

/* ---- entry points ---- */

/* M:N is not to be tried again: not asked for, refused, or ended by fork
 * (whose child keeps the calling thread only, as an ordinary kernel
 * thread: the pool's workers are gone, and threads the child creates are
 * kernel threads). */
static int declined;

static long ult_fork(void)
{
	long r = __elh_trap(SYS_fork, 0, 0, 0, 0, 0, 0);

	if (r == 0) {
		struct ult *u = self();
		declined = 1;
		__elh_ult_active = 0;
		__elh_detach();
		/* Runtime code the fork interrupted (a handler run from
		 * deliver_pending) may go on in the child: its vCPU is this
		 * thread now, and the parent's pending signals are not its. */
		u->carrier->ktid = __elh_trap(SYS_gettid, 0, 0, 0, 0, 0, 0);
		self_pid = __elh_trap(SYS_getpid, 0, 0, 0, 0, 0, 0);
		u->sigpend = 0;
		memset((void *)u->rtq, 0, sizeof u->rtq);
		__elh_stack_drop();
	}
	return r;
}

/*
 * ppoll, pselect6, epoll_pwait with a signal mask: the thread's mask is the
 * call's until it returns, so that a signal sent to the process goes to
 * it (the signal thread routes by the threads' masks) and interrupts the
 * call, or one pending already ends it at once.  The call itself is made
 * without the mask (3, __elh_ult_unmask), as any blocking call: submitted,
 * and stopped like one by a signal for the thread; __elh_ult_direct_done
 * raises the signals it let through and puts the thread's mask back.
 */
/* execve keeps the calling thread's signal mask and pending signals: the
 * new program gets the ULT's, not those of its vCPU.  The ULT's pending
 * signals (and the process's that nobody could take) are raised on the
 * vCPU, blocked; if the exec fails, they are taken back from the kernel
 * (they never left the ULT). */
static long ult_exec(struct ult *u, long n, long a, long b, long c, long d, long e, long f)
{
	struct carrier *cr = u->carrier;
	uint64_t held = (u->sigpend | __atomic_load_n(&unrouted, __ATOMIC_RELAXED)) & u->mask;
	const struct timespec zero = { 0, 0 };
	long r;

	set_kmask(cr, u->mask);
	for (int sig = 1; sig < _NSIG; sig++)
		if (held & SIGBIT(sig))
			__elh_trap(SYS_tkill, cr->ktid, sig, 0, 0, 0, 0);
	r = __elh_trap(n, a, b, c, d, e, f);
	if (held)
		while (__elh_trap(SYS_rt_sigtimedwait, (long)&held, 0, (long)&zero, _NSIG / 8, 0,
				  0) > 0)
			;
	set_kmask(cr, RUN_MASK);
	return r;
}

static int masked_call(struct ult *u, const uint64_t *mask, size_t size, long *ret)
{
	if (!mask || size != _NSIG / 8)
		return 0;
	u->saved_mask = u->mask;
	u->mask = *mask & ~UNBLOCKABLE;
	u->masked_call = 1;
	take_unrouted(u, ~u->mask);
	if (u->sigpend & ~u->mask) {
		__elh_ult_direct_done(-EINTR);
		*ret = -EINTR;
		return 1;
	}
	return 3;
}

void __elh_ult_unmask(long n, long *d, long *e, long *f)
{
	long *arg[6] = { 0, 0, 0, d, e, f };
	int indirect, m = elh_call_mask_arg(n, &indirect);

	if (m >= 3)
		*arg[m] = 0;
}

void __elh_ult_direct_done(long r)
{
	struct ult *u = self();

	if (!u || !u->masked_call)
		return;
	/* Interrupted: the handlers of the signals the call let through run
	 * before its own mask is back, as in Linux. */
	if (r == -EINTR && (u->sigpend & ~u->mask))
		deliver_pending(u);
	u->mask = u->saved_mask;
	u->masked_call = 0;
}

int __elh_ult_syscall(long n, long a, long b, long c, long d, long e, long f, long *ret)
{
	struct ult *u = self();

	if (!u)
		return 0;
	if (u->direct)
		return 2;
	/* 1: the masked call, made now without its mask; 2: one that
	 * cancellation left, whose thread gets its mask back. */
	if (u->masked_call) {
		if (u->masked_call == 1)
			u->masked_call = 2;
		else
			__elh_ult_direct_done(0);
	}
	/* The calls served here, and those whose mask is, are the table's
	 * (elh-calls.h); every other call goes on as it is. */
	if (!elh_call_in_guest(n))
		return 0;
	{
		const long v[6] = { a, b, c, d, e, f };
		int indirect, m = elh_call_mask_arg(n, &indirect);

		if (m >= 0 && !indirect)
			return masked_call(u, (const uint64_t *)v[m], (size_t)v[m + 1], ret);
		if (m >= 0)
			return v[m] ? masked_call(u, ((const uint64_t *const *)v[m])[0],
						  ((const size_t *)v[m])[1], ret)
				    : 0;
	}
	switch (n) {
	case SYS_fork: *ret = ult_fork(); return 1;
	case SYS_execve:
	case SYS_execveat: *ret = ult_exec(u, n, a, b, c, d, e, f); return 1;
	case SYS_futex:
		*ret = ult_futex(u, (volatile int *)a, (int)b, (int)c, (const struct timespec *)d,
				 (volatile int *)e, (int)f);
		return 1;
	case SYS_gettid: *ret = u->tid; return 1;
	case SYS_set_tid_address:
		u->ctid = (volatile int *)a;
		*ret = u->tid;
		return 1;
	case SYS_sched_yield:
		block(u, A_YIELD);
		*ret = 0;
		return 1;
	case SYS_exit:
		block(u, A_EXIT);
		for (;;)
			;
	case SYS_tkill: *ret = ult_kill((int)a, (int)b); return 1;
	case SYS_tgkill:
		if (a != __elh_trap(SYS_getpid, 0, 0, 0, 0, 0, 0)) {
			*ret = a <= 0 ? -EINVAL : -ESRCH;
			return 1;
		}
		*ret = ult_kill((int)b, (int)c);
		return 1;
	case SYS_prctl:
		/* The name is the thread's, not its vCPU's. */
		if (a == PR_SET_NAME) {
			strncpy(u->name, (const char *)b, sizeof u->name - 1);
			*ret = 0;
			return 1;
		}
		if (a == PR_GET_NAME) {
			memcpy((char *)b, u->name, sizeof u->name);
			*ret = 0;
			return 1;
		}
		return 0;
	case SYS_pause: *ret = ult_pause(u, 0, 0); return 1;
	case SYS_rt_sigsuspend: *ret = ult_pause(u, (const uint64_t *)a, (size_t)b); return 1;
	case SYS_rt_sigtimedwait:
		*ret = ult_sigwait(u, (const uint64_t *)a, (siginfo_t *)b,
				   (const struct timespec *)c, (size_t)d);
		return 1;
	case SYS_rt_sigaction:
		*ret = ult_sigaction((int)a, (const struct k_sigaction *)b, (struct k_sigaction *)c,
				     (size_t)d);
		return 1;
	case SYS_kill:
		/* To its own process, a signal the caller does not block is the
		 * caller's: POSIX has it delivered before kill returns. */
		if (a != self_pid || b <= 0 || b >= _NSIG)
			return 0;
		if (!(u->mask & SIGBIT(b))) {
			pend_add(u, (int)b);
			deliver_pending(u);
		} else {
			/* Blocked by the caller: routed now, so that a sigwait
			 * or a sigpending that follows finds it, as in Linux. */
			__atomic_or_fetch(&routed, SIGBIT(b), __ATOMIC_SEQ_CST);
			route_signals(u->carrier);
		}
		*ret = 0;
		return 1;
	case SYS_rt_sigpending:
		*ret = __elh_trap(SYS_rt_sigpending, a, b, 0, 0, 0, 0);
		if (!*ret && b == _NSIG / 8)
			*(uint64_t *)a |=
			    u->sigpend | (__atomic_load_n(&unrouted, __ATOMIC_RELAXED) & u->mask);
		return 1;
	case SYS_rt_sigprocmask:
		*ret = ult_sigmask(u, (int)a, (const uint64_t *)b, (uint64_t *)c, (size_t)d);
		return 1;
	}
	return 0;
}

uint32_t __elh_ult_notify(void)
{
	struct ult *u = self();
	return u ? u->carrier->idx + 1 : 0;
}

long __elh_ult_await(struct elh_sqe *q)
{
	struct ult *u = self();
	long r;

	u->sqe = q;
	block(u, A_CALL);
	u->sqe = 0;
	r = q->result;
	__atomic_store_n(&q->state, ELH_SQE_FREE, __ATOMIC_RELEASE);
	return r;
}

void __elh_ult_pause(unsigned tries)
{
	volatile int word = 0;
	struct timespec ts = { 0, 50000L << (tries < 8 ? tries : 8) };

	futex_wait(self(), &word, 0, &ts, ~0u, 0, 0);
}

_Noreturn void __elh_ult_unmapself(void *base, size_t size)
{
	struct ult *u = self();

	u->critical++;
	u->unmap_base = base;
	u->unmap_size = size;
	block(u, A_EXIT);
	for (;;)
		;
}

static void ult_main(void *arg)
{
	struct ult *u = arg;
	int r = u->fn(u->arg);

	__elh_ult_syscall(SYS_exit, r, 0, 0, 0, 0, 0, &(long){ 0 });
}

static void carrier_main(struct carrier *c)
{
	uint64_t m;

	c->ktid = __elh_trap(SYS_gettid, 0, 0, 0, 0, 0, 0);
	__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, 0, (long)&m, _NSIG / 8, 0, 0);
	c->kmask = m;
	c->kunknown = 1;
	__atomic_store_n(&c->fs, ~0ull, __ATOMIC_RELAXED);
	schedule(c);
}

static char *sched_stack(void)
{
	long p = __elh_trap(SYS_mmap, 0, SCHED_STACK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return (unsigned long)p > -4096UL ? 0 : (char *)p;
}

/* The vCPU count asked for M:N with no monitor's area: from the monitor
 * in hypercall mode (AT_ELH_VCPUS), else from the environment
 * (ELH_VCPUS); 0 to stay 1:1. */
static int local_vcpus(void)
{
	const char *s = 0;
	long n = 0;

	for (size_t *a = libc.auxv; a && *a; a += 2)
		if (a[0] == AT_ELH_VCPUS)
			return a[1] > ELH_MAX_CARRIERS ? 0 : (int)a[1];
	if (!(s = getenv("ELH_VCPUS")) || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || (n = n * 10 + (*p - '0')) > ELH_MAX_CARRIERS) {
			n = 0;
			break;
		}
	}
	if (n < 1) {
		static const char msg[] = "elh-musl: ELH_VCPUS must be a number from 1 to 64;"
					  " threads stay one per kernel thread\n";
		__elh_trap(SYS_write, 2, (long)msg, sizeof msg - 1, 0, 0, 0);
	}
	return (int)n;
}

/* The calling thread becomes carrier 0 and the main ULT; the other
 * carriers start.  Returns 0, or -1 to stay 1:1. */
static int try_activate(void)
{
	struct pthread *me = __pthread_self();
	struct carrier *c0 = &carriers[0];
	uint64_t m;
	int n;

	if (__elh_exitless()) {
		if (!(n = __elh_shared->vcpus))
			return -1;
	} else {
		if (!(n = local_vcpus()))
			return -1;
		if (!__elh_pool_start(n)) {
			static const char msg[] =
			    "elh-musl: cannot start the call pool of M:N threads;"
			    " threads stay one per kernel thread\n";
			__elh_trap(SYS_write, 2, (long)msg, sizeof msg - 1, 0, 0, 0);
			return -1;
		}
	}
	if (n > ELH_MAX_CARRIERS)
		n = ELH_MAX_CARRIERS;
	fsgsbase = (__getauxval(AT_HWCAP2) & 2) != 0;
	for (int i = 0; i < n; i++) {
		carriers[i].idx = i;
		if (!(carriers[i].stack = sched_stack()))
			return -1;
	}
	__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, 0, (long)&m, _NSIG / 8, 0, 0);
	c0->ktid = __elh_trap(SYS_gettid, 0, 0, 0, 0, 0, 0);
	self_pid = __elh_trap(SYS_getpid, 0, 0, 0, 0, 0, 0);
	c0->kunknown = 1; /* the running mask, from the first switch on */
	c0->fs = (uint64_t)me;
	c0->sched_rsp = new_context((uintptr_t)c0->stack + SCHED_STACK, sched_entry, c0);
	main_ult.tid = me->tid;
	main_ult.fs = (uint64_t)me;
	main_ult.mask = m;
	/* Signals pending for the main thread, blocked, go with it: it may
	 * unblock them on another vCPU. */
	{
		const struct timespec zero = { 0, 0 };
		long sig;
		while ((sig = __elh_trap(SYS_rt_sigtimedwait, (long)&m, 0, (long)&zero, _NSIG / 8,
					 0, 0)) > 0)
			main_ult.sigpend |= 1ull << (sig - 1);
	}
	main_ult.carrier = c0;
	__elh_trap(SYS_prctl, PR_GET_NAME, (long)main_ult.name, 0, 0, 0, 0);
	main_ult.ctid = &__thread_list_lock; /* musl's __init_tp gave it to the kernel */
	main_ult.state = U_RUN;
	c0->cur = &main_ult;
	me->elh_ult = &main_ult;
	live = 1;
	tid_add(&main_ult);
	ncarriers = 1;
	__elh_ult_active = 1;
	for (int sig = 1; sig < _NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (__elh_trap(SYS_rt_sigaction, sig, 0, (long)&actions[sig], _NSIG / 8, 0, 0) ==
			0 &&
		    ((actions[sig].handler != SIG_DFL && actions[sig].handler != SIG_IGN) ||
		     sig == POOL_SIG || (CALL_SIGS & SIGBIT(sig))))
			install(sig, &actions[sig]);
	}
	set_kmask(c0, RUN_MASK);
	if (__elh_pool_thread(signal_thread) < 0) {
		static const char msg[] =
		    "elh-musl: cannot start the signal thread of M:N threads\n";
		__elh_trap(SYS_write, 2, (long)msg, sizeof msg - 1, 0, 0, 0);
		__elh_trap(SYS_exit_group, 127, 0, 0, 0, 0, 0);
	}
	while (ncarriers < n && start_carrier() == 0)
		;
	nvcpus = ncarriers;
	return 0;
}

static int activate(void)
{
	if (declined)
		return -1;
	if (try_activate() < 0) {
		declined = 1;
		return -1;
	}
	return 0;
}

static int new_ult(struct ult *, int (*)(void *), void *, int, void *, int *, void *, int *);

int __elh_ult_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
		    int *ctid, int *handled)
{
	const int thread = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS;
	struct ult *me;
	int r;

	*handled = 0;
	if ((flags & thread) != thread) {
		/* posix_spawn's child shares the memory of the thread that
		 * waits for it (CLONE_VM | CLONE_VFORK) and runs on its thread
		 * block: its calls are its own, made directly. */
		if (!__elh_ult_active || !(flags & CLONE_VM))
			return 0;
		*handled = 1;
		me = self();
		me->direct++;
		r = __clone_kernel(fn, stack, flags, arg, ptid, tls, ctid);
		me->direct--;
		return r;
	}
	if (!__elh_ult_active && activate() < 0)
		return 0;
	*handled = 1;
	me = self();
	me->critical++;
	r = new_ult(me, fn, stack, flags, arg, ptid, tls, ctid);
	__elh_ult_leave();
	return r;
}

static int new_ult(struct ult *me, int (*fn)(void *), void *stack, int flags, void *arg, int *ptid,
		   void *tls, int *ctid)
{
	struct ult *u = (struct ult *)(((uintptr_t)stack - sizeof(struct ult)) & -64);

	memset(u, 0, sizeof *u);
	u->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	if (u->tid >= FUTEX_TID_MASK)
		return -EAGAIN;
	u->fs = (uint64_t)tls;
	u->fn = fn;
	u->arg = arg;
	u->mask = me->mask;
	memcpy(u->name, me->name, sizeof u->name);
	u->rsp = new_context((uintptr_t)u, ult_main, u);
	((struct pthread *)tls)->elh_ult = u;
	if (flags & CLONE_PARENT_SETTID)
		*ptid = u->tid;
	if (flags & CLONE_CHILD_SETTID)
		*ctid = u->tid;
	if (flags & CLONE_CHILD_CLEARTID)
		u->ctid = ctid;
	__atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
	tid_add(u);
	make_ready(me->carrier, u);
	return u->tid;
}
