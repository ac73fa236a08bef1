/* The guest that nptl-elh's native unit tests give its schedulers and
 * futexes (README.md). */
#ifndef ULT_SHIM_H
#define ULT_SHIM_H

#include "../../../nptl-elh/ult-internal.h"

/* Calls __elh_trap kept from the host, by kind. */
struct shim_counts {
	int sigprocmask, sigaction, tkill, interrupt, exit_group;
};
extern struct shim_counts shim_counts;

/* The calling thread becomes carrier 0 and the main ULT; n-1 more
 * carriers start as host threads. */
void shim_start(int n);

/* A ULT running fn(arg), queued on the calling ULT's carrier. */
struct ult *shim_spawn(int (*fn)(void *), void *arg);

/* Moves the clock of the runtime (CLOCK_MONOTONIC and CLOCK_REALTIME)
 * forward. */
void shim_advance(uint64_t ns);

/* Yield until u is in state st, at most about a second of tries; 1 if it
 * got there. */
int shim_until(struct ult *u, int st);

/* A futex call of the running ULT, as the client hands it over. */
long shim_futex(volatile int *addr, int op, int val, const struct timespec *ts, volatile int *addr2,
		int val3);

#endif
