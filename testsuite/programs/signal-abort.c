/* abort() ends the program with SIGABRT even if SIGABRT is ignored. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	signal(SIGABRT, SIG_IGN);
	printf("calling abort\n");
	fflush(stdout);
	abort();
}
