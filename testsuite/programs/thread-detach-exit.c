/* Threads: detached threads, pthread_exit values and cleanup, main ending in pthread_exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static sem_t done, main_gone;
static atomic_long total;

static void *detached(void *arg)
{
	atomic_fetch_add(&total, (long)arg);
	CHECK(sem_post(&done) == 0);
	return NULL;
}

static void helper_exit(long v)
{
	pthread_exit((void *)(v * 2));
}

static void *exits_early(void *arg)
{
	helper_exit((long)arg);
	return NULL; /* not reached */
}

static void cleanup(void *arg)
{
	printf("cleanup handler: %s\n", (const char *)arg);
}

static void *with_cleanup(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, "ran on pthread_exit");
	pthread_exit((void *)7);
	pthread_cleanup_pop(0);
	return NULL;
}

/* Outlives main's pthread_exit; the process ends, with status 0, when it returns. */
static void *last_one(void *arg)
{
	(void)arg;
	while (sem_wait(&main_gone) != 0)
		CHECK(errno == EINTR);
	printf("last thread finishing after main called pthread_exit\n");
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t t;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	CHECK(sem_init(&done, 0, 0) == 0 && sem_init(&main_gone, 0, 0) == 0);
	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
	for (long i = 1; i <= 10; i++)
		CHECK(pthread_create(&t, &attr, detached, (void *)i) == 0);
	for (int i = 0; i < 10; i++)
		CHECK(sem_wait(&done) == 0);
	printf("10 detached threads reported, total %ld\n", atomic_load(&total));

	CHECK(pthread_create(&t, NULL, detached, (void *)100) == 0);
	CHECK(pthread_detach(t) == 0);
	CHECK(sem_wait(&done) == 0);

	CHECK(pthread_create(&t, NULL, exits_early, (void *)21) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	printf("pthread_exit value %ld\n", (long)ret);
	CHECK(pthread_create(&t, NULL, with_cleanup, NULL) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	printf("with cleanup: value %ld\n", (long)ret);

	CHECK(pthread_create(&t, NULL, last_one, NULL) == 0);
	printf("main calls pthread_exit\n");
	fflush(stdout);
	CHECK(sem_post(&main_gone) == 0);
	pthread_exit(NULL);
}
