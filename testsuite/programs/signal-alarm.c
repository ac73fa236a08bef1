/* alarm() delivers SIGALRM to a handler while the program waits in pause();
 * a second alarm replaces the first; alarm(0) cancels. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile int rings;

static void ring(int sig)
{
	(void)sig;
	rings++;
}

int main(void)
{
	signal(SIGALRM, ring);
	CHECK(alarm(5) == 0);
	CHECK(alarm(1) >= 4); /* returns what was left of the first */
	pause();
	printf("rang %d\n", rings);
	alarm(1);
	CHECK(alarm(0) == 1); /* a second was left */
	sleep(0);
	printf("cancelled: still %d\n", rings);
	return 0;
}
