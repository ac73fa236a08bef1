/* Unit tests of the guest address space: the arena and mmap & co. on the host. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "fault.h"
#include "memory.h"
#include "vm.h"

#define PG 4096ull

#include "arena-fixture.h"

#define SYS(name, ...) elh_sys_##name(&cpu, (const uint64_t[6]){ __VA_ARGS__ })
#define ANON	       (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW	       (PROT_READ | PROT_WRITE)

static int readable(uint64_t a)
{
	char c;

	return elh_guest_read(&vm.arena, &c, a, 1) == 0;
}

static int writable(uint64_t a)
{
	char c = 0;

	return elh_guest_read(&vm.arena, &c, a, 1) == 0 &&
	       elh_guest_write(&vm.arena, a, &c, 1) == 0;
}

static void fill(uint64_t a, int byte, size_t len)
{
	char *buf = malloc(len);

	memset(buf, byte, len);
	ck_assert_int_eq(elh_guest_write(&vm.arena, a, buf, len), 0);
	free(buf);
}

/* Every byte of [a, a + len) equals byte. */
static int holds(uint64_t a, int byte, size_t len)
{
	unsigned char *buf = malloc(len);
	int ok = elh_guest_read(&vm.arena, buf, a, len) == 0;

	for (size_t i = 0; ok && i < len; i++)
		ok = buf[i] == (unsigned char)byte;
	free(buf);
	return ok;
}

static struct elh_vma vma_at(uint64_t a)
{
	struct elh_vma v;

	ck_assert_msg(elh_mm_lookup(&vm, a, &v) == 0, "nothing mapped at %#llx",
		      (unsigned long long)a);
	return v;
}

static int unmapped(uint64_t a)
{
	struct elh_vma v;

	return elh_mm_lookup(&vm, a, &v) == -ENOENT;
}

/* A direct load from a, in a child: does it die of SIGSEGV? */
static int touch_faults(uint64_t a)
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		(void)*(volatile char *)(uintptr_t)a;
		_exit(0);
	}
	ck_assert_int_gt(p, 0);
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

/* The host still has every byte of the arena mapped (as the guest's memory
 * or as a placeholder): no hole the monitor's own mmaps could fall into. */
static int arena_contiguous(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long lo, hi;
	uint64_t at = base;
	char line[512];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2 || hi <= at || lo >= end)
			continue;
		if (lo > at)
			break;
		at = hi;
	}
	fclose(f);
	return at >= end;
}

START_TEST(arena_reserved)
{
	struct elh_vm other = { 0 };
	char err[256] = "";

	ck_assert_uint_eq(base, ELH_ARENA_BASE);
	ck_assert_uint_eq(vm.arena.size, ARENA);
	ck_assert_ptr_eq(vm.mm, vm.mm);
	ck_assert(arena_contiguous());
	/* Reserved but inaccessible until the guest maps something. */
	ck_assert(!readable(base));
	ck_assert(!readable(end - 1));
	ck_assert(touch_faults(base + ARENA / 2));
	/* The range is taken now: a second arena is refused, not stacked. */
	ck_assert_int_eq(elh_mm_init(&other, ARENA, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "already in use"), "got '%s'", err);
	ck_assert_ptr_null(other.mm);
	ck_assert_int_eq(elh_mm_init(&other, 1ull << 47, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "47-bit"), "got '%s'", err);
}
END_TEST

