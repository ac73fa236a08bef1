/* Sleeps for argv[1] seconds, in one call, then exits: what an idle guest
 * costs the monitor. */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec t = { argc > 1 ? atoi(argv[1]) : 5, 0 };

	while (nanosleep(&t, &t))
		;
	return 0;
}
