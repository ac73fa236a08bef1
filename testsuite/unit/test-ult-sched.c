/* nptl-elh's schedulers, run natively (ult-shim/README.md): run-queue
 * order, completed calls, stealing, yields, and a ULT run by another
 * carrier than the one it was queued on. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "ult-shim/ult-shim.h"
#include "unit.h"

static struct ult ults[8];
static struct elh_sqe sqes[8];

static void reset(int n)
{
	memset(ults, 0, sizeof ults);
	memset(carriers, 0, sizeof carriers);
	for (int i = 0; i < n; i++)
		carriers[i].idx = i;
	ncarriers = n;
	nvcpus = n;
}

START_TEST(run_queue_is_fifo)
{
	struct carrier *c = &carriers[0];

	reset(1);
	ck_assert_ptr_null(dequeue(c));
	for (int i = 0; i < 4; i++)
		enqueue(c, &ults[i]);
	ck_assert_int_eq(ults[2].state, U_READY);
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_eq(dequeue(c), &ults[i]);
	ck_assert_ptr_null(dequeue(c));
	ck_assert_ptr_null(c->rq_tail);
	/* Emptied, then filled again: the tail was reset. */
	enqueue(c, &ults[5]);
	enqueue(c, &ults[6]);
	ck_assert_ptr_eq(dequeue(c), &ults[5]);
	ck_assert_ptr_eq(dequeue(c), &ults[6]);
}
END_TEST

START_TEST(make_ready_queues_on_the_callers_carrier)
{
	reset(1);
	make_ready(&carriers[0], &ults[0]);
	ck_assert(has_work(&carriers[0]));
	ck_assert_ptr_eq(dequeue(&carriers[0]), &ults[0]);
	ck_assert(!has_work(&carriers[0]));
}
END_TEST

START_TEST(steal_looks_from_the_next_carrier_on)
{
	reset(4);
	enqueue(&carriers[3], &ults[3]);
	enqueue(&carriers[2], &ults[2]);
	enqueue(&carriers[2], &ults[4]);
	enqueue(&carriers[0], &ults[0]);
	/* Carrier 1: 2 first, the head of its queue, then 3, then 0. */
	ck_assert_ptr_eq(steal(&carriers[1]), &ults[2]);
	ck_assert_ptr_eq(steal(&carriers[1]), &ults[4]);
	ck_assert_ptr_eq(steal(&carriers[1]), &ults[3]);
	ck_assert_ptr_eq(steal(&carriers[1]), &ults[0]);
	ck_assert_ptr_null(steal(&carriers[1]));
	/* Never from its own queue. */
	enqueue(&carriers[1], &ults[1]);
	ck_assert_ptr_null(steal(&carriers[1]));
	/* Carrier 3 wraps round to 0. */
	enqueue(&carriers[2], &ults[2]);
	enqueue(&carriers[0], &ults[0]);
	ck_assert_ptr_eq(steal(&carriers[3]), &ults[0]);
}
END_TEST

START_TEST(completed_calls_join_the_tail)
{
	struct carrier *c = &carriers[0];

	reset(1);
	/* Calls in flight: 1, 2, 3 (a list, newest first); 1 and 3 done. */
	for (int i = 1; i <= 3; i++) {
		ults[i].sqe = &sqes[i];
		sqes[i].state = i == 2 ? ELH_SQE_SUBMITTED : ELH_SQE_DONE;
		ults[i].next = c->calls;
		c->calls = &ults[i];
	}
	enqueue(c, &ults[0]);
	poll_calls(c);
	ck_assert_ptr_eq(c->calls, &ults[2]);
	ck_assert_ptr_null(ults[2].next);
	ck_assert_ptr_eq(dequeue(c), &ults[0]);
	ck_assert_ptr_eq(dequeue(c), &ults[3]);
	ck_assert_ptr_eq(dequeue(c), &ults[1]);
	ck_assert_ptr_null(dequeue(c));
}
END_TEST