START_TEST(mmap_anonymous_top_down)
{
	long a = SYS(mmap, 0, 3 * PG, RW, ANON, -1, 0);
	long b = SYS(mmap, 0, 5000, RW, ANON, -1, 0);
	struct elh_vma v;

	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq(a % PG, 0);
	ck_assert(a >= (long)base && a + 3 * PG <= end);
	/* Top-down, and the length is rounded up to pages. */
	ck_assert_int_eq(b, a - 2 * PG);
	fill(a, 'a', 3 * PG);
	ck_assert(holds(a, 'a', 3 * PG));
	ck_assert(holds(b, 0, 2 * PG));
	ck_assert(writable(b + 2 * PG - 1));

	v = vma_at(a + PG);
	ck_assert_int_eq(v.kind, ELH_VMA_MMAP);
	ck_assert_int_eq(v.prot, RW);
	ck_assert_int_eq(v.flags, ANON);
	/* Two adjacent private anonymous mappings are one, as in Linux. */
	ck_assert_uint_eq(v.start, (uint64_t)b);
	ck_assert_uint_eq(v.end, (uint64_t)a + 3 * PG);

	/* MAP_32BIT stays below 2 GiB (the whole test arena does). */
	a = SYS(mmap, 0, PG, RW, ANON | MAP_32BIT, -1, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_le(a + PG, 1ull << 31);
}
END_TEST

START_TEST(mmap_hint)
{
	uint64_t hint = base + 16 * (1 << 20);
	long a = SYS(mmap, hint, 2 * PG, RW, ANON, -1, 0), b, c;

	ck_assert_int_eq(a, (long)hint);
	/* Taken: the hint is ignored, nothing is replaced. */
	fill(a, 'h', 2 * PG);
	b = SYS(mmap, hint, 2 * PG, RW, ANON, -1, 0);
	ck_assert_int_gt(b, 0);
	ck_assert(b + 2 * PG <= hint || b >= (long)(hint + 2 * PG));
	ck_assert(holds(a, 'h', 2 * PG));
	/* An unaligned hint is rounded up to the next page. */
	c = SYS(mmap, hint + 8 * PG + 100, PG, RW, ANON, -1, 0);
	ck_assert_int_eq(c, (long)(hint + 9 * PG));
	/* Outside the arena: ignored, not refused. */
	c = SYS(mmap, 0x1000, PG, RW, ANON, -1, 0);
	ck_assert(c >= (long)base && c < (long)end);
}
END_TEST

START_TEST(mmap_fixed_replaces_and_splits)
{
	long a = SYS(mmap, 0, 4 * PG, RW, ANON, -1, 0);
	struct elh_vma v;

	fill(a, 'x', 4 * PG);
	ck_assert_int_eq(SYS(mmap, a + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), a + PG);
	ck_assert(holds(a + PG, 0, PG));
	ck_assert(holds(a, 'x', PG));
	ck_assert(holds(a + 2 * PG, 'x', 2 * PG));
	ck_assert(!writable(a + PG));

	v = vma_at(a);
	ck_assert_uint_eq(v.end, (uint64_t)a + PG);
	v = vma_at(a + PG);
	ck_assert_uint_eq(v.start, (uint64_t)a + PG);
	ck_assert_uint_eq(v.end, (uint64_t)a + 2 * PG);
	ck_assert_int_eq(v.prot, PROT_READ);
	v = vma_at(a + 3 * PG);
	ck_assert_uint_eq(v.start, (uint64_t)a + 2 * PG);
	ck_assert_uint_eq(v.end, (uint64_t)a + 4 * PG);

	/* MAP_FIXED into free arena space works too. */
	ck_assert_int_eq(SYS(mmap, base + PG, PG, RW, ANON | MAP_FIXED, -1, 0), (long)(base + PG));
	ck_assert(writable(base + PG));
}
END_TEST

START_TEST(mmap_fixed_noreplace)
{
	long a = SYS(mmap, 0, 2 * PG, RW, ANON, -1, 0);

	fill(a, 'n', 2 * PG);
	ck_assert_int_eq(SYS(mmap, a, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	ck_assert_int_eq(SYS(mmap, a - PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	ck_assert_int_eq(SYS(mmap, a + PG, PG, RW, ANON | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0),
			 -EEXIST);
	ck_assert(holds(a, 'n', 2 * PG));
	ck_assert_int_eq(SYS(mmap, a - PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), a - PG);
	ck_assert_int_eq(SYS(mmap, base, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), (long)base);
	ck_assert_int_eq(SYS(mmap, base + 1, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -EINVAL);
}
END_TEST

START_TEST(munmap_middle)
{
	unsigned char *vec;
	long a = SYS(mmap, 0, 5 * PG, RW, ANON, -1, 0);
	long v = SYS(mmap, 0, PG, RW, ANON, -1, 0);
	struct elh_vma m;

	fill(a, 'm', 5 * PG);
	ck_assert_int_eq(SYS(munmap, a + PG, 2 * PG), 0);
	m = vma_at(a);
	ck_assert_uint_eq(m.end, (uint64_t)a + PG);
	ck_assert(unmapped(a + PG) && unmapped(a + 2 * PG));
	m = vma_at(a + 3 * PG);
	ck_assert_uint_eq(m.start, (uint64_t)a + 3 * PG);

	ck_assert(holds(a, 'm', PG));
	ck_assert(holds(a + 3 * PG, 'm', 2 * PG));
	ck_assert(!readable(a + PG));
	ck_assert(!readable(a + 3 * PG - 1));
	ck_assert(touch_faults(a + PG));
	ck_assert(!touch_faults(a));

	vec = (unsigned char *)(uintptr_t)v;
	ck_assert_int_eq(SYS(mincore, a, 5 * PG, v), -ENOMEM);
	ck_assert_int_eq(SYS(mincore, a + 3 * PG, 2 * PG, v), 0);
	ck_assert_int_eq(vec[0] & 1, 1);

	/* The hole is a placeholder, not a hole in the host. */
	ck_assert(arena_contiguous());
	/* And free for the guest again. */
	ck_assert_int_eq(SYS(mmap, a + PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), a + PG);
	ck_assert(holds(a + PG, 0, 2 * PG));
	/* Freed pages come back zeroed, not with their old contents. */
	ck_assert_int_eq(SYS(munmap, a, 5 * PG), 0);
	ck_assert_int_eq(SYS(mmap, a, 5 * PG, RW, ANON | MAP_FIXED, -1, 0), a);
	ck_assert(holds(a, 0, 5 * PG));
}
END_TEST

START_TEST(munmap_errors)
{
	long a = SYS(mmap, 0, PG, RW, ANON, -1, 0);

	ck_assert_int_eq(SYS(munmap, a + 1, PG), -EINVAL);
	ck_assert_int_eq(SYS(munmap, a, 0), -EINVAL);
	ck_assert_int_eq(SYS(munmap, UINT64_MAX - PG + 1, PG), -EINVAL);
	/* Nothing of the guest's is outside the arena: a no-op, like
	 * unmapping an unmapped range. */
	ck_assert_int_eq(SYS(munmap, 0x1000, PG), 0);
	ck_assert_int_eq(SYS(munmap, end, PG), 0);
	/* Unmapping a range that is only partly mapped is fine. */
	ck_assert_int_eq(SYS(munmap, a - PG, 3 * PG), 0);
	ck_assert(unmapped(a) && !readable(a));
	ck_assert(arena_contiguous());
}
END_TEST

START_TEST(mprotect_splits_and_faults)
{
	long a = SYS(mmap, 0, 3 * PG, RW, ANON, -1, 0);
	struct elh_vma v;

	fill(a, 'p', 3 * PG);
	ck_assert_int_eq(SYS(mprotect, a + PG, PG, PROT_READ), 0);
	ck_assert(writable(a) && writable(a + 2 * PG));
	ck_assert_int_eq(elh_guest_write(&vm.arena, a + PG, "x", 1), -EFAULT);
	ck_assert(holds(a + PG, 'p', PG));
	v = vma_at(a + PG);
	ck_assert_uint_eq(v.start, (uint64_t)a + PG);
	ck_assert_uint_eq(v.end, (uint64_t)a + 2 * PG);
	ck_assert_int_eq(v.prot, PROT_READ);
	ck_assert_int_eq(vma_at(a).prot, RW);

	ck_assert_int_eq(SYS(mprotect, a + PG, PG, PROT_NONE), 0);
	ck_assert(!readable(a + PG));
	/* Back to one piece when the protections agree again. */
	ck_assert_int_eq(SYS(mprotect, a, 3 * PG, RW), 0);
	v = vma_at(a + PG);
	ck_assert_uint_eq(v.start, (uint64_t)a);
	ck_assert_uint_eq(v.end, (uint64_t)a + 3 * PG);
	ck_assert(holds(a, 'p', 3 * PG));

	ck_assert_int_eq(SYS(mprotect, a + 1, PG, PROT_READ), -EINVAL);
	ck_assert_int_eq(SYS(mprotect, a, PG, PROT_READ | PROT_GROWSDOWN), -EINVAL);
	ck_assert_int_eq(SYS(mprotect, a, PG, 0x100000), -EINVAL);
	ck_assert_int_eq(SYS(mprotect, a, 0, PROT_READ), 0);
	/* A placeholder cannot be made accessible: it is not mapped. */
	ck_assert_int_eq(SYS(mprotect, a - PG, PG, RW), -ENOMEM);
	ck_assert(!readable(a - PG));
	ck_assert_int_eq(SYS(mprotect, a - PG, 4 * PG, RW), -ENOMEM);
	ck_assert(!readable(a - PG));
	ck_assert_int_eq(SYS(mprotect, 0x1000, PG, RW), -ENOMEM);
	ck_assert_int_eq(SYS(mprotect, end - PG, 2 * PG, RW), -ENOMEM);
}
END_TEST

START_TEST(mremap_in_place)
{
	uint64_t h = base + 8 * (1 << 20);
	long a = SYS(mmap, h, 2 * PG, RW, ANON, -1, 0);

	ck_assert_int_eq(a, (long)h);
	fill(a, 'g', 2 * PG);
	ck_assert_int_eq(SYS(mremap, a, 2 * PG, 4 * PG, 0), a);
	ck_assert(holds(a, 'g', 2 * PG));
	ck_assert(holds(a + 2 * PG, 0, 2 * PG));
	ck_assert(writable(a + 4 * PG - 1));
	ck_assert_uint_eq(vma_at(a).end, (uint64_t)a + 4 * PG);
	ck_assert(arena_contiguous());

	/* Shrinking gives the tail back. */
	ck_assert_int_eq(SYS(mremap, a, 4 * PG, PG + 1, 0), a);
	ck_assert(holds(a, 'g', 2 * PG));
	ck_assert(!readable(a + 2 * PG));
	ck_assert(unmapped(a + 2 * PG));
	ck_assert_uint_eq(vma_at(a).end, (uint64_t)a + 2 * PG);
	ck_assert_int_eq(SYS(mremap, a, 2 * PG, 2 * PG, 0), a);
	ck_assert(arena_contiguous());
}
END_TEST

START_TEST(mremap_moves)
{
	uint64_t h = base + 8 * (1 << 20), t = base + 20 * (1 << 20);
	long a = SYS(mmap, h, 2 * PG, RW, ANON, -1, 0), b;

	fill(a, 'v', 2 * PG);
	ck_assert_int_eq(SYS(mmap, a + 2 * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), a + 2 * PG);
	/* Blocked: in place is impossible, and moving is not allowed. */
	ck_assert_int_eq(SYS(mremap, a, 2 * PG, 8 * PG, 0), -ENOMEM);
	ck_assert(holds(a, 'v', 2 * PG));

	b = SYS(mremap, a, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
	ck_assert_int_gt(b, 0);
	ck_assert_int_ne(b, a);
	ck_assert(b >= (long)base && b + 8 * PG <= end);
	ck_assert(holds(b, 'v', 2 * PG));
	ck_assert(holds(b + 2 * PG, 0, 6 * PG));
	ck_assert(!readable(a) && unmapped(a));
	ck_assert_uint_eq(vma_at(b).end, (uint64_t)b + 8 * PG);
	ck_assert_int_eq(vma_at(a + 2 * PG).prot, PROT_READ);

	/* To a chosen place, replacing what is there. */
	ck_assert_int_eq(SYS(mmap, t, PG, RW, ANON | MAP_FIXED, -1, 0), (long)t);
	fill(t, 'o', PG);
	ck_assert_int_eq(SYS(mremap, b, 8 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t), (long)t);
	ck_assert(holds(t, 'v', 2 * PG));
	ck_assert(holds(t + 2 * PG, 0, 2 * PG));
	ck_assert(!readable(b) && unmapped(b) && unmapped(b + 4 * PG));
	ck_assert(!readable(t + 4 * PG));
	ck_assert_uint_eq(vma_at(t).end, t + 4 * PG);
	ck_assert(arena_contiguous());

	/* Errors. */
	ck_assert_int_eq(SYS(mremap, t, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t + PG),
			 -EINVAL);
	ck_assert_int_eq(SYS(mremap, t, PG, PG, MREMAP_FIXED, h), -EINVAL);
	ck_assert_int_eq(SYS(mremap, t, PG, PG, 0x100), -EINVAL);
	ck_assert_int_eq(SYS(mremap, t + 1, PG, PG, 0), -EINVAL);
	ck_assert_int_eq(SYS(mremap, t, PG, 0, 0), -EINVAL);
	ck_assert_int_eq(SYS(mremap, t, PG, 2 * PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE), -EINVAL);
	ck_assert_int_eq(SYS(mremap, b, PG, 2 * PG, MREMAP_MAYMOVE), -EFAULT);
	ck_assert_int_eq(SYS(mremap, t, 5 * PG, 6 * PG, MREMAP_MAYMOVE), -EFAULT);
	ck_assert_int_eq(SYS(mremap, t, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, 0x1000), -EINVAL);
	ck_assert_int_eq(SYS(mremap, t, PG, 128ull << 20, MREMAP_MAYMOVE), -ENOMEM);
	ck_assert(holds(t, 'v', 2 * PG));

	/* MREMAP_DONTUNMAP: the pages move, the old range stays mapped, empty. */
	b = SYS(mremap, t, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	ck_assert_int_gt(b, 0);
	ck_assert_int_ne(b, (long)t);
	ck_assert(holds(b, 'v', 2 * PG));
	ck_assert(holds(t, 0, 2 * PG));
	ck_assert_int_eq(vma_at(t).prot, RW);
	ck_assert_int_eq(vma_at(b).prot, RW);
	ck_assert(arena_contiguous());
}
END_TEST

START_TEST(mremap_shared_file_keeps_offsets)
{
	char path[] = "/tmp/elh-mem-XXXXXX", buf[8];
	int fd = mkstemp(path);
	long a, b;
	struct elh_vma v;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	for (int i = 0; i < 4; i++) {
		memset(buf, 'A' + i, sizeof(buf));
		ck_assert_int_eq(pwrite(fd, buf, sizeof(buf), i * PG), sizeof(buf));
	}
	ck_assert_int_eq(ftruncate(fd, 4 * PG), 0);
	a = SYS(mmap, 0, 3 * PG, RW, MAP_SHARED, fd, PG);
	ck_assert_int_gt(a, 0);
	ck_assert(holds(a, 'B', 8) && holds(a + 2 * PG, 'D', 8));

	/* mprotect splits keep each piece's file offset. */
	ck_assert_int_eq(SYS(mprotect, a + PG, PG, PROT_READ), 0);
	v = vma_at(a + PG);
	ck_assert_uint_eq(v.off, 2 * PG);
	ck_assert_int_eq(v.flags, MAP_SHARED);
	ck_assert_uint_eq(vma_at(a + 2 * PG).off, 3 * PG);
	ck_assert_int_eq(SYS(mprotect, a, 3 * PG, RW), 0);
	v = vma_at(a + PG);
	ck_assert_uint_eq(v.start, (uint64_t)a);
	ck_assert_uint_eq(v.off, PG);

	/* A moved piece of it still shows the same file pages. */
	b = SYS(mremap, a + PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, base + 4 * PG);
	ck_assert_int_eq(b, (long)(base + 4 * PG));
	ck_assert(holds(b, 'C', 8));
	ck_assert_uint_eq(vma_at(b).off, 2 * PG);
	ck_assert(!readable(a + PG));
	fill(b + 8, 'z', 8);
	ck_assert_int_eq(pread(fd, buf, 8, 2 * PG + 8), 8);
	ck_assert_int_eq(memcmp(buf, "zzzzzzzz", 8), 0);
	close(fd);
}
END_TEST

START_TEST(brk_grow_shrink)
{
	uint64_t h = base + 4 * (1 << 20);

	/* Before the loader sets it, there is no break to move. */
	ck_assert_int_eq(SYS(brk, 0), 0);
	ck_assert_int_eq(SYS(brk, h + PG), 0);
	ck_assert_int_eq(elh_mm_set_brk(&vm, h + 1), -EINVAL);
	ck_assert_int_eq(elh_mm_set_brk(&vm, h), 0);

	ck_assert_int_eq(SYS(brk, 0), (long)h);
	ck_assert_int_eq(SYS(brk, h + 100), (long)(h + 100));
	ck_assert(writable(h) && writable(h + PG - 1));
	ck_assert(!readable(h + PG));
	ck_assert_int_eq(SYS(brk, 0), (long)(h + 100));
	ck_assert_int_eq(SYS(brk, h + 3 * PG + 5), (long)(h + 3 * PG + 5));
	fill(h, 'b', 4 * PG);
	ck_assert_int_eq(vma_at(h).kind, ELH_VMA_HEAP);
	ck_assert_uint_eq(vma_at(h).end, h + 4 * PG);

	/* Shrinking frees whole pages above the new break. */
	ck_assert_int_eq(SYS(brk, h + 10), (long)(h + 10));
	ck_assert(holds(h, 'b', PG));
	ck_assert(!readable(h + PG));
	ck_assert(unmapped(h + PG));
	/* Growing again gives zeroed pages. */
	ck_assert_int_eq(SYS(brk, h + 2 * PG), (long)(h + 2 * PG));
	ck_assert(holds(h + PG, 0, PG));

	/* Failures leave the break where it was and return it. */
	ck_assert_int_eq(SYS(brk, h - PG), (long)(h + 2 * PG));
	ck_assert_int_eq(SYS(mmap, h + 8 * PG, PG, RW, ANON | MAP_FIXED, -1, 0),
			 (long)(h + 8 * PG));
	ck_assert_int_eq(SYS(brk, h + 10 * PG), (long)(h + 2 * PG));
	ck_assert(!readable(h + 2 * PG));
	ck_assert_int_eq(SYS(brk, end + PG), (long)(h + 2 * PG));
	ck_assert_int_eq(SYS(brk, UINT64_MAX), (long)(h + 2 * PG));
	ck_assert_int_eq(SYS(brk, h), (long)h);
	ck_assert(!readable(h));
	ck_assert(arena_contiguous());
}
END_TEST

static int temp_file(size_t pages, int byte)
{
	char path[] = "/tmp/elh-mem-XXXXXX";
	int fd = mkstemp(path);
	char *buf = malloc(pages * PG);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	memset(buf, byte, pages * PG);
	ck_assert_int_eq(write(fd, buf, pages * PG), (ssize_t)(pages * PG));
	free(buf);
	return fd;
}

START_TEST(file_shared_and_private)
{
	int fd = temp_file(2, 'f');
	char buf[16];
	long s, p, o;

	s = SYS(mmap, 0, 2 * PG, RW, MAP_SHARED, fd, 0);
	ck_assert_int_gt(s, 0);
	ck_assert(holds(s, 'f', 2 * PG));
	ck_assert_int_eq(elh_guest_write(&vm.arena, s + PG + 10, "hello", 5), 0);
	ck_assert_int_eq(pread(fd, buf, 5, PG + 10), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(SYS(msync, s, 2 * PG, MS_SYNC), 0);
	ck_assert_int_eq(SYS(msync, s, PG, MS_ASYNC | MS_INVALIDATE), 0);
	ck_assert_int_eq(vma_at(s).flags, MAP_SHARED);
	ck_assert_uint_ne(vma_at(s).obj, 0);

	/* Private: the file's bytes, but writes stay in the mapping. */
	p = SYS(mmap, 0, PG, RW, MAP_PRIVATE, fd, PG);
	ck_assert_int_gt(p, 0);
	ck_assert(holds(p + 10, 'h', 1));
	fill(p, 'q', 8);
	ck_assert_int_eq(pread(fd, buf, 8, PG), 8);
	ck_assert_int_eq(memcmp(buf, "ffffffff", 8), 0);
	ck_assert_uint_eq(vma_at(p).off, PG);

	/* Read-only mapping of the file. */
	o = SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_int_gt(o, 0);
	ck_assert(holds(o, 'f', 8));
	ck_assert(!writable(o));

	/* Shared anonymous memory works as well. */
	s = SYS(mmap, 0, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_int_gt(s, 0);
	ck_assert(writable(s));
	ck_assert_int_eq(vma_at(s).flags, MAP_SHARED | MAP_ANONYMOUS);
	close(fd);
}
END_TEST

START_TEST(file_errors)
{
	int fd = temp_file(1, 'e');
	int ro = open("/proc/self/exe", O_RDONLY), pfd[2];
	long a;

	/* The fd is open in the host, but not the guest's. */
	vm.guest_fd_limit = fd;
	ck_assert_int_eq(SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, fd, 0), -EBADF);
	ck_assert_int_eq(SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, fd + 100, 0), -EBADF);
	ck_assert_int_eq(SYS(mmap, 0, PG, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF);
	/* The fd does not matter for anonymous memory. */
	ck_assert_int_gt(SYS(mmap, 0, PG, PROT_READ, ANON, fd + 100, 0), 0);
	vm.guest_fd_limit = 1024;
	ck_assert_int_gt(SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, fd, 0), 0);
	/* The fd is an int: Linux ignores the register's upper half. */
	ck_assert_int_gt(SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, (1ull << 32) | fd, 0), 0);

	/* MAP_SHARED_VALIDATE refuses flags it does not know. */
	ck_assert_int_gt(SYS(mmap, 0, PG, RW, MAP_SHARED_VALIDATE, fd, 0), 0);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, MAP_SHARED_VALIDATE | 0x200, fd, 0), -EOPNOTSUPP);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, MAP_SHARED_VALIDATE | (1ull << 40), fd, 0),
			 -EOPNOTSUPP);
	ck_assert_int_gt(SYS(mmap, 0, PG, RW, MAP_SHARED | (1ull << 40), fd, 0), 0);

	/* The host's own checks come back as the guest's errors, and a
	 * failed MAP_FIXED leaves what was there. */
	ck_assert_int_eq(pipe(pfd), 0);
	a = SYS(mmap, 0, 2 * PG, RW, ANON, -1, 0);
	fill(a, 'k', 2 * PG);
	ck_assert_int_eq(SYS(mmap, a, 2 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, pfd[0], 0),
			 -ENODEV);
	ck_assert(holds(a, 'k', 2 * PG));
	ck_assert_uint_eq(vma_at(a).end, (uint64_t)a + 2 * PG);
	ck_assert_int_eq(
	    SYS(mmap, a - 2 * PG, 4 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, pfd[0], 0), -ENODEV);
	ck_assert(holds(a, 'k', 2 * PG));
	ck_assert(unmapped(a - PG) && !readable(a - PG));
	close(pfd[0]);
	close(pfd[1]);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, MAP_SHARED, ro, 0), -EACCES);
	ck_assert_int_eq(SYS(mmap, 0, PG, PROT_READ, MAP_SHARED, fd, PG / 2), -EINVAL);
	close(ro);
	close(fd);
	ck_assert(arena_contiguous());
}
END_TEST

START_TEST(mmap_errors)
{
	long a = SYS(mmap, 0, PG, RW, ANON, -1, 0);

	ck_assert_int_eq(SYS(mmap, 0, 0, RW, ANON, -1, 0), -EINVAL);
	ck_assert_int_eq(SYS(mmap, a + 1, PG, RW, ANON | MAP_FIXED, -1, 0), -EINVAL);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, MAP_ANONYMOUS, -1, 0), -EINVAL);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, 0x0f | MAP_ANONYMOUS, -1, 0), -EINVAL);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, ANON, -1, 100), -EINVAL);
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, ANON | MAP_HUGETLB, -1, 0), -EINVAL);
	/* Linux takes MAP_SHARED_VALIDATE for files only. */
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
	/* Unknown flags are ignored without MAP_SHARED_VALIDATE, as Linux. */
	ck_assert_int_gt(SYS(mmap, 0, PG, RW, ANON | 0x200, -1, 0), 0);
	/* MAP_GROWSDOWN is accepted (and the mapping does not grow). */
	ck_assert_int_gt(SYS(mmap, 0, PG, RW, ANON | MAP_GROWSDOWN, -1, 0), 0);

	/* Outside the arena, or leaving it. */
	ck_assert_int_eq(SYS(mmap, 0x1000, PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(mmap, base - PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(mmap, end - PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(mmap, end, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(mmap, 0, ARENA + PG, RW, ANON, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(mmap, 0, UINT64_MAX - 10, RW, ANON, -1, 0), -ENOMEM);
	ck_assert(arena_contiguous());
}
END_TEST

START_TEST(exhaustion)
{
	const uint64_t chunk = 4ull << 20;
	long got[32], again;
	int n = 0;

	for (;;) {
		long a = SYS(mmap, 0, chunk, PROT_NONE, ANON, -1, 0);

		if (a < 0) {
			ck_assert_int_eq(a, -ENOMEM);
			break;
		}
		ck_assert_int_lt(n, 32);
		got[n++] = a;
	}
	ck_assert_int_eq(n, (int)(ARENA / chunk));
	ck_assert_int_eq(SYS(mmap, 0, PG, RW, ANON, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(brk, 0), 0);

	/* A hole is found wherever it is, and only if it is big enough. */
	ck_assert_int_eq(SYS(munmap, got[n / 2], chunk), 0);
	again = SYS(mmap, 0, PG, RW, ANON, -1, 0);
	ck_assert_int_eq(again, got[n / 2] + (long)(chunk - PG));
	ck_assert_int_eq(SYS(mmap, 0, chunk, RW, ANON, -1, 0), -ENOMEM);
	ck_assert_int_eq(SYS(munmap, again, PG), 0);
	again = SYS(mmap, 0, chunk, RW, ANON, -1, 0);
	ck_assert_int_eq(again, got[n / 2]);
	ck_assert_int_eq(SYS(mremap, again, chunk, 2 * chunk, MREMAP_MAYMOVE), -ENOMEM);
}
END_TEST

START_TEST(madvise_calls)
{
	long a = SYS(mmap, 0, 2 * PG, RW, ANON, -1, 0);

	fill(a, 'd', 2 * PG);
	ck_assert_int_eq(SYS(madvise, a, 2 * PG, MADV_WILLNEED), 0);
	ck_assert_int_eq(SYS(madvise, a, 2 * PG, MADV_HUGEPAGE), 0);
	ck_assert_int_eq(SYS(madvise, a, 2 * PG, MADV_NORMAL), 0);
	ck_assert_int_eq(SYS(madvise, a, PG, MADV_DONTNEED), 0);
	ck_assert(holds(a, 0, PG));
	ck_assert(holds(a + PG, 'd', PG));
	ck_assert_int_eq(SYS(madvise, a, 2 * PG, MADV_FREE), 0);
	ck_assert_int_eq(SYS(madvise, a, 0, MADV_DONTNEED), 0);

	ck_assert_int_eq(SYS(madvise, a, PG, MADV_REMOVE), -EINVAL);
	ck_assert_int_eq(SYS(madvise, a, PG, MADV_MERGEABLE), -EINVAL);
	ck_assert_int_eq(SYS(madvise, a, PG, 12345), -EINVAL);
	ck_assert_int_eq(SYS(madvise, a + 1, PG, MADV_NORMAL), -EINVAL);
	/* Partly unmapped: the mapped part is done, then ENOMEM. */
	fill(a, 'd', PG);
	ck_assert_int_eq(SYS(madvise, a - PG, 2 * PG, MADV_DONTNEED), -ENOMEM);
	ck_assert(holds(a, 0, PG));
	ck_assert(!readable(a - PG));
	ck_assert_int_eq(SYS(madvise, 0x1000, PG, MADV_NORMAL), -ENOMEM);
	ck_assert_int_eq(SYS(madvise, end - PG, 2 * PG, MADV_NORMAL), -ENOMEM);
}
END_TEST

START_TEST(msync_and_mincore_errors)
{
	long a = SYS(mmap, 0, 2 * PG, RW, ANON, -1, 0);
	unsigned char local[2];

	ck_assert_int_eq(SYS(msync, a, PG, MS_SYNC | MS_ASYNC), -EINVAL);
	ck_assert_int_eq(SYS(msync, a, PG, 0x100), -EINVAL);
	ck_assert_int_eq(SYS(msync, a + 1, PG, MS_SYNC), -EINVAL);
	ck_assert_int_eq(SYS(msync, a, 3 * PG, MS_SYNC), -ENOMEM);
	ck_assert_int_eq(SYS(msync, 0x1000, PG, MS_SYNC), -ENOMEM);
	ck_assert_int_eq(SYS(msync, a, 2 * PG, MS_ASYNC), 0);
	ck_assert_int_eq(SYS(msync, a, 0, MS_SYNC), 0);

	fill(a, 1, 1);
	ck_assert_int_eq(SYS(mincore, a + 1, PG, a + PG), -EINVAL);
	ck_assert_int_eq(SYS(mincore, 0x1000, PG, a + PG), -ENOMEM);
	/* The vector must be guest memory. */
	ck_assert_int_eq(SYS(mincore, a, 2 * PG, (uintptr_t)local), -EFAULT);
	ck_assert_int_eq(SYS(mincore, a, 2 * PG, end - 1), -EFAULT);
	ck_assert_int_eq(SYS(mincore, a, PG, a + 2 * PG), -EFAULT);
	ck_assert_int_eq(SYS(mincore, a, 2 * PG - 100, a + PG), 0);
	ck_assert(holds(a + PG, 1, 1));
	ck_assert_int_eq(SYS(mincore, a, 0, a + PG), 0);
}
END_TEST

START_TEST(stack_and_guard)
{
	const uint64_t size = 1ull << 20;
	long lo = elh_mm_map_stack(&vm, size, RW), a;

	ck_assert_int_eq(lo, (long)(end - size));
	ck_assert_int_eq(vma_at(end - 1).kind, ELH_VMA_STACK);
	ck_assert(writable(end - 8) && writable(lo));
	ck_assert(!readable(lo - 1));
	ck_assert_int_eq(elh_mm_map_stack(&vm, size, RW), -EEXIST);
	ck_assert_int_eq(elh_mm_map_stack(&vm, ARENA, RW), -ENOMEM);
	/* mmap now places below the guard gap, and hints into it are ignored. */
	a = SYS(mmap, 0, PG, RW, ANON, -1, 0);
	ck_assert_int_eq(a, (long)(lo - ELH_STACK_GUARD - PG));
	a = SYS(mmap, lo - PG, PG, RW, ANON, -1, 0);
	ck_assert_int_lt(a, (long)(lo - ELH_STACK_GUARD));
	/* MAP_FIXED may still go there, as on Linux. */
	ck_assert_int_eq(SYS(mmap, lo - PG, PG, RW, ANON | MAP_FIXED, -1, 0), (long)(lo - PG));
}
END_TEST

/* Guest threads run on several host threads: the map must stay coherent. */
struct worker {
	int id;
	int bad;
};

static void *churn(void *arg)
{
	struct worker *w = arg;
	long live[8] = { 0 };
	size_t lens[8];
	unsigned seed = (unsigned)w->id;

	for (int i = 0; i < 400; i++) {
		int k = i % 8;

		if (live[k]) {
			if (!holds(live[k], w->id, lens[k]))
				w->bad++;
			if (SYS(munmap, live[k], lens[k]))
				w->bad++;
		}
		lens[k] = (1 + rand_r(&seed) % 4) * PG;
		live[k] = SYS(mmap, 0, lens[k], RW, ANON, -1, 0);
		if (live[k] < 0) {
			w->bad++;
			live[k] = 0;
			continue;
		}
		fill(live[k], w->id, lens[k]);
	}
	return NULL;
}

START_TEST(concurrent_mmap_munmap)
{
	pthread_t t[4];
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .id = 'A' + i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].bad, 0);
	}
	ck_assert(arena_contiguous());
}
END_TEST

/* The fault of the instruction insn (NULL: the one already there) at
 * code_at, as KVM reports it (no address): where and why, from the
 * instruction and the mappings (fault.c). */
static siginfo_t explain(long code_at, const uint8_t *insn, size_t len, uint64_t rax)
{
	struct elh_regs r;
	siginfo_t si;

	if (insn)
		ck_assert_int_eq(elh_guest_write(&vm.arena, code_at, insn, len), 0);
	memset(&r, 0, sizeof(r));
	r.rip = code_at;
	r.rax = rax;
	r.rsp = code_at + PG; /* unused: no stack access below */
	elh_fault_explain(&vm, &r, &si, 0);
	return si;
}

START_TEST(fault_explained)
{
	static const uint8_t store[] = { 0xc7, 0x40, 0x08, 1, 0, 0, 0 }; /* movl $1, 8(%rax) */
	static const uint8_t load[] = { 0x48, 0x8b, 0x40, 0xfc };	 /* mov -4(%rax), %rax */
	long text = SYS(mmap, 0, PG, PROT_READ | PROT_WRITE | PROT_EXEC,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long data = SYS(mmap, 0, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = temp_file(1, 'f');
	long file;
	siginfo_t si;

	ck_assert_int_gt(text, 0);
	ck_assert_int_gt(data, 0);
	/* A write to a read-only page: ACCERR at the byte written. */
	ck_assert_int_eq(SYS(mprotect, data + PG, PG, PROT_READ), 0);
	si = explain(text, store, sizeof(store), data + PG + 0x100);
	ck_assert_int_eq(si.si_signo, SIGSEGV);
	ck_assert_int_eq(si.si_code, SEGV_ACCERR);
	ck_assert_uint_eq((uintptr_t)si.si_addr, data + PG + 0x108);
	/* A read of it is fine; of a PROT_NONE page it is not. */
	ck_assert_int_eq(SYS(mprotect, data + 2 * PG, PG, PROT_NONE), 0);
	si = explain(text, load, sizeof(load), data + 2 * PG + 4);
	ck_assert_int_eq(si.si_code, SEGV_ACCERR);
	ck_assert_uint_eq((uintptr_t)si.si_addr, data + 2 * PG);
	/* An access across into a page that is not mapped: MAPERR at the
	 * first byte of that page. */
	ck_assert_int_eq(SYS(munmap, data + 2 * PG, PG), 0);
	si = explain(text, load, sizeof(load), data + 2 * PG + 2);
	ck_assert_int_eq(si.si_code, SEGV_MAPERR);
	ck_assert_uint_eq((uintptr_t)si.si_addr, data + 2 * PG);
	/* A file mapping past the end of its file: SIGBUS. */
	file = SYS(mmap, 0, 2 * PG, RW, MAP_SHARED, fd, 0);
	ck_assert_int_gt(file, 0);
	si = explain(text, load, sizeof(load), file + PG + 0x14);
	ck_assert_int_eq(si.si_signo, SIGBUS);
	ck_assert_int_eq(si.si_code, BUS_ADRERR);
	ck_assert_uint_eq((uintptr_t)si.si_addr, file + PG + 0x10);
	/* Code on a page that may not be executed: the fetch faults. */
	ck_assert_int_eq(SYS(mprotect, text, PG, PROT_READ), 0);
	si = explain(text, NULL, 0, data + 4);
	ck_assert_int_eq(si.si_code, SEGV_ACCERR);
	ck_assert_uint_eq((uintptr_t)si.si_addr, text);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("arena");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, arena_reserved);
	tcase_add_test(tc, mmap_anonymous_top_down);
	tcase_add_test(tc, mmap_hint);
	tcase_add_test(tc, mmap_fixed_replaces_and_splits);
	tcase_add_test(tc, mmap_fixed_noreplace);
	tcase_add_test(tc, munmap_middle);
	tcase_add_test(tc, munmap_errors);
	tcase_add_test(tc, mprotect_splits_and_faults);
	tcase_add_test(tc, mremap_in_place);
	tcase_add_test(tc, mremap_moves);
	tcase_add_test(tc, mremap_shared_file_keeps_offsets);
	tcase_add_test(tc, brk_grow_shrink);
	tcase_add_test(tc, file_shared_and_private);
	tcase_add_test(tc, file_errors);
	tcase_add_test(tc, mmap_errors);
	tcase_add_test(tc, exhaustion);
	tcase_add_test(tc, madvise_calls);
	tcase_add_test(tc, msync_and_mincore_errors);
	tcase_add_test(tc, stack_and_guard);
	tcase_add_test(tc, concurrent_mmap_munmap);
	tcase_add_test(tc, fault_explained);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
