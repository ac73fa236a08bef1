/* The worker pool behind exit-less system calls (exitless.h). */
#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "elh-abi.h"
#include "elh-calls.h"
#include "errors.h"
#include "exitless.h"
#include "memory.h"
#include "platform.h"
#include "signal.h"
#include "syscall.h"
#include "vm.h"

/* A worker spins this long after its last call before it sleeps; the
 * budget doubles when a sleep ends soon after it began and halves when
 * spinning found nothing for long.  With two cores a spinning worker takes
 * the guest's core away: the floor is low, and workers started for
 * blocking calls stay at it. */
#define WORKER_SPIN_MIN_NS   4000
#define WORKER_SPIN_MAX_NS   200000
#define WORKER_SPIN_START_NS 50000
/* A worker started beyond the configured number ends after this long idle. */
#define EXTRA_IDLE_NS 1000000000ull
/* The longest a guest thread spins for its completion before it sleeps,
 * where the platform has not measured what sleeping costs: a trap into the
 * monitor and back (elh_vm.exit_ns), as long as spinning that long (the
 * rule that keeps the waste at most twice the best choice), within
 * bounds. */
#define GUEST_SPIN_NS	  20000
#define GUEST_SPIN_MIN_NS 2000
#define GUEST_SPIN_MAX_NS 200000

static uint32_t guest_spin_ns(const struct elh_vm *vm)
{
	if (!vm->exit_ns)
		return GUEST_SPIN_NS;
	if (vm->exit_ns < GUEST_SPIN_MIN_NS)
		return GUEST_SPIN_MIN_NS;
	return vm->exit_ns > GUEST_SPIN_MAX_NS ? GUEST_SPIN_MAX_NS : vm->exit_ns;
}

struct worker {
	pid_t tid;
	int extra;		/* started for a blocking call; may retire */
	uint64_t spin_ns;	/* current spin budget */
	struct elh_vcpu *proxy; /* the calling thread as handlers see it */
};

static struct {
	struct elh_vm *vm;
	struct elh_shared *area;
	uint64_t allowed[ELH_NSYSCALLS / 64]; /* the monitor's own copy */
	int base, max;
	int total;    /* live workers */
	int blocking; /* workers inside a blocking call */
	int peak;
	cpu_set_t cpus;		   /* the CPUs workers may run on: the monitor's at start */
	pid_t running[ELH_NSLOTS]; /* host tid of the worker running entry i's call */
	uint64_t served, restarts, retraps_bound, retraps_vcpu, retraps_signal;
} pool;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* Calls that need the calling vCPU itself: a signal mask given for the
 * duration of the call (elh-calls.h). */
static int needs_vcpu(long nr, const uint64_t a[6])
{
	int indirect, m = elh_call_mask_arg(nr, &indirect);

	return m >= 0 && a[m] != 0;
}

/* A signal the host raised on this worker for the call it just made
 * (SIGPIPE, SIGXFSZ) belongs to the guest thread: take it back, and have
 * the guest make the call again itself (it fails again, nothing done, and
 * the signal arises on the right thread). */
static int took_call_signal(long r)
{
	static const struct timespec zero;
	sigset_t set;
	int got = 0;

	if (r != -EPIPE && r != -EFBIG)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGXFSZ);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		got = 1;
	return got;
}

static int start_worker(int extra);

/* Run one blocking call on this worker, keeping at least one worker free
 * for short calls: start another if this was the last, or refuse (RETRAP)
 * at the bound. */
static int enter_blocking(void)
{
	int busy = __atomic_add_fetch(&pool.blocking, 1, __ATOMIC_SEQ_CST);

	if (__atomic_load_n(&pool.total, __ATOMIC_SEQ_CST) - busy >= 1)
		return 0;
	if (start_worker(1) == 0)
		return 0;
	__atomic_sub_fetch(&pool.blocking, 1, __ATOMIC_SEQ_CST);
	return -1;
}

