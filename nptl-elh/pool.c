#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "pthread_impl.h"
#include "syscall.h"
#include "futex.h"
#include "../elh/elh.h"
#include "../elh/elh-calls.h"
#include "icall.h"
#include "ult.h"

/* The in-process pool: M:N threads with no monitor to make the calls.
 *
 * Run directly on a host (ELH_VCPUS), or under `elh run --mode=hypercall
 * --vcpus N`, an elh-musl program has no shared area from a monitor.  The
 * runtime then makes one in its own memory and starts kernel threads that
 * serve it as the monitor's workers would (elh-abi.h): the client and the
 * schedulers run unchanged, and a user-level thread whose call blocks
 * (`read` on a pipe, `accept`, `nanosleep`...) yields its carrier while a
 * worker waits in the kernel for it.  Only the calls that may block and
 * may run on another thread go to the pool (elh-calls.h); the others are
 * cheaper made on the carrier.
 *
 * Workers are started on demand: one that takes a call when no other is
 * free wakes a sleeping one or starts a new one, up to POOL_MAX.  The last
 * free worker does not take a call but bounces it (ELH_SQE_BUSY), so the
 * client waits and submits it again, then makes it on its carrier, as at
 * the monitor's bound.  A worker spins for POOL_SPIN_TSC after its last
 * call, then sleeps on the doorbell.
 *
 * Interrupts.  A signal for a thread whose call a worker runs sets the
 * entry's `interrupt` word and sends POOL_SIG to that worker (the
 * `running` word pairs with the entry's, Dekker-style).  Workers block
 * every other signal.  The call is made by elh_icall (arch/x86_64/icall.S,
 * the monitor's own), which tests the word first; the worker's handler
 * sends a worker caught between the test and the `syscall` instruction to
 * a `return -EINTR` when the word is set, so a request is never lost.
 * POOL_SIG's disposition has SA_RESTART (signals.c: install), so that a
 * preemption request does not interrupt a call a vCPU makes; a call the
 * request found running in a worker ends with EINTR all the same, as
 * the handler sends a call the kernel is about to restart (its rip back
 * on the `syscall` instruction) to the `return -EINTR` when the word is
 * set (elh_icall_fixup). */

#define POOL_MAX      128
#define POOL_STACK    (64 * 1024)
#define POOL_SPIN_TSC 50000 /* about 20 us at 2.5 GHz */

struct worker {
	struct pthread tls;		  /* its thread pointer: elh_ult is 0 */
	int ktid;			  /* written by clone (CLONE_PARENT_SETTID) */
	struct elh_sqe *volatile running; /* the call it is in, for interrupts */
};

static struct elh_shared *area;
static struct worker *volatile workers[POOL_MAX];
static volatile int total;   /* workers started */
static volatile int in_call; /* workers inside a call */
static int pid;

/* A signal the kernel raised on this worker for the call it just made
 * (SIGPIPE, SIGXFSZ) belongs to the thread that submitted it: take it
 * back, and have that thread make the call again on its vCPU (it fails
 * again, having done nothing, and the signal arises there). */
static int took_call_signal(long r)
{
	const uint64_t set = 1ull << (SIGPIPE - 1) | 1ull << (SIGXFSZ - 1);
	const struct timespec zero = { 0, 0 };
	int got = 0;

	if (r != -EPIPE && r != -EFBIG)
		return 0;
	while (__elh_trap(SYS_rt_sigtimedwait, (long)&set, 0, (long)&zero, _NSIG / 8, 0, 0) > 0)
		got = 1;
	return got;
}

/* A kernel thread of the runtime running fn(w): its thread block names
 * no ULT, and it starts with every signal blocked, so that none meant for
 * the program reaches it before it has set its own mask.  0 on failure. */
static struct worker *new_thread(int (*fn)(void *))
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID;
	const uint64_t all = ~0ull;
	uint64_t old;
	struct worker *w;
	long p, r;

	p = __elh_trap(SYS_mmap, 0, POOL_STACK + sizeof *w, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)p > -4096UL)
		return 0;
	w = (struct worker *)(p + POOL_STACK);
	w->tls.self = &w->tls;
	__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, _NSIG / 8, 0, 0);
	r = __clone_kernel(fn, (char *)p + POOL_STACK, flags, w, &w->ktid, &w->tls, 0);
	__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, _NSIG / 8, 0, 0);
	if (r >= 0)
		return w;
	__elh_trap(SYS_munmap, p, POOL_STACK + sizeof *w, 0, 0, 0, 0);
	return 0;
}

static int worker_main(void *);

