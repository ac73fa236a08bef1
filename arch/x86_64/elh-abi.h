/*
 * The exit-less system-call ABI between elh-musl (the guest) and the elh
 * monitor (the host), version 1.  This one header is compiled into both.
 *
 * The monitor maps one shared area inside the guest's arena and passes its
 * address in the auxiliary vector (AT_ELH_SHARED).  A program that does not
 * know the tag ignores it and makes ordinary (trapping) system calls.
 *
 * A guest thread owns one submission entry at a time, claimed by writing its
 * tid into `owner` (compare-and-swap from 0); the monitor clears `owner`
 * when the thread exits.  Protocol of one call, `state` ordering it:
 *
 *   guest                                   host worker
 *   -----                                   -----------
 *   fill nr, args                 (plain)
 *   state = SUBMITTED             (seq_cst)
 *   if workers_idle: doorbell++, FUTEX_WAKE(doorbell)     (a trapping call)
 *                                           CAS state SUBMITTED -> RUNNING
 *                                           run the call, result = r (plain)
 *                                           state = DONE  (seq_cst)
 *                                           if waiting: FUTEX_WAKE(state)
 *   spin until state == DONE; or
 *   waiting = 1 (seq_cst), re-read state, FUTEX_WAIT(state, seen)
 *   read result; state = FREE
 *
 * The two "flag, then re-read" pairs (idle/doorbell and waiting/state) are
 * Dekker-style: with sequentially consistent accesses on both sides, either
 * the sleeper sees the new state or the waker sees the flag, so no wake-up
 * is lost.  A worker reads `doorbell` before its last scan and sleeps only
 * if it is unchanged.
 *
 * The guest may not trust the area for anything but its own calls: the
 * monitor validates every call as it would a trapping one, and keeps its own
 * copy of which calls may be exit-less (`exitless` is advisory).
 */
#ifndef ELH_ABI_H
#define ELH_ABI_H

#include <stdint.h>

#define ELH_ABI_MAGIC 0x314c4845u /* "EHL1" */
#define ELH_ABI_VERSION 1u

/* The auxiliary vector tag of the shared area's guest address. */
#define AT_ELH_SHARED 0x454c4801ul

#define ELH_NSLOTS 256
#define ELH_NSYSCALLS 512 /* calls numbered at or above go the trapping way */

enum elh_sqe_state {
	ELH_SQE_FREE = 0,
	ELH_SQE_SUBMITTED = 1,
	ELH_SQE_RUNNING = 2,
	ELH_SQE_DONE = 3,
};

struct elh_sqe {
	uint32_t state;   /* enum elh_sqe_state; futex word the guest sleeps on */
	uint32_t waiting; /* guest: "I sleep on state, wake me" */
	uint32_t owner;   /* tid of the guest thread that owns the entry, 0 if free */
	uint32_t busy;    /* guest-private: a call is in flight (nested calls trap) */
	int64_t nr;
	uint64_t args[6];
	int64_t result;
} __attribute__((aligned(128)));

struct elh_shared {
	uint32_t magic;        /* ELH_ABI_MAGIC, written once by the monitor */
	uint32_t version;      /* ELH_ABI_VERSION */
	uint32_t workers_idle; /* host: set while its workers sleep on doorbell */
	uint32_t doorbell;     /* futex word the workers sleep on */
	uint32_t spin_ns;      /* how long a guest spins before sleeping */
	uint32_t pad[11];
	uint64_t exitless[ELH_NSYSCALLS / 64]; /* bit n: call n may be exit-less */
	struct elh_sqe sqe[ELH_NSLOTS] __attribute__((aligned(128)));
};

_Static_assert(sizeof(struct elh_sqe) == 128, "one entry: two cache lines, no false sharing");
_Static_assert(__builtin_offsetof(struct elh_shared, exitless) == 64, "header layout");
_Static_assert(__builtin_offsetof(struct elh_shared, sqe) % 128 == 0, "entry alignment");
_Static_assert(sizeof(struct elh_shared) <= 64 * 1024, "the area's size");

#endif
