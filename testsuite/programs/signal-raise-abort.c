/* Signals: abort() runs a SIGABRT handler that returns, then dies of SIGABRT anyway. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_abrt(int sig)
{
	static const char msg[] = "SIGABRT handler ran and returns\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
}

int main(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abrt;
	sigaction(SIGABRT, &sa, NULL);
	/* abort() must work even with SIGABRT blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGABRT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("calling abort\n");
	fflush(stdout);
	abort();
}
