#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include "ult-internal.h"

/* Futexes of ULTs: wait queues hashed by address, timers, requeue,
 * priority inheritance, and the futexes shared with other processes
 * (lock order: ult-internal.h). */

static struct bucket {
	volatile int lock;
	struct ult *head;
} buckets[NBUCKETS];

static volatile int timer_lock;
static struct ult *timers; /* by deadline */
volatile uint64_t next_deadline;
volatile int kwaiting;

/* ---- timers (futex waits with a timeout) ---- */

static void timer_add(struct ult *u)
{
	struct ult **p;

	__elh_spin_lock(&timer_lock);
	for (p = &timers; *p && (*p)->deadline <= u->deadline; p = &(*p)->tnext)
		;
	u->tnext = *p;
	*p = u;
	u->in_timers = 1;
	next_deadline = timers->deadline;
	__elh_spin_unlock(&timer_lock);
}

/* For a waker that took u off its wait queue: u leaves the timers, and
 * once this returns no scheduler looks at it for its deadline any more. */
static void timer_del(struct ult *u)
{
	__elh_spin_lock(&timer_lock);
	if (u->in_timers) {
		for (struct ult **p = &timers; *p; p = &(*p)->tnext)
			if (*p == u) {
				*p = u->tnext;
				break;
			}
		u->in_timers = 0;
		next_deadline = timers ? timers->deadline : 0;
	}
	__elh_spin_unlock(&timer_lock);
	while (__atomic_load_n(&u->expiring, __ATOMIC_ACQUIRE))
		__asm__ __volatile__("pause");
}

static struct bucket *bucket_of(volatile int *addr)
{
	return &buckets[((uintptr_t)addr >> 2) % NBUCKETS];
}

static int bucket_del(struct bucket *b, struct ult *u)
{
	for (struct ult **p = &b->head; *p; p = &(*p)->next)
		if (*p == u) {
			*p = u->next;
			u->in_bucket = 0;
			return 1;
		}
	return 0;
}

/* End the waits whose deadline has passed; they go to c's queue.  Locks
 * are taken in the order bucket, then timers; a ULT taken off the timers
 * here is marked `expiring` until its bucket is looked at, so that a waker
 * that took it off its wait queue meanwhile does not let it run (and end)
 * before (timer_del). */
hidden int run_timers(struct carrier *c)
{
	uint64_t now, d = __atomic_load_n(&next_deadline, __ATOMIC_RELAXED);
	int n = 0;

	if (!d || (now = now_ns()) < d)
		return 0;
	for (;;) {
		struct ult *u;
		struct bucket *b;
		int fired = 0;

		__elh_spin_lock(&timer_lock);
		u = timers;
		if (!u || u->deadline > now) {
			next_deadline = u ? u->deadline : 0;
			__elh_spin_unlock(&timer_lock);
			return n;
		}
		timers = u->tnext;
		u->in_timers = 0;
		u->expiring = 1;
		next_deadline = timers ? timers->deadline : 0;
		__elh_spin_unlock(&timer_lock);
		for (;;) {
			volatile int *a = u->faddr;
			b = bucket_of(a);
			__elh_spin_lock(&b->lock);
			if (u->faddr == a)
				break;
			__elh_spin_unlock(&b->lock);
		}
		if (u->in_bucket && bucket_del(b, u)) {
			u->wake_err = ETIMEDOUT;
			fired = 1;
		}
		__elh_spin_unlock(&b->lock);
		__atomic_store_n(&u->expiring, 0, __ATOMIC_RELEASE);
		if (fired) {
			enqueue(c, u);
			n++;
		}
	}
}

/* Queue u on a futex if *faddr still holds fval, under the bucket lock
 * that wakers take. */
hidden void park(struct carrier *c, struct ult *u)
{
	struct bucket *b = bucket_of(u->faddr);

	__elh_spin_lock(&b->lock);
	if (*u->faddr != u->fval) {
		__elh_spin_unlock(&b->lock);
		u->wake_err = EAGAIN;
		enqueue(c, u);
		return;
	}
	__atomic_store_n(&u->state, U_WAIT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&u->sigpend, __ATOMIC_SEQ_CST) & ~u->mask) {
		/* A signal sent while it was still running ends the wait. */
		__elh_spin_unlock(&b->lock);
		u->wake_err = EINTR;
		enqueue(c, u);
		return;
	}
	u->next = b->head;
	b->head = u;
	u->in_bucket = 1;
	if (u->deadline)
		timer_add(u);
	__elh_spin_unlock(&b->lock);
}

