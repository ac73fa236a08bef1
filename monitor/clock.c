/*
 * The guest's clock: a map from the TSC to CLOCK_MONOTONIC, published in
 * the exit-less area (elh-abi.h has the sequence-lock protocol), so that
 * elh-musl answers clock_gettime without a call.
 *
 * A monitor thread re-derives the map every CLOCK_PERIOD_NS.  The rate is
 * measured over the whole run (TSC ticks against CLOCK_MONOTONIC since
 * start), and the map stays continuous: an update starts where the old map
 * stands at that instant and corrects the remaining error by slewing, at
 * most SLEW_PPM, over the next period.  Monotonic time never goes back;
 * it follows the host's CLOCK_MONOTONIC (including NTP's frequency
 * corrections) within a few microseconds once the first seconds have
 * calibrated the rate.  Realtime is monotonic time plus the host's current
 * offset, read at each update: a host clock step shows up in the guest
 * within one period.
 *
 * The map needs a TSC that ticks at a constant rate in every state and
 * agrees across CPUs (constant_tsc and nonstop_tsc), and a guest whose TSC
 * is the host's (vm->tsc_host): always on systrap; on kvm where the
 * platform found or made every vCPU's TSC offset 0 (on PVM it is 0 by
 * design).  Where not, the flag stays clear and clock_gettime takes the
 * exit-less queue like any other call.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elh-abi.h"
#include "errors.h"
#include "exitless.h"
#include "platform.h"
#include "vm.h"

#define CLOCK_PERIOD_NS 100000000ull /* between two updates */
#define CLOCK_FIRST_NS	20000000ull  /* until the first map */
#define SLEW_PPM	1000	     /* the largest rate correction */
#define STEP_NS		10000000     /* an error this large steps (forward only) */

static struct {
	struct elh_clock *pub;
	uint64_t tsc0, mono0; /* the calibration's start */
	uint32_t *spin_tsc;   /* the guest's spin budget, in ticks */
	uint32_t spin_ns;     /* the same in ns */
	int disabled;	      /* elh_clock_disable(): no map any more */
} clk;

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t ns_of(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A TSC reading and CLOCK_MONOTONIC taken together: the pair with the
 * shortest window of three. */
static void sample(uint64_t *tsc, uint64_t *mono)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t a = rdtsc_ordered(), m = ns_of(CLOCK_MONOTONIC), b = rdtsc_ordered();

		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*mono = m;
		}
	}
}

static int tsc_usable(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];
	int ok = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		ok = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
		break;
	}
	fclose(f);
	return ok;
}

static void publish(void)
{
	struct elh_clock *c = clk.pub;
	uint64_t tsc, mono, real, rate, mult, pred;
	int64_t err, corr;
	uint32_t seq = c->seq;

	__atomic_store_n(&c->seq, seq + 1, __ATOMIC_SEQ_CST);
	__asm__ volatile("mfence" ::: "memory");
	sample(&tsc, &mono);
	real = ns_of(CLOCK_REALTIME);

	/* ns per tick over the whole run, times 2^32 */
	rate = (uint64_t)(((unsigned __int128)(mono - clk.mono0) << 32) / (tsc - clk.tsc0));
	if (c->flags & ELH_CLOCK_VALID) {
		pred = c->mono_base +
		       (uint64_t)(((unsigned __int128)(tsc - c->tsc_base) * c->mult) >> 32);
		err = (int64_t)(mono - pred);
	} else {
		pred = mono;
		err = 0;
	}
	if (err > STEP_NS) {
		pred = mono; /* a jump forward is allowed; back never */
		err = 0;
	}
	/* Absorb err over the next period: rate * (1 + err / period), the
	 * correction bounded so the map always moves forward. */
	corr = err * 1000000 / (int64_t)CLOCK_PERIOD_NS; /* ppm */
	if (corr > SLEW_PPM)
		corr = SLEW_PPM;
	if (corr < -SLEW_PPM)
		corr = -SLEW_PPM;
	mult = rate + (uint64_t)((int64_t)(rate / 1000000) * corr);

	c->tsc_base = tsc;
	c->mono_base = pred;
	c->mult = mult;
	c->real_offset = (int64_t)(real - mono);
	c->flags = __atomic_load_n(&clk.disabled, __ATOMIC_RELAXED) ? 0 : ELH_CLOCK_VALID;
	__atomic_store_n(&c->seq, seq + 2, __ATOMIC_SEQ_CST);

	__atomic_store_n(clk.spin_tsc,
			 (uint32_t)((tsc - clk.tsc0) * clk.spin_ns / (mono - clk.mono0)),
			 __ATOMIC_RELAXED);
}

static void *clock_main(void *arg)
{
	struct timespec first = { 0, CLOCK_FIRST_NS }, period = { 0, CLOCK_PERIOD_NS };

	(void)arg;
	nanosleep(&first, NULL);
	for (;;) {
		publish();
		nanosleep(&period, NULL);
	}
	return NULL;
}

static int start_thread(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &attr, clock_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e;
}

void elh_clock_after_fork(void)
{
	if (!clk.pub)
		return;
	/* The parent's thread may have been in the middle of an update:
	 * close it, and write a whole map before the guest reads one. */
	if (clk.pub->seq & 1)
		clk.pub->seq++;
	publish();
	if (start_thread()) {
		/* Without updates the map would drift: the guest's
		 * clock_gettime goes back to calls. */
		__atomic_store_n(&clk.pub->flags, 0, __ATOMIC_SEQ_CST);
	}
}

void elh_clock_disable(void)
{
	__atomic_store_n(&clk.disabled, 1, __ATOMIC_RELAXED);
	if (clk.pub)
		__atomic_store_n(&clk.pub->flags, 0, __ATOMIC_SEQ_CST);
}

int elh_clock_start(struct elh_vm *vm, struct elh_clock *pub, uint32_t *spin_tsc, uint32_t spin_ns,
		    char *err, size_t errlen)
{
	int e;

	if (!vm->tsc_host || !tsc_usable())
		return 0; /* the guest makes clock calls */
	clk.pub = pub;
	clk.spin_tsc = spin_tsc;
	clk.spin_ns = spin_ns;
	sample(&clk.tsc0, &clk.mono0);
	e = start_thread();
	if (e)
		return elh_refuse(err, errlen, "cannot start the clock thread: %s", strerror(e));
	return 0;
}
