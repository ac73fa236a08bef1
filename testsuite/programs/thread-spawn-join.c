/* Threads: create/join 16 at once and in waves, return values, stack size, distinct tids. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 16

static pid_t tids[N];
static pthread_t selves[N];

static void *square(void *arg)
{
	long i = (long)arg;

	tids[i] = gettid();
	selves[i] = pthread_self();
	return (void *)(i * i);
}

static void *deep(void *arg)
{
	/* Use a good part of a requested 256 KiB stack. */
	volatile char buf[128 * 1024];
	size_t sum = 0;

	for (size_t i = 0; i < sizeof(buf); i += 512)
		buf[i] = (char)(i / 512);
	for (size_t i = 0; i < sizeof(buf); i += 512)
		sum += (unsigned char)buf[i];
	return (void *)(sum + (size_t)arg);
}

int main(void)
{
	pthread_t t[N];
	pthread_attr_t attr;
	size_t stack;
	int detach;
	long total = 0;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, square, (void *)i) == 0);
	for (int i = 0; i < N; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		total += (long)ret;
		CHECK(pthread_equal(t[i], selves[i]));
	}
	printf("16 threads: sum of squares %ld\n", total);
	for (int i = 0; i < N; i++) {
		CHECK(tids[i] != getpid());
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j]);
	}
	printf("16 distinct thread ids, none equal to the process id\n");
	CHECK(gettid() == getpid());

	/* Waves of short-lived threads reuse stacks and ids. */
	total = 0;
	for (int wave = 0; wave < 20; wave++) {
		for (long i = 0; i < 8; i++)
			CHECK(pthread_create(&t[i], NULL, square, (void *)(i + 1)) == 0);
		for (int i = 0; i < 8; i++) {
			CHECK(pthread_join(t[i], &ret) == 0);
			total += (long)ret;
		}
	}
	printf("20 waves of 8: total %ld\n", total);

	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
	CHECK(pthread_attr_getstacksize(&attr, &stack) == 0 && stack == 256 * 1024);
	CHECK(pthread_attr_getdetachstate(&attr, &detach) == 0 &&
	      detach == PTHREAD_CREATE_JOINABLE);
	CHECK(pthread_create(&t[0], &attr, deep, (void *)1000) == 0);
	CHECK(pthread_join(t[0], &ret) == 0);
	printf("256 KiB stack: result %ld\n", (long)ret);
	CHECK(pthread_attr_setstacksize(&attr, 1) == EINVAL);
	CHECK(pthread_attr_destroy(&attr) == 0);

	CHECK(pthread_equal(pthread_self(), pthread_self()));
	CHECK(!pthread_equal(pthread_self(), t[0]));
	printf("ok\n");
	return 0;
}
