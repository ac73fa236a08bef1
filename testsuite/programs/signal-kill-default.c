/* A signal with no handler kills the program: its parent sees SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("about to die of SIGTERM\n");
	fflush(stdout);
	kill(getpid(), SIGTERM);
	for (;;)
		pause();
}
