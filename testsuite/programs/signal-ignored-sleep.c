/* A signal the program ignores, by default or with SIG_IGN, interrupts
 * nothing: a child's SIGCHLD arriving while the parent sleeps, polls or
 * waits on a pipe leaves those calls to run to their end (signal(7): an
 * ignored signal is discarded, it never reaches the thread). */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* A child that ends 20 ms from now, while the parent is in its call. */
static pid_t short_child(void)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec d = { 0, 20 * 1000 * 1000 };

		nanosleep(&d, NULL);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
}

int main(void)
{
	struct timespec d = { 0, 150 * 1000 * 1000 };
	struct pollfd pfd;
	int p[2];
	pid_t pid;

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(p) == 0);

	pid = short_child();
	CHECK(nanosleep(&d, NULL) == 0);
	reap(pid);
	printf("nanosleep ran through a default-ignored SIGCHLD\n");

	pid = short_child();
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0);
	reap(pid);
	printf("clock_nanosleep ran through it too\n");

	pfd.fd = p[0];
	pfd.events = POLLIN;
	pid = short_child();
	CHECK(poll(&pfd, 1, 150) == 0);
	reap(pid);
	printf("poll timed out as asked\n");

	signal(SIGURG, SIG_IGN);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec w = { 0, 20 * 1000 * 1000 };

		nanosleep(&w, NULL);
		kill(getppid(), SIGURG);
		_exit(0);
	}
	CHECK(nanosleep(&d, NULL) == 0);
	reap(pid);
	printf("nanosleep ran through an ignored SIGURG\n");
	return 0;
}
