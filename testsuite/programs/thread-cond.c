/* Threads: condition variables: a bounded queue, broadcast to 6 waiters, timed wait timeout. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define ITEMS	  5000
#define CAP	  8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static long queue[CAP];
static int head, count, producers_left = PRODUCERS;

static void *produce(void *arg)
{
	long base = (long)arg * ITEMS;

	for (long i = 0; i < ITEMS; i++) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		while (count == CAP)
			CHECK(pthread_cond_wait(&not_full, &lock) == 0);
		queue[(head + count++) % CAP] = base + i;
		CHECK(pthread_cond_signal(&not_empty) == 0);
		CHECK(pthread_mutex_unlock(&lock) == 0);
	}
	CHECK(pthread_mutex_lock(&lock) == 0);
	if (--producers_left == 0)
		CHECK(pthread_cond_broadcast(&not_empty) == 0);
	CHECK(pthread_mutex_unlock(&lock) == 0);
	return NULL;
}

static void *consume(void *arg)
{
	long sum = 0, n = 0;

	(void)arg;
	for (;;) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		while (count == 0 && producers_left > 0)
			CHECK(pthread_cond_wait(&not_empty, &lock) == 0);
		if (count == 0) {
			CHECK(pthread_mutex_unlock(&lock) == 0);
			break;
		}
		sum += queue[head];
		n++;
		head = (head + 1) % CAP;
		count--;
		CHECK(pthread_cond_signal(&not_full) == 0);
		CHECK(pthread_mutex_unlock(&lock) == 0);
	}
	long *res = malloc(2 * sizeof(long));
	CHECK(res != NULL);
	res[0] = sum;
	res[1] = n;
	return res;
}

static int gate_open, waiting;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;

static void *gate_waiter(void *arg)
{
	(void)arg;
	CHECK(pthread_mutex_lock(&lock) == 0);
	waiting++;
	while (!gate_open)
		CHECK(pthread_cond_wait(&gate, &lock) == 0);
	waiting--;
	CHECK(pthread_mutex_unlock(&lock) == 0);
	return NULL;
}

int main(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS], g[6];
	long sum = 0, n = 0;
	struct timespec deadline, now;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	for (long i = 0; i < CONSUMERS; i++)
		CHECK(pthread_create(&c[i], NULL, consume, NULL) == 0);
	for (long i = 0; i < PRODUCERS; i++)
		CHECK(pthread_create(&p[i], NULL, produce, (void *)i) == 0);
	for (int i = 0; i < PRODUCERS; i++)
		CHECK(pthread_join(p[i], NULL) == 0);
	for (int i = 0; i < CONSUMERS; i++) {
		CHECK(pthread_join(c[i], &ret) == 0);
		sum += ((long *)ret)[0];
		n += ((long *)ret)[1];
		free(ret);
	}
	printf("consumed %ld items, sum %ld (expected %ld)\n", n, sum,
	       (long)PRODUCERS * ITEMS * (PRODUCERS * ITEMS - 1) / 2);

	/* Broadcast releases every waiter. */
	for (int i = 0; i < 6; i++)
		CHECK(pthread_create(&g[i], NULL, gate_waiter, NULL) == 0);
	for (;;) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		int w = waiting;
		if (w == 6) {
			gate_open = 1;
			CHECK(pthread_cond_broadcast(&gate) == 0);
		}
		CHECK(pthread_mutex_unlock(&lock) == 0);
		if (w == 6)
			break;
		sched_yield();
	}
	for (int i = 0; i < 6; i++)
		CHECK(pthread_join(g[i], NULL) == 0);
	printf("broadcast released 6 waiters, %d still waiting\n", waiting);

	/* A timed wait with nobody signalling times out no earlier than asked. */
	CHECK(clock_gettime(CLOCK_REALTIME, &deadline) == 0);
	deadline.tv_nsec += 30 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	CHECK(pthread_mutex_lock(&lock) == 0);
	int r;
	while ((r = pthread_cond_timedwait(&gate, &lock, &deadline)) == 0)
		;
	CHECK(pthread_mutex_unlock(&lock) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
	CHECK(now.tv_sec > deadline.tv_sec ||
	      (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec));
	printf("timed wait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "?");
	printf("ok\n");
	return 0;
}
