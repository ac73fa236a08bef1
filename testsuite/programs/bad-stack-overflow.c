/* Unbounded recursion overflows the stack: SIGSEGV, caught on an
 * alternate signal stack, then the program exits 7. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static char altstack[64 * 1024];

static void on_segv(int sig)
{
	(void)sig;
	static const char msg[] = "stack overflow caught\n";

	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(7);
}

/* Recurses until depth wraps, which the stack never lets it reach. */
static int recurse(volatile char *prev, unsigned depth)
{
	volatile char buf[4096];

	buf[0] = prev ? prev[0] + 1 : 0;
	if (depth == 0xffffffffu)
		return buf[0];
	return recurse(buf, depth + 1) + buf[1];
}

int main(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK };

	alarm(WATCHDOG_SECONDS);
	if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return 1;
	return recurse(NULL, 0);
}