/* Start one more worker; 0, or -1 at the bound or if the host refuses. */
static int spawn(void)
{
	struct worker *w;
	int i = total;

	do {
		if (i >= POOL_MAX)
			return -1;
	} while (
	    !__atomic_compare_exchange_n(&total, &i, i + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	/* Counted awake from now: a submission seen meanwhile need not ring. */
	__atomic_add_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
	if ((w = new_thread(worker_main))) {
		workers[i] = w;
		return 0;
	}
	__atomic_sub_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&total, 1, __ATOMIC_SEQ_CST);
	return -1;
}

int __elh_pool_thread(int (*fn)(void *))
{
	return new_thread(fn) ? 0 : -1;
}

static void serve(struct worker *w, struct elh_sqe *q)
{
	uint32_t flags = 0;
	long nr, r;
	int busy;

	if (!elh_sqe_take(q))
		return; /* another worker took it */
	nr = q->nr;
	busy = __atomic_add_fetch(&in_call, 1, __ATOMIC_SEQ_CST);
	if (busy >= POOL_MAX) {
		__atomic_sub_fetch(&in_call, 1, __ATOMIC_SEQ_CST);
		r = -ENOSYS;
		flags = ELH_SQE_RETRAP | ELH_SQE_BUSY;
		goto post;
	}
	/* Keep a worker free to take the next call. */
	if (busy >= (int)__atomic_load_n(&area->workers_awake, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(&total, __ATOMIC_SEQ_CST) >
		    (int)__atomic_load_n(&area->workers_awake, __ATOMIC_SEQ_CST))
			elh_ring_doorbell(area);
		else
			spawn();
	}
	__atomic_store_n(&w->running, q, __ATOMIC_SEQ_CST);
	do {
		r = elh_icall(nr, q->args, &q->interrupt);
		/* An EINTR nobody asked for was meant for an earlier call. */
	} while (r == -EINTR && !__atomic_load_n(&q->interrupt, __ATOMIC_SEQ_CST));
	__atomic_store_n(&w->running, 0, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&in_call, 1, __ATOMIC_SEQ_CST);
	if (r == -EINTR && q->interrupt == 2 && elh_call_restarts_after_handler(nr))
		flags = ELH_SQE_RESTART;
	else if (took_call_signal(r))
		flags = ELH_SQE_RETRAP;
post:
	elh_sqe_post(area, q, r, flags);
}

/* One pass over the entries; returns how many calls it found. */
static int scan(struct worker *w)
{
	int n = 0;

	for (int i = 0; i < ELH_NSLOTS; i++) {
		struct elh_sqe *q = &area->sqe[i];
		if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == ELH_SQE_SUBMITTED) {
			if (w)
				serve(w, q);
			n++;
		}
	}
	return n;
}

static int worker_main(void *arg)
{
	struct worker *w = arg;
	const uint64_t mask = ~(1ull << (POOL_SIG - 1));

	__elh_trap(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, _NSIG / 8, 0, 0);
	for (;;) {
		uint64_t t0 = __elh_rdtsc();
		uint32_t seen;

		while (__elh_rdtsc() - t0 < POOL_SPIN_TSC) {
			if (scan(w))
				t0 = __elh_rdtsc();
			else
				__asm__ __volatile__("pause");
		}
		/* Asleep from the submitters' view, then a last look: a
		 * submission made meanwhile either is seen here or rings. */
		seen = __atomic_load_n(&area->doorbell, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
		if (!scan(0))
			__elh_trap(SYS_futex, (long)&area->doorbell, FUTEX_WAIT, seen, 0, 0, 0);
		__atomic_add_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

struct elh_shared *__elh_pool_start(int vcpus)
{
	long p = __elh_trap(SYS_mmap, 0, sizeof *area, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if ((unsigned long)p > -4096UL)
		return 0;
	area = (struct elh_shared *)p;
	area->magic = ELH_ABI_MAGIC;
	area->version = ELH_ABI_VERSION;
	area->spin_tsc = POOL_SPIN_TSC;
	area->vcpus = vcpus;
	for (long nr = 0; nr < ELH_NSYSCALLS; nr++)
		if (elh_call_blocks(nr) && elh_call_any_thread(nr))
			area->exitless[nr / 64] |= 1ull << nr % 64;
	pid = __elh_trap(SYS_getpid, 0, 0, 0, 0, 0, 0);
	if (spawn() < 0) {
		__elh_trap(SYS_munmap, p, sizeof *area, 0, 0, 0, 0);
		area = 0;
		return 0;
	}
	__elh_attach(area);
	return area;
}

int __elh_pool_active(void)
{
	return area != 0;
}

void __elh_pool_interrupt(struct elh_sqe *q, int restart)
{
	int n = __atomic_load_n(&total, __ATOMIC_SEQ_CST);

	__atomic_store_n(&q->interrupt, restart ? 2 : 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < n; i++) {
		struct worker *w = workers[i];
		if (w && __atomic_load_n(&w->running, __ATOMIC_SEQ_CST) == q)
			__elh_trap(SYS_tgkill, pid, w->ktid, POOL_SIG, 0, 0, 0);
	}
}

void __elh_pool_signal(void *ctx)
{
	elh_icall_fixup(ctx);
}
