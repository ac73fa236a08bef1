/* 300 threads alive at once, then 1,000 more one after another: a program
 * may start threads without end, and many at once, as on Linux. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>

#include "check.h"

#define AT_ONCE 300
#define IN_TURN 1000

static pthread_barrier_t all_up;

static void *hold(void *arg)
{
	pthread_barrier_wait(&all_up);
	return arg;
}

static void *square(void *arg)
{
	return (void *)((intptr_t)arg * (intptr_t)arg);
}

int main(void)
{
	static pthread_t t[AT_ONCE];
	pthread_attr_t attr;
	long sum = 0;
	void *r;

	/* Small stacks: 300 default ones would be 40 MiB. */
	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);
	CHECK(pthread_barrier_init(&all_up, NULL, AT_ONCE + 1) == 0);
	for (intptr_t i = 0; i < AT_ONCE; i++)
		CHECK(pthread_create(&t[i], &attr, hold, (void *)i) == 0);
	pthread_barrier_wait(&all_up);
	for (int i = 0; i < AT_ONCE; i++) {
		CHECK(pthread_join(t[i], &r) == 0);
		sum += (intptr_t)r;
	}
	printf("%d threads at once: sum %ld\n", AT_ONCE, sum);

	sum = 0;
	for (intptr_t i = 0; i < IN_TURN; i++) {
		pthread_t one;

		CHECK(pthread_create(&one, &attr, square, (void *)(i % 100)) == 0);
		CHECK(pthread_join(one, &r) == 0);
		sum += (intptr_t)r;
	}
	printf("%d threads in turn: sum %ld\n", IN_TURN, sum);
	return 0;
}
