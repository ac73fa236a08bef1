/* Shared harness of the ELH benchmark programs: options, calibration, timing, output. */
#ifndef ELH_BENCH_H
#define ELH_BENCH_H

/* First, before any system header: affinity and sched_getcpu are GNU extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * One benchmark.  run() performs iters operations and returns how many
 * nanoseconds its timed part took (set-up such as creating threads is left
 * out), or a negative value after printing why on stderr.  The value printed
 * is ns per operation, or for the "Mcalls/s" unit the aggregate rate.
 */
struct bench {
	const char *name;
	const char *unit;
	double (*run)(long iters);
	/* run() times a window of steady state at least iters operations
	 * long and scales it to iters: a short run already gives the rate,
	 * and calibration takes one (starting 64 threads costs more than the
	 * window itself). */
	int steady;
};

#define BENCH_NS_PER_OP "ns/op"
#define BENCH_MCALLS	"Mcalls/s"

/* CLOCK_MONOTONIC: immune to wall-clock steps, and a vDSO call natively. */
static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Report a failed call from inside a benchmark; run() then returns this. */
static inline double bench_fail(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	return -1;
}

/* Same, for the pthread functions, which return the error instead of setting errno. */
static inline double bench_fail_err(const char *what, int err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(err));
	return -1;
}

/*
 * Pin the calling thread to one CPU, saving its previous mask in *old when
 * old is not NULL.  Threads it creates afterwards inherit the mask.
 */
static inline int bench_pin(int cpu, cpu_set_t *old)
{
	cpu_set_t set;

	if (old && sched_getaffinity(0, sizeof(*old), old))
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Find an iteration count whose run lasts about target_ns.  The growing
 * runs double as the warm-up: caches, page tables, the libc's lazy state
 * and, under elh, the monitor's paths are hot before anything is measured.
 * A run long enough to extrapolate from must also have grown with the
 * count: a fixed cost (64 threads waking from a barrier one by one) can
 * make a run of a few calls look long.
 */
static inline long bench_calibrate(const struct bench *b, double target_ns)
{
	double t, prev = -1;
	long iters = 1, factor = 1;

	if (b->steady) {
		t = b->run(1);
		if (t < 0)
			return -1;
		goto scale;
	}
	for (;;) {
		t = b->run(iters);
		if (t < 0)
			return -1;
		if (t >= target_ns || iters > LONG_MAX / 20)
			break;
		if (t >= target_ns / 5 && prev >= 0 && t >= 0.75 * (double)factor * prev)
			break;
		/* Grow fast while runs are far too short to time reliably. */
		factor = t < target_ns / 100 ? 10 : 2;
		iters *= factor;
		prev = t;
	}
scale:
	t = (double)iters * (target_ns / (t > 0 ? t : 1));
	return t < 1 ? 1 : t > (double)(LONG_MAX / 2) ? LONG_MAX / 2 : (long)t;
}

static inline void bench_usage(FILE *f, const char *prog, const struct bench *tab, int n)
{
	fprintf(f,
		"Usage: %s [--bench NAME] [--iters N] [--reps R] [--target-ms MS]\n"
		"       %s --list\n"
		"Prints one line per repetition on stdout:\n"
		"  bench=NAME unit=UNIT rep=K iters=N value=V\n"
		"Without --iters, the count is calibrated so that a repetition lasts\n"
		"about --target-ms (default 100).  Benchmarks:",
		prog, prog);
	for (int i = 0; i < n; i++)
		fprintf(f, " %s", tab[i].name);
	fputc('\n', f);
}

/* Run one benchmark: calibrate (unless iters is fixed), warm up, then reps timed runs. */
static inline int bench_one(const struct bench *b, long fixed_iters, int reps, double target_ns)
{
	long iters = fixed_iters;
	double t, value;
	int prec;

	if (iters <= 0) {
		iters = bench_calibrate(b, target_ns);
		if (iters < 0)
			return -1;
	}
	/* A shorter run first, so the measured ones start on a hot path. */
	if (b->run(iters / 4 + 1) < 0)
		return -1;
	for (int rep = 1; rep <= reps; rep++) {
		t = b->run(iters);
		if (t < 0)
			return -1;
		if (t <= 0) {
			fprintf(stderr, "bench: %s: %ld iterations took no measurable time\n",
				b->name, iters);
			return -1;
		}
		if (!strcmp(b->unit, BENCH_MCALLS))
			value = (double)iters * 1e3 / t;
		else
			value = t / (double)iters;
		/* At least four significant digits, never an exponent: easy to parse. */
		prec = value >= 100 ? 1 : value >= 1 ? 3 : 6;
		printf("bench=%s unit=%s rep=%d iters=%ld value=%.*f\n", b->name, b->unit, rep,
		       iters, prec, value);
		/* One line at a time: a later crash must not lose earlier results. */
		fflush(stdout);
	}
	return 0;
}

/* main() of every benchmark program: tab lists its n benchmarks. */
static inline int bench_main(int argc, char **argv, const struct bench *tab, int n)
{
	static const struct option opts[] = {
		{ "bench", required_argument, NULL, 'b' },
		{ "iters", required_argument, NULL, 'i' },
		{ "reps", required_argument, NULL, 'r' },
		{ "target-ms", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL;
	long iters = 0, reps = 5, target_ms = 100, v;
	int c, found = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': only = optarg; break;
		case 'i':
		case 'r':
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || (c != 'i' && v > 1000000)) {
				fprintf(stderr, "%s: bad number '%s'\n", argv[0], optarg);
				return 2;
			}
			if (c == 'i')
				iters = v;
			else if (c == 'r')
				reps = v;
			else
				target_ms = v;
			break;
		case 'l':
			for (int i = 0; i < n; i++)
				printf("%s\n", tab[i].name);
			return 0;
		case 'h': bench_usage(stdout, argv[0], tab, n); return 0;
		default: bench_usage(stderr, argv[0], tab, n); return 2;
		}
	}
	if (optind < argc) {
		bench_usage(stderr, argv[0], tab, n);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (only && strcmp(only, tab[i].name))
			continue;
		found = 1;
		if (bench_one(&tab[i], iters, (int)reps, (double)target_ms * 1e6))
			return 1;
	}
	if (!found) {
		fprintf(stderr, "%s: no benchmark named '%s' (see --list)\n", argv[0], only);
		return 2;
	}
	return 0;
}

#endif
