/* Thread micro benchmarks: create+join, sched_yield ping-pong on one CPU, contended mutex. */
#include "../bench.h"

#include <stdatomic.h>

static void *nothing(void *arg)
{
	return arg;
}

/* One operation: a thread created, run to its end and joined (default attributes). */
static double run_create_join(long iters)
{
	uint64_t t0 = bench_now();
	pthread_t t;
	int err;

	for (long i = 0; i < iters; i++) {
		err = pthread_create(&t, NULL, nothing, NULL);
		if (err)
			return bench_fail_err("pthread_create", err);
		pthread_join(t, NULL);
	}
	return (double)(bench_now() - t0);
}

/*
 * sched_yield ping-pong: whose turn it is lives in one shared word; a thread
 * whose turn it is not yields.  Both threads are pinned to the same CPU, so
 * each hand-off is one sched_yield and one switch to the other thread: one
 * operation is one hand-off.  Where pinning is refused (it may be, under a
 * monitor), the threads may run on two CPUs and spin through sched_yield,
 * which still hands off correctly but measures something closer to a
 * cache-line exchange; a note goes to stderr.
 */
static atomic_int turn;

struct yielder {
	int me;
	long handoffs;
};

static void yield_turns(int me, long handoffs)
{
	for (long i = 0; i < handoffs; i++) {
		while (atomic_load_explicit(&turn, memory_order_acquire) != me)
			sched_yield();
		atomic_store_explicit(&turn, !me, memory_order_release);
	}
}

static void *yield_partner(void *arg)
{
	struct yielder *y = arg;

	yield_turns(y->me, y->handoffs);
	return NULL;
}

static double run_yield(long iters)
{
	/* The main thread goes first, so it takes the odd hand-off out. */
	struct yielder partner = { .me = 1, .handoffs = iters / 2 };
	static int warned;
	cpu_set_t old;
	uint64_t t0, t1;
	int pinned, err, cpu;
	pthread_t t;

	atomic_store(&turn, 0);
	cpu = sched_getcpu();
	pinned = bench_pin(cpu < 0 ? 0 : cpu, &old) == 0;
	if (!pinned && !warned++)
		fprintf(stderr,
			"bench: sched-yield: cannot pin to one CPU (%s): threads may run on two\n",
			strerror(errno));
	/* Created after pinning: the partner inherits the one-CPU mask. */
	err = pthread_create(&t, NULL, yield_partner, &partner);
	if (err) {
		if (pinned)
			sched_setaffinity(0, sizeof(old), &old);
		return bench_fail_err("pthread_create", err);
	}
	t0 = bench_now();
	yield_turns(0, iters - iters / 2);
	pthread_join(t, NULL);
	t1 = bench_now();
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	return (double)(t1 - t0);
}

/*
 * Two threads on (usually) two CPUs take one mutex in turn as fast as they
 * can, with a one-increment critical section.  One operation is one
 * acquisition.  How often ownership actually passes from one thread to the
 * other, and whether a waiter spins or sleeps in futex, is the libc's
 * policy: that is part of what this compares.
 */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static long counter;

static void lock_loop(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&mutex);
		counter++;
		pthread_mutex_unlock(&mutex);
	}
}

static void *mutex_partner(void *arg)
{
	pthread_barrier_wait(&start);
	lock_loop(*(long *)arg);
	return NULL;
}

static double run_mutex(long iters)
{
	long theirs = iters / 2;
	uint64_t t0, t1;
	pthread_t t;
	int err;

	counter = 0;
	err = pthread_barrier_init(&start, NULL, 2);
	if (err)
		return bench_fail_err("pthread_barrier_init", err);
	err = pthread_create(&t, NULL, mutex_partner, &theirs);
	if (err) {
		pthread_barrier_destroy(&start);
		return bench_fail_err("pthread_create", err);
	}
	/* Both start together, so the lock is contended from the first iteration. */
	pthread_barrier_wait(&start);
	t0 = bench_now();
	lock_loop(iters - theirs);
	pthread_join(t, NULL);
	t1 = bench_now();
	pthread_barrier_destroy(&start);
	if (counter != iters) {
		fprintf(stderr, "bench: mutex-handoff: counter %ld, expected %ld\n", counter,
			iters);
		return -1;
	}
	return (double)(t1 - t0);
}

static const struct bench benches[] = {
	{ "pthread-create-join", BENCH_NS_PER_OP, run_create_join, 0 },
	{ "sched-yield", BENCH_NS_PER_OP, run_yield, 0 },
	{ "mutex-handoff", BENCH_NS_PER_OP, run_mutex, 0 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
