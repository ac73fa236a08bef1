/* ppoll and pselect with a signal mask, the race-free wait for a signal:
 * a signal every thread blocks, sent to the process by another thread,
 * interrupts the one call whose mask lets it through, and its handler
 * runs there. */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got;
static pthread_t waiter;
static volatile int in_handler_on_waiter;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
	in_handler_on_waiter = pthread_equal(pthread_self(), waiter);
}

static void *sender(void *arg)
{
	const struct timespec delay = { 0, 50 * 1000 * 1000 };

	(void)arg;
	nanosleep(&delay, NULL);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	const struct timespec limit = { 10, 0 };
	sigset_t usr1, none;
	struct pollfd pfd;
	fd_set rd;
	int p[2];
	pthread_t t;

	CHECK(pipe(p) == 0);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	CHECK(pthread_sigmask(SIG_BLOCK, &usr1, NULL) == 0);
	waiter = pthread_self();

	pfd.fd = p[0];
	pfd.events = POLLIN;
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	CHECK(ppoll(&pfd, 1, &limit, &none) == -1 && errno == EINTR);
	CHECK(got == 1 && in_handler_on_waiter);
	CHECK(pthread_join(t, NULL) == 0);
	printf("ppoll: interrupted, handler on the waiting thread\n");

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &limit, &none) == -1 && errno == EINTR);
	CHECK(got == 2 && in_handler_on_waiter);
	CHECK(pthread_join(t, NULL) == 0);
	printf("pselect: interrupted, handler on the waiting thread\n");
	return 0;
}
