/* Time: each clock readable, monotonic never goes back, realtime views agree, CPU time. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int main(void)
{
	static const struct {
		clockid_t id;
		const char *name;
	} clocks[] = {
		{ CLOCK_REALTIME, "CLOCK_REALTIME" },
		{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
		{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
		{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
		{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
		{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
		{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
		{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
	};
	struct timespec a, b, res;
	struct timeval tv;
	struct tms tm;
	time_t t;
	volatile unsigned long spin = 0;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		CHECK(clock_gettime(clocks[i].id, &a) == 0);
		CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
		CHECK(clock_getres(clocks[i].id, &res) == 0);
		CHECK(res.tv_sec == 0 && res.tv_nsec > 0);
		printf("%-24s readable, resolution <= 1s\n", clocks[i].name);
	}

	/* Monotonic time never decreases, across many reads. */
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	for (int i = 0; i < 20000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
		CHECK(ns(&b) >= ns(&a));
		a = b;
	}
	printf("monotonic: 20000 reads never went back\n");

	/* The three views of wall-clock time agree to within a second or two. */
	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0);
	CHECK(gettimeofday(&tv, NULL) == 0);
	t = time(NULL);
	CHECK(t > 1600000000); /* after September 2020 */
	CHECK(tv.tv_sec - a.tv_sec >= 0 && tv.tv_sec - a.tv_sec <= 2);
	CHECK(t - tv.tv_sec >= 0 && t - tv.tv_sec <= 2);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	printf("realtime, gettimeofday and time agree\n");

	/* CPU time advances when the process computes. */
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);
	for (unsigned long i = 0; i < 20000000; i++)
		spin += i;
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b) == 0);
	CHECK(ns(&b) > ns(&a));
	CHECK(clock() >= 0);
	CHECK(times(&tm) != (clock_t)-1);
	printf("CPU time advances while computing\n");

	CHECK(clock_gettime((clockid_t)12345, &a) == -1 && errno == EINVAL);
	CHECK(clock_getres((clockid_t)12345, &a) == -1 && errno == EINVAL);
	CHECK(clock_settime(CLOCK_MONOTONIC, &a) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
