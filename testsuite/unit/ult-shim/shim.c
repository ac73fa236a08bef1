/* The guest of nptl-elh's native unit tests (README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ult-shim.h"

struct shim_counts shim_counts;
volatile int __elh_ult_active;

static struct elh_shared area;
struct elh_shared *__elh_shared;

/* Each host thread's thread pointer, as arch_prctl(ARCH_SET_FS) sets it.
 * Read through a call, never cached across a context switch. */
static __thread struct pthread *tp;
static struct pthread main_tp;
static volatile uint64_t offset_ns;
static volatile int next_tid = TID_BASE;

__attribute__((noinline)) struct pthread *__pthread_self(void)
{
	return tp;
}

long __elh_trap(long n, long a, long b, long c, long d, long e, long f)
{
	switch (n) {
	case SYS_arch_prctl: tp = (struct pthread *)b; return 0;
	case SYS_rt_sigprocmask:
		__atomic_add_fetch(&shim_counts.sigprocmask, 1, __ATOMIC_RELAXED);
		if (c)
			memset((void *)c, 0, 8);
		return 0;
	case SYS_rt_sigaction:
		__atomic_add_fetch(&shim_counts.sigaction, 1, __ATOMIC_RELAXED);
		return 0;
	case SYS_tkill:
	case SYS_tgkill: __atomic_add_fetch(&shim_counts.tkill, 1, __ATOMIC_RELAXED); return 0;
	case ELH_SYS_interrupt:
		__atomic_add_fetch(&shim_counts.interrupt, 1, __ATOMIC_RELAXED);
		return 0;
	case SYS_exit_group:
		/* The last ULT ended: the tests keep the main one alive. */
		__atomic_add_fetch(&shim_counts.exit_group, 1, __ATOMIC_RELAXED);
		abort();
	}
	return syscall(n, a, b, c, d, e, f);
}

int __elh_clock_gettime(clockid_t clk, struct timespec *ts)
{
	uint64_t t;

	if (clock_gettime(clk, ts) < 0)
		return -1;
	t = ts->tv_sec * 1000000000ull + ts->tv_nsec + offset_ns;
	ts->tv_sec = t / 1000000000;
	ts->tv_nsec = t % 1000000000;
	return 0;
}

void shim_advance(uint64_t ns)
{
	__atomic_add_fetch(&offset_ns, ns, __ATOMIC_SEQ_CST);
}

int __elh_shared_addr(const volatile void *p)
{
	(void)p;
	return 0;
}

int __elh_stack_keep(void *base, size_t size, size_t guard)
{
	(void)base;
	(void)size;
	(void)guard;
	return 1;
}

int __elh_pool_active(void)
{
	return 0;
}

void __elh_pool_interrupt(struct elh_sqe *q, int restart)
{
	(void)q;
	(void)restart;
}

void __elh_pool_signal(void *uc)
{
	(void)uc;
}

void __restore_rt(void)
{
}

struct start {
	int (*fn)(void *);
	void *arg;
	struct pthread *tls;
};

static void *carrier_thread(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	tp = s.tls;
	s.fn(s.arg);
	return 0;
}

/* A carrier: a host thread (on a stack of its own, not the one given)
 * whose thread pointer starts as tls. */
int __clone_kernel(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	struct start *s = malloc(sizeof *s);
	pthread_t t;
	va_list ap;

	(void)stack;
	(void)flags;
	va_start(ap, arg);
	(void)va_arg(ap, int *);
	s->tls = va_arg(ap, struct pthread *);
	va_end(ap);
	s->fn = fn;
	s->arg = arg;
	if (pthread_create(&t, 0, carrier_thread, s)) {
		free(s);
		return -1;
	}
	pthread_detach(t);
	return 1;
}

void shim_start(int n)
{
	struct carrier *c0 = &carriers[0];

	__elh_shared = &area;
	area.spin_tsc = 20000;
	area.vcpus = n;
	tp = &main_tp;
	main_tp.self = &main_tp;
	main_tp.tid = gettid();
	for (int i = 0; i < n; i++) {
		carriers[i].idx = i;
		carriers[i].stack = sched_stack();
	}
	c0->ktid = main_tp.tid;
	c0->kunknown = 1;
	c0->fs = (uint64_t)&main_tp;
	c0->sched_rsp = new_context((uintptr_t)c0->stack + SCHED_STACK, sched_entry, c0);
	main_ult.tid = main_tp.tid;
	main_ult.fs = (uint64_t)&main_tp;
	main_ult.carrier = c0;
	main_ult.state = U_RUN;
	c0->cur = &main_ult;
	main_tp.elh_ult = &main_ult;
	live = 1;
	tid_add(&main_ult);
	ncarriers = 1;
	nvcpus = n;
	__elh_ult_active = 1;
	while (ncarriers < n)
		if (start_carrier() < 0)
			abort();
}

static void ult_start(void *arg)
{
	struct ult *u = arg;

	u->fn(u->arg);
	block(u, A_EXIT);
}

struct ult *shim_spawn(int (*fn)(void *), void *arg)
{
	const size_t size = 64 * 1024;
	char *stack = malloc(size);
	struct pthread *t = calloc(1, sizeof *t);
	struct ult *u = (struct ult *)(((uintptr_t)stack + size - sizeof(struct ult)) & -64);

	memset(u, 0, sizeof *u);
	u->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	u->fs = (uint64_t)t;
	u->fn = fn;
	u->arg = arg;
	u->rsp = new_context((uintptr_t)u, ult_start, u);
	t->self = t;
	t->tid = u->tid;
	t->elh_ult = u;
	__atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
	tid_add(u);
	make_ready(self()->carrier, u);
	return u;
}

int shim_until(struct ult *u, int st)
{
	for (int i = 0; i < 100000; i++) {
		if (__atomic_load_n(&u->state, __ATOMIC_SEQ_CST) == st)
			return 1;
		block(self(), A_YIELD);
	}
	return 0;
}

long shim_futex(volatile int *addr, int op, int val, const struct timespec *ts, volatile int *addr2,
		int val3)
{
	return ult_futex(self(), addr, op, val, ts, addr2, val3);
}
