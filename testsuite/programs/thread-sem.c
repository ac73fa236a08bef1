/* Threads: POSIX semaphores (post/wait/trywait/timedwait) and a rwlock under contention. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define N      6
#define ROUNDS 500

static sem_t slots, tokens;
static long shared;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long table[16];

/* At most 2 threads at a time inside the section guarded by "slots". */
static volatile int inside, max_inside;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		while (sem_wait(&slots) != 0)
			CHECK(errno == EINTR);
		pthread_mutex_lock(&m);
		inside++;
		if (inside > max_inside)
			max_inside = inside;
		shared++;
		pthread_mutex_unlock(&m);
		pthread_mutex_lock(&m);
		inside--;
		pthread_mutex_unlock(&m);
		CHECK(sem_post(&slots) == 0);
	}
	CHECK(sem_post(&tokens) == 0);
	return NULL;
}

static void *reader(void *arg)
{
	long sum = 0;

	(void)arg;
	for (int i = 0; i < 2000; i++) {
		CHECK(pthread_rwlock_rdlock(&rw) == 0);
		long s = 0;
		for (int j = 0; j < 16; j++)
			s += table[j];
		/* Writers keep the sum of the table at zero. */
		CHECK(s == 0);
		sum += table[0] != 0;
		CHECK(pthread_rwlock_unlock(&rw) == 0);
	}
	return (void *)sum;
}

static void *writer(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < 2000; i++) {
		CHECK(pthread_rwlock_wrlock(&rw) == 0);
		table[i % 16] += id;
		table[(i + 1) % 16] -= id;
		CHECK(pthread_rwlock_unlock(&rw) == 0);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	struct timespec ts;
	int v;

	alarm(WATCHDOG_SECONDS);
	CHECK(sem_init(&slots, 0, 2) == 0 && sem_init(&tokens, 0, 0) == 0);
	for (int i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, work, NULL) == 0);
	for (int i = 0; i < N; i++)
		while (sem_wait(&tokens) != 0)
			CHECK(errno == EINTR);
	for (int i = 0; i < N; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(sem_getvalue(&slots, &v) == 0);
	CHECK(max_inside >= 1 && max_inside <= 2);
	printf("shared %ld, never more than 2 inside, slots back to %d\n", shared, v);

	CHECK(sem_trywait(&tokens) == -1 && errno == EAGAIN);
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK(sem_timedwait(&tokens, &ts) == -1 && errno == ETIMEDOUT);
	CHECK(sem_post(&tokens) == 0);
	CHECK(sem_timedwait(&tokens, &ts) == 0);
	ts.tv_nsec = -1;
	CHECK(sem_timedwait(&tokens, &ts) == -1 && errno == EINVAL);
	printf("trywait EAGAIN, timedwait ETIMEDOUT then success\n");
	CHECK(sem_destroy(&slots) == 0 && sem_destroy(&tokens) == 0);

	/* rwlock: 4 readers and 2 writers. */
	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, reader, NULL) == 0);
	for (long i = 4; i < 6; i++)
		CHECK(pthread_create(&t[i], NULL, writer, (void *)i) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	long s = 0;
	for (int j = 0; j < 16; j++)
		s += table[j] * (j + 1);
	printf("rwlock: table invariant held, weighted sum %ld\n", s);
	CHECK(pthread_rwlock_tryrdlock(&rw) == 0);
	CHECK(pthread_rwlock_trywrlock(&rw) == EBUSY);
	CHECK(pthread_rwlock_unlock(&rw) == 0);
	printf("ok\n");
	return 0;
}
