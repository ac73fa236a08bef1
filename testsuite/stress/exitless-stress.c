/*
 * Stress of the submission path: many threads making calls whose results
 * identify them (lseek on a private file returns the offset asked for), so a
 * lost, duplicated or crossed completion shows up as a wrong result or a
 * hang; and many alternations between a burst of calls and an idle pause
 * long enough for the workers to fall asleep (a lost wake-up hangs).
 *
 * Usage: exitless-stress THREADS CALLS ROUNDS
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long calls;
static char dir[] = "/tmp/elh-stress-XXXXXX";

static void *hammer(void *arg)
{
	char path[64];
	long id = (long)arg, bad = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%ld", dir, id);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return (void *)-1L;
	unlink(path);
	for (long i = 0; i < calls; i++) {
		off_t want = (off_t)(id * 1000003 + i);

		if (lseek(fd, want, SEEK_SET) != want)
			bad++;
	}
	close(fd);
	return (void *)bad;
}

int main(int argc, char **argv)
{
	long threads, rounds, bad = 0;
	struct timespec pause = { 0, 200 * 1000 };
	pthread_t *t;
	int fd;

	if (argc != 4)
		return 2;
	threads = atol(argv[1]);
	calls = atol(argv[2]);
	rounds = atol(argv[3]);
	alarm(600);
	if (!mkdtemp(dir))
		return 3;
	t = calloc(threads, sizeof(*t));
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, hammer, (void *)i))
			return 4;
	for (long i = 0; i < threads; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("%ld threads x %ld calls: %ld wrong results\n", threads, calls, bad);

	/* Idle, busy, idle, busy... */
	fd = open(dir, O_RDONLY);
	for (long r = 0; r < rounds; r++) {
		for (int k = 0; k < 3; k++)
			if (lseek(fd, 0, SEEK_SET) != 0)
				bad++;
		nanosleep(&pause, NULL);
	}
	close(fd);
	rmdir(dir);
	printf("%ld idle/busy alternations: %ld wrong results in all\n", rounds, bad);
	return bad != 0;
}