static void serve(struct worker *w, struct elh_sqe *q, int slot)
{
	uint32_t flags = 0;
	uint64_t args[6];
	int64_t nr;
	int blocking = 0;
	long r;

	if (!elh_sqe_take(q))
		return; /* another worker took it */
	nr = q->nr;
	memcpy(args, q->args, sizeof(args));
	w->proxy->tid = (pid_t)q->owner;
	if (nr < 0 || nr >= ELH_NSYSCALLS || !(pool.allowed[nr / 64] >> (nr % 64) & 1)) {
		r = -ENOSYS; /* the guest's copy of the list is only advisory */
		goto post;
	}
	if (needs_vcpu(nr, args)) {
		count(&pool.retraps_vcpu);
		r = -ENOSYS;
		flags = ELH_SQE_RETRAP;
		goto post;
	}
	if (elh_call_blocks(nr)) {
		if (enter_blocking() < 0) {
			count(&pool.retraps_bound);
			r = -ENOSYS;
			flags = ELH_SQE_RETRAP | ELH_SQE_BUSY;
			goto post;
		}
		blocking = 1;
		/* The ring that woke this worker may have been meant for
		 * another entry, further in the scan: if no awake worker is
		 * left outside blocking calls, wake one to go on scanning. */
		if ((int)__atomic_load_n(&pool.area->workers_awake, __ATOMIC_SEQ_CST) <=
		    __atomic_load_n(&pool.blocking, __ATOMIC_SEQ_CST))
			elh_ring_doorbell(pool.area);
		/* Published before the call reads the stop word (Dekker with
		 * elh_exitless_interrupt). */
		__atomic_store_n(&pool.running[slot], w->tid, __ATOMIC_SEQ_CST);
		elh_host_stop_word(&q->interrupt);
	}
	for (;;) {
		r = elh_syscall(w->proxy, nr, args);
		/* Workers take no signal but the stop request: an EINTR
		 * without one comes from a request meant for an earlier call. */
		if (r != -EINTR || !blocking || __atomic_load_n(&q->interrupt, __ATOMIC_SEQ_CST))
			break;
	}
	if (blocking) {
		elh_host_stop_word(NULL);
		__atomic_store_n(&pool.running[slot], 0, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&pool.blocking, 1, __ATOMIC_SEQ_CST);
		if (r == -EINTR && q->interrupt == 2 && elh_call_restarts_after_handler(nr)) {
			count(&pool.restarts);
			flags = ELH_SQE_RESTART;
		}
	}
	if (took_call_signal(r)) {
		count(&pool.retraps_signal);
		flags = ELH_SQE_RETRAP;
	}
	count(&pool.served);
post:
	elh_sqe_post(pool.area, q, r, flags);
}

/* One pass over the entries; returns how many calls it served. */
static int scan(struct worker *w)
{
	int n = 0;

	for (int i = 0; i < ELH_NSLOTS; i++) {
		struct elh_sqe *q = &pool.area->sqe[i];

		if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == ELH_SQE_SUBMITTED) {
			serve(w, q, i);
			n++;
		}
	}
	return n;
}

/* An extra worker idle for long ends, if the others suffice.  It leaves
 * the count, then looks at the blocked ones again, and stays if a worker
 * entered a blocking call meanwhile and left none free: enter_blocking()
 * raises `blocking`, then reads `total` (both seq_cst), so one of the two
 * sees the other. */
