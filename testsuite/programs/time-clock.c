/* Clocks: monotonic never goes back, realtime agrees with time() and
 * gettimeofday(), resolutions, process and thread CPU clocks advance. */
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double sec(struct timespec t)
{
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec a, b, r, c0, c1;
	struct timeval tv;
	struct tms tms;
	volatile unsigned long spin = 0;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	for (int i = 0; i < 10000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
		CHECK(sec(b) >= sec(a));
		a = b;
	}
	CHECK(clock_gettime(CLOCK_REALTIME, &r) == 0);
	CHECK(gettimeofday(&tv, NULL) == 0);
	CHECK(tv.tv_sec - r.tv_sec <= 1 && tv.tv_sec >= r.tv_sec);
	CHECK(time(NULL) - r.tv_sec <= 1);
	CHECK(r.tv_sec > 1700000000);
	CHECK(clock_getres(CLOCK_MONOTONIC, &a) == 0 && a.tv_sec == 0 && a.tv_nsec > 0);
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0) == 0);
	while (spin < 20000000)
		spin++;
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1) == 0 && sec(c1) > sec(c0));
	CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1) == 0 && sec(c1) > 0);
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL);
	CHECK(times(&tms) != (clock_t)-1);
	CHECK(clock() >= 0);
	printf("ok\n");
	return 0;
}
