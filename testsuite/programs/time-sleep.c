/* nanosleep and clock_nanosleep (relative and absolute) sleep at least as
 * long as asked; invalid arguments are refused. */
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec d = { 0, 50 * 1000 * 1000 }, abs;
	double t0 = now();

	CHECK(nanosleep(&d, NULL) == 0);
	CHECK(now() - t0 >= 0.05);
	t0 = now();
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0);
	CHECK(now() - t0 >= 0.05);
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0);
	CHECK(now() >= abs.tv_sec + abs.tv_nsec / 1e9);
	d.tv_nsec = 2000000000;
	CHECK(nanosleep(&d, NULL) == -1 && errno == EINVAL);
	CHECK(usleep(1000) == 0);
	printf("ok\n");
	return 0;
}
