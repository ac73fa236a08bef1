/*
 * Many user-level threads, each polling with a short sleep for a while,
 * then joined: host signals stop the vCPUs at every point of the syscall
 * and exception paths, the entry stubs included.  It prints how many
 * threads ran and polled, which does not depend on timing.
 *
 * Usage: threads-poll THREADS SECONDS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double seconds;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *poller(void *arg)
{
	double end = now() + seconds;
	long *polls = arg;

	/* At least once: over one vCPU a thread may first run after its
	 * time is up, and what is compared must not depend on timing. */
	do {
		usleep(1000);
		++*polls;
	} while (now() < end);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500, polled = 0;
	pthread_t *t;
	long *polls;

	seconds = argc > 2 ? atof(argv[2]) : 3;
	t = calloc((size_t)n, sizeof(*t));
	polls = calloc((size_t)n, sizeof(*polls));
	if (!t || !polls)
		return 2;
	for (int i = 0; i < n; i++) {
		int e = pthread_create(&t[i], NULL, poller, &polls[i]);

		if (e) {
			printf("pthread_create %d of %d: error %d\n", i, n, e);
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		polled += polls[i] > 0;
	}
	printf("%d of %d threads polled\n", polled, n);
	return 0;
}
