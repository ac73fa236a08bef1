/* nptl-elh's futexes, run natively (ult-shim/README.md): wait and wake,
 * wake counts, bitsets, requeue, timeouts on the runtime's clock,
 * interruption by a signal, priority-inheritance locks. */
#define _GNU_SOURCE
#include <limits.h>
#include <errno.h>
#include <string.h>

#include "ult-shim/ult-shim.h"
#include "unit.h"

#define PRIV(op) ((op) | FUTEX_PRIVATE)

static volatile int word, word2;

static long wake(volatile int *addr, int n)
{
	return shim_futex(addr, PRIV(FUTEX_WAKE), n, 0, 0, 0);
}

/* (CMP_)REQUEUE from word to word2: the count to move goes where the
 * timeout would. */
static long requeue(int cmp, int nwake, int nmove, int val)
{
	return shim_futex(&word, PRIV(cmp ? FUTEX_CMP_REQUEUE : FUTEX_REQUEUE), nwake,
			  (const struct timespec *)(uintptr_t)nmove, &word2, val);
}

/* A ULT that waits on a futex and keeps the result. */
struct waiter {
	volatile int *addr;
	int val;
	int op;
	unsigned bits;
	struct timespec ts, *tsp;
	volatile long result;
	volatile int done;
	struct ult *u;
};

static int wait_fn(void *arg)
{
	struct waiter *w = arg;

	w->result = shim_futex(w->addr, w->op, w->val, w->tsp, 0, (int)w->bits);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* With a timeout of secs seconds, 0 none. */
static void start_waiter(struct waiter *w, volatile int *addr, int val, int secs)
{
	w->addr = addr;
	w->val = val;
	if (secs) {
		w->ts.tv_sec = secs;
		w->tsp = &w->ts;
	}
	if (!w->op)
		w->op = PRIV(FUTEX_WAIT);
	w->result = 1;
	w->u = shim_spawn(wait_fn, w);
	ck_assert(shim_until(w->u, U_WAIT));
}

/* The main ULT waits (a timed futex wait, not a yield: a carrier looks at
 * its timers only when its queue is empty) until w has run again. */
static void finish(struct waiter *w)
{
	static volatile int nothing;
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 2000 && !w->done; i++)
		shim_futex(&nothing, PRIV(FUTEX_WAIT), 0, &ms, 0, 0);
	ck_assert_msg(w->done, "the waiter did not run again");
}

START_TEST(wait_on_a_changed_word_fails)
{
	shim_start(1);
	word = 1;
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAIT), 0, 0, 0, 0), -EAGAIN);
	ck_assert_int_eq(
	    shim_futex((volatile int *)((char *)&word + 1), PRIV(FUTEX_WAIT), 0, 0, 0, 0), -EINVAL);
}
END_TEST

START_TEST(wake_counts)
{
	struct waiter w[3] = { 0 };
	int done = 0;

	shim_start(1);
	word = 0;
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &word, 0, 0);
	ck_assert_int_eq(wake(&word2, INT_MAX), 0);
	ck_assert_int_eq(wake(&word, 1), 1);
	ck_assert_int_eq(wake(&word, INT_MAX), 2);
	ck_assert_int_eq(wake(&word, INT_MAX), 0);
	for (int i = 0; i < 3; i++) {
		finish(&w[i]);
		ck_assert_int_eq(w[i].result, 0);
		done += w[i].done;
	}
	ck_assert_int_eq(done, 3);
}
END_TEST

START_TEST(wake_one_wakes_exactly_one)
{
	struct waiter w[2] = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&w[0], &word, 0, 0);
	start_waiter(&w[1], &word, 0, 0);
	ck_assert_int_eq(wake(&word, 1), 1);
	for (int i = 0; i < 100; i++)
		block(self(), A_YIELD);
	ck_assert_int_eq(w[0].done + w[1].done, 1);
	ck_assert_int_eq(wake(&word, 1), 1);
	finish(&w[0]);
	finish(&w[1]);
}
END_TEST

START_TEST(bitset_wakes_the_matching_waiters)
{
	struct waiter a = { .op = PRIV(FUTEX_WAIT_BITSET), .bits = 1 };
	struct waiter b = { .op = PRIV(FUTEX_WAIT_BITSET), .bits = 2 };

	shim_start(1);
	word = 0;
	start_waiter(&a, &word, 0, 0);
	start_waiter(&b, &word, 0, 0);
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAKE_BITSET), INT_MAX, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAIT_BITSET), 0, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAKE_BITSET), INT_MAX, 0, 0, 6), 1);
	finish(&b);
	ck_assert_int_eq(b.result, 0);
	ck_assert_int_eq(a.u->state, U_WAIT);
	ck_assert_int_eq(wake(&word, INT_MAX), 1);
	finish(&a);
}
END_TEST

