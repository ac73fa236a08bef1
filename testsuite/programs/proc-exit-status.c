/* The exit status passes through: atexit handlers run, stdout is flushed,
 * and the parent sees 42. */
#include <stdio.h>
#include <stdlib.h>

static void last_words(void)
{
	printf("atexit handler ran\n");
}

int main(void)
{
	atexit(last_words);
	printf("exiting with 42");
	exit(42);
}
