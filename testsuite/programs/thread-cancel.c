/* Threads: pthread_cancel in read() and nanosleep(), cleanup handlers, disabled cancellation. */
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

static int p[2];
static sem_t started, resume;
static volatile int cleaned;

static void cleanup(void *arg)
{
	cleaned += (int)(long)arg;
}

static void *blocked_reader(void *arg)
{
	char c;

	(void)arg;
	pthread_cleanup_push(cleanup, (void *)1);
	CHECK(sem_post(&started) == 0);
	(void)!read(p[0], &c, 1); /* nobody writes: only cancellation ends this */
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *sleeper(void *arg)
{
	struct timespec d = { 0, 1000 * 1000 };

	(void)arg;
	pthread_cleanup_push(cleanup, (void *)10);
	CHECK(sem_post(&started) == 0);
	for (;;)
		nanosleep(&d, NULL);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *uncancellable(void *arg)
{
	int old;

	(void)arg;
	CHECK(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old) == 0);
	CHECK(old == PTHREAD_CANCEL_ENABLE);
	CHECK(sem_post(&started) == 0);
	/* main cancels, then posts: sem_wait is a cancellation point, but disabled here */
	while (sem_wait(&resume) != 0)
		CHECK(errno == EINTR);
	CHECK(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old) == 0);
	pthread_testcancel();
	return (void *)5; /* not reached */
}

int main(void)
{
	pthread_t t;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(p) == 0);
	CHECK(sem_init(&started, 0, 0) == 0 && sem_init(&resume, 0, 0) == 0);

	CHECK(pthread_create(&t, NULL, blocked_reader, NULL) == 0);
	CHECK(sem_wait(&started) == 0);
	CHECK(pthread_cancel(t) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	printf("blocked in read: canceled %d, cleanup total %d\n", ret == PTHREAD_CANCELED,
	       cleaned);

	CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
	CHECK(sem_wait(&started) == 0);
	CHECK(pthread_cancel(t) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	printf("sleeping loop: canceled %d, cleanup total %d\n", ret == PTHREAD_CANCELED, cleaned);

	CHECK(pthread_create(&t, NULL, uncancellable, NULL) == 0);
	CHECK(sem_wait(&started) == 0);
	CHECK(pthread_cancel(t) == 0);
	CHECK(sem_post(&resume) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	printf("cancellation disabled, then enabled: canceled %d\n", ret == PTHREAD_CANCELED);

	/* The pipe is intact and usable after the canceled read. */
	CHECK(write(p[1], "z", 1) == 1);
	char c;
	CHECK(read(p[0], &c, 1) == 1 && c == 'z');
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	printf("ok\n");
	return 0;
}
