/* sigwait and sigtimedwait beside other threads: a signal the process
 * sends itself while every thread blocks it is there for a sigtimedwait
 * that follows, even one that does not wait; a blocked signal whose
 * default action is to ignore it stays pending; signals are taken lowest
 * first. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void *idle(void *arg)
{
	int *stop = arg;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE))
		usleep(1000);
	return NULL;
}

int main(void)
{
	const struct timespec zero = { 0, 0 }, second = { 1, 0 };
	sigset_t set, one;
	pthread_t t;
	int stop = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(pthread_create(&t, NULL, idle, &stop) == 0);

	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(sigtimedwait(&one, NULL, &zero) == SIGUSR1);
	CHECK(sigtimedwait(&one, NULL, &zero) == -1 && errno == EAGAIN);
	printf("SIGUSR1 sent to the process: taken without waiting\n");

	sigemptyset(&one);
	sigaddset(&one, SIGWINCH);
	CHECK(kill(getpid(), SIGWINCH) == 0);
	CHECK(sigtimedwait(&one, NULL, &second) == SIGWINCH);
	printf("SIGWINCH, blocked, stayed pending\n");

	CHECK(kill(getpid(), SIGTERM) == 0);
	CHECK(kill(getpid(), SIGHUP) == 0);
	CHECK(sigtimedwait(&set, NULL, &second) == SIGHUP);
	CHECK(sigtimedwait(&set, NULL, &second) == SIGTERM);
	CHECK(sigtimedwait(&set, NULL, &zero) == -1 && errno == EAGAIN);
	printf("SIGTERM and SIGHUP: lowest first\n");

	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	CHECK(pthread_join(t, NULL) == 0);
	return 0;
}
