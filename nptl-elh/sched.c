#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include "ult-internal.h"

/* The schedulers: run queues, stealing, the carriers and the hand-off,
 * tids, the start and end of a ULT (design and lock order:
 * ult-internal.h). */

struct carrier carriers[ELH_MAX_CARRIERS];
volatile int ncarriers;
volatile int nvcpus;
static volatile int nheld, nparked;
static volatile int grow_lock;
static volatile int orphan_lock;
static struct ult *orphans; /* calls in flight of held carriers */
struct ult main_ult;
volatile int live;
static volatile int nspinning;
long self_pid;
int fsgsbase;

volatile int tid_lock;
struct ult *tids[NBUCKETS];

/* ---- tids ---- */

hidden void tid_add(struct ult *u)
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

hidden void enqueue(struct carrier *c, struct ult *u)
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

hidden struct ult *dequeue(struct carrier *c)
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
hidden void make_ready(struct carrier *here, struct ult *u)
{
	enqueue(here, u);
	if (ncarriers > 1)
		wake_idle();
}

/* ---- the scheduler ---- */

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

hidden void set_kmask(struct carrier *c, uint64_t mask)
{
	if (c->kmask != mask || c->kunknown) {
		__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, _NSIG / 8, 0, 0);
		c->kmask = mask;
		c->kunknown = 0;
	}
}

/* Ask vCPU c to look at the ULT it runs (sig_entry: its pending signals,
 * or a preemption). */
hidden void kick_carrier(struct carrier *c)
{
	if (!__atomic_exchange_n(&c->kick, 1, __ATOMIC_ACQ_REL))
		__elh_trap(SYS_tkill, c->ktid, POOL_SIG, 0, 0, 0, 0);
}

/* The ULTs whose calls have completed join the tail of the run queue:
 * a thread that yields in a loop cannot keep them waiting. */
hidden void poll_calls(struct carrier *c)
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

hidden struct ult *steal(struct carrier *c)
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

hidden struct ult *find_work(struct carrier *c)
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

hidden void sched_entry(void *arg)
{
	schedule(arg);
}

/* A context that starts with fn(arg) on the stack below top. */
hidden uint64_t new_context(uintptr_t top, void (*fn)(void *), void *arg)
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
hidden void block(struct ult *u, int action)
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

hidden char *sched_stack(void)
{
	long p = __elh_trap(SYS_mmap, 0, SCHED_STACK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return (unsigned long)p > -4096UL ? 0 : (char *)p;
}

/* Start carrier ncarriers (under grow_lock); 0, or -1 if it cannot be. */
hidden int start_carrier(void)
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
