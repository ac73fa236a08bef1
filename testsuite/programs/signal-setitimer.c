/* Signals: setitimer(ITIMER_REAL) ticks wake sigsuspend(); getitimer; one-shot vs pause(). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	if (sig == SIGALRM)
		ticks++;
}

int main(void)
{
	struct itimerval it, cur;
	struct sigaction sa;
	struct timespec a, b;
	sigset_t block, wait_mask;
	int wakeups = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tick;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

	/* Block SIGALRM outside sigsuspend so that no tick is lost between checks. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	CHECK(sigprocmask(SIG_BLOCK, &block, &wait_mask) == 0);
	sigdelset(&wait_mask, SIGALRM);

	it.it_value = (struct timeval){ 0, 20000 };
	it.it_interval = (struct timeval){ 0, 20000 };
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000);
	while (ticks < 5) {
		CHECK(sigsuspend(&wait_mask) == -1 && errno == EINTR);
		wakeups++;
	}
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	CHECK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 95);
	CHECK(wakeups == ticks);
	printf("5 ticks, each woke sigsuspend\n");

	/* Disarm: the old value is returned, and no more ticks come. */
	memset(&it, 0, sizeof(it));
	CHECK(setitimer(ITIMER_REAL, &it, &cur) == 0);
	CHECK(cur.it_interval.tv_usec == 20000);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	CHECK(sigprocmask(SIG_SETMASK, &wait_mask, NULL) == 0);
	ticks = 0;
	struct timespec d = { 0, 60 * 1000 * 1000 };
	CHECK(nanosleep(&d, NULL) == 0);
	printf("disarmed: %d ticks while sleeping\n", (int)ticks);

	/* A one-shot timer interrupts a blocking pause(). */
	it.it_value = (struct timeval){ 0, 30000 };
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(pause() == -1 && errno == EINTR);
	printf("one-shot: pause interrupted, ticks %d\n", (int)ticks);

	it.it_value = (struct timeval){ 0, 1000000 };
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == -1 && errno == EINVAL);
	CHECK(setitimer(12345, &it, NULL) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
