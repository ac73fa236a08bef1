/*
 * The exit-less system-call ABI between elh-musl (the guest) and the elh
 * monitor (the host), version 4.  This one header is compiled into both.
 *
 * The monitor maps one shared area inside the guest's arena and passes its
 * address in the auxiliary vector (AT_ELH_SHARED).  A program that does not
 * know the tag ignores it and makes ordinary (trapping) system calls.
 *
 * A guest thread owns one submission entry at a time, claimed by writing its
 * tid into `owner` (compare-and-swap from 0); the monitor clears `owner`
 * when the thread exits (the guest does, for a user-level thread).  Protocol of one call, `state`
 * ordering it:
 *
 *   guest                                   host worker
 *   -----                                   -----------
 *   interrupt = 0, flags = 0, nr, args (plain)
 *   state = SUBMITTED             (seq_cst)
 *   if !workers_awake: doorbell++, FUTEX_WAKE(doorbell)   (a trapping call)
 *                                           CAS state SUBMITTED -> RUNNING
 *                                           run the call; result, flags (plain)
 *                                           state = DONE  (seq_cst)
 *                                           if waiting: FUTEX_WAKE(state)
 *   spin until state == DONE; or
 *   if still SUBMITTED: ring as above
 *   waiting = 1 (seq_cst), re-read state, FUTEX_WAIT(state, seen)
 *   read result and flags; state = FREE
 *
 * The two "flag, then re-read" pairs (awake/doorbell and waiting/state) are
 * Dekker-style: with sequentially consistent accesses on both sides, either
 * the sleeper sees the new state or the waker sees the flag, so no wake-up
 * is lost.  A worker reads `doorbell`, leaves `workers_awake`, scans once
 * more and sleeps only if `doorbell` is unchanged.  `workers_awake` counts
 * the workers not asleep, including those inside a long call: a submission
 * nobody took within the guest's spin rings anyway, and the monitor keeps a
 * worker free of blocking calls at all times, so some worker is asleep to
 * be woken, or scanning.
 *
 * Signals.  When the monitor runs a guest signal handler on a thread whose
 * call is SUBMITTED or RUNNING, it writes `interrupt` (1; 2 if the handler
 * has SA_RESTART) and stops the worker's host call, which then ends with
 * -EINTR unless it had already completed.  The worker posts the result with
 * ELH_SQE_RESTART if Linux would restart that call: the guest submits it
 * again once the handler has returned (or, at a cancellation point with a
 * cancellation pending, acts on the cancellation).
 *
 * ELH_SQE_RETRAP asks the guest to make the call again through the
 * trapping path: for calls that need the calling vCPU (a temporary signal
 * mask, a signal the call raises on its caller), and for blocking calls
 * when every worker the monitor allows is already blocked (then with
 * ELH_SQE_BUSY: a user-level thread, which should not block its vCPU,
 * waits a little and submits the call again a few times first).
 *
 * Falling back.  A guest thread that had to sleep for a completion (a call
 * that blocked, or more calling threads than cores) paid a trap for the
 * sleep on top of the hand-off: the trap alone would have cost less.  It
 * makes its next calls by trapping, and tries the queue again after a run
 * that doubles each time the queue is still slow (`trap_left`, `backoff`).
 *
 * The guest may not trust the area for anything but its own calls: the
 * monitor validates every call as it would a trapping one, and keeps its own
 * copy of which calls may be exit-less (`exitless` is advisory).
 *
 * M:N threads.  With `vcpus` > 0 (elh run --vcpus), the guest runs its
 * POSIX threads as user-level threads over that many vCPUs (nptl-elh).  A
 * user-level thread submits its call with `notify` = 1 + the index of its
 * vCPU and yields; the vCPU runs other threads and polls the entries of
 * the ones waiting.  A vCPU with nothing to run sleeps on its `carrier`
 * word: it sets `sleeping`, re-reads `events` and the entries it waits
 * for, then FUTEX_WAITs on `events`.  After posting DONE the worker adds
 * one to `events` of the entry's vCPU and wakes it if `sleeping` (the same
 * Dekker pair as above, seq_cst on both sides).  Other vCPUs wake a
 * sleeping one the same way.
 *
 * ELH_SYS_interrupt(slot, restart) is a trapping call of the monitor's
 * own: it interrupts the call in flight in entry `slot` as a signal
 * handler would (interrupt = 1, or 2 with restart), for a user-level
 * thread that receives a signal or a cancellation while its call is
 * pending.
 *
 * The clock.  The monitor publishes, under a sequence lock, a linear map
 * from the TSC to CLOCK_MONOTONIC and the current CLOCK_REALTIME offset;
 * the guest answers clock_gettime from `rdtsc` without any call.  Writer:
 * seq++ (odd), then reads the TSC and computes the new base so that the map
 * is continuous at that TSC, writes, seq++ (even).  Reader: seq (acquire),
 * fields, lfence; rdtsc, seq again (acquire); retry if odd or changed.  A
 * reader that used the old map read the TSC before the writer did, so the
 * clock it saw is at most the new base: monotonic time never goes back.
 */
