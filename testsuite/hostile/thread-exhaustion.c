/* Many threads at once, all waiting, until creation fails or 300 run (past the 256 vCPUs a 1,024-fd
 * host leaves): a failure is EAGAIN (elh's vCPUs may run out before Linux's threads do), every
 * thread created is joined, and threads can be created again afterwards; then as many again, one
 * after the other (vCPUs reused). */
#include <pthread.h>
#include <unistd.h>

#include "hostile.h"

#define MAX 300

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int released, arrived;

static void *waiter(void *arg)
{
	pthread_mutex_lock(&lock);
	arrived++;
	while (!released)
		pthread_cond_wait(&go, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	static pthread_t t[MAX];
	pthread_attr_t attr;
	int n, err = 0;

	hostile_init(argc, argv);
	alarm(100);
	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);
	for (n = 0; n < MAX; n++) {
		err = pthread_create(&t[n], &attr, waiter, (void *)(long)n);
		if (err)
			break;
	}
	CHECK(err == 0 || err == EAGAIN);
	CHECK(n > 0);
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&go);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < n; i++) {
		void *r;

		CHECK(pthread_join(t[i], &r) == 0 && r == (void *)(long)i);
	}
	CHECK(arrived == n);
	for (int i = 0; i < MAX; i++) {
		pthread_t one;

		CHECK(pthread_create(&one, &attr, nothing, NULL) == 0);
		CHECK(pthread_join(one, NULL) == 0);
	}
	puts("all joined");
	return 0;
}
