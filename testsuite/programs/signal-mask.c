/* Signal masks: a blocked signal stays pending until unblocked;
 * sigpending, sigsuspend, sigtimedwait, and masks per thread. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile int got;

static void handler(int sig)
{
	got = sig;
}

static void *blocker(void *arg)
{
	sigset_t s, cur;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return (void *)(long)(sigismember(&cur, SIGINT) == 1 && sigismember(&cur, SIGUSR1) == 1);
}

int main(void)
{
	sigset_t block, pend, old, wait;
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	pthread_t t;
	void *res;

	signal(SIGUSR1, handler);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0);
	raise(SIGUSR1);
	CHECK(got == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);

	/* Threads inherit the mask; their own changes stay theirs. */
	CHECK(pthread_create(&t, NULL, blocker, NULL) == 0 && pthread_join(t, &res) == 0);
	printf("thread mask inherited and private: %ld\n", (long)res);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &old) == 0 && sigismember(&old, SIGINT) == 0);

	CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0);
	printf("delivered on unblock: %d\n", got == SIGUSR1);

	got = 0;
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	raise(SIGUSR1);
	sigemptyset(&wait);
	CHECK(sigsuspend(&wait) == -1 && errno == EINTR);
	printf("sigsuspend woke for the handler: %d\n", got == SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &old) == 0 && sigismember(&old, SIGUSR1) == 1);

	sigemptyset(&wait);
	sigaddset(&wait, SIGUSR2);
	sigaddset(&block, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	raise(SIGUSR2);
	CHECK(sigtimedwait(&wait, &si, &zero) == SIGUSR2 && si.si_signo == SIGUSR2);
	CHECK(sigtimedwait(&wait, &si, &zero) == -1 && errno == EAGAIN);
	printf("ok\n");
	return 0;
}
