/* What user-level threads run directly on a host (ELH_VCPUS) must do that
 * the runs under elh do not cover:
 * - fairness: threads that spin, making no call, until all of them have
 *   arrived, more of them than vCPUs (without preemption they never get
 *   there);
 * - processes: fork while other threads are blocked in calls, the child
 *   using stdio, pipes and threads of its own before it exits;
 *   posix_spawn and system while threads run; fork from the handler of
 *   one of two signals pending for a thread (the other is the parent's,
 *   to take once).
 * Run with one kernel thread per thread and as user-level threads: the
 * output must be the same. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int feed[2];
static atomic_int arrived;
static atomic_long spins[8];

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fork-threads: %s failed: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* Blocked in read until main writes: its call is in flight at the fork. */
static void *reader(void *arg)
{
	char c;
	(void)arg;
	return (void *)(long)read(feed[0], &c, 1);
}

/* A barrier made of spinning alone. */
static void *spinner(void *arg)
{
	long i = (long)arg;

	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&arrived) < 8)
		atomic_fetch_add_explicit(&spins[i], 1, memory_order_relaxed);
	return 0;
}

/* fork from a signal handler, with another signal pending. */
static volatile sig_atomic_t usr2_taken;
static volatile pid_t forked_child;

static void fork_in_handler(int sig)
{
	pid_t p;
	(void)sig;
	p = fork();
	if (p == 0)
		_exit(0);
	forked_child = p;
}

static void count_usr2(int sig)
{
	(void)sig;
	usr2_taken++;
}

static void *signalled(void *arg)
{
	sigset_t both;
	(void)arg;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	/* Both arrive while blocked; unblocking runs both handlers (in an
	 * order of the system's choosing), SIGUSR1's forking: SIGUSR2 is
	 * the parent's to take, once. */
	while (atomic_load(&arrived) < 2)
		sched_yield();
	pthread_sigmask(SIG_UNBLOCK, &both, 0);
	return 0;
}

static void *add_one(void *arg)
{
	return (void *)((long)arg + 1);
}

static int child(int out)
{
	pthread_t t;
	void *r;
	char msg[64];
	int n;

	/* The child is one thread; it may create more. */
	if (pthread_create(&t, 0, add_one, (void *)41L) || pthread_join(t, &r))
		return 2;
	printf("child stdio works\n");
	fflush(stdout);
	/* Then the parent, which waits for this, goes on printing. */
	n = snprintf(msg, sizeof msg, "child thread returned %ld\n", (long)r);
	if (write(out, msg, n) != n)
		return 3;
	return 0;
}

int main(void)
{
	pthread_t t[4];
	int out[2], status;
	char buf[128];
	pid_t pid;
	ssize_t n;
	char *argv[] = { "echo", "posix_spawn child ran", 0 };

	setvbuf(stdout, 0, _IOLBF, 0);
	{
		pthread_t s[8];
		for (long i = 0; i < 8; i++)
			check(pthread_create(&s[i], 0, spinner, (void *)i) == 0, "pthread_create");
		for (int i = 0; i < 8; i++)
			check(pthread_join(s[i], 0) == 0, "pthread_join");
		printf("spin barrier: %d of 8 threads arrived\n", atomic_load(&arrived));
	}
	{
		pthread_t s;
		sigset_t both;
		int st;
		signal(SIGUSR1, fork_in_handler);
		signal(SIGUSR2, count_usr2);
		sigemptyset(&both);
		sigaddset(&both, SIGUSR1);
		sigaddset(&both, SIGUSR2);
		pthread_sigmask(SIG_BLOCK, &both, 0);
		atomic_store(&arrived, 0);
		check(pthread_create(&s, 0, signalled, 0) == 0, "pthread_create");
		pthread_sigmask(SIG_UNBLOCK, &both, 0);
		pthread_kill(s, SIGUSR1);
		pthread_kill(s, SIGUSR2);
		atomic_store(&arrived, 2);
		check(pthread_join(s, 0) == 0, "pthread_join");
		check(forked_child > 0 && waitpid(forked_child, &st, 0) == forked_child, "waitpid");
		printf(
		    "fork in a handler: the parent took SIGUSR2 %d time(s), the child exited %d\n",
		    (int)usr2_taken, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	check(pipe(feed) == 0 && pipe(out) == 0, "pipe");
	for (int i = 0; i < 4; i++)
		check(pthread_create(&t[i], 0, reader, 0) == 0, "pthread_create");
	usleep(20000);

	pid = fork();
	check(pid >= 0, "fork");
	if (pid == 0) {
		close(out[0]);
		_exit(child(out[1]));
	}
	close(out[1]);
	n = read(out[0], buf, sizeof buf - 1);
	check(n > 0, "read from the child");
	buf[n] = 0;
	printf("parent read: %s", buf);
	check(waitpid(pid, &status, 0) == pid, "waitpid");
	printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	check(posix_spawnp(&pid, "echo", 0, 0, argv, environ) == 0, "posix_spawnp");
	check(waitpid(pid, &status, 0) == pid, "waitpid");
	printf("posix_spawn status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	status = system("echo system ran; exit 3");
	printf("system status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	check(write(feed[1], "abcd", 4) == 4, "write");
	for (int i = 0; i < 4; i++) {
		void *r;
		check(pthread_join(t[i], &r) == 0, "pthread_join");
		printf("reader %d read %ld byte\n", i, (long)r);
	}
	return 0;
}
