#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <time.h>
#include "ult-internal.h"

/* The entry points of the runtime: the thread calls it serves
 * (__elh_ult_syscall), musl's __clone, activation (design and lock order:
 * ult-internal.h). */

/* M:N is not to be tried again: not asked for, refused, or ended by fork
 * (whose child keeps the calling thread only, as an ordinary kernel
 * thread: the pool's workers are gone, and threads the child creates are
 * kernel threads). */
static int declined;

volatile int __elh_ult_active;
static volatile int next_tid = TID_BASE;

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

/*
 * ppoll, pselect6, epoll_pwait with a signal mask: the thread's mask is the
 * call's until it returns, so that a signal sent to the process goes to
 * it (the signal thread routes by the threads' masks) and interrupts the
 * call, or one pending already ends it at once.  The call itself is made
 * without the mask (3, __elh_ult_unmask), as any blocking call: submitted,
 * and stopped like one by a signal for the thread; __elh_ult_direct_done
 * raises the signals it let through and puts the thread's mask back.
 */
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
	/* N before the others start: a carrier whose index is N or more
	 * takes itself for a spare and parks.  Fewer if some cannot start. */
	__atomic_store_n(&nvcpus, n, __ATOMIC_SEQ_CST);
	while (ncarriers < n && start_carrier() == 0)
		;
	if (ncarriers < n)
		__atomic_store_n(&nvcpus, ncarriers, __ATOMIC_SEQ_CST);
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

/* A ULT for musl's __clone, on its stack, queued on me's carrier: its
 * tid, or -errno. */
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
