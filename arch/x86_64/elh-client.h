/*
 * The guest's half of the exit-less protocol (elh-abi.h), written once for
 * the two clients that run it: elh-musl's system-call layer
 * (libc/elh/syscall.c) and the LD_PRELOAD shim for glibc programs
 * (preload/elh-preload.c).  What differs between them stays with them:
 * how the thread finds its tid, what a user-level thread does while its
 * call is pending (nptl-elh), how a call is made by trapping.
 *
 * Every function is called by the thread that owns the entry; the entry's
 * fields marked guest-private in elh-abi.h are touched by nobody else.
 */
#ifndef ELH_CLIENT_H
#define ELH_CLIENT_H

#include <stdint.h>

#include "elh-abi.h"

#define ELH_CLIENT_BACKOFF_MIN 8
#define ELH_CLIENT_BACKOFF_MAX 4096

#define ELH_ABI_FUTEX_WAIT_ 0

static inline uint64_t elh_client_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Sleep on w while it holds seen (FUTEX_WAIT, by trapping). */
static inline void elh_client_futex_wait(uint32_t *w, uint32_t seen)
{
	long ret;
	register long r10 __asm__("r10") = 0;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"((long)ELH_ABI_SYS_futex_), "D"(w),
			       "S"((long)ELH_ABI_FUTEX_WAIT_), "d"((long)seen), "r"(r10)
			     : "rcx", "r11", "memory");
	(void)ret;
}

/* Is the area the monitor's, of this version? */
static inline int elh_client_area_ok(const struct elh_shared *s)
{
	return s && s->magic == ELH_ABI_MAGIC && s->version == ELH_ABI_VERSION;
}

/* May call n go through the queue (the monitor's advice)? */
static inline int elh_client_may(const struct elh_shared *s, long n)
{
	return (unsigned long)n < ELH_NSYSCALLS && (s->exitless[n / 64] >> n % 64 & 1);
}

/* The entry of thread tid: hashed by tid, claimed on first use; 0 if every
 * entry is taken (the caller traps). */
static inline struct elh_sqe *elh_client_claim(struct elh_shared *s, int tid)
{
	unsigned h;

	if (tid <= 0)
		return 0;
	h = (unsigned)tid % ELH_NSLOTS;
	for (unsigned i = 0; i < ELH_NSLOTS; i++) {
		struct elh_sqe *q = &s->sqe[(h + i) % ELH_NSLOTS];
		uint32_t owner = __atomic_load_n(&q->owner, __ATOMIC_RELAXED), zero = 0;

		if (owner == (uint32_t)tid)
			return q;
		if (!owner && __atomic_compare_exchange_n(&q->owner, &zero, (uint32_t)tid, 0,
							  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			/* The last owner's fallback is not ours. */
			q->trap_left = q->backoff = 0;
			return q;
		}
	}
	return 0;
}

/* Submit call n with args a to q; notify is 0, or 1 + the vCPU to tell
 * (M:N).  Returns 1 if it had to wake the workers. */
static inline int elh_client_submit(struct elh_shared *s, struct elh_sqe *q, uint32_t notify,
				    long n, const long a[6])
{
	q->interrupt = 0;
	q->flags = 0;
	q->notify = notify;
	q->nr = n;
	for (int i = 0; i < 6; i++)
		q->args[i] = (uint64_t)a[i];
	__atomic_store_n(&q->state, ELH_SQE_SUBMITTED, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&s->workers_awake, __ATOMIC_SEQ_CST)) {
		elh_ring_doorbell(s);
		return 1;
	}
	return 0;
}

/*
 * Wait for the completion of the call on q (a thread that owns its vCPU:
 * spin for the monitor's budget, then sleep); returns its result and
 * leaves the entry free, its flags still readable.  A call that had to be
 * slept for makes the next ones trap (trap_left), unless its submission
 * found the workers asleep (rang): their waking says nothing of how busy
 * the queue is, and a thread back from a run of traps always finds them
 * asleep.
 */
static inline long elh_client_await(struct elh_shared *s, struct elh_sqe *q, int rang)
{
	uint64_t t0 = elh_client_rdtsc(), spin = s->spin_tsc;
	uint32_t st;
	long r;

	for (;;) {
		if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == ELH_SQE_DONE) {
			q->backoff = 0;
			goto done;
		}
		if (elh_client_rdtsc() - t0 > spin)
			break;
		__asm__ __volatile__("pause");
	}
	/* Not even taken: the awake workers are all inside long calls. */
	if (__atomic_load_n(&q->state, __ATOMIC_SEQ_CST) == ELH_SQE_SUBMITTED) {
		elh_ring_doorbell(s);
		rang = 1;
	}
	__atomic_store_n(&q->waiting, 1, __ATOMIC_SEQ_CST);
	while ((st = __atomic_load_n(&q->state, __ATOMIC_SEQ_CST)) != ELH_SQE_DONE)
		elh_client_futex_wait(&q->state, st);
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
	if (!rang) {
		q->backoff = q->backoff ? 2 * q->backoff : ELH_CLIENT_BACKOFF_MIN;
		if (q->backoff > ELH_CLIENT_BACKOFF_MAX)
			q->backoff = ELH_CLIENT_BACKOFF_MAX;
		q->trap_left = q->backoff;
	}
done:
	r = q->result;
	__atomic_store_n(&q->state, ELH_SQE_FREE, __ATOMIC_RELEASE);
	return r;
}

/*
 * CLOCK_MONOTONIC (mono != 0) or CLOCK_REALTIME in ns from the map the
 * monitor publishes, read under its sequence lock; 0 with *ns set, or -1
 * if the map is not valid (make the call).
 */
static inline int elh_client_clock(const struct elh_shared *s, int mono, uint64_t *ns)
{
	const struct elh_clock *c = &s->clock;
	uint64_t base, tsc_base, mult, t;
	int64_t off;
	uint32_t seq, lo, hi;

	do {
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if (!(__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & ELH_CLOCK_VALID))
			return -1;
		tsc_base = __atomic_load_n(&c->tsc_base, __ATOMIC_RELAXED);
		base = __atomic_load_n(&c->mono_base, __ATOMIC_RELAXED);
		mult = __atomic_load_n(&c->mult, __ATOMIC_RELAXED);
		off = __atomic_load_n(&c->real_offset, __ATOMIC_RELAXED);
		__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	} while ((seq & 1) || __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != seq);

	t = (uint64_t)hi << 32 | lo;
	t = t > tsc_base ? (uint64_t)(((unsigned __int128)(t - tsc_base) * mult) >> 32) : 0;
	t += base;
	if (!mono)
		t += (uint64_t)off;
	*ns = t;
	return 0;
}

#endif
