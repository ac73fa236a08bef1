/* Mutexes and condition variables: a bounded queue between 4 producers and
 * 4 consumers; recursive and error-checking mutexes; timed waits. */
#include <pthread.h>
#include <time.h>

#include "check.h"

#define N 20000
#define SLOTS 8

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long q[SLOTS], head, tail, consumed_sum;

static void *producer(void *arg)
{
	for (long i = 1; i <= N; i++) {
		pthread_mutex_lock(&m);
		while (tail - head == SLOTS)
			pthread_cond_wait(&not_full, &m);
		q[tail++ % SLOTS] = i + (long)arg * 0;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (long i = 0; i < N; i++) {
		pthread_mutex_lock(&m);
		while (tail == head)
			pthread_cond_wait(&not_empty, &m);
		consumed_sum += q[head++ % SLOTS];
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(void)
{
	pthread_t p[4], c[4];
	pthread_mutexattr_t a;
	pthread_mutex_t rec, chk;
	struct timespec ts;

	for (long i = 0; i < 4; i++) {
		CHECK(pthread_create(&p[i], NULL, producer, (void *)i) == 0);
		CHECK(pthread_create(&c[i], NULL, consumer, NULL) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(p[i], NULL);
		pthread_join(c[i], NULL);
	}
	printf("consumed sum %ld (expected %ld)\n", consumed_sum, 4L * N * (N + 1) / 2);

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	CHECK(pthread_mutex_lock(&rec) == 0 && pthread_mutex_lock(&rec) == 0);
	CHECK(pthread_mutex_unlock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&chk, &a);
	CHECK(pthread_mutex_lock(&chk) == 0 && pthread_mutex_lock(&chk) == EDEADLK);
	CHECK(pthread_mutex_unlock(&chk) == 0 && pthread_mutex_unlock(&chk) == EPERM);
	CHECK(pthread_mutex_trylock(&m) == 0 && pthread_mutex_trylock(&m) == EBUSY);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK(pthread_cond_timedwait(&not_empty, &m, &ts) == ETIMEDOUT);
	pthread_mutex_unlock(&m);
	printf("ok\n");
	return 0;
}
