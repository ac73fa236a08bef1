/* Signals: pthread_kill to chosen threads, per-thread masks, a dedicated sigwait thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 4

static __thread int my_index = -1;
static volatile sig_atomic_t ran_in[N + 1];
static sem_t ready, done, go;

static void handler(int sig)
{
	(void)sig;
	if (my_index >= 0 && my_index <= N)
		ran_in[my_index]++;
}

static void *worker(void *arg)
{
	my_index = (int)(long)arg;
	CHECK(sem_post(&ready) == 0);
	/* Wait until main is done signalling; sem_wait may be interrupted. */
	while (sem_wait(&go) != 0)
		CHECK(errno == EINTR);
	return NULL;
}

static void *waiter(void *arg)
{
	sigset_t *set = arg;
	int sig, count = 0;

	do {
		CHECK(sigwait(set, &sig) == 0);
		count++;
	} while (sig != SIGTERM);
	CHECK(sem_post(&done) == 0);
	return (void *)(long)count;
}

int main(void)
{
	pthread_t t[N], w;
	struct sigaction sa;
	sigset_t set, usr2;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	my_index = N;
	CHECK(sem_init(&ready, 0, 0) == 0 && sem_init(&done, 0, 0) == 0 &&
	      sem_init(&go, 0, 0) == 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);

	/* Threads inherit the creator's mask: workers have SIGUSR2 blocked. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CHECK(pthread_sigmask(SIG_BLOCK, &usr2, NULL) == 0);
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	for (int i = 0; i < N; i++)
		CHECK(sem_wait(&ready) == 0);
	CHECK(pthread_sigmask(SIG_UNBLOCK, &usr2, NULL) == 0);

	/* pthread_kill: each handler run is recorded by the target's TLS index. */
	CHECK(pthread_kill(t[2], SIGUSR1) == 0);
	CHECK(pthread_kill(t[0], SIGUSR1) == 0);
	CHECK(pthread_kill(pthread_self(), SIGUSR1) == 0);
	/* A process-directed SIGUSR2 can only go to main, the one thread not blocking it. */
	CHECK(kill(getpid(), SIGUSR2) == 0);
	for (int i = 0; i < N; i++)
		CHECK(sem_post(&go) == 0);
	for (int i = 0; i < N; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("handler runs per thread:");
	for (int i = 0; i <= N; i++)
		printf(" %d", (int)ran_in[i]);
	printf("\n");
	CHECK(ran_in[0] == 1 && ran_in[2] == 1 && ran_in[1] == 0 && ran_in[3] == 0);
	CHECK(ran_in[N] == 2);
	CHECK(pthread_kill(pthread_self(), 0) == 0);

	/* A dedicated thread takes process signals synchronously with sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(pthread_create(&w, NULL, waiter, &set) == 0);
	CHECK(kill(getpid(), SIGHUP) == 0);
	CHECK(kill(getpid(), SIGTERM) == 0);
	CHECK(sem_wait(&done) == 0);
	CHECK(pthread_join(w, &ret) == 0);
	printf("sigwait thread took %ld signal(s), the last being SIGTERM\n", (long)ret);
	printf("ok\n");
	return 0;
}
