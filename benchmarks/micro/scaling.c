/* Scaling micro benchmark: getppid issued by 1, 4, 16 and 64 threads at once; aggregate calls/s. */
#include "../bench.h"

#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS	   64
#define FUTEX_WAIT_PRIVATE 128 /* musl-gcc has no kernel headers */
#define FUTEX_WAKE_PRIVATE 129

/*
 * The rate is taken in the steady state, not from start to finish: the
 * callers run until told to stop, each counting its calls on a cache line
 * of its own, and the main thread samples the counters once every caller
 * has made a call.  Starting and stopping 64 threads costs milliseconds,
 * tens of them under a monitor and on a loaded host: timed from start to
 * finish, that fixed cost swamped a short run and misled the calibration.
 * The callers also wait at a gate until all of them exist: with 2 host
 * CPUs, each pthread_create would otherwise compete with the callers
 * already running, and starting 64 of them took seconds under a monitor.
 */
struct counter {
	_Alignas(64) atomic_long calls;
};

static struct counter counters[MAX_THREADS];
static atomic_int stop;
static atomic_int gate;

/* Open (1) or close (0) the gate.  A futex wakes every caller at once: a
 * condition variable would wake them one after another, each waiting for
 * a CPU among the callers already running. */
static void gate_set(int open)
{
	atomic_store(&gate, open);
	if (open)
		syscall(SYS_futex, &gate, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void *caller(void *arg)
{
	struct counter *c = arg;
	long n = 0;

	while (!atomic_load(&gate))
		syscall(SYS_futex, &gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		getppid();
		atomic_store_explicit(&c->calls, ++n, memory_order_relaxed);
	}
	return NULL;
}

/* All calls so far; *idle tells whether some caller has not made one yet. */
static long total_calls(int nthreads, int *idle)
{
	long sum = 0, c;

	*idle = 0;
	for (int i = 0; i < nthreads; i++) {
		c = atomic_load_explicit(&counters[i].calls, memory_order_relaxed);
		sum += c;
		if (!c)
			*idle = 1;
	}
	return sum;
}

/*
 * Returns the time iters calls take at the rate measured over a window of
 * at least iters calls with all nthreads callers running.  The main thread
 * sleeps between samples (1 ms), so it takes almost no CPU from them.
 */
static double run_threads(int nthreads, long iters)
{
	const struct timespec tick = { 0, 1000000 };
	pthread_t tids[MAX_THREADS];
	long c0 = 0, c1 = 0;
	uint64_t t0 = 0, t1 = 0;
	int n, err = 0, idle;

	atomic_store(&stop, 0);
	gate_set(0);
	for (n = 0; n < nthreads; n++)
		atomic_store(&counters[n].calls, 0);
	for (n = 0; n < nthreads; n++) {
		err = pthread_create(&tids[n], NULL, caller, &counters[n]);
		if (err)
			break;
	}
	if (err)
		atomic_store(&stop, 1);
	gate_set(1);
	if (!err) {
		do
			nanosleep(&tick, NULL);
		while (total_calls(nthreads, &idle), idle);
		t0 = bench_now();
		c0 = total_calls(nthreads, &idle);
		do {
			nanosleep(&tick, NULL);
			t1 = bench_now();
			c1 = total_calls(nthreads, &idle);
		} while (c1 - c0 < iters);
	}
	atomic_store(&stop, 1);
	while (n--)
		pthread_join(tids[n], NULL);
	if (err)
		return bench_fail_err("pthread_create", err);
	return (double)(t1 - t0) * (double)iters / (double)(c1 - c0);
}

static double run_t1(long iters)
{
	return run_threads(1, iters);
}

static double run_t4(long iters)
{
	return run_threads(4, iters);
}

static double run_t16(long iters)
{
	return run_threads(16, iters);
}

static double run_t64(long iters)
{
	return run_threads(64, iters);
}

static const struct bench benches[] = {
	{ "getppid-t1", BENCH_MCALLS, run_t1, 1 },
	{ "getppid-t4", BENCH_MCALLS, run_t4, 1 },
	{ "getppid-t16", BENCH_MCALLS, run_t16, 1 },
	{ "getppid-t64", BENCH_MCALLS, run_t64, 1 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
