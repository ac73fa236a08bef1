/* Threads: 16 threads under a mutex, trylock, recursive and error-checking mutexes, atomics. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N    16
#define ITER 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter, pairs_a, pairs_b;
static atomic_long acounter;

static void *work(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < ITER; i++) {
		CHECK(pthread_mutex_lock(&lock) == 0);
		counter++;
		/* An invariant that only holds if the lock works. */
		pairs_a += id;
		pairs_b -= id;
		CHECK(pairs_a + pairs_b == 0);
		CHECK(pthread_mutex_unlock(&lock) == 0);
		atomic_fetch_add_explicit(&acounter, 1, memory_order_relaxed);
	}
	return NULL;
}

static void *try_it(void *arg)
{
	return (void *)(long)pthread_mutex_trylock(arg);
}

int main(void)
{
	pthread_t t[N];
	pthread_mutex_t m;
	pthread_mutexattr_t ma;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, work, (void *)(i + 1)) == 0);
	for (int i = 0; i < N; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("mutex counter %ld, atomic counter %ld, sums %ld %ld\n", counter,
	       atomic_load(&acounter), pairs_a, pairs_b);
	CHECK(counter == (long)N * ITER && atomic_load(&acounter) == (long)N * ITER);

	/* Trylock from another thread while held. */
	CHECK(pthread_mutex_lock(&lock) == 0);
	CHECK(pthread_create(&t[0], NULL, try_it, &lock) == 0);
	CHECK(pthread_join(t[0], &ret) == 0);
	printf("trylock while held: %s\n", (long)ret == EBUSY ? "EBUSY" : "?");
	CHECK(pthread_mutex_unlock(&lock) == 0);
	CHECK(pthread_create(&t[0], NULL, try_it, &lock) == 0);
	CHECK(pthread_join(t[0], &ret) == 0 && ret == NULL);
	CHECK(pthread_mutex_unlock(&lock) ==
	      0); /* a normal mutex: unlocking another's is allowed here */

	/* Recursive mutex. */
	CHECK(pthread_mutexattr_init(&ma) == 0);
	CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE) == 0);
	CHECK(pthread_mutex_init(&m, &ma) == 0);
	for (int i = 0; i < 5; i++)
		CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_mutex_trylock(&m) == 0);
	CHECK(pthread_create(&t[0], NULL, try_it, &m) == 0);
	CHECK(pthread_join(t[0], &ret) == 0 && (long)ret == EBUSY);
	for (int i = 0; i < 6; i++)
		CHECK(pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_mutex_unlock(&m) == EPERM);
	CHECK(pthread_mutex_destroy(&m) == 0);
	printf("recursive: locked 6 times, unlocked 6 times, then EPERM\n");

	/* Error-checking mutex. */
	CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK) == 0);
	CHECK(pthread_mutex_init(&m, &ma) == 0);
	CHECK(pthread_mutex_unlock(&m) == EPERM);
	CHECK(pthread_mutex_lock(&m) == 0);
	CHECK(pthread_mutex_lock(&m) == EDEADLK);
	CHECK(pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_mutex_destroy(&m) == 0);
	CHECK(pthread_mutexattr_destroy(&ma) == 0);
	printf("errorcheck: EPERM and EDEADLK\n");
	printf("ok\n");
	return 0;
}
