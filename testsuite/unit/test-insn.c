/* Unit tests of the fault-address decoder: the accesses of an instruction. */
#include <string.h>

#include "unit.h"
#include "insn.h"

static struct elh_regs regs(void)
{
	struct elh_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = 0x401000;
	r.rsp = 0x7fff0000;
	r.rax = 0x10000;
	r.rbx = 0x20000;
	r.rsi = 0x30000;
	r.rdi = 0x40000;
	r.fs_base = 0x500000;
	return r;
}

static int decode(const uint8_t *code, size_t len, struct elh_regs r, struct elh_access *a)
{
	return elh_insn_accesses(code, len, &r, a);
}

START_TEST(store_and_load)
{
	struct elh_access a[ELH_INSN_MAX_ACCESSES];
	static const uint8_t movb_store[] = { 0xc6, 0x00, 0x77 }; /* movb $0x77, (%rax) */
	static const uint8_t movq_load[] = { 0x48, 0x8b, 0x44, 0x83,
					     0x10 }; /* mov 0x10(%rbx,%rax,4), %rax */

	ck_assert_int_eq(decode(movb_store, sizeof(movb_store), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x10000);
	ck_assert_uint_eq(a[0].size, 1);
	ck_assert_int_eq(a[0].write, 1);

	ck_assert_int_eq(decode(movq_load, sizeof(movq_load), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x20000 + 4 * 0x10000 + 0x10);
	ck_assert_uint_eq(a[0].size, 8);
	ck_assert_int_eq(a[0].write, 0);
}
END_TEST

START_TEST(rip_relative_and_fs)
{
	struct elh_access a[ELH_INSN_MAX_ACCESSES];
	static const uint8_t riprel[] = {
		0x8b, 0x05, 0x00, 0x01, 0x00, 0x00
	}; /* mov 0x100(%rip), %eax */
	static const uint8_t fsload[] = {
		0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0
	}; /* mov %fs:0x28, %rax */

	ck_assert_int_eq(decode(riprel, sizeof(riprel), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x401000 + 6 + 0x100);
	ck_assert_uint_eq(a[0].size, 4);
	ck_assert_int_eq(decode(fsload, sizeof(fsload), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x500000 + 0x28);
}
END_TEST

START_TEST(stack_and_strings)
{
	struct elh_access a[ELH_INSN_MAX_ACCESSES];
	static const uint8_t push[] = { 0x53 }; /* push %rbx */
	static const uint8_t ret[] = { 0xc3 };
	static const uint8_t movsb[] = { 0xf3, 0xa4 };		 /* rep movsb */
	static const uint8_t lea[] = { 0x48, 0x8d, 0x04, 0x18 }; /* lea (%rax,%rbx), %rax */
	int n, reads = 0, writes = 0;

	ck_assert_int_eq(decode(push, sizeof(push), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x7fff0000 - 8);
	ck_assert_int_eq(a[0].write, 1);
	ck_assert_int_eq(decode(ret, sizeof(ret), regs(), a), 1);
	ck_assert_uint_eq(a[0].addr, 0x7fff0000);
	ck_assert_int_eq(a[0].write, 0);

	n = decode(movsb, sizeof(movsb), regs(), a);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		if (a[i].write)
			writes += a[i].addr == 0x40000;
		else
			reads += a[i].addr == 0x30000;
	}
	ck_assert_int_eq(reads, 1);
	ck_assert_int_eq(writes, 1);

	ck_assert_int_eq(decode(lea, sizeof(lea), regs(), a), 0);
}
END_TEST

START_TEST(garbage)
{
	struct elh_access a[ELH_INSN_MAX_ACCESSES];
	static const uint8_t cut[] = { 0x48, 0x8b }; /* a mov cut short */

	ck_assert_int_lt(decode(cut, sizeof(cut), regs(), a), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("insn");
	TCase *tc = tcase_create("accesses");

	tcase_add_test(tc, store_and_load);
	tcase_add_test(tc, rip_relative_and_fs);
	tcase_add_test(tc, stack_and_strings);
	tcase_add_test(tc, garbage);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