START_TEST(cmp_requeue_wakes_some_and_moves_some)
{
	struct waiter w[4] = { 0 };

	shim_start(1);
	word = 7;
	for (int i = 0; i < 4; i++)
		start_waiter(&w[i], &word, 7, 0);
	/* The word changed: nothing moves. */
	ck_assert_int_eq(requeue(1, 1, 2, 8), -EAGAIN);
	/* One woken, two moved to word2, one left on word. */
	ck_assert_int_eq(requeue(1, 1, 2, 7), 3);
	ck_assert_int_eq(wake(&word2, INT_MAX), 2);
	ck_assert_int_eq(wake(&word, INT_MAX), 1);
	for (int i = 0; i < 4; i++) {
		finish(&w[i]);
		ck_assert_int_eq(w[i].result, 0);
	}
}
END_TEST

START_TEST(requeue_moves_all_but_the_woken)
{
	struct waiter w[3] = { 0 };

	shim_start(1);
	word = 0;
	for (int i = 0; i < 3; i++)
		start_waiter(&w[i], &word, 0, 0);
	ck_assert_int_eq(requeue(0, 0, INT_MAX, 0), 3);
	ck_assert_int_eq(wake(&word, INT_MAX), 0);
	/* Moved waiters wait on word2 now, whatever bucket it hashes to. */
	ck_assert_ptr_eq((void *)w[1].u->faddr, (void *)&word2);
	ck_assert_int_eq(wake(&word2, INT_MAX), 3);
	for (int i = 0; i < 3; i++)
		finish(&w[i]);
}
END_TEST

START_TEST(timeout_fires_when_the_clock_passes_it)
{
	struct waiter w = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&w, &word, 0, 10);
	ck_assert_uint_ne(next_deadline, 0);
	for (int i = 0; i < 100; i++)
		block(self(), A_YIELD);
	ck_assert_int_eq(w.done, 0);
	shim_advance(11000000000ull);
	finish(&w);
	ck_assert_int_eq(w.result, -ETIMEDOUT);
	ck_assert_uint_eq(next_deadline, 0);
	/* The timed-out waiter is off the wait queue. */
	ck_assert_int_eq(wake(&word, INT_MAX), 0);
}
END_TEST

START_TEST(timeouts_fire_in_deadline_order)
{
	struct waiter late = { 0 }, early = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&late, &word, 0, 20);
	start_waiter(&early, &word, 0, 5);
	shim_advance(6000000000ull);
	finish(&early);
	ck_assert_int_eq(early.result, -ETIMEDOUT);
	ck_assert_int_eq(late.done, 0);
	ck_assert_int_eq(late.u->state, U_WAIT);
	ck_assert_int_eq(wake(&word, INT_MAX), 1);
	finish(&late);
	ck_assert_int_eq(late.result, 0);
}
END_TEST

START_TEST(a_woken_waiter_leaves_the_timers)
{
	struct waiter w = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&w, &word, 0, 10);
	ck_assert_int_eq(wake(&word, 1), 1);
	ck_assert_uint_eq(next_deadline, 0);
	shim_advance(11000000000ull);
	finish(&w);
	ck_assert_int_eq(w.result, 0);
}
END_TEST

/* Nothing else to run: the carrier sleeps until the deadline, on the
 * host's clock. */
START_TEST(an_idle_carrier_wakes_for_its_timer)
{
	const struct timespec ts = { 0, 20000000 };
	struct timespec t0, t;

	shim_start(1);
	word = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAIT), 0, &ts, 0, 0), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t);
	ck_assert_int_ge((t.tv_sec - t0.tv_sec) * 1000000000ll + t.tv_nsec - t0.tv_nsec, 20000000);
}
END_TEST

START_TEST(absolute_and_invalid_timeouts)
{
	const struct timespec past = { 1, 0 }, bad = { 0, 1000000000 };

	shim_start(1);
	word = 0;
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAIT_BITSET), 0, &past, 0, -1), -ETIMEDOUT);
	ck_assert_int_eq(
	    shim_futex(&word, PRIV(FUTEX_WAIT_BITSET) | FUTEX_CLOCK_REALTIME, 0, &past, 0, -1),
	    -ETIMEDOUT);
	ck_assert_int_eq(shim_futex(&word, PRIV(FUTEX_WAIT), 0, &bad, 0, 0), -EINVAL);
}
END_TEST

