/* Thread-local storage (__thread and pthread keys with destructors),
 * detached threads, pthread_exit from a thread and from main. */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static __thread long tls = 100;
static pthread_key_t key;
static long destructed;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int detached_done;

static void destructor(void *v)
{
	__atomic_add_fetch(&destructed, (long)v, __ATOMIC_RELAXED);
}

static void *with_tls(void *arg)
{
	long i = (long)arg;

	CHECK(tls == 100);
	tls = i;
	pthread_setspecific(key, (void *)i);
	if (i == 3)
		pthread_exit((void *)(tls * 10));
	return (void *)(tls * 10);
}

static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	detached_done = 1;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t[6];
	pthread_attr_t a;
	long sum = 0;
	void *r;

	CHECK(pthread_key_create(&key, destructor) == 0);
	for (long i = 0; i < 6; i++)
		CHECK(pthread_create(&t[i], NULL, with_tls, (void *)i) == 0);
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("tls results %ld, main tls %ld, destructors %ld\n", sum, tls, destructed);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	CHECK(pthread_create(&t[0], &a, detached, NULL) == 0);
	pthread_mutex_lock(&m);
	while (!detached_done)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	printf("detached thread ran\n");
	fflush(stdout);
	pthread_exit(NULL); /* the process ends when the last thread does */
}
