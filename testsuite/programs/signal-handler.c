/* Signal handlers: SA_SIGINFO with si_code/si_pid from raise and kill,
 * SA_RESETHAND, SA_NODEFER, ucontext access, nested signals. */
#define _GNU_SOURCE
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

static volatile int hits, code_ok, nested, depth;

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	hits++;
	code_ok = sig == SIGUSR1 && si->si_signo == SIGUSR1 &&
		  (si->si_code == SI_TKILL || si->si_code == SI_USER) && si->si_pid == getpid() &&
		  ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP] != 0;
}

static void reentrant(int sig)
{
	depth++;
	if (depth < 3)
		raise(sig); /* SA_NODEFER: delivered inside the handler */
	nested = nested > depth ? nested : depth;
	depth--;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = info_handler, .sa_flags = SA_SIGINFO };
	struct sigaction old;

	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	printf("raise: hits %d code ok %d\n", hits, code_ok);
	kill(getpid(), SIGUSR1);
	printf("kill: hits %d code ok %d\n", hits, code_ok);

	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	raise(SIGUSR1);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
	printf("after SA_RESETHAND: default %d\n", old.sa_handler == SIG_DFL);

	sa.sa_handler = reentrant;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	raise(SIGUSR2);
	printf("nested depth %d\n", nested);

	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(sigaction(65, &sa, NULL) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
