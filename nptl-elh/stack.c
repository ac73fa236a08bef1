#include <string.h>
#include <sys/mman.h>
#include "pthread_impl.h"
#include "libc.h"
#include "../elh/elh.h"
#include "ult.h"

/*
 * Thread stacks kept for reuse under M:N.  musl maps each thread's stack,
 * guard, TLS and TSD in one anonymous mapping and unmaps it when the thread
 * is joined (or, for a detached thread, when it ends).  As user-level
 * threads, creating and joining a thread costs little else, and the
 * mapping dominates: mmap, mprotect of the guard, first touches of fresh
 * pages, and a munmap whose TLB shootdown reaches every vCPU.  So a stack
 * given back goes into a small cache, and pthread_create takes one of the
 * same size and guard from it.
 *
 * A mapping from the cache is not fresh: musl relies on the TLS block, the
 * thread structure and the TSD at its top being zero, and they are cleared
 * here.  The stack below them keeps what the last thread left, which
 * POSIX allows.  Outside M:N nothing is cached and musl's own paths run.
 */

#define CACHE_SLOTS 32
#define CACHE_BYTES (16u << 20) /* address space kept, at most */

static struct {
	void *base;
	size_t size, guard;
} cache[CACHE_SLOTS];
static int ncached;
static size_t cached_bytes;
static volatile int cache_lock;

void *__elh_stack_take(size_t size, size_t guard)
{
	void *base = 0;

	if (!__elh_ult_active)
		return 0;
	__elh_ult_enter();
	__elh_spin_lock(&cache_lock);
	for (int i = ncached - 1; i >= 0; i--)
		if (cache[i].size == size && cache[i].guard == guard) {
			base = cache[i].base;
			cache[i] = cache[--ncached];
			cached_bytes -= size;
			break;
		}
	__elh_spin_unlock(&cache_lock);
	__elh_ult_leave();
	if (base) {
		size_t top = libc.tls_size + __pthread_tsd_size;
		if (top > size - guard)
			top = size - guard;
		memset((char *)base + size - top, 0, top);
	}
	return base;
}

int __elh_stack_keep(void *base, size_t size, size_t guard)
{
	int kept = 0;

	if (!__elh_ult_active)
		return 0;
	__elh_spin_lock(&cache_lock);
	if (ncached < CACHE_SLOTS && size <= CACHE_BYTES - cached_bytes) {
		cache[ncached].base = base;
		cache[ncached].size = size;
		cache[ncached].guard = guard;
		ncached++;
		cached_bytes += size;
		kept = 1;
	}
	__elh_spin_unlock(&cache_lock);
	return kept;
}

int __elh_stack_give(void *base, size_t size, size_t guard)
{
	int kept;

	if (!__elh_ult_active)
		return 0;
	__elh_ult_enter();
	kept = __elh_stack_keep(base, size, guard);
	__elh_ult_leave();
	return kept;
}

/* In a forked child, which runs its threads 1:1: the cache goes. */
void __elh_stack_drop(void)
{
	while (ncached) {
		ncached--;
		__elh_trap(SYS_munmap, (long)cache[ncached].base, cache[ncached].size, 0, 0, 0, 0);
	}
	cached_bytes = 0;
	cache_lock = 0;
}
