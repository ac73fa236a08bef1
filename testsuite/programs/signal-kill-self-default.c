/* Signals: kill(getpid(), SIGTERM) with the default action: the program dies of SIGTERM. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	/* Make sure the default action is in place even if SIGTERM was ignored by the parent. */
	signal(SIGTERM, SIG_DFL);
	printf("sending SIGTERM to myself\n");
	fflush(stdout);
	kill(getpid(), SIGTERM);
	/* Not reached: the signal is delivered before kill returns. */
	fprintf(stderr, "FAIL: still alive after SIGTERM\n");
	return 1;
}
