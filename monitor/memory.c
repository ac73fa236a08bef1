/* The guest's address space: the arena, the map of its mappings, mmap & co. */

/*
 * Design note.
 *
 * The arena is one reservation, [ELH_ARENA_BASE, ELH_ARENA_BASE + size),
 * made with PROT_NONE and MAP_NORESERVE at start-up and mapped 1:1 into the
 * guest.  Every change the guest asks for is a host mmap/mprotect/mremap with
 * MAP_FIXED (or MREMAP_FIXED) *inside* that range; KVM follows the host's
 * page tables by itself.  The layout is drawn in memory.h: the image low
 * (0x400000 for ET_EXEC), the brk heap after it, mmap placed top-down below
 * the main stack, the stack at the very top.
 *
 * Why munmap re-reserves instead of unmapping: a real munmap would leave a
 * hole in the monitor's address space, and the next mmap(NULL) anywhere in
 * the monitor (malloc, a thread stack) could land there, inside the
 * guest's memory.  So a range the guest gives back is mapped again as a
 * PROT_NONE, MAP_NORESERVE placeholder: its pages are freed, touching it
 * faults, and the arena stays one contiguous reservation that only this file
 * changes.  The only holes are transient, inside mremap (the host moves pages
 * out of their old place, or needs an empty gap to grow in place), under the
 * write lock, and are filled again before it is released; failing to fill one
 * aborts, because a hole there could expose the monitor to the guest.
 *
 * The map (mm->vmas) records what the guest has mapped: a sorted array of
 * intervals with their protection, kind, backing object and file offset.
 * Free space for mmap without MAP_FIXED is found in it, MAP_FIXED_NOREPLACE
 * and brk check it, and mprotect/madvise/msync/mincore refuse ranges that
 * are not entirely mapped (ENOMEM, as Linux does), so a guest cannot make a
 * placeholder accessible with mprotect.  Adjacent intervals merge when the
 * host would merge them (private anonymous memory with equal attributes, or
 * consecutive pieces of one object).
 *
 * The lock (memory.h) is a writer-preferring rwlock held across the host
 * call, so the map and the host's mappings change together.
 *
 * Not supported: MAP_HUGETLB (EINVAL), MAP_DROPPABLE (EINVAL, as an unknown
 * mapping type), PROT_GROWSDOWN/PROT_GROWSUP in mprotect (EINVAL: no guest
 * mapping grows); MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE and
 * MAP_UNINITIALIZED are accepted and ignored (a MAP_GROWSDOWN mapping does
 * not grow).  Private anonymous memory gets MADV_HUGEPAGE when the host
 * supports it: first touches are expensive under nested KVM.
 */
#include "memory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "errors.h"
#include "vm.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define PAGE	      ELH_PAGE_SIZE
#define MAP_TYPE_BITS 0x0f
#define MAP_HUGE_BITS (0x3fu << MAP_HUGE_SHIFT)
#define PROT_RWX      (PROT_READ | PROT_WRITE | PROT_EXEC)

/* Flags handed to the host as the guest gave them. */
#define PASS_FLAGS                                                                                 \
	(MAP_ANONYMOUS | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |    \
	 MAP_SYNC)
/* Every flag Linux knows; others fail with MAP_SHARED_VALIDATE. */
#define KNOWN_FLAGS                                                                                \
	(MAP_TYPE_BITS | PASS_FLAGS | MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_32BIT |                \
	 MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_HUGETLB | MAP_UNINITIALIZED |        \
	 MAP_HUGE_BITS)

static int page_up(uint64_t x, uint64_t *out)
{
	if (x > UINT64_MAX - (PAGE - 1))
		return -1;
	*out = (x + PAGE - 1) & ~(PAGE - 1);
	return 0;
}

static int in_arena(const struct elh_mm *mm, uint64_t s, uint64_t len)
{
	uint64_t size = mm->end - mm->base;

	return s >= mm->base && len <= size && s - mm->base <= size - len;
}

