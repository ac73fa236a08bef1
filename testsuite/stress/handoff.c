/*
 * The hand-off of a vCPU around a call that blocks on it.  READERS threads
 * each block in read on a pipe of their own, more of them than the workers
 * that make blocking calls for user-level threads: the last ones make
 * their read on their vCPU.  Only then does the main thread write the
 * byte each waits for.  Over one vCPU, without a hand-off, the main thread
 * never runs again and the watchdog ends the program.
 *
 * Usage: handoff READERS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_READERS 512

struct reader {
	pthread_t t;
	int fd[2];
	char got;
};

static struct reader readers[MAX_READERS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int started;

static void *reader(void *arg)
{
	struct reader *r = arg;

	pthread_mutex_lock(&lock);
	started++;
	pthread_mutex_unlock(&lock);
	if (read(r->fd[0], &r->got, 1) != 1)
		r->got = '?';
	return NULL;
}

int main(int argc, char **argv)
{
	const struct timespec tick = { 0, 20000000 };
	int n = argc > 1 ? atoi(argv[1]) : 0, ok = 0;

	if (n < 1 || n > MAX_READERS) {
		fprintf(stderr, "usage: handoff READERS (1 to %d)\n", MAX_READERS);
		return 2;
	}
	alarm(60);
	for (int i = 0; i < n; i++) {
		if (pipe(readers[i].fd) ||
		    pthread_create(&readers[i].t, NULL, reader, &readers[i])) {
			perror("handoff: pipe or pthread_create");
			return 1;
		}
	}
	/* Every reader has started; give the last ones time to be refused
	 * by the busy workers and to make their read on their vCPU. */
	for (;;) {
		pthread_mutex_lock(&lock);
		int all = started == n;
		pthread_mutex_unlock(&lock);
		if (all)
			break;
		nanosleep(&tick, NULL);
	}
	for (int i = 0; i < 10; i++)
		nanosleep(&tick, NULL);
	for (int i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		if (write(readers[i].fd[1], &c, 1) != 1) {
			perror("handoff: write");
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(readers[i].t, NULL);
		ok += readers[i].got == (char)('a' + i % 26);
	}
	printf("%d of %d readers read their byte\n", ok, n);
	return ok == n ? 0 : 1;
}
