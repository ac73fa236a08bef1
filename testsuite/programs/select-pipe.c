/* Readiness: select/pselect on pipes: read and write sets, timeouts, EBADF, thread wake-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int p[2], q[2];

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
	CHECK(write(q[1], "w", 1) == 1);
	return NULL;
}

int main(void)
{
	fd_set rd, wr;
	struct timeval tv;
	struct timespec ts;
	sigset_t mask;
	pthread_t t;
	long long t0;
	int r, maxfd;
	char c;

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	maxfd = p[0];
	for (int fd = p[1]; fd <= q[1]; fd++)
		maxfd = fd > maxfd ? fd : maxfd;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(q[0], &rd);
	FD_SET(p[1], &wr);
	tv = (struct timeval){ 0, 0 };
	r = select(maxfd + 1, &rd, &wr, NULL, &tv);
	printf("idle: %d ready, p read %d, q read %d, p write %d\n", r, FD_ISSET(p[0], &rd),
	       FD_ISSET(q[0], &rd), FD_ISSET(p[1], &wr));

	CHECK(write(p[1], "abc", 3) == 3);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(q[0], &rd);
	r = select(maxfd + 1, &rd, NULL, NULL, NULL);
	printf("after write: %d ready, p read %d, q read %d\n", r, FD_ISSET(p[0], &rd),
	       FD_ISSET(q[0], &rd));
	CHECK(read(p[0], &c, 1) == 1);

	FD_ZERO(&rd);
	FD_SET(q[0], &rd);
	tv = (struct timeval){ 0, 40000 };
	t0 = now_ms();
	r = select(q[0] + 1, &rd, NULL, NULL, &tv);
	CHECK(r == 0 && now_ms() - t0 >= 35 && !FD_ISSET(q[0], &rd));
	printf("timeout: 0 ready\n");

	CHECK(pthread_create(&t, NULL, late_writer, NULL) == 0);
	FD_ZERO(&rd);
	FD_SET(q[0], &rd);
	tv = (struct timeval){ 5, 0 };
	r = select(q[0] + 1, &rd, NULL, NULL, &tv);
	printf("woken by another thread: %d ready, q read %d\n", r, FD_ISSET(q[0], &rd));
	CHECK(pthread_join(t, NULL) == 0);

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(q[0], &rd);
	ts = (struct timespec){ 0, 10 * 1000 * 1000 };
	r = pselect(maxfd + 1, &rd, NULL, NULL, &ts, &mask);
	printf("pselect: %d ready, p read %d, q read %d\n", r, FD_ISSET(p[0], &rd),
	       FD_ISSET(q[0], &rd));

	/* A closed descriptor in a set, and a negative nfds. */
	CHECK(close(q[1]) == 0);
	FD_ZERO(&rd);
	FD_SET(q[1], &rd);
	tv = (struct timeval){ 0, 0 };
	CHECK(select(maxfd + 1, &rd, NULL, NULL, &tv) == -1 && errno == EBADF);
	CHECK(select(-1, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL);
	tv = (struct timeval){ 0, -5 };
	CHECK(select(0, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL);

	/* EOF counts as readable. */
	FD_ZERO(&rd);
	FD_SET(q[0], &rd);
	r = select(q[0] + 1, &rd, NULL, NULL, NULL);
	CHECK(r == 1 && read(q[0], &c, 1) == 1 && read(q[0], &c, 1) == 0);
	printf("EOF is readable\n");

	/* select with no descriptors is a sleep. */
	tv = (struct timeval){ 0, 20000 };
	t0 = now_ms();
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0 && now_ms() - t0 >= 15);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(q[0]) == 0);
	printf("ok\n");
	return 0;
}
