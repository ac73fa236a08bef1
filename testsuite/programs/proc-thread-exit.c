/* Process: exit(3) from a second thread ends the process while main waits in pause(). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static void bye(void)
{
	printf("atexit handler ran\n");
}

static void *quitter(void *arg)
{
	struct timespec d = { 0, 20 * 1000 * 1000 };

	(void)arg;
	nanosleep(&d, NULL); /* give main time to block */
	printf("thread calls exit(3)\n");
	exit(3);
}

int main(void)
{
	pthread_t t;

	alarm(WATCHDOG_SECONDS);
	printf("main waits in pause\n");
	fflush(stdout);
	if (atexit(bye) != 0 || pthread_create(&t, NULL, quitter, NULL) != 0) {
		fprintf(stderr, "FAIL: setup\n");
		return 1;
	}
	for (;;)
		pause();
}
