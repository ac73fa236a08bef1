/* Threads: __thread initialisers and privacy per thread, pthread_key destructors, pthread_once. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 12

static __thread long counter = 100;
static __thread char name[16] = "initial";
static __thread long zeroed[64];
static __thread _Alignas(64) char aligned[8];
static pthread_key_t key;
static atomic_int destructed, once_runs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void destroy(void *p)
{
	atomic_fetch_add(&destructed, (int)(intptr_t)p);
}

static void init_once(void)
{
	atomic_fetch_add(&once_runs, 1);
}

static void *work(void *arg)
{
	long id = (long)arg;
	long sum = 0;

	CHECK(pthread_once(&once, init_once) == 0);
	CHECK(counter == 100 && strcmp(name, "initial") == 0);
	for (int i = 0; i < 64; i++)
		CHECK(zeroed[i] == 0);
	CHECK(((uintptr_t)aligned & 63) == 0);
	snprintf(name, sizeof(name), "thread-%ld", id);
	for (int i = 0; i < 1000; i++) {
		counter += id;
		zeroed[i % 64] += 1;
		sched_yield();
	}
	CHECK(pthread_getspecific(key) == NULL);
	CHECK(pthread_setspecific(key, (void *)(intptr_t)(id + 1)) == 0);
	CHECK(pthread_getspecific(key) == (void *)(intptr_t)(id + 1));
	CHECK(snprintf(NULL, 0, "thread-%ld", id) == (int)strlen(name));
	for (int i = 0; i < 64; i++)
		sum += zeroed[i];
	return (void *)(counter * 10000 + sum);
}

int main(void)
{
	pthread_t t[N];
	void *ret;
	long expect_destructed = 0;

	alarm(WATCHDOG_SECONDS);
	CHECK(pthread_key_create(&key, destroy) == 0);
	counter = 7;
	strcpy(name, "main");
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0);
	printf("per-thread results:");
	for (long i = 0; i < N; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		printf(" %ld", (long)ret);
		CHECK((long)ret == (100 + 1000 * i) * 10000 + 1000);
		expect_destructed += i + 1;
	}
	printf("\n");
	printf("main still has counter %ld and name %s\n", counter, name);
	printf("destructors ran with values summing to %d (expected %ld)\n",
	       atomic_load(&destructed), expect_destructed);
	printf("pthread_once ran %d time(s)\n", atomic_load(&once_runs));
	CHECK(pthread_getspecific(key) == NULL);
	CHECK(pthread_key_delete(key) == 0);
	printf("ok\n");
	return 0;
}
