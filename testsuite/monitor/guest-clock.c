/*
 * The in-guest clock: CLOCK_MONOTONIC never goes back, within a thread or
 * across threads, through several of the monitor's map updates; the
 * in-guest readings bracket the host's own (a trapping clock_gettime made
 * between two of them), for both clocks, within TOLERANCE_NS.
 *
 * Usage: guest-clock MILLISECONDS
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS	     4
#define TOLERANCE_NS 1000000 /* 1 ms: the slew keeps errors far below */

static uint64_t latest; /* the largest reading published so far */
static long total;	/* readings made by the threads */
static uint64_t end_ns;

static uint64_t ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t host_ns(clockid_t id)
{
	struct timespec t;

	syscall(SYS_clock_gettime, id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void *reader(void *arg)
{
	long back = 0, reads = 0;
	uint64_t prev = 0;

	(void)arg;
	for (;;) {
		uint64_t seen = __atomic_load_n(&latest, __ATOMIC_SEQ_CST);
		uint64_t t = ns(CLOCK_MONOTONIC);

		/* Read after `seen` was published, so not before it. */
		if (t < prev || t < seen)
			back++;
		prev = t;
		while (seen < t && !__atomic_compare_exchange_n(&latest, &seen, t, 0,
								__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
		if (++reads % 1024 == 0 && t > end_ns)
			break;
	}
	__atomic_add_fetch(&total, reads, __ATOMIC_RELAXED);
	return (void *)back;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	long back = 0, off = 0;
	int ids[2] = { CLOCK_MONOTONIC, CLOCK_REALTIME };

	if (argc != 2)
		return 2;
	end_ns = ns(CLOCK_MONOTONIC) + (uint64_t)atol(argv[1]) * 1000000u;
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, reader, NULL))
			return 3;
	while (ns(CLOCK_MONOTONIC) < end_ns) {
		for (int k = 0; k < 2; k++) {
			uint64_t a = ns(ids[k]), h = host_ns(ids[k]), b = ns(ids[k]);

			if (h + TOLERANCE_NS < a || h > b + TOLERANCE_NS) {
				off++;
				fprintf(stderr, "clock %d: guest %llu, host %llu, guest %llu\n",
					ids[k], (unsigned long long)a, (unsigned long long)h,
					(unsigned long long)b);
			}
		}
		usleep(2000);
	}
	for (int i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		back += (long)r;
	}
	printf("monotonic went back %ld times\n", back);
	printf("readings off the host's by more than 1 ms: %ld\n", off);
	fprintf(stderr, "readings: %ld\n", total);
	return back || off;
}
