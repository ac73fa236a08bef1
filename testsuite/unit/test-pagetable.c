/* Unit tests of the guest page-table builder: what the MMU would see. */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"
#include "pagetable.h"

#define TABLE_GPA  0x4000000000ull /* 256 GiB */
#define ARENA_BASE 0x10000ull
#define ARENA_SIZE ((3ull << 30) + (64ull << 20) + 0x3000)

static struct elh_pt_builder b;
static void *mem;

static void setup(void)
{
	size_t size = elh_pt_budget(ARENA_SIZE) + elh_pt_budget(0x10000);

	ck_assert_int_eq(posix_memalign(&mem, 4096, size), 0);
	ck_assert_int_eq(elh_pt_init(&b, mem, TABLE_GPA, size), 0);
	ck_assert_int_eq(elh_pt_map_identity(&b, ARENA_BASE, ARENA_SIZE, ELH_PTE_W | ELH_PTE_U), 0);
	ck_assert_int_eq(elh_pt_map_identity(&b, TABLE_GPA, 0x10000, ELH_PTE_W | ELH_PTE_NX), 0);
}

static void teardown(void)
{
	free(mem);
}

static void expect_user_rw(uint64_t va)
{
	uint64_t pa, fl;

	ck_assert_msg(elh_pt_walk(&b, va, &pa, &fl, NULL) == 0, "%#llx not mapped",
		      (unsigned long long)va);
	ck_assert_uint_eq(pa, va);
	ck_assert_msg((fl & (ELH_PTE_U | ELH_PTE_W)) == (ELH_PTE_U | ELH_PTE_W) &&
			  !(fl & ELH_PTE_NX),
		      "%#llx flags %#llx", (unsigned long long)va, (unsigned long long)fl);
}

static void expect_absent(uint64_t va)
{
	uint64_t pa, fl;

	ck_assert_msg(elh_pt_walk(&b, va, &pa, &fl, NULL) == -1, "%#llx mapped",
		      (unsigned long long)va);
}

START_TEST(arena_identity_mapped)
{
	expect_user_rw(ARENA_BASE);
	expect_user_rw(ARENA_BASE + 0x1234);
	expect_user_rw(0x200000);	  /* first 2 MiB-aligned block */
	expect_user_rw(0x400000 + 0x777); /* where static executables live */
	expect_user_rw(1ull << 30);	  /* a 1 GiB-aligned block */
	expect_user_rw((3ull << 30) + 5);
	expect_user_rw(ARENA_BASE + ARENA_SIZE - 1);
}
END_TEST

START_TEST(outside_not_present)
{
	expect_absent(0); /* NULL */
	expect_absent(ARENA_BASE - 1);
	expect_absent(ARENA_BASE + ARENA_SIZE);
	expect_absent(1ull << 40);
	expect_absent(1ull << 47); /* non-canonical / beyond user space */
	expect_absent(UINT64_MAX);
}
END_TEST

START_TEST(system_area_supervisor_only)
{
	uint64_t pa, fl;

	ck_assert_int_eq(elh_pt_walk(&b, TABLE_GPA + 0x8000, &pa, &fl, NULL), 0);
	ck_assert_uint_eq(pa, TABLE_GPA + 0x8000);
	ck_assert(!(fl & ELH_PTE_U));
	ck_assert(fl & ELH_PTE_NX);
	expect_absent(TABLE_GPA + 0x10000);
}
END_TEST

START_TEST(rejects_bad_requests)
{
	ck_assert_int_eq(elh_pt_map_identity(&b, 0x1001, 4096, 0), -EINVAL);
	ck_assert_int_eq(elh_pt_map_identity(&b, 1ull << 47, 4096, 0), -EINVAL);
	ck_assert_int_eq(elh_pt_map_identity(&b, (1ull << 47) - 4096, 8192, 0), -EINVAL);
	ck_assert_int_eq(elh_pt_map_identity(&b, 0x5000000000ull, 0, 0), -EINVAL);
	ck_assert_int_eq(elh_pt_map_identity(&b, 0x5000000000ull, 4096, ELH_PTE_PS), -EINVAL);
	/* Overlaps the arena (a 4 KiB page, then a 2 MiB page). */
	ck_assert_int_eq(elh_pt_map_identity(&b, ARENA_BASE, 4096, 0), -EINVAL);
	ck_assert_int_eq(elh_pt_map_identity(&b, (1ull << 30) + 4096, 4096, 0), -EINVAL);
}
END_TEST

/* PVM breaks host mappings made later inside a 1 GiB guest page: every
 * leaf is 2 MiB or 4 KiB, even across whole, aligned GiBs. */
START_TEST(no_1g_leaves)
{
	uint64_t pa, fl, size;

	for (uint64_t va = ARENA_BASE; va < ARENA_BASE + ARENA_SIZE; va += 1ull << 21) {
		ck_assert_int_eq(elh_pt_walk(&b, va, &pa, &fl, &size), 0);
		ck_assert_msg(size <= (1ull << 21), "%#llx: a %#llx-byte leaf",
			      (unsigned long long)va, (unsigned long long)size);
	}
	ck_assert_int_eq(elh_pt_walk(&b, 1ull << 30, &pa, &fl, &size), 0);
	ck_assert_uint_eq(size, 1ull << 21);
	ck_assert_int_eq(elh_pt_walk(&b, ARENA_BASE, &pa, &fl, &size), 0);
	ck_assert_uint_eq(size, 4096);
}
END_TEST

START_TEST(runs_out_of_table_pages)
{
	struct elh_pt_builder small;
	void *m;

	ck_assert_int_eq(posix_memalign(&m, 4096, 2 * 4096), 0);
	ck_assert_int_eq(elh_pt_init(&small, m, 0x100000000ull, 2 * 4096), 0);
	ck_assert_int_eq(elh_pt_map_identity(&small, 0x10000, 4096, ELH_PTE_U), -ENOMEM);
	free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pagetable");
	TCase *tc = tcase_create("identity");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, arena_identity_mapped);
	tcase_add_test(tc, outside_not_present);
	tcase_add_test(tc, system_area_supervisor_only);
	tcase_add_test(tc, rejects_bad_requests);
	tcase_add_test(tc, no_1g_leaves);
	tcase_add_test(tc, runs_out_of_table_pages);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
