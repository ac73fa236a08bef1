/* Time: nanosleep, clock_nanosleep relative/absolute, usleep: never shorter than asked. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	CHECK(clock_gettime(clk, &ts) == 0);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	struct timespec req, rem;
	long long t0, dt;

	alarm(WATCHDOG_SECONDS);
	req = (struct timespec){ 0, 50 * 1000 * 1000 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(nanosleep(&req, &rem) == 0);
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(dt >= 50 * 1000 * 1000);
	printf("nanosleep 50 ms: slept at least that long\n");

	req = (struct timespec){ 0, 30 * 1000 * 1000 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 30 * 1000 * 1000);
	printf("clock_nanosleep relative 30 ms: ok\n");

	t0 = now_ns(CLOCK_MONOTONIC) + 25 * 1000 * 1000;
	req = (struct timespec){ (time_t)(t0 / 1000000000), (long)(t0 % 1000000000) };
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >= t0);
	printf("clock_nanosleep absolute monotonic: woke after the deadline\n");

	t0 = now_ns(CLOCK_REALTIME) + 20 * 1000 * 1000;
	req = (struct timespec){ (time_t)(t0 / 1000000000), (long)(t0 % 1000000000) };
	CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL) == 0);
	CHECK(now_ns(CLOCK_REALTIME) >= t0);
	printf("clock_nanosleep absolute realtime: woke after the deadline\n");

	/* A deadline in the past returns at once. */
	req = (struct timespec){ 1, 0 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 1000LL * 1000 * 1000);
	printf("past deadline: immediate\n");

	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(usleep(20000) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20 * 1000 * 1000);
	CHECK(sleep(0) == 0);
	req = (struct timespec){ 0, 0 };
	CHECK(nanosleep(&req, NULL) == 0);
	printf("usleep 20 ms, sleep(0), zero nanosleep: ok\n");

	req = (struct timespec){ 0, 1000000000 };
	CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	req = (struct timespec){ -1, 0 };
	CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	req = (struct timespec){ 0, -1 };
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == EINVAL);
	req = (struct timespec){ 0, 1000 };
	CHECK(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL) == EINVAL);
	printf("invalid requests: EINVAL\n");
	printf("ok\n");
	return 0;
}
