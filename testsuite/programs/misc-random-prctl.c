/* getrandom (blocking, non-blocking, sizes), prctl name round trip,
 * sched_yield, sched_getaffinity. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	unsigned char buf[256];
	char name[16];
	cpu_set_t set;
	int zeros = 0;

	memset(buf, 0, sizeof(buf));
	CHECK(getrandom(buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	printf("got %zu random bytes, not all zero: %d\n", sizeof(buf), zeros < 32);
	CHECK(getrandom(buf, 16, GRND_NONBLOCK) == 16);
	CHECK(getrandom(buf, 16, 0x1000) == -1 && errno == EINVAL);
	CHECK(prctl(PR_SET_NAME, "elh-corpus") == 0);
	CHECK(prctl(PR_GET_NAME, name) == 0);
	printf("name %s\n", name);
	CHECK(sched_yield() == 0);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1);
	printf("ok\n");
	return 0;
}
