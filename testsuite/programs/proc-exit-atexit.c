/* Process: exit(42) runs atexit handlers in reverse order and flushes stdout; status 42. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void first(void)
{
	printf("atexit handler registered first runs last\n");
}

static void second(void)
{
	printf("atexit handler registered second runs first\n");
}

int main(void)
{
	if (atexit(first) != 0 || atexit(second) != 0) {
		fprintf(stderr, "FAIL: atexit\n");
		return 1;
	}
	/* Left in the stdio buffer on purpose: exit must flush it. */
	printf("exiting with status 42");
	printf("\n");
	exit(42);
}
