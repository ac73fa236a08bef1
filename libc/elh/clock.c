#include <stdint.h>
#include <time.h>
#include "elh.h"

/* clock_gettime without a call: the monitor publishes a map from the TSC
 * to CLOCK_MONOTONIC and the realtime offset (elh-abi.h); this reads it
 * under its sequence lock.  Other clocks, and every clock before the map
 * exists or outside elh, make the call. */

int __elh_clock_gettime(clockid_t clk, struct timespec *ts)
{
	struct elh_shared *s = __elh_shared;
	struct elh_clock *c;
	uint64_t base, tsc_base, mult, ns;
	int64_t off;
	uint32_t seq, lo, hi;

	if (!s || (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME))
		return -1;
	c = &s->clock;
	do {
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if (!(__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & ELH_CLOCK_VALID))
			return -1;
		tsc_base = __atomic_load_n(&c->tsc_base, __ATOMIC_RELAXED);
		base = __atomic_load_n(&c->mono_base, __ATOMIC_RELAXED);
		mult = __atomic_load_n(&c->mult, __ATOMIC_RELAXED);
		off = __atomic_load_n(&c->real_offset, __ATOMIC_RELAXED);
		__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	} while ((seq & 1) || __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != seq);

	ns = ((uint64_t)hi << 32 | lo);
	ns = ns > tsc_base ? (uint64_t)(((unsigned __int128)(ns - tsc_base) * mult) >> 32) : 0;
	ns += base;
	if (clk == CLOCK_REALTIME)
		ns += off;
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}
