/* Pipe micro benchmark: a one-byte ping-pong between two threads through two pipes. */
#include "../bench.h"

#include <unistd.h>

struct pingpong {
	int to_echo[2];
	int from_echo[2];
	long iters;
};

/* The partner: echo each byte back.  On error it closes its end, so the
 * main thread reads end-of-file instead of waiting forever. */
static void *echo(void *arg)
{
	struct pingpong *pp = arg;
	char c;

	for (long i = 0; i < pp->iters; i++) {
		/* End-of-file: the main thread gave up and closed its end. */
		if (read(pp->to_echo[0], &c, 1) != 1)
			break;
		if (write(pp->from_echo[1], &c, 1) != 1) {
			perror("bench: echo: write");
			break;
		}
	}
	close(pp->from_echo[1]);
	return NULL;
}

/* One operation is a full round trip: write, the partner wakes, reads, writes back, we read. */
static double run_pingpong(long iters)
{
	struct pingpong pp = { .iters = iters };
	double ret = -1;
	uint64_t t0, t1;
	pthread_t t;
	char c = 'p';
	long i;
	int err;

	if (pipe(pp.to_echo))
		return bench_fail("pipe");
	if (pipe(pp.from_echo)) {
		ret = bench_fail("pipe");
		goto out_to;
	}
	err = pthread_create(&t, NULL, echo, &pp);
	if (err) {
		ret = bench_fail_err("pthread_create", err);
		goto out_from;
	}
	t0 = bench_now();
	for (i = 0; i < iters; i++)
		if (write(pp.to_echo[1], &c, 1) != 1 || read(pp.from_echo[0], &c, 1) != 1)
			break;
	t1 = bench_now();
	if (i == iters)
		ret = (double)(t1 - t0);
	else
		fprintf(stderr, "bench: pipe-pingpong: round trip %ld of %ld failed\n", i, iters);
	/* Wakes a partner still waiting for a byte, when we stopped early. */
	close(pp.to_echo[1]);
	pp.to_echo[1] = -1;
	pthread_join(t, NULL);
out_from:
	close(pp.from_echo[0]);
	/* The partner closed from_echo[1] itself; without a partner, we do. */
	if (err)
		close(pp.from_echo[1]);
out_to:
	close(pp.to_echo[0]);
	if (pp.to_echo[1] >= 0)
		close(pp.to_echo[1]);
	return ret;
}

static const struct bench benches[] = {
	{ "pipe-pingpong", BENCH_NS_PER_OP, run_pingpong, 0 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
