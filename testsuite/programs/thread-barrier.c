/* Threads: barrier phases with 8 threads: one serial thread per phase, results in lockstep. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N      8
#define PHASES 50

static pthread_barrier_t bar;
static long cells[N];
static atomic_int serial_count[PHASES];

static void *work(void *arg)
{
	long id = (long)arg;

	for (int ph = 0; ph < PHASES; ph++) {
		/* Each thread reads its left neighbour's value from the previous phase. */
		long left = cells[(id + N - 1) % N];
		int r = pthread_barrier_wait(&bar);

		CHECK(r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD);
		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			atomic_fetch_add(&serial_count[ph], 1);
		cells[id] = (cells[id] * 31 + left + ph) % 1000003;
		r = pthread_barrier_wait(&bar);
		CHECK(r == 0 || r == PTHREAD_BARRIER_SERIAL_THREAD);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	long sum = 0;

	alarm(WATCHDOG_SECONDS);
	for (int i = 0; i < N; i++)
		cells[i] = i + 1;
	CHECK(pthread_barrier_init(&bar, NULL, N) == 0);
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0);
	for (int i = 0; i < N; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	for (int ph = 0; ph < PHASES; ph++)
		CHECK(atomic_load(&serial_count[ph]) == 1);
	printf("%d phases, one serial thread each\n", PHASES);
	printf("cells:");
	for (int i = 0; i < N; i++) {
		printf(" %ld", cells[i]);
		sum += cells[i];
	}
	printf("\nsum %ld\n", sum);
	CHECK(pthread_barrier_destroy(&bar) == 0);
	CHECK(pthread_barrier_init(&bar, NULL, 0) == EINVAL);

	/* A barrier of one never blocks and always returns the serial value. */
	CHECK(pthread_barrier_init(&bar, NULL, 1) == 0);
	CHECK(pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD);
	CHECK(pthread_barrier_destroy(&bar) == 0);
	printf("ok\n");
	return 0;
}
