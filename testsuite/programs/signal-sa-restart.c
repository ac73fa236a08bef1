/* Signals: a pipe read interrupted by SIGALRM: EINTR without SA_RESTART, restarted with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t handled;
static int p[2];

static void on_alarm(int sig)
{
	(void)sig;
	handled++;
}

/* Writes one byte once the handler has run (this thread has SIGALRM blocked). */
static void *feeder(void *arg)
{
	struct timespec d = { 0, 5 * 1000 * 1000 };

	(void)arg;
	while (!handled)
		nanosleep(&d, NULL);
	nanosleep(&d, NULL);
	CHECK(write(p[1], "r", 1) == 1);
	return NULL;
}

static ssize_t interrupted_read(int flags, char *c)
{
	struct sigaction sa;
	struct itimerval it = { .it_value = { 0, 30000 } };
	sigset_t set;
	pthread_t t;
	ssize_t n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	handled = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(pthread_create(&t, NULL, feeder, NULL) == 0);
	CHECK(pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	n = read(p[0], c, 1);
	CHECK(pthread_join(t, NULL) == 0);
	return n;
}

int main(void)
{
	char c = 0;
	ssize_t n;

	/* No alarm() watchdog here: it would share the timer with setitimer. */
	CHECK(pipe(p) == 0);

	/* If the signal came before read() blocked, read simply gets the byte: try again. */
	for (int try = 0; try < 10; try++) {
		n = interrupted_read(0, &c);
		if (n == -1 && errno == EINTR)
			break;
		CHECK(n == 1 && c == 'r');
	}
	printf("without SA_RESTART: read returned %zd, EINTR %d, handler ran %d\n", n,
	       n < 0 && errno == EINTR, (int)handled);
	CHECK(n == -1 && errno == EINTR);
	CHECK(read(p[0], &c, 1) == 1 && c == 'r'); /* the byte arrived later */

	c = 0;
	n = interrupted_read(SA_RESTART, &c);
	printf("with SA_RESTART: read returned %zd '%c', handler ran %d\n", n, c, (int)handled);
	CHECK(n == 1 && c == 'r');

	/* Some calls are never restarted: nanosleep reports EINTR and the time left. */
	struct itimerval it = { .it_value = { 0, 20000 } };
	struct timespec req = { 0, 500 * 1000 * 1000 }, rem = { 0, 0 };
	int r = 0;
	for (int try = 0; try < 5 && r == 0; try++) {
		CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
		r = nanosleep(&req, &rem);
	}
	CHECK(r == -1 && errno == EINTR);
	CHECK(rem.tv_sec == 0 && rem.tv_nsec > 0 && rem.tv_nsec < req.tv_nsec);
	printf("nanosleep with SA_RESTART: EINTR, remaining time reported\n");
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	printf("ok\n");
	return 0;
}
