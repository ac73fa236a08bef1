/*
 * POSIX threads under stress, with output that does not depend on the
 * thread model: the same program runs natively, under elh with one vCPU per
 * thread, and as user-level threads over few vCPUs (elh run --vcpus), and
 * must print the same lines.  A lost wake-up hangs, a crossed one prints a
 * wrong count; a blocked call that holds up its vCPU deadlocks the pipe
 * chain under --vcpus=1.
 *
 * Usage: threads [SCALE]   (SCALE divides the iteration counts; default 1)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int scale = 1;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s\n", what);
		exit(1);
	}
}

/* ---- create and join ---- */

static void *ident(void *a)
{
	return a;
}

static void create_join(int total, int batch)
{
	long sum = 0, want = 0;
	pthread_t *t = malloc(batch * sizeof(*t));

	for (int done = 0; done < total; done += batch) {
		for (int i = 0; i < batch; i++) {
			check(pthread_create(&t[i], 0, ident, (void *)(long)(done + i)) == 0,
			      "pthread_create");
			want += done + i;
		}
		for (int i = 0; i < batch; i++) {
			void *r;
			check(pthread_join(t[i], &r) == 0, "pthread_join");
			sum += (long)r;
		}
	}
	free(t);
	printf("create/join: %d threads, %d at a time, results %s\n", total, batch,
	       sum == want ? "all returned" : "WRONG");
}

/* ---- mutex and condition variable ping-pong around a ring ---- */

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond = PTHREAD_COND_INITIALIZER;
static int ring_turn, ring_n, ring_rounds;
static long ring_count;

static void *ring_member(void *arg)
{
	int me = (int)(long)arg;

	for (int r = 0; r < ring_rounds; r++) {
		pthread_mutex_lock(&ring_lock);
		while (ring_turn != me)
			pthread_cond_wait(&ring_cond, &ring_lock);
		ring_count++;
		ring_turn = (me + 1) % ring_n;
		pthread_cond_broadcast(&ring_cond);
		pthread_mutex_unlock(&ring_lock);
	}
	return 0;
}

static void ping_pong(int n, int rounds)
{
	pthread_t t[64];

	ring_n = n;
	ring_rounds = rounds;
	ring_turn = 0;
	ring_count = 0;
	for (int i = 0; i < n; i++)
		check(pthread_create(&t[i], 0, ring_member, (void *)(long)i) == 0,
		      "pthread_create");
	for (int i = 0; i < n; i++)
		pthread_join(t[i], 0);
	printf("mutex/condvar ring of %d: %ld hand-offs (want %ld)\n", n, ring_count,
	       (long)n * rounds);
}

/* ---- a chain of threads passing numbers through pipes ---- */

struct stage {
	int in, out, count;
};

static void *relay(void *arg)
{
	struct stage *s = arg;
	long v, sum = 0;

	for (int i = 0; i < s->count; i++) {
		check(read(s->in, &v, sizeof(v)) == sizeof(v), "relay read");
		sum += v;
		check(write(s->out, &v, sizeof(v)) == sizeof(v), "relay write");
	}
	return (void *)sum;
}

