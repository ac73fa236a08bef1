/* Barriers (one serial thread per round), rwlocks (readers share, writers
 * exclude), semaphores and pthread_once across 8 threads. */
#include <pthread.h>
#include <semaphore.h>

#include "check.h"

#define T 8
#define ROUNDS 50

static pthread_barrier_t bar;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static sem_t sem;
static long shared, serials, once_runs;

static void init_once(void)
{
	once_runs++;
}

static void *run(void *arg)
{
	(void)arg;
	pthread_once(&once, init_once);
	for (int r = 0; r < ROUNDS; r++) {
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
		pthread_rwlock_wrlock(&rw);
		shared++;
		pthread_rwlock_unlock(&rw);
		pthread_rwlock_rdlock(&rw);
		CHECK(shared > 0);
		pthread_rwlock_unlock(&rw);
	}
	sem_post(&sem);
	return NULL;
}

int main(void)
{
	pthread_t t[T];
	int v;

	CHECK(pthread_barrier_init(&bar, NULL, T) == 0);
	CHECK(sem_init(&sem, 0, 0) == 0);
	for (int i = 0; i < T; i++)
		CHECK(pthread_create(&t[i], NULL, run, NULL) == 0);
	for (int i = 0; i < T; i++)
		CHECK(sem_wait(&sem) == 0);
	for (int i = 0; i < T; i++)
		pthread_join(t[i], NULL);
	CHECK(sem_getvalue(&sem, &v) == 0 && v == 0);
	CHECK(sem_trywait(&sem) == -1 && errno == EAGAIN);
	printf("shared %ld serial rounds %ld once %ld\n", shared, serials, once_runs);
	pthread_barrier_destroy(&bar);
	return 0;
}
