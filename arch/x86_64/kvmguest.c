/* Building the KVM guest's descriptor tables and ring-0 stubs. */
#include <string.h>

#include "kvmguest.h"

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void elh_kvm_build_idt(uint8_t *sys, uint64_t gpa)
{
	uint8_t *idt = sys + ELH_KVM_IDT, *stubs = sys + ELH_KVM_STUBS;

	memset(idt, 0, 4096);
	memset(stubs, 0xf4, 4096); /* hlt: a stub that falls through stops */
	for (unsigned v = 0; v < 32; v++) {
		uint64_t addr = gpa + ELH_KVM_STUBS + 4 * v;
		/* int3 and into are raised by user code: their gates are DPL 3. */
		uint8_t type = (v == 3 || v == 4) ? 0xee : 0x8e;
		uint8_t *g = idt + 16 * v;

		stubs[4 * v] = 0xe6; /* out %al, $port */
		stubs[4 * v + 1] = (uint8_t)(ELH_PORT_EXCEPTION + v);
		g[0] = addr & 0xff;
		g[1] = (addr >> 8) & 0xff;
		g[2] = ELH_SEL_KCODE;
		g[3] = 0;
		g[4] = 0; /* IST */
		g[5] = type;
		g[6] = (addr >> 16) & 0xff;
		g[7] = (addr >> 24) & 0xff;
		memcpy(g + 8, &(uint32_t){ (uint32_t)(addr >> 32) }, 4);
	}
	stubs[ELH_KVM_STUB_SYSCALL] = 0xe6;
	stubs[ELH_KVM_STUB_SYSCALL + 1] = ELH_PORT_SYSCALL;
	stubs[ELH_KVM_STUB_PROBE] = 0x0f; /* syscall */
	stubs[ELH_KVM_STUB_PROBE + 1] = 0x05;
}

enum elh_kvm_event elh_kvm_decode(uint64_t gpa, enum elh_kvm_entry entry, unsigned vec,
				  const struct elh_kvm_frame *f, uint64_t rcx)
{
	if ((f->cs & 3) != 3)
		return ELH_KVM_EV_MONITOR_FAULT;
	if (!elh_kvm_in_system(gpa, f->rip))
		return ELH_KVM_EV_FAULT;
	if (entry == ELH_KVM_ENTRY_RING3 && vec == 13 &&
	    f->rip == gpa + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL && !elh_kvm_in_system(gpa, rcx))
		return ELH_KVM_EV_SYSCALL;
	return ELH_KVM_EV_SYSTEM_JUMP;
}

unsigned elh_kvm_stub_port(uint64_t gpa, uint64_t rip, uint16_t cs)
{
	uint64_t off = rip - (gpa + ELH_KVM_STUBS);

	if ((cs & 3) || rip < gpa + ELH_KVM_STUBS || off >= 4096)
		return 0;
	if (off == ELH_KVM_STUB_SYSCALL)
		return ELH_PORT_SYSCALL;
	if (off < 4 * 32 && off % 4 == 0)
		return ELH_PORT_EXCEPTION + (unsigned)(off / 4);
	return 0;
}

uint64_t elh_kvm_build_slice(uint8_t *sys, uint64_t gpa, unsigned i)
{
	uint8_t *slice = sys + ELH_KVM_SLICES + (size_t)i * ELH_KVM_SLICE;
	uint8_t *gdt = slice, *tss = slice + 0x800;
	uint64_t tss_gpa = elh_kvm_tss(gpa, i);
	uint64_t stack_top = elh_kvm_gdt(gpa, i) + ELH_KVM_SLICE;
	uint64_t lo;

	memset(slice, 0, 4096);
	put64(gdt + 0x00, 0);
	put64(gdt + 0x08, 0x00af9a000000ffffull); /* kernel code: L, DPL 0 */
	put64(gdt + 0x10, 0x00cf92000000ffffull); /* kernel data */
	put64(gdt + 0x18, 0x00cff2000000ffffull); /* user data: DPL 3 */
	put64(gdt + 0x20, 0x00affa000000ffffull); /* user code: L, DPL 3 */
	/* 64-bit available TSS, 16 bytes. */
	lo = ELH_KVM_TSS_LIMIT | ((tss_gpa & 0xffffff) << 16) | (0x89ull << 40) |
	     (((tss_gpa >> 24) & 0xff) << 56);
	put64(gdt + 0x28, lo);
	put64(gdt + 0x30, tss_gpa >> 32);

	put64(tss + 4, stack_top); /* RSP0 */
	tss[102] = 104;		   /* no I/O permission bitmap */
	return stack_top;
}