START_TEST(find_work_takes_its_own_queue_before_stealing)
{
	reset(2);
	enqueue(&carriers[1], &ults[1]);
	enqueue(&carriers[0], &ults[0]);
	ults[2].sqe = &sqes[2];
	sqes[2].state = ELH_SQE_DONE;
	carriers[0].calls = &ults[2];
	ck_assert_ptr_eq(find_work(&carriers[0]), &ults[0]);
	ck_assert_ptr_eq(find_work(&carriers[0]), &ults[2]);
	ck_assert_ptr_eq(find_work(&carriers[0]), &ults[1]);
	ck_assert(!has_work(&carriers[1]));
}
END_TEST

/* ULTs that log their turns and yield. */
static char turns[64];
static volatile int nturns;

static int taker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		turns[__atomic_fetch_add(&nturns, 1, __ATOMIC_SEQ_CST)] = *(char *)arg;
		block(self(), A_YIELD);
	}
	return 0;
}

START_TEST(yields_take_turns_in_order)
{
	static char names[] = "ABC";
	struct ult *u[3];

	shim_start(1);
	for (int i = 0; i < 3; i++)
		u[i] = shim_spawn(taker, &names[i]);
	/* The main ULT yields until they have ended. */
	while (__atomic_load_n(&live, __ATOMIC_SEQ_CST) > 1)
		block(self(), A_YIELD);
	turns[nturns] = 0;
	ck_assert_str_eq(turns, "ABCABCABC");
	(void)u;
}
END_TEST

START_TEST(ended_ults_leave_the_tids)
{
	static char name = 'x';
	struct ult *u;
	int tid;

	shim_start(1);
	u = shim_spawn(taker, &name);
	tid = u->tid;
	ck_assert_int_ge(tid, TID_BASE);
	ck_assert_int_eq(ult_kill(tid, 0), 0);
	while (__atomic_load_n(&live, __ATOMIC_SEQ_CST) > 1)
		block(self(), A_YIELD);
	ck_assert_int_eq(ult_kill(tid, 0), -ESRCH);
	ck_assert_int_eq(shim_counts.exit_group, 0);
}
END_TEST

/* A ULT queued on carrier 0 while the main ULT keeps carrier 0 busy: the
 * idle carrier 1 is woken and steals it. */
static volatile int ran_on = -1;

static int note_carrier(void *arg)
{
	(void)arg;
	__atomic_store_n(&ran_on, self()->carrier->idx, __ATOMIC_SEQ_CST);
	return 0;
}

START_TEST(an_idle_carrier_steals)
{
	struct timespec t0, t;

	shim_start(2);
	ck_assert_int_eq(ncarriers, 2);
	shim_spawn(note_carrier, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while (__atomic_load_n(&ran_on, __ATOMIC_SEQ_CST) < 0 && t.tv_sec - t0.tv_sec < 3);
	ck_assert_int_eq(ran_on, 1);
	ck_assert_ptr_eq(self()->carrier, &carriers[0]);
}
END_TEST

/* Carriers started at activation are not spares: with N carriers, none
 * parks (the N of M:N is known before they start). */
START_TEST(started_carriers_do_not_park)
{
	shim_start(3);
	for (int i = 0; i < 100; i++)
		block(self(), A_YIELD);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(carriers[i].parked, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nptl-elh scheduler");
	TCase *q = tcase_create("run queues");
	TCase *r = tcase_create("running");

	tcase_add_test(q, run_queue_is_fifo);
	tcase_add_test(q, make_ready_queues_on_the_callers_carrier);
	tcase_add_test(q, steal_looks_from_the_next_carrier_on);
	tcase_add_test(q, completed_calls_join_the_tail);
	tcase_add_test(q, find_work_takes_its_own_queue_before_stealing);
	suite_add_tcase(s, q);
	tcase_add_test(r, yields_take_turns_in_order);
	tcase_add_test(r, ended_ults_leave_the_tids);
	tcase_add_test(r, an_idle_carrier_steals);
	tcase_add_test(r, started_carriers_do_not_park);
	suite_add_tcase(s, r);
	return elh_unit_run(s);
}
