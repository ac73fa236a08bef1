/* Waits for signals sent from outside and reports each one handled.
 * Used by async-signals.sh, natively and under elh. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t seen[NSIG];

static void handler(int sig)
{
	seen[sig] = 1;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGALRM, SIGCHLD, SIGUSR1 };
	struct sigaction sa = { .sa_handler = handler };
	sigset_t block, wait;
	FILE *ready;

	if (argc != 2)
		return 2;
	sigemptyset(&block);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, NULL);
	ready = fopen(argv[1], "w"); /* tells the test it may send */
	if (!ready)
		return 3;
	fclose(ready);
	sigemptyset(&wait);
	alarm(20);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		while (!seen[sigs[i]])
			sigsuspend(&wait);
		printf("handled %s\n", strsignal(sigs[i]));
		fflush(stdout);
	}
	return 0;
}
