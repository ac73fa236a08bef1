/* SIGPIPE belongs to the thread whose write raised it: its handler runs on
 * that thread, a thread that blocks it finds it pending, and with the
 * default action the process dies of it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int broken[2];
static __thread int me;
static volatile sig_atomic_t handled_by;

static void on_pipe(int sig)
{
	(void)sig;
	handled_by = me;
}

static void *writer(void *arg)
{
	me = (int)(long)arg;
	CHECK(write(broken[1], "x", 1) == -1 && errno == EPIPE);
	return NULL;
}

static void *blocked_writer(void *arg)
{
	const struct timespec zero = { 0, 0 };
	sigset_t set, pending;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(write(broken[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE));
	CHECK(sigtimedwait(&set, NULL, &zero) == SIGPIPE);
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGPIPE));
	return NULL;
}

int main(void)
{
	pthread_t t;

	CHECK(pipe(broken) == 0);
	CHECK(close(broken[0]) == 0);
	CHECK(signal(SIGPIPE, on_pipe) != SIG_ERR);
	me = 1;
	CHECK(pthread_create(&t, NULL, writer, (void *)2L) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(handled_by == 2);
	printf("handler ran on the writing thread\n");

	CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	CHECK(pthread_create(&t, NULL, blocked_writer, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("a thread that blocks SIGPIPE finds it pending\n");

	fflush(stdout);
	CHECK(pthread_create(&t, NULL, writer, (void *)3L) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("FAIL: still alive after EPIPE with the default action\n");
	return 1;
}
