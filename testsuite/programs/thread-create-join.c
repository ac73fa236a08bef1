/* pthread_create/join with return values, 200 threads in waves, attributes
 * (stack size, detached), pthread_self/equal, gettid unique per thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static pid_t tids[16];

static void *work(void *arg)
{
	long i = (long)arg;

	if (i < 16)
		tids[i] = gettid();
	return (void *)(i * i);
}

int main(void)
{
	pthread_t t[16];
	pthread_attr_t attr;
	long sum = 0;
	void *r;

	for (int wave = 0; wave < 12; wave++) {
		for (long i = 0; i < 16; i++)
			CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0);
		for (int i = 0; i < 16; i++) {
			CHECK(pthread_join(t[i], &r) == 0);
			sum += (long)r;
		}
	}
	printf("sum of squares x12: %ld\n", sum);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j] && tids[i] != gettid());

	pthread_attr_init(&attr);
	CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);
	CHECK(pthread_create(&t[0], &attr, work, (void *)3) == 0);
	CHECK(pthread_join(t[0], &r) == 0 && (long)r == 9);
	CHECK(pthread_equal(pthread_self(), pthread_self()));
	printf("ok\n");
	return 0;
}