/* A placeholder over [s, s + len): pages freed, access faults, range kept. */
static int reserve(uint64_t s, uint64_t len)
{
	void *p = mmap((void *)(uintptr_t)s, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* Fill a hole in the arena; a hole left open could expose the monitor. */
static void must_reserve(uint64_t s, uint64_t len)
{
	int r = reserve(s, len);

	if (r) {
		fprintf(
		    stderr,
		    "elh: internal error: cannot restore the guest arena at [%#llx, %#llx): %s\n",
		    (unsigned long long)s, (unsigned long long)(s + len), strerror(-r));
		abort();
	}
}

static void advise_thp(const struct elh_mm *mm, uint64_t s, uint64_t len, int flags)
{
	if (mm->thp && (flags & (MAP_ANONYMOUS | MAP_TYPE_BITS)) == (MAP_ANONYMOUS | MAP_PRIVATE))
		madvise((void *)(uintptr_t)s, len, MADV_HUGEPAGE);
}

/* ---- the map of guest mappings (callers hold the lock) ---- */

/* Index of the first mapping that ends above addr, nvmas if none. */
static size_t first_after(const struct elh_mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nvmas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int range_free(const struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i = first_after(mm, s);

	return i == mm->nvmas || mm->vmas[i].start >= e;
}

static int range_mapped(const struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i = first_after(mm, s);
	uint64_t at = s;

	for (; i < mm->nvmas && at < e; i++) {
		if (mm->vmas[i].start > at)
			return 0;
		at = mm->vmas[i].end;
	}
	return at >= e;
}

/* Make room for extra more intervals, so that no edit fails half-way. */
static int reserve_slots(struct elh_mm *mm, size_t extra)
{
	size_t cap = mm->cap ? mm->cap : 16;
	struct elh_vma *v;

	if (mm->nvmas + extra <= mm->cap)
		return 0;
	while (cap < mm->nvmas + extra)
		cap *= 2;
	v = realloc(mm->vmas, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mm->vmas = v;
	mm->cap = cap;
	return 0;
}

static void remove_at(struct elh_mm *mm, size_t i, size_t count)
{
	memmove(&mm->vmas[i], &mm->vmas[i + count], (mm->nvmas - i - count) * sizeof(mm->vmas[0]));
	mm->nvmas -= count;
}

static void insert_at(struct elh_mm *mm, size_t i, const struct elh_vma *v)
{
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nvmas - i) * sizeof(mm->vmas[0]));
	mm->vmas[i] = *v;
	mm->nvmas++;
}

/* Make addr a boundary between intervals.  Uses one slot. */
static void split_at(struct elh_mm *mm, uint64_t addr)
{
	size_t i = first_after(mm, addr);
	struct elh_vma hi;

	if (i == mm->nvmas || mm->vmas[i].start >= addr)
		return;
	hi = mm->vmas[i];
	hi.start = addr;
	if (hi.obj)
		hi.off += addr - mm->vmas[i].start;
	mm->vmas[i].end = addr;
	insert_at(mm, i + 1, &hi);
}

static int can_merge(const struct elh_vma *a, const struct elh_vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->kind == b->kind && a->obj == b->obj &&
	       (!a->obj || a->off + (a->end - a->start) == b->off);
}

/* Merge neighbours around [s, e), as the host merges its own mappings. */
static void coalesce(struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i = first_after(mm, s);

	if (i > 0)
		i--;
	while (i + 1 < mm->nvmas && mm->vmas[i].start <= e) {
		if (can_merge(&mm->vmas[i], &mm->vmas[i + 1])) {
			mm->vmas[i].end = mm->vmas[i + 1].end;
			remove_at(mm, i + 1, 1);
		} else {
			i++;
		}
	}
}

/* Drop [s, e) from the map.  Uses up to two slots. */
static void forget(struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i, j;

	split_at(mm, s);
	split_at(mm, e);
	i = j = first_after(mm, s);
	while (j < mm->nvmas && mm->vmas[j].start < e)
		j++;
	remove_at(mm, i, j - i);
}

/* Add v, whose range is free in the map.  Uses one slot. */
static void record(struct elh_mm *mm, const struct elh_vma *v)
{
	insert_at(mm, first_after(mm, v->start), v);
	coalesce(mm, v->start, v->end);
}

/* Placeholders over every part of [s, e) the map says is free. */
static void restore_free(struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i = first_after(mm, s);
	uint64_t at = s;

	for (; at < e; i++) {
		uint64_t next = i < mm->nvmas && mm->vmas[i].start < e ? mm->vmas[i].start : e;

		if (next > at)
			must_reserve(at, next - at);
		if (i >= mm->nvmas || next == e)
			break;
		at = mm->vmas[i].end;
	}
}

/*
 * After a failed MAP_FIXED mmap over [s, e): kernels before 6.12 may have
 * unmapped the old mappings before failing, newer ones put them back.  Ask
 * the host (msync says ENOMEM for unmapped memory) and make the map and the
 * placeholders agree with what is left.  Uses up to two slots.
 */
static void resync_failed(struct elh_mm *mm, uint64_t s, uint64_t e)
{
	size_t i = first_after(mm, s);

	while (i < mm->nvmas && mm->vmas[i].start < e) {
		uint64_t lo = mm->vmas[i].start > s ? mm->vmas[i].start : s;
		uint64_t hi = mm->vmas[i].end < e ? mm->vmas[i].end : e;

		if (msync((void *)(uintptr_t)lo, hi - lo, MS_ASYNC) && errno == ENOMEM) {
			forget(mm, lo, hi);
			i = first_after(mm, hi);
		} else {
			i++;
		}
	}
	restore_free(mm, s, e);
}

/*
 * The highest free range of len bytes inside [floor, top), or 0 (the arena
 * never contains address 0).  Gaps are visited from the top down, like
 * Linux's top-down allocator.
 */
static uint64_t find_free(const struct elh_mm *mm, uint64_t len, uint64_t floor, uint64_t top)
{
	size_t i;

	if (top <= floor || top - floor < len)
		return 0;
	for (i = first_after(mm, top) + 1; i-- > 0;) {
		uint64_t hi = i < mm->nvmas ? mm->vmas[i].start : mm->end;
		uint64_t lo = i > 0 ? mm->vmas[i - 1].end : mm->base;

		if (hi > top)
			hi = top;
		if (lo < floor)
			lo = floor;
		if (hi > lo && hi - lo >= len)
			return hi - len;
		if (lo <= floor)
			break;
	}
	return 0;
}

/* ---- set-up ---- */

/* Writers first: a stream of madvise calls must not starve mmap. */
static void init_lock(struct elh_mm *mm)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&mm->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

void elh_mm_fork_lock(struct elh_vm *vm)
{
	pthread_rwlock_wrlock(&vm->mm->lock);
}

void elh_mm_fork_unlock(struct elh_vm *vm, int child)
{
	/* glibc's rwlock knows its writer by tid, which the child's thread
	 * no longer has: the child makes the lock anew. */
	if (child)
		init_lock(vm->mm);
	else
		pthread_rwlock_unlock(&vm->mm->lock);
}

int elh_mm_init(struct elh_vm *vm, uint64_t arena_size, char *err, size_t errlen)
{
	const uint64_t base = ELH_ARENA_BASE;
	struct elh_mm *mm;
	uint64_t size;
	void *p;

	if (!arena_size)
		arena_size = ELH_ARENA_DEFAULT_SIZE;
	if (page_up(arena_size, &size) || size > (1ull << 47) - base)
		return elh_refuse(
		    err, errlen,
		    "a guest arena of %llu bytes does not fit the 47-bit address space",
		    (unsigned long long)arena_size);
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return elh_refuse(err, errlen, "cannot set up the guest arena: out of memory");

	p = mmap((void *)(uintptr_t)base, size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		free(mm);
		if (e == EEXIST)
			return elh_refuse(err, errlen,
					  "cannot reserve the guest arena at [%#llx, %#llx): part "
					  "of that range is already in use in elh's address space",
					  (unsigned long long)base,
					  (unsigned long long)(base + size));
		if (e == EPERM || e == EACCES)
			return elh_refuse(
			    err, errlen,
			    "cannot reserve the guest arena at %#llx: the host forbids mappings "
			    "that low (sysctl vm.mmap_min_addr must be at most %llu)",
			    (unsigned long long)base, (unsigned long long)base);
		return elh_refuse(err, errlen,
				  "cannot reserve a guest arena of %llu bytes at %#llx: %s",
				  (unsigned long long)size, (unsigned long long)base, strerror(e));
	}
	if (p != (void *)(uintptr_t)base) {
		/* A kernel older than 4.17 takes MAP_FIXED_NOREPLACE as a hint. */
		munmap(p, size);
		free(mm);
		return elh_refuse(err, errlen,
				  "cannot reserve the guest arena at %#llx: the host kernel lacks "
				  "MAP_FIXED_NOREPLACE (Linux 4.17 or later is needed)",
				  (unsigned long long)base);
	}
	mm->thp = madvise(p, size, MADV_HUGEPAGE) == 0;

	init_lock(mm);
	mm->base = base;
	mm->end = base + size;
	mm->mmap_top = mm->end;
	vm->arena.base = base;
	vm->arena.size = size;
	vm->mm = mm;
	return 0;
}

uint64_t elh_mm_carve(struct elh_vm *vm, uint64_t len)
{
	struct elh_mm *mm = vm->mm;
	uint64_t at = 0;

	if (page_up(len, &len))
		return 0;
	pthread_rwlock_wrlock(&mm->lock);
	if (!mm->nvmas && len < mm->end - mm->base &&
	    !mprotect((void *)(uintptr_t)mm->base, len, PROT_READ | PROT_WRITE)) {
		at = mm->base;
		mm->base += len;
	}
	pthread_rwlock_unlock(&mm->lock);
	return at;
}

void elh_mm_destroy(struct elh_vm *vm)
{
	struct elh_mm *mm = vm->mm;

	if (!mm)
		return;
	munmap((void *)(uintptr_t)mm->base, mm->end - mm->base);
	pthread_rwlock_destroy(&mm->lock);
	free(mm->vmas);
	free(mm);
	vm->mm = NULL;
	vm->arena.base = vm->arena.size = 0;
}

int elh_mm_set_brk(struct elh_vm *vm, uint64_t start)
{
	struct elh_mm *mm = vm->mm;

	if (start % PAGE || !in_arena(mm, start, 0) || start == mm->end)
		return -EINVAL;
	pthread_rwlock_wrlock(&mm->lock);
	mm->brk_start = mm->brk = start;
	pthread_rwlock_unlock(&mm->lock);
	return 0;
}

long elh_mm_map_stack(struct elh_vm *vm, uint64_t size, int prot)
{
	struct elh_mm *mm = vm->mm;
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct elh_vma v;
	uint64_t lo;
	long r;

	if (!size || size % PAGE || size > mm->end - mm->base ||
	    mm->end - mm->base - size < ELH_STACK_GUARD)
		return -ENOMEM;
	lo = mm->end - size;
	pthread_rwlock_wrlock(&mm->lock);
	if (!range_free(mm, lo, mm->end)) {
		r = -EEXIST;
	} else if (reserve_slots(mm, 1)) {
		r = -ENOMEM;
	} else if (mmap((void *)(uintptr_t)lo, size, prot & PROT_RWX, flags | MAP_FIXED, -1, 0) ==
		   MAP_FAILED) {
		r = -errno;
		restore_free(mm, lo, mm->end);
	} else {
		advise_thp(mm, lo, size, flags);
		v = (struct elh_vma){ .start = lo,
				      .end = mm->end,
				      .prot = prot & PROT_RWX,
				      .flags = flags,
				      .kind = ELH_VMA_STACK };
		record(mm, &v);
		if (mm->mmap_top > lo - ELH_STACK_GUARD)
			mm->mmap_top = lo - ELH_STACK_GUARD;
		r = (long)lo;
	}
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

int elh_mm_lookup(struct elh_vm *vm, uint64_t addr, struct elh_vma *out)
{
	struct elh_mm *mm = vm->mm;
	size_t i;
	int r = -ENOENT;

	pthread_rwlock_rdlock(&mm->lock);
	i = first_after(mm, addr);
	if (i < mm->nvmas && mm->vmas[i].start <= addr) {
		*out = mm->vmas[i];
		r = 0;
	}
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

int elh_mm_snapshot(struct elh_vm *vm, struct elh_vma **out, size_t *n)
{
	struct elh_mm *mm = vm->mm;
	int r = 0;

	pthread_rwlock_rdlock(&mm->lock);
	*n = mm->nvmas;
	*out = malloc((mm->nvmas ? mm->nvmas : 1) * sizeof(**out));
	if (*out)
		memcpy(*out, mm->vmas, mm->nvmas * sizeof(**out));
	else
		r = -ENOMEM;
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

int elh_mm_mapped(struct elh_vm *vm, uint64_t addr)
{
	struct elh_vma v;

	if (addr < vm->mm->base || addr >= vm->mm->end)
		return 1; /* outside the guest's mappings: not a placeholder */
	return elh_mm_lookup(vm, addr, &v) == 0;
}

/* ---- mmap, munmap, mprotect ---- */

long elh_mm_mmap(struct elh_vm *vm, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		 uint64_t off, enum elh_vma_kind kind)
{
	struct elh_mm *mm = vm->mm;
	int type = flags & MAP_TYPE_BITS, anon = flags & MAP_ANONYMOUS;
	int fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	struct elh_vma v;
	uint64_t hint;
	long r;

	if (off % PAGE)
		return -EINVAL;
	/* Linux takes MAP_SHARED_VALIDATE for files only. */
	if (type != MAP_SHARED && type != MAP_PRIVATE && (type != MAP_SHARED_VALIDATE || anon))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS))
		return -EOPNOTSUPP;
	if (!len || (flags & MAP_HUGETLB))
		return -EINVAL;
	if (page_up(len, &len) || len > mm->end - mm->base)
		return -ENOMEM;
	if (fixed && addr % PAGE)
		return -EINVAL;

	pthread_rwlock_wrlock(&mm->lock);
	if (fixed) {
		r = -ENOMEM;
		if (!in_arena(mm, addr, len))
			goto out;
		r = -EEXIST;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_free(mm, addr, addr + len))
			goto out;
	} else {
		uint64_t top = mm->mmap_top;

		if ((flags & MAP_32BIT) && top > (1ull << 31))
			top = 1ull << 31;
		/* A hint is taken if the whole range is free where mmap may
		 * place things; otherwise the search ignores it, as Linux. */
		if (addr && !page_up(addr, &hint) && hint >= mm->base && hint < top &&
		    len <= top - hint && range_free(mm, hint, hint + len))
			addr = hint;
		else
			addr = find_free(mm, len, mm->base, top);
		r = -ENOMEM;
		if (!addr)
			goto out;
	}
	r = -ENOMEM;
	if (reserve_slots(mm, 3))
		goto out;
	if (mmap((void *)(uintptr_t)addr, len, prot & PROT_RWX,
		 type | (flags & PASS_FLAGS) | MAP_FIXED, anon ? -1 : fd,
		 (off_t)off) == MAP_FAILED) {
		r = -errno;
		resync_failed(mm, addr, addr + len);
		goto out;
	}
	advise_thp(mm, addr, len, type | anon);
	forget(mm, addr, addr + len);
	v = (struct elh_vma){
		.start = addr,
		.end = addr + len,
		.off = anon ? 0 : off,
		.obj = anon && type == MAP_PRIVATE ? 0 : ++mm->next_obj,
		.prot = prot & PROT_RWX,
		.flags = (type == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED) | anon,
		.kind = kind,
	};
	record(mm, &v);
	r = (long)addr;
out:
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

long elh_sys_mmap(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	uint64_t flags = a[3];
	int fd = (int)(unsigned)a[4];

	/* The order of Linux's checks: offset, then the descriptor. */
	if (a[5] % PAGE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && (fd < 0 || fd >= vm->guest_fd_limit))
		return -EBADF;
	if ((flags >> 32) && (flags & (MAP_TYPE_BITS | MAP_ANONYMOUS)) == MAP_SHARED_VALIDATE)
		return -EOPNOTSUPP;
	return elh_mm_mmap(vm, a[0], a[1], (int)a[2], (int)flags, fd, a[5], ELH_VMA_MMAP);
}

long elh_mm_munmap(struct elh_vm *vm, uint64_t s, uint64_t len)
{
	struct elh_mm *mm = vm->mm;
	uint64_t e;
	long r = 0;

	/* Linux's checks, in its order: the length as given, then rounded. */
	if (s % PAGE || s > ELH_TASK_SIZE || len > ELH_TASK_SIZE - s)
		return -EINVAL;
	if (!len || page_up(len, &len))
		return -EINVAL;
	/* Nothing of the guest's lies outside the arena: unmapping there is
	 * a no-op, as Linux's munmap of an unmapped range. */
	e = s + len;
	if (s < mm->base)
		s = mm->base;
	if (e > mm->end)
		e = mm->end;
	if (s >= e)
		return 0;
	pthread_rwlock_wrlock(&mm->lock);
	if (reserve_slots(mm, 2))
		r = -ENOMEM;
	else if (!(r = reserve(s, e - s)))
		forget(mm, s, e);
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

long elh_sys_munmap(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return elh_mm_munmap(cpu->vm, a[0], a[1]);
}

long elh_mm_mprotect(struct elh_vm *vm, uint64_t addr, uint64_t len, int prot)
{
	struct elh_mm *mm = vm->mm;
	size_t i;
	long r = 0;

	if (addr % PAGE || (prot & ~(PROT_RWX | PROT_SEM)))
		return -EINVAL;
	if (!len)
		return 0;
	if (page_up(len, &len) || !in_arena(mm, addr, len))
		return -ENOMEM;
	prot &= PROT_RWX;
	pthread_rwlock_wrlock(&mm->lock);
	if (!range_mapped(mm, addr, addr + len) || reserve_slots(mm, 2)) {
		r = -ENOMEM;
	} else if (mprotect((void *)(uintptr_t)addr, len, prot)) {
		r = -errno;
	} else {
		split_at(mm, addr);
		split_at(mm, addr + len);
		for (i = first_after(mm, addr); i < mm->nvmas && mm->vmas[i].start < addr + len;
		     i++)
			mm->vmas[i].prot = prot;
		coalesce(mm, addr, addr + len);
	}
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

long elh_sys_mprotect(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return elh_mm_mprotect(cpu->vm, a[0], a[1], (int)a[2]);
}

/* ---- brk ---- */

/*
 * Linux's rules: a break below the initial one, or one that cannot be
 * satisfied, leaves the break as it is and returns it; otherwise the break
 * becomes exactly the value asked for and is returned.
 */
long elh_sys_brk(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_mm *mm = cpu->vm->mm;
	uint64_t want = a[0], oldp, newp;
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct elh_vma v;
	long r;

	pthread_rwlock_wrlock(&mm->lock);
	r = (long)mm->brk;
	if (!mm->brk_start || want < mm->brk_start || want > mm->mmap_top)
		goto out;
	/* Both are at most mmap_top: rounding up cannot wrap. */
	oldp = (mm->brk + PAGE - 1) & ~(PAGE - 1);
	newp = (want + PAGE - 1) & ~(PAGE - 1);
	if (newp < oldp) {
		if (reserve_slots(mm, 2) || reserve(newp, oldp - newp))
			goto out;
		forget(mm, newp, oldp);
	} else if (newp > oldp) {
		if (newp > mm->mmap_top || !range_free(mm, oldp, newp) || reserve_slots(mm, 1))
			goto out;
		if (mmap((void *)(uintptr_t)oldp, newp - oldp, PROT_READ | PROT_WRITE,
			 flags | MAP_FIXED, -1, 0) == MAP_FAILED) {
			restore_free(mm, oldp, newp);
			goto out;
		}
		advise_thp(mm, oldp, newp - oldp, flags);
		v = (struct elh_vma){ .start = oldp,
				      .end = newp,
				      .prot = PROT_READ | PROT_WRITE,
				      .flags = flags,
				      .kind = ELH_VMA_HEAP };
		record(mm, &v);
	}
	mm->brk = want;
	r = (long)want;
out:
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

/* ---- mremap ---- */

static long host_mremap(uint64_t old, uint64_t olen, uint64_t nlen, int flags, uint64_t target)
{
	void *p = mremap((void *)(uintptr_t)old, olen, nlen, flags, (void *)(uintptr_t)target);

	return p == MAP_FAILED ? -errno : (long)(uintptr_t)p;
}

/* Grow [old, old + olen) to nlen in place; the space after it is free. */
static long grow_in_place(struct elh_mm *mm, uint64_t old, uint64_t olen, uint64_t nlen)
{
	size_t i;
	long r;

	/* The host grows a mapping only into an empty gap: open one where
	 * the placeholder was, for the duration of the call. */
	if (munmap((void *)(uintptr_t)(old + olen), nlen - olen))
		return -errno;
	r = host_mremap(old, olen, nlen, 0, 0);
	if (r < 0) {
		must_reserve(old + olen, nlen - olen);
		return r;
	}
	i = first_after(mm, old + olen - 1);
	mm->vmas[i].end = old + nlen;
	coalesce(mm, old, old + nlen);
	return (long)old;
}

/*
 * Move [old, old + olen) to target, nlen bytes (olen == 0: a second mapping
 * of the shared pages at old).  The map's pieces of the old range move with
 * their attributes; growth extends the last one.
 */
static long move_mapping(struct elh_mm *mm, uint64_t old, uint64_t olen, uint64_t nlen,
			 uint64_t target, int flags)
{
	uint64_t span = olen ? olen : PAGE, delta = target - old;
	size_t i, k = 0, first = first_after(mm, old);
	struct elh_vma *pieces;
	long r;

	while (first + k < mm->nvmas && mm->vmas[first + k].start < old + span)
		k++;
	pieces = calloc(k, sizeof(*pieces));
	if (!pieces || reserve_slots(mm, k + 6)) {
		free(pieces);
		return -ENOMEM;
	}
	for (i = 0; i < k; i++) {
		pieces[i] = mm->vmas[first + i];
		if (pieces[i].start < old) {
			if (pieces[i].obj)
				pieces[i].off += old - pieces[i].start;
			pieces[i].start = old;
		}
		if (pieces[i].end > old + span)
			pieces[i].end = old + span;
		pieces[i].start += delta;
		pieces[i].end += delta;
	}
	pieces[k - 1].end = target + nlen;

	if (flags & MREMAP_FIXED) {
		/* Whatever the guest had at the target goes first, as in Linux,
		 * even if the move then fails. */
		if ((r = reserve(target, nlen)) < 0)
			goto out;
		forget(mm, target, target + nlen);
	}
	r = host_mremap(old, olen, nlen, MREMAP_MAYMOVE | MREMAP_FIXED | (flags & MREMAP_DONTUNMAP),
			target);
	if (r < 0) {
		must_reserve(target, nlen);
		goto out;
	}
	if (olen && !(flags & MREMAP_DONTUNMAP)) {
		must_reserve(old, olen);
		forget(mm, old, old + olen);
	}
	for (i = 0; i < k; i++)
		record(mm, &pieces[i]);
	r = (long)target;
out:
	free(pieces);
	return r;
}

long elh_sys_mremap(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_mm *mm = cpu->vm->mm;
	uint64_t old = a[0], olen = a[1], nlen = a[2], flags = a[3], target = a[4];
	long r;

	if (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && olen != nlen)
		return -EINVAL;
	if (old % PAGE || page_up(olen, &olen) || page_up(nlen, &nlen) || !nlen)
		return -EINVAL;
	if (olen > ELH_TASK_SIZE || nlen > ELH_TASK_SIZE)
		return -EINVAL; /* Linux: a silly length */
	if (!olen && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;

	pthread_rwlock_wrlock(&mm->lock);
	r = -EFAULT;
	if (!in_arena(mm, old, olen ? olen : PAGE) ||
	    !range_mapped(mm, old, old + (olen ? olen : PAGE)))
		goto out;
	if (!(flags & MREMAP_FIXED) && (flags & MREMAP_DONTUNMAP)) {
		/* Always a move, to wherever mmap would put it. */
		target = find_free(mm, nlen, mm->base, mm->mmap_top);
		r = target ? move_mapping(mm, old, olen, nlen, target, (int)flags) : -ENOMEM;
	} else if (flags & MREMAP_FIXED) {
		r = -EINVAL;
		if (target % PAGE || !in_arena(mm, target, nlen) ||
		    (old + olen > target && target + nlen > old))
			goto out;
		if (olen > nlen) {
			/* Linux drops the tail before moving the rest. */
			r = -ENOMEM;
			if (reserve_slots(mm, 2) || reserve(old + nlen, olen - nlen))
				goto out;
			forget(mm, old + nlen, old + olen);
			olen = nlen;
		}
		r = move_mapping(mm, old, olen, nlen, target, (int)flags);
	} else if (nlen <= olen) {
		r = (long)old;
		if (nlen < olen) {
			/* Shrinking is unmapping the tail: re-reserve it. */
			if (reserve_slots(mm, 2) || reserve(old + nlen, olen - nlen))
				r = -ENOMEM;
			else
				forget(mm, old + nlen, old + olen);
		}
	} else if (in_arena(mm, old + olen, nlen - olen) &&
		   range_free(mm, old + olen, old + nlen)) {
		r = grow_in_place(mm, old, olen, nlen);
	} else if (flags & MREMAP_MAYMOVE) {
		target = find_free(mm, nlen, mm->base, mm->mmap_top);
		r = target ? move_mapping(mm, old, olen, nlen, target, (int)flags) : -ENOMEM;
	} else {
		r = -ENOMEM;
	}
out:
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

/* ---- madvise, msync, mincore: no change to the layout ---- */

/*
 * Apply fn to each stretch of [s, e) the guest has mapped, in order; the
 * first host error wins, then -ENOMEM if part of the range is unmapped (the
 * mapped parts are still done, as Linux does).  Caller holds the lock.
 */
static long each_mapped(struct elh_mm *mm, uint64_t s, uint64_t e, int (*fn)(void *, size_t, int),
			int arg)
{
	size_t i = first_after(mm, s);
	uint64_t at = s;
	int hole = 0;

	while (at < e) {
		uint64_t lo, hi;

		if (i >= mm->nvmas || mm->vmas[i].start >= e) {
			hole = 1;
			break;
		}
		lo = mm->vmas[i].start > at ? mm->vmas[i].start : at;
		if (lo > at)
			hole = 1;
		hi = mm->vmas[i].end;
		/* One host call per contiguous stretch. */
		while (i + 1 < mm->nvmas && mm->vmas[i + 1].start == hi && hi < e)
			hi = mm->vmas[++i].end;
		if (hi > e)
			hi = e;
		if (fn((void *)(uintptr_t)lo, hi - lo, arg))
			return -errno;
		at = hi;
		i++;
	}
	return hole ? -ENOMEM : 0;
}

long elh_sys_madvise(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_mm *mm = cpu->vm->mm;
	uint64_t s = a[0], len = a[1];
	int advice = (int)a[2];
	long r;

	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: break;
	default: return -EINVAL;
	}
	if (s % PAGE || page_up(len, &len) || len > UINT64_MAX - s)
		return -EINVAL;
	if (!len)
		return 0;
	if (!in_arena(mm, s, len))
		return -ENOMEM;
	pthread_rwlock_rdlock(&mm->lock);
	r = each_mapped(mm, s, s + len, madvise, advice);
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

long elh_sys_msync(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_mm *mm = cpu->vm->mm;
	uint64_t s = a[0], len = a[1], flags = a[2];
	long r;

	if ((flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || s % PAGE ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (page_up(len, &len) || len > UINT64_MAX - s)
		return -ENOMEM;
	if (!len)
		return 0;
	if (!in_arena(mm, s, len))
		return -ENOMEM;
	pthread_rwlock_rdlock(&mm->lock);
	r = each_mapped(mm, s, s + len, msync, (int)flags);
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

long elh_sys_mincore(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	struct elh_mm *mm = vm->mm;
	uint64_t s = a[0], len = a[1], vec = a[2];
	long r = 0;

	if (s % PAGE)
		return -EINVAL;
	if (!in_arena(mm, s, len))
		return -ENOMEM;
	/* The host writes the vector straight into guest memory. */
	if (elh_guest_range(&vm->arena, vec, len / PAGE + (len % PAGE != 0)))
		return -EFAULT;
	if (!len)
		return 0;
	pthread_rwlock_rdlock(&mm->lock);
	if (!range_mapped(mm, s, s + len))
		r = -ENOMEM;
	else if (mincore((void *)(uintptr_t)s, len, (unsigned char *)(uintptr_t)vec))
		r = -errno;
	pthread_rwlock_unlock(&mm->lock);
	return r;
}

/*
 * System V shared memory.  The map first takes a range for the segment
 * (where the guest asked, or where mmap would place it), then the segment is
 * attached over it with SHM_REMAP: it lies in the arena like any mapping, and
 * munmap or shmdt put the placeholder back, which detaches it.
 */
long elh_sys_shmat(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	int id = (int)a[0], flg = (int)a[2];
	int prot = (flg & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	int flags = MAP_SHARED | MAP_ANONYMOUS;
	uint64_t addr = a[1], len;
	struct shmid_ds ds;
	long r;

	if (flg & SHM_EXEC)
		prot |= PROT_EXEC;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	if (!ds.shm_segsz || page_up(ds.shm_segsz, &len))
		return -EINVAL;
	if (addr) {
		if (flg & SHM_RND)
			addr &= ~(uint64_t)(SHMLBA - 1);
		else if (addr % SHMLBA)
			return -EINVAL;
		flags |= (flg & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	} else if (flg & SHM_REMAP) {
		return -EINVAL;
	}
	r = elh_mm_mmap(vm, addr, len, prot, flags, -1, 0, ELH_VMA_SHM);
	if (r == -EEXIST)
		return -EINVAL; /* Linux's answer for an occupied range */
	if (r < 0)
		return r;
	if (shmat(id, (void *)(uintptr_t)r, (flg & (SHM_RDONLY | SHM_EXEC)) | SHM_REMAP) ==
	    (void *)-1) {
		int e = errno;

		elh_mm_munmap(vm, (uint64_t)r, len);
		return -e;
	}
	return r;
}

/* Every piece of the attachment that starts at addr (mprotect may have
 * split it) goes. */
long elh_sys_shmdt(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	struct elh_vma v, next;
	uint64_t end;

	if (elh_mm_lookup(vm, a[0], &v) || v.kind != ELH_VMA_SHM || v.start != a[0])
		return -EINVAL;
	end = v.end;
	while (!elh_mm_lookup(vm, end, &next) && next.kind == ELH_VMA_SHM && next.obj == v.obj &&
	       next.start == end)
		end = next.end;
	return elh_mm_munmap(vm, v.start, end - v.start);
}
