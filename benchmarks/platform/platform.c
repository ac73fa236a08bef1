/* Host platform figures: a raw null system call, and a cache-line round trip between two CPUs. */
#include "../bench.h"

#include <stdatomic.h>
#include <sys/syscall.h>

/*
 * getppid through the bare syscall instruction: no libc wrapper, so the
 * figure is the kernel entry and exit alone, whatever libc built this.
 */
static double run_null_syscall(long iters)
{
	uint64_t t0 = bench_now();
	long ret;

	for (long i = 0; i < iters; i++)
		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "0"((long)SYS_getppid)
				 : "rcx", "r11", "memory");
	(void)ret;
	return (double)(bench_now() - t0);
}

/*
 * The exit-less path's floor: one side writes a request word, the other
 * sees it and writes a reply word, the first sees that.  Each word has a
 * cache line of its own, so one round trip moves two lines between CPUs,
 * as a submission and its completion would.  The threads are pinned to two
 * different CPUs: on one CPU a spinning waiter would only burn its slice.
 */
struct line {
	_Alignas(64) atomic_long word; /* the alignment pads the line out, too */
};

static struct line request, reply;

struct partner {
	int cpu;
	long iters;
};

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static void *answer(void *arg)
{
	struct partner *p = arg;

	if (bench_pin(p->cpu, NULL))
		perror("bench: cacheline-rtt: pinning the partner");
	for (long i = 1; i <= p->iters; i++) {
		while (atomic_load_explicit(&request.word, memory_order_acquire) != i)
			cpu_relax();
		atomic_store_explicit(&reply.word, i, memory_order_release);
	}
	return NULL;
}

/* Two distinct CPUs this process may run on; -1 when it has only one. */
static int two_cpus(int *a, int *b)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (n++ == 0)
			*a = cpu;
		else
			*b = cpu;
	}
	return n == 2 ? 0 : -1;
}

static double run_cacheline(long iters)
{
	struct partner p = { .iters = iters };
	uint64_t t0, t1;
	cpu_set_t old;
	pthread_t t;
	int mine, err;

	if (two_cpus(&mine, &p.cpu)) {
		fprintf(stderr, "bench: cacheline-rtt needs two CPUs, this process may use one\n");
		return -1;
	}
	if (bench_pin(mine, &old))
		return bench_fail("sched_setaffinity");
	atomic_store(&request.word, 0);
	atomic_store(&reply.word, 0);
	err = pthread_create(&t, NULL, answer, &p);
	if (err) {
		sched_setaffinity(0, sizeof(old), &old);
		return bench_fail_err("pthread_create", err);
	}
	/* The first round trip also waits for the partner to start: once in a whole run. */
	t0 = bench_now();
	for (long i = 1; i <= iters; i++) {
		atomic_store_explicit(&request.word, i, memory_order_release);
		while (atomic_load_explicit(&reply.word, memory_order_acquire) != i)
			cpu_relax();
	}
	t1 = bench_now();
	pthread_join(t, NULL);
	sched_setaffinity(0, sizeof(old), &old);
	return (double)(t1 - t0);
}

static const struct bench benches[] = {
	{ "null-syscall", BENCH_NS_PER_OP, run_null_syscall, 0 },
	{ "cacheline-rtt", BENCH_NS_PER_OP, run_cacheline, 0 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
