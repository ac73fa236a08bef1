#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "ult-internal.h"

/* Signals of ULTs: pending sets and masks kept in the guest, the vCPUs'
 * handler, the signal thread that routes the process's signals, and
 * preemption (design and lock order: ult-internal.h). */

struct k_sigaction actions[_NSIG];
volatile uint64_t routed;   /* signals taken by a scheduler, to route */
volatile uint64_t unrouted; /* routed ones every thread blocks */

/* Stop u's call in flight as a signal handler would: the monitor does it
 * (ELH_SYS_interrupt), or the in-process pool. */
hidden void interrupt_call(struct ult *u, int restart)
{
	if (__elh_pool_active())
		__elh_pool_interrupt(u->sqe, restart);
	else
		__elh_trap(ELH_SYS_interrupt, u->sqe - __elh_shared->sqe, restart, 0, 0, 0, 0);
}

/* ---- signals to ULTs ---- */

/* A signal pending on u: a bit, and for a real-time signal a count too
 * (they queue). */
hidden void pend_add(struct ult *u, int sig)
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
hidden void deliver_pending(struct ult *u)
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

hidden int sig_restarts(int sig)
{
	return (actions[sig].flags & SA_RESTART) != 0;
}

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
			if (futex_interrupt(u)) {
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
			kick_carrier(u->carrier);
		}
	}
	__elh_spin_unlock(&tid_lock);
	return 0;
}

hidden long ult_kill(int tid, int sig)
{
	struct ult *me = self();

	return ult_kill_from(me->carrier, me, tid, sig);
}

/* The signals in `set` that route_signals left for whoever unblocks or
 * waits for them become u's. */
hidden void take_unrouted(struct ult *u, uint64_t set)
{
	if (__atomic_load_n(&unrouted, __ATOMIC_SEQ_CST) & set) {
		uint64_t p = __atomic_fetch_and(&unrouted, ~set, __ATOMIC_SEQ_CST) & set;
		__atomic_or_fetch(&u->sigpend, p, __ATOMIC_SEQ_CST);
	}
}

hidden long ult_sigmask(struct ult *u, int how, const uint64_t *set, uint64_t *old, size_t size)
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
			kick_carrier(c);
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
hidden long install(int sig, const struct k_sigaction *a)
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

/* The signal thread, a kernel thread (a guest thread under elh) of the
 * runtime: every signal sent to the process is taken here and routed to a
 * thread (idle vCPUs block them all, so that none is lost to a vCPU whose
 * mask is out of date).  A signal
 * whose default action ignores it is dropped; one whose default stops the
 * process stops it. */
#define TICK_NS 10000000 /* the preemption tick: 10 ms */

hidden int signal_thread(void *arg)
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

hidden long ult_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old,
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
hidden void route_signals(struct carrier *c)
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
hidden long ult_sigwait(struct ult *u, const uint64_t *set, siginfo_t *info,
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
hidden long ult_pause(struct ult *u, const uint64_t *mask, size_t size)
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
