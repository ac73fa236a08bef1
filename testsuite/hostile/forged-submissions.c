/* Forged exit-less submissions: the guest writes what it likes into the
 * shared area's entries.  Calls the monitor does not take exit-less
 * (exit_group, clone, rt_sigreturn, numbers past the table), out-of-range
 * carriers to notify, a state that is no state, an owner that is no thread
 * of the guest, pointers at the system area and past the top of the
 * address space, every free entry at once: each ends as the trapping call
 * would (ENOSYS, EFAULT, EINVAL) or is left alone, and the monitor neither
 * crashes nor hangs.  Natively, and in hypercall mode, there is no shared
 * area (AT_ELH_SHARED) and nothing to forge: the case prints the same
 * line. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../arch/x86_64/elh-abi.h"
#include "hostile.h"

#define SYSAREA 0x140001100ul /* the syscall stub with a 4 GiB arena */
#define KERNEL	0xffff800000000000ul

static struct elh_shared *area;
static struct elh_sqe *sqe; /* an entry of our own, claimed below */

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* A free entry, claimed as the client claims one. */
static struct elh_sqe *claim(uint32_t tid)
{
	for (int i = ELH_NSLOTS - 1; i >= 0; i--) {
		uint32_t free_owner = 0;

		if (__atomic_compare_exchange_n(&area->sqe[i].owner, &free_owner, tid, 0,
						__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			return &area->sqe[i];
	}
	return NULL;
}

static void fill(struct elh_sqe *q, long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	q->nr = nr;
	q->args[0] = a0;
	q->args[1] = a1;
	q->args[2] = a2;
	q->args[3] = q->args[4] = q->args[5] = 0;
	q->interrupt = 0;
	q->flags = 0;
	q->notify = 0;
	q->result = 0x5a5a;
}

/* Submit q, ring, and wait (a bounded while) for the monitor to post it. */
static int64_t wait_done(struct elh_sqe *q)
{
	uint64_t end = now_ms() + 20000;

	while (__atomic_load_n(&q->state, __ATOMIC_SEQ_CST) != ELH_SQE_DONE) {
		CHECK(now_ms() < end); /* never served: the monitor lost it */
		elh_ring_doorbell(area);
		usleep(1000);
	}
	return q->result;
}

static int64_t forge(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint32_t notify)
{
	int64_t r;

	fill(sqe, nr, a0, a1, a2);
	sqe->notify = notify;
	__atomic_store_n(&sqe->state, ELH_SQE_SUBMITTED, __ATOMIC_SEQ_CST);
	r = wait_done(sqe);
	__atomic_store_n(&sqe->state, ELH_SQE_FREE, __ATOMIC_SEQ_CST);
	return r;
}

/* Refused as the trapping call would refuse it, or sent back to trap. */
#define REFUSES(r, e) ((r) == -(e) || (sqe->flags & ELH_SQE_RETRAP))

static void forgeries(void)
{
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	struct iovec bad[1] = { { (void *)SYSAREA, 8 } };
	struct elh_sqe *many[ELH_NSLOTS];
	int nmany = 0, p[2];
	int64_t r;

	CHECK(area->magic == ELH_ABI_MAGIC && area->version == ELH_ABI_VERSION);
	sqe = claim(tid);
	CHECK(sqe != NULL);
	CHECK(pipe(p) == 0);

	/* Numbers outside the table, and calls it never takes exit-less
	 * whatever the guest's advisory list says. */
	CHECK(forge(-1, 0, 0, 0, 0) == -ENOSYS);
	CHECK(forge(1l << 40, 0, 0, 0, 0) == -ENOSYS);
	CHECK(forge(ELH_NSYSCALLS, 0, 0, 0, 0) == -ENOSYS);
	CHECK(forge(ELH_SYS_interrupt, 0, 0, 0, 0) == -ENOSYS);
	area->exitless[SYS_exit_group / 64] |= 1ull << (SYS_exit_group % 64);
	r = forge(SYS_exit_group, 99, 0, 0, 0);
	CHECK(REFUSES(r, ENOSYS)); /* and the process goes on */
	area->exitless[SYS_exit_group / 64] &= ~(1ull << (SYS_exit_group % 64));
	r = forge(SYS_clone, 0x11, 0, 0, 0);
	CHECK(REFUSES(r, ENOSYS));
	r = forge(SYS_rt_sigreturn, 0, 0, 0, 0);
	CHECK(REFUSES(r, ENOSYS));

	/* Pointers the guest does not own, direct and nested. */
	CHECK(forge(SYS_write, 1, SYSAREA, 16, 0) == -EFAULT);
	CHECK(forge(SYS_write, 1, KERNEL, 16, 0) == -EFAULT);
	CHECK(forge(SYS_write, 1, -4096ul, 4096, 0) == -EFAULT);
	CHECK(write(p[1], "12345678", 8) == 8);
	CHECK(forge(SYS_read, (uint64_t)p[0], SYSAREA, 8, 0) == -EFAULT);
	CHECK(forge(SYS_writev, 1, (uint64_t)(uintptr_t)bad, 1, 0) == -EFAULT);
	CHECK(forge(SYS_writev, 1, SYSAREA, 1, 0) == -EFAULT);
	CHECK(forge(SYS_writev, 1, (uint64_t)(uintptr_t)bad, 1u << 30, 0) == -EINVAL);

	/* Carriers that do not exist: the call is served all the same. */
	CHECK(forge(SYS_getppid, 0, 0, 0, ELH_MAX_CARRIERS + 1) == getppid());
	CHECK(forge(SYS_getppid, 0, 0, 0, 1000) == getppid());
	CHECK(forge(SYS_getppid, 0, 0, 0, UINT32_MAX) == getppid());

	/* A state that is no state: no worker takes it. */
	fill(sqe, SYS_getppid, 0, 0, 0);
	__atomic_store_n(&sqe->state, 77, __ATOMIC_SEQ_CST);
	elh_ring_doorbell(area);
	usleep(20000);
	CHECK(sqe->state == 77 && sqe->result == 0x5a5a);
	sqe->state = ELH_SQE_RUNNING;
	elh_ring_doorbell(area);
	usleep(20000);
	CHECK(sqe->state == ELH_SQE_RUNNING && sqe->result == 0x5a5a);
	sqe->state = ELH_SQE_FREE;

	/* An owner that is no thread of the guest's: a call of its own
	 * process still, and a signal to that "thread" reaches no one. */
	sqe->owner = 1;
	CHECK(forge(SYS_getpid, 0, 0, 0, 0) == getpid());
	r = forge(SYS_tgkill, (uint64_t)getpid(), 1, 0, 0);
	CHECK(r == -ESRCH || REFUSES(r, ENOSYS));
	sqe->owner = tid;

	/* Every free entry at once. */
	while (nmany < ELH_NSLOTS && (many[nmany] = claim(0x7ffffff0u - (uint32_t)nmany)))
		nmany++;
	CHECK(nmany > 0);
	for (int i = 0; i < nmany; i++) {
		fill(many[i], SYS_getppid, 0, 0, 0);
		__atomic_store_n(&many[i]->state, ELH_SQE_SUBMITTED, __ATOMIC_SEQ_CST);
	}
	for (int i = 0; i < nmany; i++) {
		CHECK(wait_done(many[i]) == getppid());
		many[i]->state = ELH_SQE_FREE;
		__atomic_store_n(&many[i]->owner, 0, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&sqe->owner, 0, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	hostile_init(argc, argv);
	area = (struct elh_shared *)getauxval(AT_ELH_SHARED);
	if (under_elh && area)
		forgeries();
	printf("forged submissions: the process goes on\n");
	return 0;
}
