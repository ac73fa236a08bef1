/* timerfd: a one-shot and a periodic timer read through read() and poll(). */
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { .it_value = { 0, 30 * 1000 * 1000 } }, cur;
	struct pollfd pf = { .fd = t, .events = POLLIN };
	uint64_t n;

	CHECK(t >= 0);
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_nsec > 0);
	CHECK(read(t, &n, 8) == 8 && n == 1);
	its.it_interval.tv_nsec = 10 * 1000 * 1000;
	its.it_value.tv_nsec = 10 * 1000 * 1000;
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(poll(&pf, 1, 1000) == 1);
		CHECK(read(t, &n, 8) == 8 && n >= 1);
	}
	its = (struct itimerspec){ 0 };
	CHECK(timerfd_settime(t, 0, &its, &cur) == 0);
	CHECK(poll(&pf, 1, 50) == 0);
	CHECK(read(t, &n, 4) == -1 && errno == EINVAL);
	close(t);
	printf("ok\n");
	return 0;
}