hidden long futex_wait(struct ult *u, volatile int *addr, int val, const struct timespec *ts,
		       unsigned bits, int absolute, int realtime)
{
	u->faddr = addr;
	u->fval = val;
	u->fbits = bits;
	u->wake_err = 0;
	u->deadline = 0;
	if (ts) {
		uint64_t rel = ts->tv_sec * 1000000000ull + ts->tv_nsec;
		if (ts->tv_sec < 0 || (unsigned long)ts->tv_nsec >= 1000000000)
			return -EINVAL;
		if (absolute) {
			struct timespec now;
			uint64_t t;
			if (__elh_clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now) <
			    0)
				__elh_trap(SYS_clock_gettime,
					   realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, (long)&now,
					   0, 0, 0, 0);
			t = now.tv_sec * 1000000000ull + now.tv_nsec;
			if (rel <= t)
				return -ETIMEDOUT;
			rel -= t;
		}
		u->deadline = now_ns() + rel;
	}
	block(u, A_WAIT);
	return u->wake_err ? -u->wake_err : 0;
}

/* The waiters a waker took off their queues (a list through `next`)
 * leave the timers, and run with 0. */
static void make_woken_ready(struct carrier *here, struct ult *woken)
{
	while (woken) {
		struct ult *u = woken;
		woken = u->next;
		if (u->deadline)
			timer_del(u);
		u->wake_err = 0;
		make_ready(here, u);
	}
}

hidden long futex_wake(struct carrier *here, volatile int *addr, int n, unsigned bits)
{
	struct bucket *b = bucket_of(addr);
	struct ult *woken = 0, *u;
	int k = 0;

	__elh_spin_lock(&b->lock);
	for (struct ult **p = &b->head; *p && k < n;) {
		u = *p;
		if (u->faddr == addr && (u->fbits & bits)) {
			*p = u->next;
			u->in_bucket = 0;
			u->next = woken;
			woken = u;
			k++;
		} else {
			p = &u->next;
		}
	}
	__elh_spin_unlock(&b->lock);
	make_woken_ready(here, woken);
	return k;
}

/* For a sender of a signal (under tid_lock): u's wait ends with EINTR if
 * it is in a wait queue; then it is off its timer too. */
hidden int futex_interrupt(struct ult *u)
{
	struct bucket *b = bucket_of(u->faddr);
	int woke = 0;

	__elh_spin_lock(&b->lock);
	if (u->in_bucket && u->faddr && bucket_of(u->faddr) == b && bucket_del(b, u)) {
		u->wake_err = EINTR;
		woke = 1;
	}
	__elh_spin_unlock(&b->lock);
	if (woke)
		timer_del(u);
	return woke;
}

static long futex_requeue(volatile int *addr, int nwake, int nmove, volatile int *addr2, int cmp,
			  int check)
{
	struct bucket *b1 = bucket_of(addr), *b2 = bucket_of(addr2);
	struct ult *woken = 0, *moved = 0, *u;
	struct carrier *here = self()->carrier;
	int k = 0, m = 0;

	if (b1 < b2) {
		__elh_spin_lock(&b1->lock);
		__elh_spin_lock(&b2->lock);
	} else if (b2 < b1) {
		__elh_spin_lock(&b2->lock);
		__elh_spin_lock(&b1->lock);
	} else
		__elh_spin_lock(&b1->lock);
	if (check && *addr != cmp) {
		k = -EAGAIN;
		goto out;
	}
	for (struct ult **p = &b1->head; *p;) {
		u = *p;
		if (u->faddr != addr) {
			p = &u->next;
			continue;
		}
		if (k < nwake) {
			*p = u->next;
			u->in_bucket = 0;
			u->next = woken;
			woken = u;
			k++;
		} else if (m < nmove) {
			*p = u->next;
			u->faddr = addr2;
			u->next = moved;
			moved = u;
			m++;
		} else {
			break;
		}
	}
	while (moved) {
		u = moved;
		moved = u->next;
		u->next = b2->head;
		b2->head = u;
	}
out:
	if (b1 != b2)
		__elh_spin_unlock(&b2->lock);
	__elh_spin_unlock(&b1->lock);
	make_woken_ready(here, woken);
	return k < 0 ? k : k + m;
}

/* Priority-inheritance futexes, with the ownership protocol of Linux and
 * no priorities to inherit (ULTs have none): the word holds the owner's
 * tid, FUTEX_WAITERS while threads wait, and unlocking hands the lock to
 * the first waiter. */
#define PI_WAITERS    0x80000000
#define PI_OWNER_DIED 0x40000000

