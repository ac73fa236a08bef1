/*
 * Stress of the submission path: many threads making calls whose results
 * identify them (lseek on a private file returns the offset asked for), so a
 * lost, duplicated or crossed completion shows up as a wrong result or a
 * hang; and many alternations between a burst of calls and an idle pause
 * long enough for the workers to fall asleep (a lost wake-up hangs); then
 * threads blocked for good in read() while others make short calls (a
 * blocked call that holds up the short ones hangs).
 *
 * Usage: exitless-stress THREADS CALLS ROUNDS BLOCKERS
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long calls;
static int release[2]; /* the blockers' pipe: written once at the end */
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

static void *blocker(void *arg)
{
	char c;

	(void)arg;
	return (void *)(long)(read(release[0], &c, 1) == 1 && c == 'r' ? 0 : 1);
}

int main(int argc, char **argv)
{
	long threads, rounds, blockers, bad = 0;
	struct timespec pause = { 0, 100 * 1000 }, longer = { 0, 1000 * 1000 };
	pthread_t *t, *b;
	int fd;

	if (argc != 5)
		return 2;
	threads = atol(argv[1]);
	calls = atol(argv[2]);
	rounds = atol(argv[3]);
	blockers = atol(argv[4]);
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

	/* Idle, busy, idle, busy...: every fourth pause outlasts the
	 * workers' longest spin. */
	fd = open(dir, O_RDONLY);
	for (long r = 0; r < rounds; r++) {
		for (int k = 0; k < 3; k++)
			if (lseek(fd, 0, SEEK_SET) != 0)
				bad++;
		nanosleep(r % 4 ? &pause : &longer, NULL);
	}
	close(fd);
	printf("%ld idle/busy alternations: %ld wrong results in all\n", rounds, bad);

	/* Blocked for good, and short calls beside them. */
	if (pipe(release))
		return 5;
	b = calloc(blockers, sizeof(*b));
	for (long i = 0; i < blockers; i++)
		if (pthread_create(&b[i], NULL, blocker, NULL))
			return 6;
	for (long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, hammer, (void *)i))
			return 4;
	for (long i = 0; i < threads; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("%ld threads x %ld calls beside %ld blocked readers: %ld wrong results in all\n",
	       threads, calls, blockers, bad);
	for (long i = 0; i < blockers; i++)
		if (write(release[1], "r", 1) != 1)
			bad++;
	for (long i = 0; i < blockers; i++) {
		void *r;

		pthread_join(b[i], &r);
		bad += (long)r;
	}
	printf("%ld blocked readers released: %ld wrong results in all\n", blockers, bad);
	rmdir(dir);
	return bad != 0;
}
