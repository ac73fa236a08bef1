/* Signals a thread blocks: a process-directed one waits until the thread
 * unblocks it, and its handler runs then; a fault the thread blocks takes
 * its default action (Linux forces it), its handler never runs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t usr1, segv;
static sem_t go;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void on_segv(int sig)
{
	(void)sig;
	segv++;
	_exit(9);
}

static void *fault(void *arg)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	while (sem_wait(&go) != 0)
		CHECK(errno == EINTR);
	printf("faulting with SIGSEGV blocked\n");
	fflush(stdout);
	*(volatile int *)arg = 1;
	printf("FAIL: survived the fault\n");
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set, old;
	pthread_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sem_init(&go, 0, 0) == 0);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	/* Blocked in main before the thread starts, so in both threads. */
	CHECK(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(pthread_create(&t, NULL, fault, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	usleep(100000);
	CHECK(usr1 == 0);
	CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0);
	CHECK(usr1 == 1);
	printf("SIGUSR1 waited until unblocked\n");
	fflush(stdout);

	sa.sa_handler = on_segv;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	CHECK(sem_post(&go) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	return 1;
}
