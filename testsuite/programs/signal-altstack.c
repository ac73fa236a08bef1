/* sigaltstack: a handler with SA_ONSTACK runs on the alternate stack;
 * SS_ONSTACK is reported inside it; SS_DISABLE turns it off. */
#include <signal.h>
#include <stdint.h>

#include "check.h"

static char stack[64 * 1024];
static volatile int on_alt, flags_onstack;

static void handler(int sig)
{
	char here;
	stack_t cur;

	(void)sig;
	on_alt = &here >= stack && &here < stack + sizeof(stack);
	sigaltstack(NULL, &cur);
	flags_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

int main(void)
{
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) }, old;
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK };

	CHECK(sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE));
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("on alternate stack %d, SS_ONSTACK %d\n", on_alt, flags_onstack);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	raise(SIGUSR1);
	printf("disabled: on alternate stack %d\n", on_alt);
	ss.ss_flags = 0;
	ss.ss_size = 100;
	CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
	return 0;
}