static void pipe_chain(int stages, int count)
{
	int p[17][2];
	struct stage s[16];
	pthread_t t[16];
	long v, sum = 0, want = 0;

	for (int i = 0; i <= stages; i++)
		check(pipe(p[i]) == 0, "pipe");
	for (int i = 0; i < stages; i++) {
		s[i] = (struct stage){ p[i][0], p[i + 1][1], count };
		check(pthread_create(&t[i], 0, relay, &s[i]) == 0, "pthread_create");
	}
	/* The consumer reads each value before the producer writes the next
	 * batch: the relays block in read and write all the time. */
	for (long i = 0; i < count; i++) {
		check(write(p[0][1], &i, sizeof(i)) == sizeof(i), "producer write");
		want += i;
		check(read(p[stages][0], &v, sizeof(v)) == sizeof(v), "consumer read");
		sum += v;
	}
	for (int i = 0; i < stages; i++) {
		void *r;
		pthread_join(t[i], &r);
		if ((long)r != want)
			sum = -1;
	}
	for (int i = 0; i <= stages; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	printf("pipe chain of %d relays: %d values, sums %s\n", stages, count,
	       sum == want ? "match" : "WRONG");
}

/* ---- barriers ---- */

static pthread_barrier_t barrier;
static volatile long phase_sum[64];

static void *barrier_member(void *arg)
{
	long me = (long)arg;

	for (int r = 0; r < 200; r++) {
		__atomic_add_fetch(&phase_sum[r % 64], me + 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&barrier);
		/* every member added before anyone passed */
		if (phase_sum[r % 64] != (r / 64 + 1) * 16 * 17 / 2)
			return (void *)1;
		pthread_barrier_wait(&barrier);
	}
	return 0;
}

static void barriers(void)
{
	pthread_t t[16];
	long bad = 0;

	memset((void *)phase_sum, 0, sizeof(phase_sum));
	pthread_barrier_init(&barrier, 0, 16);
	for (long i = 0; i < 16; i++)
		pthread_create(&t[i], 0, barrier_member, (void *)i);
	for (int i = 0; i < 16; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	pthread_barrier_destroy(&barrier);
	printf("barrier: 16 threads x 200 phases, %ld saw an early phase\n", bad);
}

/* ---- cancellation of blocked threads ---- */

static int cancel_pipe[2];
static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int started;

static void *block_read(void *a)
{
	char c;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	read(cancel_pipe[0], &c, 1);
	return a;
}

static void *block_sleep(void *a)
{
	struct timespec ts = { 60, 0 };

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	nanosleep(&ts, 0);
	return a;
}

static void unlock_it(void *m)
{
	pthread_mutex_unlock(m);
}

static void *block_cond(void *a)
{
	pthread_mutex_lock(&cv_lock);
	pthread_cleanup_push(unlock_it, &cv_lock);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pthread_cond_wait(&cv, &cv_lock);
	pthread_cleanup_pop(1);
	return a;
}

static void cancellation(void)
{
	void *(*fn[3])(void *) = { block_read, block_sleep, block_cond };
	const char *name[3] = { "read", "nanosleep", "pthread_cond_wait" };

	check(pipe(cancel_pipe) == 0, "pipe");
	for (int k = 0; k < 3; k++) {
		pthread_t t[4];
		int cancelled = 0;
		struct timespec pause = { 0, 20 * 1000 * 1000 };

		started = 0;
		for (int i = 0; i < 4; i++)
			pthread_create(&t[i], 0, fn[k], 0);
		while (started < 4)
			sched_yield();
		nanosleep(&pause, 0); /* let them block */
		for (int i = 0; i < 4; i++)
			pthread_cancel(t[i]);
		for (int i = 0; i < 4; i++) {
			void *r;
			pthread_join(t[i], &r);
			cancelled += r == PTHREAD_CANCELED;
		}
		/* the mutex came back through the cleanup handler */
		if (k == 2)
			check(pthread_mutex_trylock(&cv_lock) == 0 &&
				  !pthread_mutex_unlock(&cv_lock),
			      "cleanup handler released the mutex");
		printf("cancel: %d of 4 threads blocked in %s cancelled\n", cancelled, name[k]);
	}
	close(cancel_pipe[0]);
	close(cancel_pipe[1]);
}

/* ---- signals to specific threads ---- */

static __thread volatile int got_signal;
static volatile int sig_ready, sig_done;

static void on_usr1(int sig)
{
	(void)sig;
	got_signal++;
}

static void *wait_signal(void *a)
{
	int me = (int)(long)a;
	sigset_t s;

	/* Odd threads block SIGUSR1 and collect it with sigwait. */
	if (me & 1) {
		int sig;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &s, 0);
		__atomic_add_fetch(&sig_ready, 1, __ATOMIC_SEQ_CST);
		sigwait(&s, &sig);
		return (void *)(long)(sig == SIGUSR1);
	}
	__atomic_add_fetch(&sig_ready, 1, __ATOMIC_SEQ_CST);
	while (!got_signal && !sig_done) {
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, 0);
	}
	return (void *)(long)got_signal;
}

static void signals(void)
{
	pthread_t t[8];
	long total = 0;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], 0, wait_signal, (void *)i);
	while (sig_ready < 8)
		sched_yield();
	for (int i = 0; i < 8; i++)
		pthread_kill(t[i], SIGUSR1);
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		total += (long)r;
	}
	printf("pthread_kill: %ld of 8 threads got their own signal (handler or sigwait), main got "
	       "%d\n",
	       total, got_signal);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		scale = atoi(argv[1]);
	if (scale < 1)
		scale = 1;
	setvbuf(stdout, 0, _IOLBF, 0);
	create_join(10000 / scale, 100);
	create_join(1000 / scale, 1000 / scale);
	for (int i = 0; i < 4; i++) {
		static const int ring[] = { 2, 8, 32, 64 };
		ping_pong(ring[i], 4000 / scale / ring[i] * 2 + 2);
	}
	pipe_chain(8, 2000 / scale);
	barriers();
	cancellation();
	signals();
	return 0;
}
