#include <sys/mman.h>
#include <sys/shm.h>
#include "pthread_impl.h"
#include "syscall.h"
#include "../elh/elh.h"
#include "ult.h"

/*
 * Which of the process's memory another process may share.
 *
 * A futex without FUTEX_PRIVATE is, to the kernel, keyed by the mapping it
 * lies in: on a private mapping (the program's data, the heap, stacks, a
 * MAP_PRIVATE file, memory a fork copied) no other process can reach it,
 * and the kernel treats it as private whatever the flag says.  Only
 * MAP_SHARED mappings and System V segments carry a futex across
 * processes.  musl waits without the flag on memory of the first kind all
 * the time (its thread list lock), and nptl-elh makes a shared futex wait
 * in the kernel, holding a vCPU: so the runtime keeps the ranges of the
 * second kind, and futex.c serves a futex outside them inside the guest.
 *
 * The ranges are noted after each mmap, mremap, munmap, shmat and shmdt
 * the program makes (__elh_shared_note, from the client).  An error can
 * only ever be on the side of the kernel: a range partly unmapped stays
 * whole, a segment detached by another address stays, and past
 * SHARED_MAX ranges every address counts as shared.
 */

#define SHARED_MAX 256
#ifndef IPC_64
#define IPC_64 0x100
#endif

static struct range {
	uintptr_t lo, hi;
} ranges[SHARED_MAX];
static int nranges, overflow;
static volatile int ranges_lock;

/* Forget the ranges wholly inside [lo, hi) (the caller holds the lock). */
static void drop(uintptr_t lo, uintptr_t hi)
{
	for (int i = 0; i < nranges;)
		if (ranges[i].lo >= lo && ranges[i].hi <= hi)
			ranges[i] = ranges[--nranges];
		else
			i++;
}

static void add(uintptr_t lo, uintptr_t hi)
{
	if (nranges < SHARED_MAX)
		ranges[nranges++] = (struct range){ lo, hi };
	else
		overflow = 1;
}

static uintptr_t page_end(uintptr_t a, size_t len)
{
	return (a + len + PAGE_SIZE - 1) & -(uintptr_t)PAGE_SIZE;
}

void __elh_shared_note(long n, long a, long b, long c, long d, long r)
{
	uintptr_t lo;
	struct shmid_ds ds;

	if (n == SYS_fork) {
		/* The child's one thread: a lock another thread held at the
		 * fork is nobody's now. */
		if (r == 0)
			__elh_spin_unlock(&ranges_lock);
		return;
	}
	if ((unsigned long)r > -4096UL)
		return;
	switch (n) {
	case SYS_mmap:
		/* A new mapping replaces what lay in its range. */
		__elh_spin_lock(&ranges_lock);
		drop(r, page_end(r, b));
		if ((d & MAP_TYPE) != MAP_PRIVATE)
			add(r, page_end(r, b));
		__elh_spin_unlock(&ranges_lock);
		break;
	case SYS_munmap:
		__elh_spin_lock(&ranges_lock);
		drop(a, page_end(a, b));
		__elh_spin_unlock(&ranges_lock);
		break;
	case SYS_mremap:
		/* A shared mapping moved or grown: the new range, whole, in
		 * place of the old one. */
		__elh_spin_lock(&ranges_lock);
		for (int i = 0; i < nranges; i++)
			if (ranges[i].lo <= (uintptr_t)a && (uintptr_t)a < ranges[i].hi) {
				if (ranges[i].lo == (uintptr_t)a)
					ranges[i] = ranges[--nranges];
				add(r, page_end(r, c));
				break;
			}
		__elh_spin_unlock(&ranges_lock);
		break;
	case SYS_shmat:
		if (__syscall(SYS_shmctl, a, IPC_STAT | IPC_64, &ds) < 0) {
			__elh_spin_lock(&ranges_lock);
			overflow = 1;
			__elh_spin_unlock(&ranges_lock);
			break;
		}
		lo = r;
		__elh_spin_lock(&ranges_lock);
		drop(lo, page_end(lo, ds.shm_segsz));
		add(lo, page_end(lo, ds.shm_segsz));
		__elh_spin_unlock(&ranges_lock);
		break;
	case SYS_shmdt:
		__elh_spin_lock(&ranges_lock);
		for (int i = 0; i < nranges; i++)
			if (ranges[i].lo == (uintptr_t)a) {
				ranges[i] = ranges[--nranges];
				break;
			}
		__elh_spin_unlock(&ranges_lock);
		break;
	}
}

int __elh_shared_addr(const volatile void *p)
{
	uintptr_t a = (uintptr_t)p;
	int r;

	__elh_spin_lock(&ranges_lock);
	r = overflow;
	for (int i = 0; !r && i < nranges; i++)
		r = ranges[i].lo <= a && a < ranges[i].hi;
	__elh_spin_unlock(&ranges_lock);
	return r;
}
