#include <stdint.h>
#include <limits.h>
#include "libc.h"
#include "pthread_impl.h"
#include "syscall.h"
#include "futex.h"
#include "elh.h"
#include "elh-calls.h"
#include "elh-client.h"
#include "../nptl-elh/ult.h"

/* The ELH client: the system-call layer of elh-musl.
 *
 * Under the elh monitor, the auxiliary vector names a shared area
 * (elh-abi.h) through which a thread submits a call to the monitor's
 * workers and waits for its completion without a VM exit.  Calls the
 * monitor does not allow exit-less, calls made before the thread pointer
 * exists, calls nested in a signal handler while the thread's own call is
 * in flight, and everything outside elh use the `syscall` instruction. */

struct elh_shared *__elh_shared;
static volatile int mode; /* 0: not looked yet, 1: exit-less, -1: trap only */

/* How a completion is awaited: spin for the monitor's budget (spin_tsc,
 * about the cost of one trap: sleeping costs a trap), then sleep.  After a
 * call slow enough to sleep for, this many calls trap; the run doubles
 * while the queue stays slow (elh-abi.h, "Falling back"). */
/* A user-level thread whose blocking call found every worker blocked waits
 * and submits it again this many times (50 us, doubling), then traps it;
 * the vCPU's other threads go to other vCPUs for the call's duration
 * (__elh_ult_hold). */
#define ULT_BUSY_TRIES 8

static int find_area(void)
{
	size_t *a;
	struct elh_shared *s = 0;

	for (a = libc.auxv; a && *a; a += 2)
		if (a[0] == AT_ELH_SHARED)
			s = (void *)a[1];
	if (!elh_client_area_ok(s))
		return -1;
	__elh_shared = s;
	return 1;
}

/* The thread's entry (elh-client.h). */
static struct elh_sqe *my_sqe(void)
{
	return elh_client_claim(__elh_shared, __pthread_self()->tid);
}

int __elh_exitless(void)
{
	if (!mode)
		mode = find_area();
	return mode > 0;
}

void __elh_attach(struct elh_shared *s)
{
	__elh_shared = s;
	mode = 1;
}

void __elh_detach(void)
{
	__elh_shared = 0;
	mode = -1;
}

/* The entry this call may use, or 0: trap. */
static struct elh_sqe *usable(long n)
{
	struct elh_sqe *q;

	if (mode < 0 || !libc.can_do_threads)
		return 0;
	if (!mode)
		mode = find_area();
	if (mode < 0 || !elh_client_may(__elh_shared, n))
		return 0;
	q = my_sqe();
	if (!q || q->busy)
		return 0;
	if (q->trap_left && !__elh_ult_active) {
		q->trap_left--;
		return 0;
	}
	return q;
}

/* A call made by trapping that may block: a user-level thread hands the
 * rest of its vCPU's work over meanwhile. */
static long trap_held(long n, long a, long b, long c, long d, long e, long f)
{
	long r;

	__elh_ult_hold();
	r = __elh_trap(n, a, b, c, d, e, f);
	__elh_ult_unhold();
	return r;
}

static long trap_held_cp(volatile int *cancel, long n, long a, long b, long c, long d, long e,
			 long f)
{
	long r;

	__elh_ult_hold();
	r = __syscall_cp_asm(cancel, n, a, b, c, d, e, f);
	__elh_ult_unhold();
	return r;
}

/* Returns 1 if it had to wake the workers. */
static int submit(struct elh_sqe *q, long n, long a, long b, long c, long d, long e, long f)
{
	long args[6] = { a, b, c, d, e, f };

	return elh_client_submit(__elh_shared, q, __elh_ult_active ? __elh_ult_notify() : 0, n,
				 args);
}

/* Wait for the completion; returns its result, leaves the entry free.  A
 * user-level thread yields its vCPU to the others meanwhile. */
static long complete(struct elh_sqe *q, int rang)
{
	if (__elh_ult_active)
		return __elh_ult_await(q);
	return elh_client_await(__elh_shared, q, rang);
}

