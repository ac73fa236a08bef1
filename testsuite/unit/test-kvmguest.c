/* Unit tests of the KVM guest's descriptor tables and ring-0 stubs. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kvmguest.h"

#define GPA 0x140000000ull

static uint8_t *sys;

static void setup(void)
{
	sys = calloc(1, ELH_KVM_TABLES);
	ck_assert_ptr_nonnull(sys);
	elh_kvm_build_idt(sys, GPA);
}

static void teardown(void)
{
	free(sys);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

START_TEST(idt_gates_point_at_port_stubs)
{
	for (unsigned v = 0; v < 32; v++) {
		const uint8_t *g = sys + ELH_KVM_IDT + 16 * v;
		uint64_t off = g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
			       (uint64_t)g[7] << 24 | (get64(g + 8) & 0xffffffff) << 32;
		unsigned dpl = (g[5] >> 5) & 3;

		ck_assert_uint_eq(g[2] | g[3] << 8, ELH_SEL_KCODE);
		ck_assert_uint_eq(g[5] & 0x8f, 0x8e); /* present 64-bit interrupt gate */
		ck_assert_uint_eq(dpl, (v == 3 || v == 4) ? 3 : 0);
		ck_assert_uint_ge(off, GPA + ELH_KVM_STUBS);
		ck_assert_uint_lt(off, GPA + ELH_KVM_STUBS + 4096);
		/* The stub: out %al, $(0x80 + v), then hlt. */
		ck_assert_uint_eq(sys[off - GPA], 0xe6);
		ck_assert_uint_eq(sys[off - GPA + 1], ELH_PORT_EXCEPTION + v);
		ck_assert_uint_eq(sys[off - GPA + 2], 0xf4);
	}
	ck_assert_uint_eq(sys[ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL], 0xe6);
	ck_assert_uint_eq(sys[ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL + 1], ELH_PORT_SYSCALL);
}
END_TEST

START_TEST(gdt_and_tss_per_vcpu)
{
	for (unsigned i = 0; i < 3; i++) {
		uint64_t top = elh_kvm_build_slice(sys, GPA, i);
		const uint8_t *gdt = sys + (elh_kvm_gdt(GPA, i) - GPA);
		const uint8_t *tss = sys + (elh_kvm_tss(GPA, i) - GPA);
		uint64_t ucode = get64(gdt + 0x20), udata = get64(gdt + 0x18);
		uint64_t t0 = get64(gdt + 0x28), t1 = get64(gdt + 0x30);
		uint64_t base = ((t0 >> 16) & 0xffffff) | ((t0 >> 56) & 0xff) << 24 | t1 << 32;

		/* user code: present, DPL 3, code, long mode */
		ck_assert_uint_eq((ucode >> 47) & 1, 1);
		ck_assert_uint_eq((ucode >> 45) & 3, 3);
		ck_assert_uint_eq((ucode >> 43) & 1, 1);
		ck_assert_uint_eq((ucode >> 53) & 1, 1);
		/* user data: present, DPL 3, writable data */
		ck_assert_uint_eq((udata >> 45) & 3, 3);
		ck_assert_uint_eq((udata >> 43) & 1, 0);
		ck_assert_uint_eq((udata >> 41) & 1, 1);
		/* TSS descriptor: its base is this vCPU's TSS */
		ck_assert_uint_eq(base, elh_kvm_tss(GPA, i));
		ck_assert_uint_eq((t0 >> 40) & 0xf, 9);
		ck_assert_uint_eq(get64(tss + 4), top);
		ck_assert_uint_eq(top, GPA + ELH_KVM_SLICES + (uint64_t)(i + 1) * ELH_KVM_SLICE);
	}
}
END_TEST

START_TEST(error_code_vectors)
{
	static const int with[] = { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
	int n = 0;

	for (unsigned v = 0; v < 32; v++)
		n += elh_vector_has_error(v);
	ck_assert_int_eq(n, (int)(sizeof(with) / sizeof(with[0])));
	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		ck_assert(elh_vector_has_error(with[i]));
}
END_TEST

/* A #GP at the syscall stub, as PVM delivers a `syscall` at CPL 3. */
static struct elh_kvm_frame gp_at(uint64_t rip, uint64_t cs)
{
	return (struct elh_kvm_frame){ .error = 0,
				       .rip = rip,
				       .cs = cs,
				       .rflags = 0x202,
				       .rsp = 0x7ffff000,
				       .ss = ELH_SEL_UDATA };
}

START_TEST(decode_syscall_on_pvm)
{
	const uint64_t stub = GPA + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL;
	struct elh_kvm_frame f = gp_at(stub, ELH_SEL_UCODE);

	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING3, 13, &f, 0x401234),
			 ELH_KVM_EV_SYSCALL);
	/* Where syscall enters CPL 0, the same #GP is a CPL-3 jump onto the stub. */
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING0, 13, &f, 0x401234),
			 ELH_KVM_EV_SYSTEM_JUMP);
	/* A sigreturn onto the stub with rcx at it: a jump, not a call that
	 * would return onto the stub again. */
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING3, 13, &f, stub),
			 ELH_KVM_EV_SYSTEM_JUMP);
}
END_TEST

