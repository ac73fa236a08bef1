/* Unit tests of the checked guest-memory accessor. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "unit.h"
#include "guestmem.h"

#define PAGES 8
#define PG    4096u

static struct elh_arena arena;
static char *mem;

static void setup(void)
{
	mem = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	arena.base = (uintptr_t)mem;
	arena.size = PAGES * PG;
}

static void teardown(void)
{
	munmap(mem, PAGES * PG);
}

START_TEST(range_bounds)
{
	uint64_t b = arena.base, s = arena.size;

	ck_assert_int_eq(elh_guest_range(&arena, b, s), 0);
	ck_assert_int_eq(elh_guest_range(&arena, b + s - 1, 1), 0);
	ck_assert_int_eq(elh_guest_range(&arena, b + s - 1, 2), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, b - 1, 1), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, b + s, 1), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, 0, 1), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, b, s + 1), -EFAULT);
}
END_TEST

START_TEST(range_overflow)
{
	/* gva + len wraps around: must not pass as "small". */
	ck_assert_int_eq(elh_guest_range(&arena, arena.base + 16, UINT64_MAX - 8), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, UINT64_MAX, 2), -EFAULT);
	ck_assert_int_eq(elh_guest_range(&arena, arena.base, UINT64_MAX), -EFAULT);
}
END_TEST

START_TEST(range_empty)
{
	ck_assert_int_eq(elh_guest_range(&arena, 0, 0), 0);
	ck_assert_int_eq(elh_guest_range(&arena, UINT64_MAX, 0), 0);
	ck_assert_int_eq(elh_guest_read(&arena, NULL, 0, 0), 0);
}
END_TEST

START_TEST(read_write_roundtrip)
{
	char buf[32] = "through the checked accessor";
	char back[32];

	ck_assert_int_eq(elh_guest_write(&arena, arena.base + 3 * PG - 5, buf, sizeof(buf)), 0);
	ck_assert_int_eq(memcmp(mem + 3 * PG - 5, buf, sizeof(buf)), 0);
	ck_assert_int_eq(elh_guest_read(&arena, back, arena.base + 3 * PG - 5, sizeof(back)), 0);
	ck_assert_int_eq(memcmp(back, buf, sizeof(buf)), 0);
	ck_assert_int_eq(elh_guest_write(&arena, arena.base + arena.size - 4, buf, 8), -EFAULT);
}
END_TEST

START_TEST(protected_page_faults_safely)
{
	char buf[64];

	ck_assert_int_eq(mprotect(mem + 2 * PG, PG, PROT_NONE), 0);
	ck_assert_int_eq(elh_guest_read(&arena, buf, arena.base + 2 * PG, 8), -EFAULT);
	ck_assert_int_eq(elh_guest_read(&arena, buf, arena.base + 2 * PG - 8, 16), -EFAULT);
	ck_assert_int_eq(elh_guest_write(&arena, arena.base + 2 * PG + 100, buf, 8), -EFAULT);
	ck_assert_int_eq(mprotect(mem + 3 * PG, PG, PROT_READ), 0);
	ck_assert_int_eq(elh_guest_write(&arena, arena.base + 3 * PG, buf, 8), -EFAULT);
	ck_assert_int_eq(elh_guest_read(&arena, buf, arena.base + 3 * PG, 8), 0);
}
END_TEST

START_TEST(string_reads)
{
	char buf[256];

	strcpy(mem + 100, "/tmp/some/path");
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + 100), 14);
	ck_assert_str_eq(buf, "/tmp/some/path");

	/* Ends on the last byte before an unreadable page. */
	ck_assert_int_eq(mprotect(mem + 5 * PG, PG, PROT_NONE), 0);
	memset(mem + 5 * PG - 10, 'a', 9);
	mem[5 * PG - 1] = 0;
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + 5 * PG - 10),
			 9);

	/* Runs into the unreadable page. */
	mem[5 * PG - 1] = 'a';
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + 5 * PG - 10),
			 -EFAULT);

	/* Too long for the buffer. */
	memset(mem + PG, 'b', 300);
	mem[PG + 300] = 0;
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + PG),
			 -ENAMETOOLONG);

	/* Runs off the end of the arena. */
	memset(mem + arena.size - 8, 'c', 8);
	ck_assert_int_eq(
	    elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + arena.size - 8), -EFAULT);
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), arena.base + arena.size),
			 -EFAULT);
	ck_assert_int_eq(elh_guest_read_string(&arena, buf, sizeof(buf), 0), -EFAULT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guestmem");
	TCase *tc = tcase_create("accessor");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, range_bounds);
	tcase_add_test(tc, range_overflow);
	tcase_add_test(tc, range_empty);
	tcase_add_test(tc, read_write_roundtrip);
	tcase_add_test(tc, protected_page_faults_safely);
	tcase_add_test(tc, string_reads);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