static long syscall_body(long n, long a, long b, long c, long d, long e, long f)
{
	struct elh_sqe *q;
	long r;
	int rang;

	if (__elh_ult_active) {
		switch (__elh_ult_syscall(n, a, b, c, d, e, f, &r)) {
		case 1: return r;
		case 2:
			r = __elh_trap(n, a, b, c, d, e, f);
			__elh_ult_direct_done(r);
			return r;
		case 3:
			__elh_ult_unmask(n, &d, &e, &f);
			r = syscall_body(n, a, b, c, d, e, f);
			__elh_ult_direct_done(r);
			return r;
		}
	}
	q = usable(n);
	if (!q) {
		if (__elh_ult_active && elh_call_blocks(n))
			return trap_held(n, a, b, c, d, e, f);
		return __elh_trap(n, a, b, c, d, e, f);
	}
	q->busy = 1;
	for (unsigned tries = 0;;) {
		rang = submit(q, n, a, b, c, d, e, f);
		r = complete(q, rang);
		if (q->flags & ELH_SQE_RESTART)
			continue;
		if ((q->flags & ELH_SQE_BUSY) && __elh_ult_active && tries < ULT_BUSY_TRIES) {
			__elh_ult_pause(tries++);
			continue;
		}
		break;
	}
	q->busy = 0;
	if ((q->flags & ELH_SQE_RETRAP) && __elh_ult_active && (q->flags & ELH_SQE_BUSY))
		r = trap_held(n, a, b, c, d, e, f);
	else if (q->flags & ELH_SQE_RETRAP)
		r = __elh_trap(n, a, b, c, d, e, f);
	return r;
}

/* A cancellation point (see __syscall_cp_c): the cancellation acts on
 * entry, or when a signal interrupts the call, as with __syscall_cp_asm. */
static long syscall_cp_body(volatile int *cancel, long n, long a, long b, long c, long d, long e,
			    long f)
{
	struct elh_sqe *q;
	long r;
	int rang;

	if (__elh_ult_active) {
		if (*cancel)
			return __cancel();
		switch (__elh_ult_syscall(n, a, b, c, d, e, f, &r)) {
		case 1: return r;
		case 2:
			r = __syscall_cp_asm(cancel, n, a, b, c, d, e, f);
			__elh_ult_direct_done(r);
			return r;
		case 3:
			__elh_ult_unmask(n, &d, &e, &f);
			r = syscall_cp_body(cancel, n, a, b, c, d, e, f);
			__elh_ult_direct_done(r);
			return r;
		}
	}
	q = usable(n);
	if (!q) {
		if (__elh_ult_active && elh_call_blocks(n))
			return trap_held_cp(cancel, n, a, b, c, d, e, f);
		return __syscall_cp_asm(cancel, n, a, b, c, d, e, f);
	}
	q->busy = 1;
	for (unsigned tries = 0;;) {
		if (*cancel) {
			q->busy = 0;
			return __cancel();
		}
		rang = submit(q, n, a, b, c, d, e, f);
		r = complete(q, rang);
		if (q->flags & ELH_SQE_RESTART) {
			if (*cancel)
				break;
			continue;
		}
		if ((q->flags & ELH_SQE_BUSY) && __elh_ult_active && tries < ULT_BUSY_TRIES) {
			__elh_ult_pause(tries++);
			continue;
		}
		break;
	}
	q->busy = 0;
	if ((q->flags & ELH_SQE_RETRAP) && __elh_ult_active && (q->flags & ELH_SQE_BUSY))
		return trap_held_cp(cancel, n, a, b, c, d, e, f);
	if (q->flags & ELH_SQE_RETRAP)
		return __syscall_cp_asm(cancel, n, a, b, c, d, e, f);
	return r;
}

/* A user-level thread is not preempted inside the client (ult.h).  Calls
 * that map memory are noted for nptl-elh's futexes, threads or not: the
 * first thread may be created after the mappings. */
long __elh_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	long r;

	if (!__elh_ult_active) {
		r = syscall_body(n, a, b, c, d, e, f);
		if (__elh_maps_memory(n))
			__elh_shared_note(n, a, b, c, d, r);
		return r;
	}
	__elh_ult_enter();
	r = syscall_body(n, a, b, c, d, e, f);
	if (__elh_maps_memory(n))
		__elh_shared_note(n, a, b, c, d, r);
	__elh_ult_leave();
	return r;
}

long __elh_syscall_cp(volatile int *cancel, long n, long a, long b, long c, long d, long e, long f)
{
	long r;

	if (!__elh_ult_active)
		return syscall_cp_body(cancel, n, a, b, c, d, e, f);
	__elh_ult_enter();
	r = syscall_cp_body(cancel, n, a, b, c, d, e, f);
	__elh_ult_leave();
	return r;
}