START_TEST(decode_faults)
{
	struct elh_kvm_frame f = gp_at(0x401000, ELH_SEL_UCODE);

	/* The program's own faults, either entry. */
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING3, 13, &f, 0), ELH_KVM_EV_FAULT);
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING0, 14, &f, 0), ELH_KVM_EV_FAULT);
	/* CPL-3 code in the stub page, off the syscall stub: an exception
	 * stub, the probe, anywhere in the system area. */
	f = gp_at(GPA + ELH_KVM_STUBS + 4 * 14, ELH_SEL_UCODE);
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING3, 13, &f, 0),
			 ELH_KVM_EV_SYSTEM_JUMP);
	f = gp_at(GPA + ELH_KVM_IDT, ELH_SEL_UCODE);
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING0, 14, &f, 0),
			 ELH_KVM_EV_SYSTEM_JUMP);
	/* Anything at CPL 0 is the stubs' own failure. */
	f = gp_at(GPA + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL, ELH_SEL_KCODE);
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING0, 13, &f, 0),
			 ELH_KVM_EV_MONITOR_FAULT);
	ck_assert_int_eq(elh_kvm_decode(GPA, ELH_KVM_ENTRY_RING3, 14, &f, 0),
			 ELH_KVM_EV_MONITOR_FAULT);
}
END_TEST

START_TEST(probe_stub)
{
	/* syscall, then hlt: a probe that came back would stop. */
	ck_assert_uint_eq(sys[ELH_KVM_STUBS + ELH_KVM_STUB_PROBE], 0x0f);
	ck_assert_uint_eq(sys[ELH_KVM_STUBS + ELH_KVM_STUB_PROBE + 1], 0x05);
	ck_assert_uint_eq(sys[ELH_KVM_STUBS + ELH_KVM_STUB_PROBE + 2], 0xf4);
}
END_TEST

/* Stopped in ring 0 before a stub's `out`: the stub's own port, read from
 * the stub the IDT or LSTAR points at. */
START_TEST(stub_port_at_cpl0)
{
	const uint64_t syscall_stub = GPA + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL;

	for (unsigned v = 0; v < 32; v++) {
		const uint8_t *g = sys + ELH_KVM_IDT + 16 * v;
		uint64_t off = g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
			       (uint64_t)g[7] << 24 | (get64(g + 8) & 0xffffffff) << 32;

		ck_assert_uint_eq(elh_kvm_stub_port(GPA, off, ELH_SEL_KCODE), sys[off - GPA + 1]);
		/* Past the `out`, at the hlt: not a stub's entry. */
		ck_assert_uint_eq(elh_kvm_stub_port(GPA, off + 2, ELH_SEL_KCODE), 0);
	}
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, syscall_stub, ELH_SEL_KCODE),
			  sys[syscall_stub - GPA + 1]);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, syscall_stub + 2, ELH_SEL_KCODE), 0);
	ck_assert_uint_eq(
	    elh_kvm_stub_port(GPA, GPA + ELH_KVM_STUBS + ELH_KVM_STUB_PROBE, ELH_SEL_KCODE), 0);
}
END_TEST

/* At CPL 3 the same addresses are the program's jump into the system area,
 * and anywhere outside the stub page is no stub at all. */
START_TEST(stub_port_elsewhere)
{
	const uint64_t syscall_stub = GPA + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL;

	ck_assert_uint_eq(elh_kvm_stub_port(GPA, syscall_stub, ELH_SEL_UCODE), 0);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, GPA + ELH_KVM_STUBS + 4 * 13, ELH_SEL_UCODE), 0);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, GPA + ELH_KVM_IDT, ELH_SEL_KCODE), 0);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, GPA + ELH_KVM_SLICES, ELH_SEL_KCODE), 0);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, 0x401000, ELH_SEL_KCODE), 0);
	ck_assert_uint_eq(elh_kvm_stub_port(GPA, GPA + ELH_KVM_STUBS - 4, ELH_SEL_KCODE), 0);
}
END_TEST

START_TEST(fsgsbase_decision)
{
	/* The host CPU's bit and the CR4 trial decide; KVM's CPUID is not
	 * asked (PVM hides the bit and supports it). */
	ck_assert(elh_kvm_fsgsbase_usable(1, 1));
	ck_assert(elh_kvm_fsgsbase_usable(0xffffffff, 1));
	ck_assert(!elh_kvm_fsgsbase_usable(1, 0));
	ck_assert(!elh_kvm_fsgsbase_usable(0, 1));
	ck_assert(!elh_kvm_fsgsbase_usable(0xfffffffe, 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kvmguest");
	TCase *tc = tcase_create("tables");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, idt_gates_point_at_port_stubs);
	tcase_add_test(tc, gdt_and_tss_per_vcpu);
	tcase_add_test(tc, error_code_vectors);
	tcase_add_test(tc, decode_syscall_on_pvm);
	tcase_add_test(tc, decode_faults);
	tcase_add_test(tc, probe_stub);
	tcase_add_test(tc, stub_port_at_cpl0);
	tcase_add_test(tc, stub_port_elsewhere);
	tcase_add_test(tc, fsgsbase_decision);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