static int retire(struct worker *w)
{
	int total = __atomic_load_n(&pool.total, __ATOMIC_SEQ_CST);

	while (w->extra && total > pool.base &&
	       total - __atomic_load_n(&pool.blocking, __ATOMIC_SEQ_CST) > pool.base) {
		if (__atomic_compare_exchange_n(&pool.total, &total, total - 1, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			if (total - 1 - __atomic_load_n(&pool.blocking, __ATOMIC_SEQ_CST) >= 1)
				return 1;
			__atomic_add_fetch(&pool.total, 1, __ATOMIC_SEQ_CST);
			return 0;
		}
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct elh_shared *area = pool.area;
	uint64_t last;
	sigset_t kick;
	char err[256];

	w->tid = (pid_t)syscall(SYS_gettid);
	/* Not the CPUs of the guest thread that made it start. */
	sched_setaffinity(0, sizeof(pool.cpus), &pool.cpus);
	__atomic_add_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
	if (pool.vm->platform->helper_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "elh: exit-less worker: %s\n", err);
		abort();
	}
	sigemptyset(&kick);
	sigaddset(&kick, ELH_SIGKICK);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	last = now_ns();
	for (;;) {
		struct timespec idle = { EXTRA_IDLE_NS / 1000000000u, EXTRA_IDLE_NS % 1000000000u };
		uint64_t t0, slept;
		uint32_t bell;
		long r = 0;

		if (scan(w)) {
			last = now_ns();
			continue;
		}
		if (now_ns() - last < w->spin_ns) {
			__asm__ volatile("pause");
			continue;
		}
		/* Sleep: read the doorbell, leave the awake count, scan once
		 * more. */
		bell = __atomic_load_n(&area->doorbell, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
		t0 = now_ns();
		if (!scan(w))
			r = syscall(SYS_futex, &area->doorbell, FUTEX_WAIT, bell,
				    w->extra ? &idle : NULL, NULL, 0);
		__atomic_add_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
		last = now_ns();
		slept = last - t0;
		if (w->extra) {
			/* there for blocking calls: stays at the floor */
		} else if (slept < WORKER_SPIN_MAX_NS) {
			if ((w->spin_ns *= 2) > WORKER_SPIN_MAX_NS)
				w->spin_ns = WORKER_SPIN_MAX_NS;
		} else if ((w->spin_ns /= 2) < WORKER_SPIN_MIN_NS) {
			w->spin_ns = WORKER_SPIN_MIN_NS;
		}
		if (r < 0 && errno == ETIMEDOUT && retire(w))
			break;
	}
	__atomic_sub_fetch(&area->workers_awake, 1, __ATOMIC_SEQ_CST);
	pool.vm->platform->helper_fini();
	free(w->proxy);
	free(w);
	return NULL;
}

/* Start one worker; extra ones end when idle.  0, or -1 at the bound or
 * when the host refuses a thread. */
static int start_worker(int extra)
{
	int total = __atomic_load_n(&pool.total, __ATOMIC_SEQ_CST);
	struct worker *w;
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	void *proxy;
	int e;

	do {
		if (total >= pool.max)
			return -1;
	} while (!__atomic_compare_exchange_n(&pool.total, &total, total + 1, 0, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	w = calloc(1, sizeof(*w));
	if (!w || posix_memalign(&proxy, 64, sizeof(struct elh_vcpu))) {
		free(w);
		__atomic_sub_fetch(&pool.total, 1, __ATOMIC_SEQ_CST);
		return -1;
	}
	memset(proxy, 0, sizeof(struct elh_vcpu));
	w->proxy = proxy;
	w->proxy->vm = pool.vm;
	w->proxy->restart_nr = -1;
	w->extra = extra;
	w->spin_ns = extra ? WORKER_SPIN_MIN_NS : WORKER_SPIN_START_NS;

	/* Workers take no host signal but ELH_SIGKICK, which they unblock
	 * once their handler stack exists. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		free(proxy);
		free(w);
		__atomic_sub_fetch(&pool.total, 1, __ATOMIC_SEQ_CST);
		return -1;
	}
	total++;
	for (int p = __atomic_load_n(&pool.peak, __ATOMIC_RELAXED); total > p;)
		if (__atomic_compare_exchange_n(&pool.peak, &p, total, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	return 0;
}

int elh_exitless_start(struct elh_vm *vm, int workers, int max_workers, int vcpus, char *err,
		       size_t errlen)
{
	/* Out of reach of the guest's munmap and mprotect: the workers read
	 * it directly. */
	uint64_t addr = elh_mm_carve(vm, sizeof(struct elh_shared));
	struct elh_shared *area;

	if (!addr)
		return elh_refuse(err, errlen, "the arena has no room for the exit-less area");
	area = (struct elh_shared *)(uintptr_t)addr;
	memset(area, 0, sizeof(*area));
	for (unsigned nr = 0; nr < ELH_NSYSCALLS && nr < elh_nsyscalls; nr++) {
		const struct elh_sysdesc *d = &elh_systab[nr];

		/* The special handlers act on the calling vCPU's state. */
		if (d->name && elh_call_any_thread(nr) &&
		    !(d->flags & (ELH_SYS_NO_RETURN | ELH_SYS_RAW | ELH_SYS_UNSUPPORTED)))
			pool.allowed[nr / 64] |= 1ull << (nr % 64);
	}
	memcpy(area->exitless, pool.allowed, sizeof(pool.allowed));
	/* A guess (3 ticks per ns) until the clock has measured the TSC. */
	area->spin_tsc = guest_spin_ns(vm) * 3;
	area->version = ELH_ABI_VERSION;
	area->vcpus = (uint32_t)vcpus;
	pool.vm = vm;
	pool.area = area;
	if (sched_getaffinity(0, sizeof(pool.cpus), &pool.cpus) < 0)
		CPU_ZERO(&pool.cpus);
	pool.base = workers > 0 ? workers : 1;
	pool.max = max_workers > pool.base ? max_workers : pool.base + 1;
	if (elh_clock_start(vm, &area->clock, &area->spin_tsc, guest_spin_ns(vm), err, errlen) < 0)
		return -1;
	__atomic_store_n(&area->magic, ELH_ABI_MAGIC, __ATOMIC_RELEASE);
	vm->exitless_area = addr;

	for (int i = 0; i < pool.base; i++)
		if (start_worker(0) < 0)
			return elh_refuse(err, errlen, "cannot start exit-less worker threads");
	return 0;
}

static void interrupt_slot(int i, int restart)
{
	struct elh_sqe *q = &pool.area->sqe[i];
	uint32_t st = __atomic_load_n(&q->state, __ATOMIC_SEQ_CST);
	pid_t w;

	if (st != ELH_SQE_SUBMITTED && st != ELH_SQE_RUNNING)
		return;
	__atomic_store_n(&q->interrupt, restart ? 2 : 1, __ATOMIC_SEQ_CST);
	w = __atomic_load_n(&pool.running[i], __ATOMIC_SEQ_CST);
	if (w)
		syscall(SYS_tgkill, getpid(), w, ELH_SIGKICK);
}

void elh_exitless_interrupt(struct elh_vcpu *cpu, int restart)
{
	if (!pool.area)
		return;
	for (int i = 0; i < ELH_NSLOTS; i++)
		if (__atomic_load_n(&pool.area->sqe[i].owner, __ATOMIC_RELAXED) ==
		    (uint32_t)cpu->tid)
			interrupt_slot(i, restart);
}

long elh_exitless_interrupt_slot(uint64_t slot, uint64_t restart)
{
	if (!pool.area)
		return -ENOSYS;
	if (slot >= ELH_NSLOTS)
		return -EINVAL;
	interrupt_slot((int)slot, restart != 0);
	return 0;
}

void elh_exitless_thread_exit(struct elh_vm *vm, pid_t tid)
{
	(void)vm;
	if (!pool.area)
		return;
	for (int i = 0; i < ELH_NSLOTS; i++) {
		uint32_t owner = (uint32_t)tid;

		__atomic_compare_exchange_n(&pool.area->sqe[i].owner, &owner, 0, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}

void elh_exitless_after_fork(struct elh_vm *vm)
{
	struct elh_shared *area = pool.area;

	(void)vm;
	if (!area)
		return;
	pool.total = pool.blocking = pool.peak = 0;
	memset(pool.running, 0, sizeof(pool.running));
	pool.served = pool.restarts = pool.retraps_bound = pool.retraps_vcpu = pool.retraps_signal =
	    0;
	area->workers_awake = 0;
	for (int i = 0; i < ELH_NSLOTS; i++) {
		struct elh_sqe *q = &area->sqe[i];

		q->state = ELH_SQE_FREE;
		q->owner = 0;
		q->waiting = 0;
		q->busy = 0;
		q->trap_left = q->backoff = 0;
	}
	for (int i = 0; i < ELH_MAX_CARRIERS; i++)
		area->carrier[i].sleeping = 0;
	elh_clock_after_fork();
	for (int i = 0; i < pool.base; i++) {
		if (start_worker(0) < 0) {
			/* Nothing would take the guest's submissions: it traps
			 * every call from now on. */
			if (!pool.total)
				memset(area->exitless, 0, sizeof(area->exitless));
			break;
		}
	}
}

uint64_t elh_exitless_completed(void)
{
	uint64_t r = pool.retraps_vcpu + pool.retraps_signal + pool.retraps_bound;

	return pool.served > r ? pool.served - r : 0;
}

void elh_exitless_stats_print(FILE *out)
{
	if (!pool.area)
		return;
	fprintf(out,
		"exit-less: %llu calls served by workers, %llu restarted after a signal handler, "
		"%llu made again by trapping (%llu needed the vCPU, %llu raised a signal, "
		"%llu found all %d workers blocked); %d workers at most\n",
		(unsigned long long)pool.served, (unsigned long long)pool.restarts,
		(unsigned long long)(pool.retraps_vcpu + pool.retraps_signal + pool.retraps_bound),
		(unsigned long long)pool.retraps_vcpu, (unsigned long long)pool.retraps_signal,
		(unsigned long long)pool.retraps_bound, pool.max, pool.peak);
}
