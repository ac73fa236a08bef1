/* Signals: alarm() replaces and cancels, then SIGALRM interrupts pause() (about 1 s). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t rings;

static void ring(int sig)
{
	if (sig == SIGALRM)
		rings++;
}

int main(void)
{
	struct sigaction sa;
	struct timespec a, b;
	unsigned int left;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ring;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);

	CHECK(alarm(0) == 0);
	CHECK(alarm(30) == 0);
	left = alarm(20);
	CHECK(left >= 29 && left <= 30);
	left = alarm(0);
	CHECK(left >= 19 && left <= 20);
	CHECK(alarm(0) == 0);
	printf("alarm replaced and cancelled\n");

	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(alarm(1) == 0);
	CHECK(pause() == -1 && errno == EINTR);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	CHECK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 900);
	printf("pause returned EINTR after SIGALRM; handler ran %d time(s)\n", (int)rings);
	CHECK(alarm(0) == 0);
	printf("ok\n");
	return 0;
}