START_TEST(a_signal_ends_a_wait_with_eintr)
{
	struct waiter w = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&w, &word, 0, 0);
	ck_assert_int_eq(ult_kill(w.u->tid, SIGUSR1), 0);
	finish(&w);
	ck_assert_int_eq(w.result, -EINTR);
	ck_assert_int_eq(wake(&word, INT_MAX), 0);
	/* Raised on its vCPU when it ran again. */
	ck_assert_int_ge(shim_counts.tkill, 1);
}
END_TEST

START_TEST(a_blocked_signal_leaves_the_wait)
{
	struct waiter w = { 0 };

	shim_start(1);
	word = 0;
	start_waiter(&w, &word, 0, 0);
	w.u->mask = SIGBIT(SIGUSR1);
	ck_assert_int_eq(ult_kill(w.u->tid, SIGUSR1), 0);
	for (int i = 0; i < 100; i++)
		block(self(), A_YIELD);
	ck_assert_int_eq(w.done, 0);
	ck_assert(w.u->sigpend & SIGBIT(SIGUSR1));
	ck_assert_int_eq(wake(&word, INT_MAX), 1);
	finish(&w);
	ck_assert_int_eq(w.result, 0);
}
END_TEST

static volatile int pi;

struct locker {
	volatile long result;
	volatile int done;
	int op;
};

static int lock_fn(void *arg)
{
	struct locker *l = arg;

	l->result = shim_futex(&pi, PRIV(l->op), 0, 0, 0, 0);
	__atomic_store_n(&l->done, 1, __ATOMIC_SEQ_CST);
	return 0;
}

START_TEST(pi_lock_hands_over_to_the_waiter)
{
	struct locker t = { .op = FUTEX_TRYLOCK_PI }, l = { .op = FUTEX_LOCK_PI };
	struct ult *u;

	shim_start(1);
	pi = 0;
	ck_assert_int_eq(shim_futex(&pi, PRIV(FUTEX_LOCK_PI), 0, 0, 0, 0), 0);
	ck_assert_int_eq(pi, self()->tid);
	ck_assert_int_eq(shim_futex(&pi, PRIV(FUTEX_LOCK_PI), 0, 0, 0, 0), -EDEADLK);
	u = shim_spawn(lock_fn, &t);
	while (!t.done)
		block(self(), A_YIELD);
	ck_assert_int_eq(t.result, -EAGAIN);
	u = shim_spawn(lock_fn, &l);
	ck_assert(shim_until(u, U_WAIT));
	ck_assert_uint_eq((unsigned)pi, self()->tid | 0x80000000u);
	ck_assert_int_eq(shim_futex(&pi, PRIV(FUTEX_UNLOCK_PI), 0, 0, 0, 0), 0);
	/* The lock is the waiter's before it runs. */
	ck_assert_int_eq(pi, u->tid);
	ck_assert_int_eq(shim_futex(&pi, PRIV(FUTEX_UNLOCK_PI), 0, 0, 0, 0), -EPERM);
	while (!l.done)
		block(self(), A_YIELD);
	ck_assert_int_eq(l.result, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nptl-elh futex");
	TCase *w = tcase_create("wait and wake");
	TCase *t = tcase_create("timeouts");
	TCase *o = tcase_create("signals and PI");

	tcase_add_test(w, wait_on_a_changed_word_fails);
	tcase_add_test(w, wake_counts);
	tcase_add_test(w, wake_one_wakes_exactly_one);
	tcase_add_test(w, bitset_wakes_the_matching_waiters);
	tcase_add_test(w, cmp_requeue_wakes_some_and_moves_some);
	tcase_add_test(w, requeue_moves_all_but_the_woken);
	suite_add_tcase(s, w);
	tcase_add_test(t, timeout_fires_when_the_clock_passes_it);
	tcase_add_test(t, timeouts_fire_in_deadline_order);
	tcase_add_test(t, a_woken_waiter_leaves_the_timers);
	tcase_add_test(t, an_idle_carrier_wakes_for_its_timer);
	tcase_add_test(t, absolute_and_invalid_timeouts);
	suite_add_tcase(s, t);
	tcase_add_test(o, a_signal_ends_a_wait_with_eintr);
	tcase_add_test(o, a_blocked_signal_leaves_the_wait);
	tcase_add_test(o, pi_lock_hands_over_to_the_waiter);
	suite_add_tcase(s, o);
	return elh_unit_run(s);
}
