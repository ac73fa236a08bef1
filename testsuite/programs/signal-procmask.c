/* Signals: sigprocmask, sigpending, merged and queued signals, sigtimedwait/sigwaitinfo. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t order[16], norder;

static void handler(int sig)
{
	if (norder < 16)
		order[norder++] = sig;
}

int main(void)
{
	sigset_t set, old, pend;
	struct sigaction sa;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	siginfo_t si;

	alarm(WATCHDOG_SECONDS);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	/* Each handler blocks the others, so that they run one after the other. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGRTMIN);
	sigaddset(&sa.sa_mask, SIGRTMIN + 1);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(sigaction(SIGRTMIN, &sa, NULL) == 0);
	CHECK(sigaction(SIGRTMIN + 1, &sa, NULL) == 0);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(!sigismember(&old, SIGUSR1));

	/* Standard signals sent twice while blocked arrive once; real-time ones queue. */
	CHECK(raise(SIGUSR2) == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(raise(SIGRTMIN + 1) == 0);
	CHECK(raise(SIGRTMIN) == 0);
	CHECK(raise(SIGRTMIN) == 0);
	CHECK(norder == 0);
	CHECK(sigpending(&pend) == 0);
	printf("pending: USR1 %d USR2 %d RTMIN %d RTMIN+1 %d TERM %d\n",
	       sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2),
	       sigismember(&pend, SIGRTMIN), sigismember(&pend, SIGRTMIN + 1),
	       sigismember(&pend, SIGTERM));

	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	/* Linux delivers the lowest-numbered pending signal first. */
	printf("delivered in order:");
	for (int i = 0; i < norder; i++) {
		int s = order[i];

		if (s >= SIGRTMIN)
			printf(" RTMIN+%d", s - SIGRTMIN);
		else
			printf(" %s", s == SIGUSR1 ? "USR1" : s == SIGUSR2 ? "USR2" : "?");
	}
	printf("\n");
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));

	/* SIG_UNBLOCK and the current mask. */
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	sigemptyset(&pend);
	sigaddset(&pend, SIGUSR2);
	CHECK(sigprocmask(SIG_UNBLOCK, &pend, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	printf("mask: USR1 %d USR2 %d\n", sigismember(&old, SIGUSR1), sigismember(&old, SIGUSR2));
	/* SIGKILL cannot be blocked: it is silently left out. */
	sigfillset(&pend);
	CHECK(sigprocmask(SIG_BLOCK, &pend, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	printf("after blocking all: KILL %d STOP %d TERM %d\n", sigismember(&old, SIGKILL),
	       sigismember(&old, SIGSTOP), sigismember(&old, SIGTERM));
	CHECK(sigprocmask(12345, &pend, NULL) == -1 && errno == EINVAL);

	/* Synchronous waiting: sigtimedwait times out, then takes a queued signal. */
	norder = 0;
	CHECK(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN);
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 77 }) == 0);
	CHECK(sigtimedwait(&set, &si, &ts) == SIGRTMIN + 1);
	printf("sigtimedwait: RTMIN+%d value %d code SI_QUEUE %d\n", si.si_signo - SIGRTMIN,
	       si.si_value.sival_int, si.si_code == SI_QUEUE);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(sigwaitinfo(&set, &si) == SIGUSR1);
	int sig;
	CHECK(raise(SIGUSR2) == 0);
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR2);
	CHECK(norder == 0);
	printf("sigwaitinfo and sigwait took USR1 and USR2 without handlers\n");

	sigemptyset(&set);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	CHECK(norder == 0);
	printf("ok\n");
	return 0;
}
