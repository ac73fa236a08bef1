/* Signals: sigaction with SA_SIGINFO, SA_RESETHAND, SA_NODEFER, sa_mask, sigqueue, SIG_IGN. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t hits, calls, depth, max_depth, last_code, last_value, pid_ok;
static volatile sig_atomic_t masked_inside, usr1_inside;

static void plain(int sig)
{
	(void)sig;
	hits++;
}

static void info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_code = si->si_code;
	pid_ok = si->si_signo == sig && si->si_pid == getpid() && si->si_uid == getuid();
	if (si->si_code == SI_QUEUE)
		last_value = si->si_value.sival_int;
}

static void nested(int sig)
{
	sigset_t cur;

	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	masked_inside = sigismember(&cur, sig);
	usr1_inside = sigismember(&cur, SIGUSR1);
	if (calls < 3)
		raise(sig);
	depth--;
}

static const char *code(int c)
{
	switch (c) {
	case SI_USER: return "SI_USER";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TKILL: return "SI_TKILL";
	}
	return "other";
}

int main(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plain;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	printf("plain handler ran %d times\n", (int)hits);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == plain);

	hits = 0;
	sa.sa_sigaction = info;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	printf("kill: si_code %s, sender is us %d\n", code(last_code), (int)pid_ok);
	CHECK(sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 4242 }) == 0);
	printf("sigqueue: si_code %s, value %d, sender is us %d\n", code(last_code),
	       (int)last_value, (int)pid_ok);
	CHECK(raise(SIGUSR2) == 0);
	printf("raise: si_code %s\n", code(last_code));
	CHECK(hits == 3);

	/* SA_RESETHAND: the second signal finds the default (here: ignore, SIGURG). */
	hits = 0;
	sa.sa_handler = plain;
	sa.sa_flags = SA_RESETHAND;
	CHECK(sigaction(SIGURG, &sa, NULL) == 0);
	CHECK(raise(SIGURG) == 0);
	CHECK(sigaction(SIGURG, NULL, &old) == 0);
	printf("SA_RESETHAND: ran %d, now default %d\n", (int)hits, old.sa_handler == SIG_DFL);
	CHECK(raise(SIGURG) == 0);
	CHECK(hits == 1);

	/* Without SA_NODEFER the signal is blocked in its handler; with it, it nests. */
	sa.sa_handler = nested;
	sa.sa_flags = 0;
	CHECK(sigaction(SIGWINCH, &sa, NULL) == 0);
	CHECK(raise(SIGWINCH) == 0);
	printf("deferred: %d calls, max depth %d, masked inside %d\n", (int)calls, (int)max_depth,
	       (int)masked_inside);
	calls = 0;
	max_depth = 0;
	sa.sa_flags = SA_NODEFER;
	CHECK(sigaction(SIGWINCH, &sa, NULL) == 0);
	CHECK(raise(SIGWINCH) == 0);
	printf("SA_NODEFER: %d calls, max depth %d, masked inside %d\n", (int)calls, (int)max_depth,
	       (int)masked_inside);

	/* sa_mask is added while the handler runs. */
	sa.sa_handler = nested;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	CHECK(sigaction(SIGTTIN, &sa, NULL) == 0);
	calls = 2;
	CHECK(raise(SIGTTIN) == 0);
	CHECK(calls == 3);
	printf("sa_mask: SIGUSR1 blocked inside the handler %d\n", (int)usr1_inside);

	/* Ignored signals vanish; SIGKILL and SIGSTOP cannot be caught. */
	CHECK(signal(SIGUSR1, SIG_IGN) == plain);
	hits = 0;
	CHECK(raise(SIGUSR1) == 0);
	CHECK(hits == 0);
	printf("SIG_IGN: nothing ran\n");
	sa.sa_handler = plain;
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(sigaction(SIGSTOP, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(sigaction(0, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(sigaction(65, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(kill(getpid(), 0) == 0);
	CHECK(kill(getpid(), 999) == -1 && errno == EINVAL);
	printf("SIGKILL/SIGSTOP/0/65: EINVAL\n");
	printf("ok\n");
	return 0;
}