#ifndef ELH_ABI_H
#define ELH_ABI_H

#include <stdint.h>

#define ELH_ABI_MAGIC	0x314c4845u /* "EHL1" */
#define ELH_ABI_VERSION 4u

/* The auxiliary vector tag of the shared area's guest address. */
#define AT_ELH_SHARED 0x454c4801ul
/* With no shared area (--mode=hypercall), the vCPUs of M:N threads: the
 * guest runs its own pool of workers (nptl-elh/pool.c). */
#define AT_ELH_VCPUS 0x454c4802ul

#define ELH_NSLOTS	 256
#define ELH_MAX_CARRIERS 64 /* vCPUs of an M:N guest, at most */

/* The monitor's own trapping calls, numbered above every Linux call. */
#define ELH_SYS_interrupt 0x454c00
#define ELH_NSYSCALLS	  512 /* calls numbered at or above go the trapping way */

enum elh_sqe_state {
	ELH_SQE_FREE = 0,
	ELH_SQE_SUBMITTED = 1,
	ELH_SQE_RUNNING = 2,
	ELH_SQE_DONE = 3,
};

/* flags of a completed call, written by the monitor */
#define ELH_SQE_RESTART 1u /* interrupted; submit it again */
#define ELH_SQE_RETRAP	2u /* make the call again with a trapping `syscall` */
#define ELH_SQE_BUSY	4u /* with RETRAP: every worker allowed is in a blocking call */

struct elh_sqe {
	uint32_t state;	  /* enum elh_sqe_state; futex word the guest sleeps on */
	uint32_t waiting; /* guest: "I sleep on state, wake me" */
	uint32_t owner;	  /* tid of the guest thread that owns the entry, 0 if free */
	uint32_t busy;	  /* guest-private: a call is in flight (nested calls trap) */
	int64_t nr;
	uint64_t args[6];
	int64_t result;
	uint32_t interrupt; /* monitor: a signal handler interrupts the call; guest clears */
	uint32_t flags;	    /* monitor: ELH_SQE_RESTART, ELH_SQE_RETRAP */
	uint32_t trap_left; /* guest-private: calls to make by trapping before trying again */
	uint32_t backoff;   /* guest-private: the length of the last such run */
	uint32_t notify;    /* guest: 0, or 1 + the vCPU (carrier) to notify on completion */
} __attribute__((aligned(128)));

/* The sleep word of one vCPU of an M:N guest ("M:N threads" above). */
struct elh_carrier {
	uint32_t events;   /* futex word: bumped by whoever has work for the vCPU */
	uint32_t sleeping; /* guest: the vCPU sleeps, or is about to, on events */
} __attribute__((aligned(64)));

#define ELH_CLOCK_VALID 1u /* the map may be used; else make the call */

struct elh_clock {
	uint32_t seq;	     /* odd while the monitor writes */
	uint32_t flags;	     /* ELH_CLOCK_VALID */
	uint64_t tsc_base;   /* TSC at mono_base */
	uint64_t mono_base;  /* CLOCK_MONOTONIC at tsc_base, in ns */
	uint64_t mult;	     /* ns per TSC tick, times 2^32 */
	int64_t real_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns */
};

