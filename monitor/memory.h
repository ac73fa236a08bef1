/*
 * The guest's address space inside the arena: reservation, layout, the map of
 * the guest's mappings, and the memory system calls (mmap and friends).
 *
 * Layout (addresses are guest-virtual == host-virtual):
 *
 *   0 .. ELH_ARENA_BASE        never mapped: a NULL dereference faults
 *   ELH_ARENA_BASE             start of the arena
 *   image                      ET_EXEC at its link address (usually 0x400000),
 *                              a static PIE at ELH_PIE_BASE (loader.c)
 *   brk heap                   from the page after the image, growing up
 *   ...free...
 *   mmap region                placed top-down from mmap_top
 *   guard gap                  ELH_STACK_GUARD, never chosen by mmap
 *   main stack                 at the very top of the arena, fixed size
 *   arena end
 *
 * Concurrency: struct elh_mm is written by elh_mm_init() and the loader before
 * the first vCPU runs; afterwards every field below "lock" is guarded by that
 * lock.  Calls that change the layout (mmap, munmap, mprotect, mremap, brk,
 * and the loader's helpers) hold it for writing, across the host system call
 * that changes the host mapping, so the map and the host never disagree as
 * seen by another guest thread.  madvise, msync, mincore and elh_mm_lookup()
 * hold it for reading.  No other lock is taken while it is held.
 */
#ifndef ELH_MONITOR_MEMORY_H
#define ELH_MONITOR_MEMORY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "special.h"

struct elh_vm;

#define ELH_PAGE_SIZE  4096ull
#define ELH_ARENA_BASE 0x10000ull
/* In GiB.  configure --enable-sanitizers makes it 1: AddressSanitizer
 * keeps its shadow memory from 0x7fff8000 up, where a larger arena would
 * be. */
#ifndef ELH_ARENA_DEFAULT_GIB
#define ELH_ARENA_DEFAULT_GIB 4
#endif
#define ELH_ARENA_DEFAULT_SIZE ((unsigned long long)ELH_ARENA_DEFAULT_GIB << 30)
/* The top of a process's address space on x86-64 with 4-level paging
 * (Linux's TASK_SIZE_MAX): the bound of its memory calls' ranges. */
#define ELH_TASK_SIZE ((1ull << 47) - ELH_PAGE_SIZE)
/* Kept free below the main stack, like Linux's stack_guard_gap. */
#define ELH_STACK_GUARD (1ull << 20)

enum elh_vma_kind {
	ELH_VMA_MMAP,  /* made by the guest's mmap or mremap */
	ELH_VMA_IMAGE, /* a PT_LOAD segment of the executable */
	ELH_VMA_HEAP,  /* the brk heap */
	ELH_VMA_STACK, /* the main thread's stack */
	ELH_VMA_SHM,   /* a System V shared memory segment (shmat) */
};

/* One guest mapping: [start, end), page aligned, never empty. */
struct elh_vma {
	uint64_t start, end;
	uint64_t off; /* file offset of start (file mappings), else 0 */
	uint64_t obj; /* identity of the backing object: 0 for private anonymous
		       * memory, a unique number per mmap call otherwise; two
		       * adjacent pieces merge only if they share it */
	int prot;     /* PROT_READ | PROT_WRITE | PROT_EXEC as last set */
	int flags;    /* MAP_PRIVATE or MAP_SHARED, | MAP_ANONYMOUS */
	enum elh_vma_kind kind;
};

struct elh_mm {
	uint64_t base, end; /* the arena, [base, end) */
	int thp;	    /* the host accepted MADV_HUGEPAGE on the arena */

	pthread_rwlock_t lock;
	uint64_t mmap_top;  /* mmap without MAP_FIXED places below this */
	uint64_t brk_start; /* the initial break, page aligned; 0 until set */
	uint64_t brk;	    /* the current break as the guest asked for it */
	uint64_t next_obj;
	struct elh_vma *vmas; /* sorted by address, non-overlapping */
	size_t nvmas, cap;
};

/*
 * Reserve the arena at ELH_ARENA_BASE (arena_size bytes, rounded up to a
 * page; 0 means the default) without replacing anything already mapped, and
 * set vm->arena and vm->mm.  -1 with a one-line reason in err on failure.
 */
int elh_mm_init(struct elh_vm *vm, uint64_t arena_size, char *err, size_t errlen);

/* Around a fork of the monitor (process.c): no mapping changes while the
 * arena is copied.  The child (child != 0) gets the lock free. */
void elh_mm_fork_lock(struct elh_vm *vm);
void elh_mm_fork_unlock(struct elh_vm *vm, int child);

/*
 * Take len bytes (rounded up to pages) from the bottom of the arena for the
 * monitor's own use, readable and writable: the guest can reach them (they
 * stay inside vm->arena) but its mmap family no longer can, so it can
 * neither unmap nor protect them.  Call before anything is mapped.
 * Returns the address, or 0 if the arena is too small.
 */
uint64_t elh_mm_carve(struct elh_vm *vm, uint64_t len);

/* Is the page holding addr mapped for the guest (inside the arena, by the
 * loader, brk or mmap, or carved for the monitor)? */
int elh_mm_mapped(struct elh_vm *vm, uint64_t addr);

/* Give the arena back to the host and free vm->mm (tests; elh just exits). */
void elh_mm_destroy(struct elh_vm *vm);

/*
 * The monitor's own way to change the arena, with the guest's semantics
 * (same flags, same errors), except that an fd is a host fd that is not
 * checked against guest_fd_limit and a new mapping is recorded as kind.
 * They return the address (mmap), 0, or -errno.
 */
long elh_mm_mmap(struct elh_vm *vm, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		 uint64_t off, enum elh_vma_kind kind);
long elh_mm_munmap(struct elh_vm *vm, uint64_t addr, uint64_t len);
long elh_mm_mprotect(struct elh_vm *vm, uint64_t addr, uint64_t len, int prot);

/* Set the initial break (page aligned, in the arena): once, by the loader. */
int elh_mm_set_brk(struct elh_vm *vm, uint64_t start);

/*
 * Map the main stack, size bytes (page multiple) at the top of the arena,
 * with prot, and keep mmap ELH_STACK_GUARD below it.  Returns the stack's
 * lowest address, or -errno (-EEXIST if something is mapped there already,
 * -ENOMEM if the arena is too small).
 */
long elh_mm_map_stack(struct elh_vm *vm, uint64_t size, int prot);

/* Copy the mapping that contains addr into *out: 0, or -ENOENT if none. */
int elh_mm_lookup(struct elh_vm *vm, uint64_t addr, struct elh_vma *out);

/* A copy of the guest's mappings, sorted (free *out): 0 or -ENOMEM. */
int elh_mm_snapshot(struct elh_vm *vm, struct elh_vma **out, size_t *n);

/* The guest's mmap family and brk, with Linux semantics inside the arena,
 * are declared in special.h (elh_sys_mmap and the rest). */

#endif