static long futex_lock_pi(struct ult *u, volatile int *addr, const struct timespec *ts, int try)
{
	struct bucket *b = bucket_of(addr);

	for (;;) {
		int v = __atomic_load_n(addr, __ATOMIC_SEQ_CST), waiters = 0;
		long r;

		if ((v & FUTEX_TID_MASK) == u->tid)
			return -EDEADLK;
		if (!(v & FUTEX_TID_MASK)) {
			__elh_spin_lock(&b->lock);
			for (struct ult *w = b->head; w && !waiters; w = w->next)
				waiters = w->faddr == addr;
			r = __atomic_compare_exchange_n(
			    addr, &v, u->tid | (v & PI_OWNER_DIED) | (waiters ? PI_WAITERS : 0), 0,
			    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			__elh_spin_unlock(&b->lock);
			if (r)
				return 0;
			continue;
		}
		if (try)
			return -EAGAIN;
		if (!(v & PI_WAITERS) &&
		    !__atomic_compare_exchange_n(addr, &v, v | PI_WAITERS, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			continue;
		/* Parked only if the word is unchanged (park); the unlocker
		 * makes u the owner before waking it. */
		r = futex_wait(u, addr, v | PI_WAITERS, ts, ~0u, 1, 1);
		if ((__atomic_load_n(addr, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) == u->tid)
			return 0;
		if (r == -ETIMEDOUT || r == -EINTR || r == -EINVAL)
			return r;
	}
}

static long futex_unlock_pi(struct ult *u, volatile int *addr)
{
	struct bucket *b = bucket_of(addr);
	struct ult *next = 0;
	int more = 0;

	__elh_spin_lock(&b->lock);
	if ((__atomic_load_n(addr, __ATOMIC_SEQ_CST) & FUTEX_TID_MASK) != u->tid) {
		__elh_spin_unlock(&b->lock);
		return -EPERM;
	}
	for (struct ult **p = &b->head; *p;) {
		if ((*p)->faddr != addr) {
			p = &(*p)->next;
		} else if (!next) {
			next = *p;
			*p = next->next;
			next->in_bucket = 0;
		} else {
			more = 1;
			break;
		}
	}
	__atomic_store_n(addr, next ? next->tid | (more ? PI_WAITERS : 0) : 0, __ATOMIC_SEQ_CST);
	__elh_spin_unlock(&b->lock);
	if (next) {
		if (next->deadline)
			timer_del(next);
		next->wake_err = 0;
		make_ready(u->carrier, next);
	}
	return 0;
}

/*
 * A futex without FUTEX_PRIVATE in memory another process may share (a
 * process-shared mutex, semaphore or condition variable in MAP_SHARED
 * memory, across fork; shared.c keeps the ranges): its waits are the
 * kernel's, made on the vCPU and held through the hand-off; its wakes wake
 * the guest's waiters and then the kernel's.  Anywhere else the flag makes
 * no difference, as for the kernel, and the futex is the guest's: musl's
 * thread list lock, say, which every exiting thread takes.  `kwaiting`
 * counts this process's threads in a kernel wait, for the wakes the
 * runtime makes itself (a thread's exit).
 */

static long shared_wait(volatile int *addr, int op, int val, const struct timespec *ts, int val3)
{
	long r;

	__atomic_add_fetch(&kwaiting, 1, __ATOMIC_SEQ_CST);
	__elh_ult_hold();
	r = __elh_trap(SYS_futex, (long)addr, op, val, (long)ts, 0, val3);
	__elh_ult_unhold();
	__atomic_sub_fetch(&kwaiting, 1, __ATOMIC_SEQ_CST);
	return r;
}

static long shared_wake(struct carrier *c, volatile int *addr, int op, int n, unsigned bits)
{
	long r = futex_wake(c, addr, n, bits), k;

	if (r < n) {
		k = __elh_trap(SYS_futex, (long)addr, op, n - r, 0, 0, (long)bits);
		if (k > 0)
			r += k;
	}
	return r;
}

hidden long ult_futex(struct ult *u, volatile int *addr, int op, int val, const struct timespec *ts,
		      volatile int *addr2, int val3)
{
	int cmd = op & FUTEX_CMD_MASK, realtime = (op & FUTEX_CLOCK_REALTIME) != 0;

	if ((uintptr_t)addr & 3)
		return -EINVAL;
	if (!(op & FUTEX_PRIVATE) && __elh_shared_addr(addr)) {
		switch (cmd) {
		case FUTEX_WAIT:
		case FUTEX_WAIT_BITSET: return shared_wait(addr, op, val, ts, val3);
		case FUTEX_WAKE: return shared_wake(u->carrier, addr, op, val, ~0u);
		case FUTEX_WAKE_BITSET:
			if (!val3)
				return -EINVAL;
			return shared_wake(u->carrier, addr, op, val, (unsigned)val3);
		}
	}
	switch (cmd) {
	case FUTEX_WAIT: return futex_wait(u, addr, val, ts, ~0u, 0, 0);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wait(u, addr, val, ts, (unsigned)val3, 1, realtime);
	case FUTEX_WAKE: return futex_wake(u->carrier, addr, val, ~0u);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(u->carrier, addr, val, (unsigned)val3);
	case FUTEX_REQUEUE: return futex_requeue(addr, val, (int)(uintptr_t)ts, addr2, 0, 0);
	case FUTEX_CMP_REQUEUE: return futex_requeue(addr, val, (int)(uintptr_t)ts, addr2, val3, 1);
	case FUTEX_LOCK_PI: return futex_lock_pi(u, addr, ts, 0);
	case FUTEX_TRYLOCK_PI: return futex_lock_pi(u, addr, 0, 1);
	case FUTEX_UNLOCK_PI: return futex_unlock_pi(u, addr);
	}
	return -ENOSYS;
}
