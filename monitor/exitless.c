/* The worker pool behind exit-less system calls. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "elh-abi.h"
#include "errors.h"
#include "exitless.h"
#include "memory.h"
#include "syscall.h"
#include "thread.h"
#include "vm.h"

/* How long a worker keeps scanning after its last call before it sleeps.
 * With two cores, a spinning worker competes with the guest: keep it short. */
#define WORKER_SPIN_NS 50000
/* How long a guest thread spins for its completion before it sleeps. */
#define GUEST_SPIN_NS 20000

static struct elh_shared *area;
static uint64_t allowed[ELH_NSYSCALLS / 64]; /* the monitor's own copy */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void serve(struct elh_vm *vm, struct elh_sqe *q)
{
	uint32_t want = ELH_SQE_SUBMITTED;
	struct elh_vcpu *cpu;
	uint64_t args[6];
	int64_t nr;
	long r;

	if (!__atomic_compare_exchange_n(&q->state, &want, ELH_SQE_RUNNING, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return; /* another worker took it */
	nr = q->nr;
	memcpy(args, q->args, sizeof(args));
	cpu = elh_thread_find(vm, (pid_t)q->owner); /* it waits for this call: it cannot exit */
	if (!cpu)
		r = -ESRCH;
	else if (nr < 0 || nr >= ELH_NSYSCALLS || !(allowed[nr / 64] >> (nr % 64) & 1))
		r = -ENOSYS; /* the guest's copy of the list is only advisory */
	else
		r = elh_syscall(cpu, nr, args);
	q->result = r;
	__atomic_store_n(&q->state, ELH_SQE_DONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &q->state, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* One pass over the entries; returns how many calls it served. */
static int scan(struct elh_vm *vm)
{
	int n = 0;

	for (int i = 0; i < ELH_NSLOTS; i++) {
		struct elh_sqe *q = &area->sqe[i];

		if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == ELH_SQE_SUBMITTED) {
			serve(vm, q);
			n++;
		}
	}
	return n;
}

static void *worker(void *arg)
{
	struct elh_vm *vm = arg;
	uint64_t last = now_ns();

	for (;;) {
		uint32_t bell;

		if (scan(vm)) {
			last = now_ns();
			continue;
		}
		if (now_ns() - last < WORKER_SPIN_NS) {
			__asm__ volatile("pause");
			continue;
		}
		/* Sleep: read the doorbell, announce, scan once more. */
		bell = __atomic_load_n(&area->doorbell, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&area->workers_idle, 1, __ATOMIC_SEQ_CST);
		if (!scan(vm))
			syscall(SYS_futex, &area->doorbell, FUTEX_WAIT, bell, NULL, NULL, 0);
		__atomic_sub_fetch(&area->workers_idle, 1, __ATOMIC_SEQ_CST);
		last = now_ns();
	}
	return NULL;
}

int elh_exitless_start(struct elh_vm *vm, int workers, char *err, size_t errlen)
{
	/* Out of reach of the guest's munmap and mprotect: the workers read
	 * it directly. */
	uint64_t addr = elh_mm_carve(vm, sizeof(struct elh_shared));
	sigset_t all, old;
	pthread_attr_t attr;

	if (!addr)
		return elh_refuse(err, errlen, "the arena has no room for the exit-less area");
	area = (struct elh_shared *)(uintptr_t)addr;
	memset(area, 0, sizeof(*area));
	for (unsigned nr = 0; nr < ELH_NSYSCALLS && nr < elh_nsyscalls; nr++) {
		const struct elh_sysdesc *d = &elh_systab[nr];

		if (d->name && !(d->flags & (ELH_SYS_MAY_BLOCK | ELH_SYS_NO_RETURN | ELH_SYS_RAW |
					     ELH_SYS_UNSUPPORTED | ELH_SYS_THREAD)))
			allowed[nr / 64] |= 1ull << (nr % 64);
	}
	memcpy(area->exitless, allowed, sizeof(allowed));
	area->spin_ns = GUEST_SPIN_NS;
	area->version = ELH_ABI_VERSION;
	__atomic_store_n(&area->magic, ELH_ABI_MAGIC, __ATOMIC_RELEASE);
	vm->exitless_area = addr;

	if (workers <= 0)
		workers = 1;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < workers; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, worker, vm)) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return elh_refuse(err, errlen, "cannot start exit-less worker threads");
		}
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

void elh_exitless_thread_exit(struct elh_vm *vm, pid_t tid)
{
	if (!area)
		return;
	for (int i = 0; i < ELH_NSLOTS; i++) {
		uint32_t owner = (uint32_t)tid;

		__atomic_compare_exchange_n(&area->sqe[i].owner, &owner, 0, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_RELAXED);
	}
}
