/* Timers: timerfd one-shot, periodic, disarm, absolute deadline, non-blocking read. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(void)
{
	struct itimerspec its, cur;
	struct timespec now;
	struct pollfd pf;
	uint64_t exp, total;
	long long t0;
	int fd;

	alarm(WATCHDOG_SECONDS);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	printf("new timer is disarmed\n");

	/* One-shot after 30 ms. */
	its = (struct itimerspec){ .it_value = { 0, 30 * 1000 * 1000 } };
	t0 = now_ms();
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 30 * 1000 * 1000);
	CHECK(read(fd, &exp, sizeof(exp)) == sizeof(exp));
	CHECK(now_ms() - t0 >= 25);
	printf("one-shot: %llu expiration\n", (unsigned long long)exp);
	CHECK(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec == 0);

	/* Periodic, 10 ms: count at least five expirations in total. */
	its = (struct itimerspec){ .it_value = { 0, 10 * 1000 * 1000 },
				   .it_interval = { 0, 10 * 1000 * 1000 } };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	total = 0;
	while (total < 5) {
		CHECK(read(fd, &exp, sizeof(exp)) == sizeof(exp) && exp >= 1);
		total += exp;
	}
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10 * 1000 * 1000);
	printf("periodic: at least 5 expirations, interval kept\n");

	/* Disarm; a non-blocking read then has nothing. */
	its = (struct itimerspec){ 0 };
	CHECK(timerfd_settime(fd, 0, &its, &cur) == 0);
	CHECK(cur.it_interval.tv_nsec == 10 * 1000 * 1000);
	CHECK(close(fd) == 0);

	fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(read(fd, &exp, sizeof(exp)) == -1 && errno == EAGAIN);
	CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
	now.tv_nsec += 20 * 1000 * 1000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	its = (struct itimerspec){ .it_value = now };
	CHECK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&pf, 1, 5000) == 1);
	CHECK(read(fd, &exp, sizeof(exp)) == sizeof(exp) && exp == 1);
	printf("absolute realtime deadline: fired once\n");
	CHECK(read(fd, &exp, 4) == -1 && errno == EINVAL);
	CHECK(close(fd) == 0);

	CHECK(timerfd_create(12345, 0) == -1 && errno == EINVAL);
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	its = (struct itimerspec){ .it_value = { 0, 1000000000 } };
	CHECK(timerfd_settime(fd, 0, &its, NULL) == -1 && errno == EINVAL);
	CHECK(close(fd) == 0);
	printf("ok\n");
	return 0;
}
