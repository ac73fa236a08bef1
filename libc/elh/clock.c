#include <stdint.h>
#include <time.h>
#include "elh.h"
#include "elh-client.h"

/* clock_gettime without a call: the monitor publishes a map from the TSC
 * to CLOCK_MONOTONIC and the realtime offset (elh-abi.h); this reads it
 * under its sequence lock.  Other clocks, and every clock before the map
 * exists or outside elh, make the call. */

int __elh_clock_gettime(clockid_t clk, struct timespec *ts)
{
	struct elh_shared *s = __elh_shared;
	uint64_t ns;

	if (!s || (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME) ||
	    elh_client_clock(s, clk == CLOCK_MONOTONIC, &ns) < 0)
		return -1;
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}