struct elh_shared {
	uint32_t magic;		/* ELH_ABI_MAGIC, written once by the monitor */
	uint32_t version;	/* ELH_ABI_VERSION */
	uint32_t workers_awake; /* host: workers not asleep on doorbell */
	uint32_t doorbell;	/* futex word the workers sleep on */
	uint32_t spin_tsc;	/* how long a guest spins before sleeping, at most, in TSC ticks */
	uint32_t vcpus;		/* monitor: M:N over this many vCPUs; 0: one vCPU per thread */
	uint32_t pad[10];
	struct elh_clock clock __attribute__((aligned(64))); /* its own cache line */
	uint64_t exitless[ELH_NSYSCALLS / 64] __attribute__((aligned(64)));
	/* bit n: call n may be exit-less */
	struct elh_sqe sqe[ELH_NSLOTS] __attribute__((aligned(128)));
	struct elh_carrier carrier[ELH_MAX_CARRIERS];
};

_Static_assert(sizeof(struct elh_sqe) == 128, "one entry: two cache lines, no false sharing");
_Static_assert(__builtin_offsetof(struct elh_sqe, result) == 72, "entry layout");
_Static_assert(__builtin_offsetof(struct elh_sqe, trap_left) == 88, "entry layout");
_Static_assert(__builtin_offsetof(struct elh_sqe, notify) == 96, "entry layout");
_Static_assert(sizeof(struct elh_carrier) == 64, "one vCPU's word: a cache line");
_Static_assert(sizeof(struct elh_clock) == 40, "clock layout");
_Static_assert(__builtin_offsetof(struct elh_shared, clock) == 64, "header layout");
_Static_assert(__builtin_offsetof(struct elh_shared, exitless) == 128, "header layout");
_Static_assert(__builtin_offsetof(struct elh_shared, sqe) % 128 == 0, "entry alignment");
_Static_assert(sizeof(struct elh_shared) <= 64 * 1024, "the area's size");

/*
 * The steps of the protocol that both sides run, written once: the
 * monitor's workers (monitor/exitless.c), the guest's in-process pool
 * (nptl-elh/pool.c) and the client (libc/elh/syscall.c) use these.  A
 * wake is a raw `syscall`: on the host a kernel call, in the guest a trap
 * to the monitor, natively the kernel's.
 */

#define ELH_ABI_SYS_futex_  202 /* x86-64 */
#define ELH_ABI_FUTEX_WAKE_ 1

/* Wake one thread asleep on word w (FUTEX_WAKE, shared: the two sides are
 * different processes' views of one mapping only natively, where it does
 * not matter). */
static inline void elh_futex_wake(uint32_t *w)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"((long)ELH_ABI_SYS_futex_), "D"(w),
			       "S"((long)ELH_ABI_FUTEX_WAKE_), "d"(1L)
			     : "rcx", "r11", "memory");
	(void)ret;
}

/* Wake a sleeping worker: ring the doorbell (the first Dekker pair above;
 * the caller has read workers_awake, or knows a worker must be woken). */
static inline void elh_ring_doorbell(struct elh_shared *s)
{
	__atomic_add_fetch(&s->doorbell, 1, __ATOMIC_SEQ_CST);
	elh_futex_wake(&s->doorbell);
}

/* Tell a vCPU that it has something to look at: bump its word, then wake
 * it if it sleeps ("M:N threads" above). */
static inline void elh_carrier_notify(struct elh_carrier *c)
{
	__atomic_add_fetch(&c->events, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->sleeping, __ATOMIC_SEQ_CST))
		elh_futex_wake(&c->events);
}

/* A worker takes a submitted call; 0 if another worker took it first. */
static inline int elh_sqe_take(struct elh_sqe *q)
{
	uint32_t want = ELH_SQE_SUBMITTED;

	return __atomic_compare_exchange_n(&q->state, &want, ELH_SQE_RUNNING, 0, __ATOMIC_SEQ_CST,
					   __ATOMIC_RELAXED);
}

/*
 * Post the completion of the call a worker took from q: result and flags,
 * then DONE; wake the guest thread if it sleeps on the entry, and tell its
 * vCPU (M:N).  `notify` is read before DONE: once the guest sees DONE the
 * entry is its own again, and its next call may change it.
 */
static inline void elh_sqe_post(struct elh_shared *s, struct elh_sqe *q, int64_t result,
				uint32_t flags)
{
	uint32_t notify = __atomic_load_n(&q->notify, __ATOMIC_RELAXED);

	q->result = result;
	q->flags = flags;
	__atomic_store_n(&q->state, ELH_SQE_DONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST))
		elh_futex_wake(&q->state);
	if (notify && notify <= ELH_MAX_CARRIERS)
		elh_carrier_notify(&s->carrier[notify - 1]);
}

#endif
