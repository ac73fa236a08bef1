/* Readiness: poll/ppoll on pipes: timeouts, IN/OUT/HUP/ERR/NVAL, a wake-up by another thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int p[2];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void *late_writer(void *arg)
{
	struct timespec d = { 0, 30 * 1000 * 1000 };

	(void)arg;
	nanosleep(&d, NULL);
	CHECK(write(p[1], "w", 1) == 1);
	return NULL;
}

static void show(const char *what, struct pollfd *f, int n, int r)
{
	printf("%s: returned %d;", what, r);
	for (int i = 0; i < n; i++)
		printf(" [%s%s%s%s%s]", f[i].revents & POLLIN ? "IN" : "",
		       f[i].revents & POLLOUT ? "OUT" : "", f[i].revents & POLLHUP ? "HUP" : "",
		       f[i].revents & POLLERR ? "ERR" : "", f[i].revents & POLLNVAL ? "NVAL" : "");
	printf("\n");
}

int main(void)
{
	struct pollfd f[4];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pthread_t t;
	long long t0;
	char c;
	int r;

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(p) == 0);
	f[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	f[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	f[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	f[3] = (struct pollfd){ .fd = 1000, .events = POLLIN };
	r = poll(f, 4, 0);
	show("empty pipe", f, 4, r);

	t0 = now_ms();
	r = poll(f, 1, 50);
	CHECK(r == 0 && now_ms() - t0 >= 45);
	printf("50 ms timeout expired\n");

	CHECK(write(p[1], "x", 1) == 1);
	r = poll(f, 2, -1);
	show("after a write", f, 2, r);
	CHECK(read(p[0], &c, 1) == 1);

	CHECK(pthread_create(&t, NULL, late_writer, NULL) == 0);
	r = poll(f, 1, 5000);
	show("woken by another thread", f, 1, r);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(read(p[0], &c, 1) == 1);

	/* ppoll with a timespec and a signal mask. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	t0 = now_ms();
	r = ppoll(f, 1, &ts, &mask);
	CHECK(r == 0 && now_ms() - t0 >= 15);
	printf("ppoll timed out\n");
	ts = (struct timespec){ 0, -1 };
	CHECK(ppoll(f, 1, &ts, NULL) == -1 && errno == EINVAL);

	CHECK(close(p[1]) == 0);
	f[0].events = POLLIN;
	r = poll(f, 1, -1);
	show("writer closed", f, 1, r);
	CHECK(close(p[0]) == 0);

	CHECK(pipe(p) == 0);
	CHECK(close(p[0]) == 0);
	f[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	r = poll(f, 1, -1);
	show("reader closed", f, 1, r);
	CHECK(close(p[1]) == 0);
	CHECK(poll(NULL, 0, 10) == 0);
	printf("ok\n");
	return 0;
}
