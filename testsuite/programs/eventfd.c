/* Readiness: eventfd counters, EFD_SEMAPHORE, EAGAIN, overflow, poll, a cross-thread wake-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "check.h"

static int efd;

static void *poster(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 100; i++) {
		uint64_t v = (uint64_t)i;

		CHECK(write(efd, &v, sizeof(v)) == sizeof(v));
	}
	return NULL;
}

int main(void)
{
	uint64_t v, total;
	struct pollfd pf;
	pthread_t t;
	int fd;

	alarm(WATCHDOG_SECONDS);
	fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fd >= 0);
	v = 10;
	CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
	CHECK(read(fd, &v, sizeof(v)) == sizeof(v));
	printf("counter: %llu\n", (unsigned long long)v);
	CHECK(read(fd, &v, sizeof(v)) == -1 && errno == EAGAIN);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL);
	CHECK(write(fd, &v, 4) == -1 && errno == EINVAL);
	v = UINT64_MAX;
	CHECK(write(fd, &v, sizeof(v)) == -1 && errno == EINVAL);
	v = UINT64_MAX - 1;
	CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
	v = 1;
	CHECK(write(fd, &v, sizeof(v)) == -1 && errno == EAGAIN);
	pf = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	CHECK(poll(&pf, 1, 0) == 1);
	printf("full counter: readable %d writable %d\n", !!(pf.revents & POLLIN),
	       !!(pf.revents & POLLOUT));
	CHECK(read(fd, &v, sizeof(v)) == sizeof(v) && v == UINT64_MAX - 1);
	CHECK(poll(&pf, 1, 0) == 1);
	printf("empty counter: readable %d writable %d\n", !!(pf.revents & POLLIN),
	       !!(pf.revents & POLLOUT));
	CHECK(close(fd) == 0);

	fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(fd >= 0);
	for (int i = 0; i < 3; i++)
		CHECK(read(fd, &v, sizeof(v)) == sizeof(v) && v == 1);
	CHECK(read(fd, &v, sizeof(v)) == -1 && errno == EAGAIN);
	printf("semaphore: three reads of 1, then EAGAIN\n");
	CHECK(close(fd) == 0);

	/* Blocking reads collect whatever the other thread added. */
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	CHECK(pthread_create(&t, NULL, poster, NULL) == 0);
	total = 0;
	while (total < 5050) {
		CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v > 0);
		total += v;
	}
	CHECK(pthread_join(t, NULL) == 0);
	printf("collected %llu from another thread\n", (unsigned long long)total);
	CHECK(close(efd) == 0);
	CHECK(eventfd(0, 0x7fffffff) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
