/*
 * The KVM guest's system area: per-vCPU GDT, TSS and ring-0 stack, the IDT
 * and the ring-0 entry stubs, built by the monitor in memory that the guest
 * sees supervisor-only.
 *
 * Ring 0 holds nothing but stubs of one `out` each: the `syscall`
 * instruction (LSTAR) and every exception vector write to an I/O port that
 * names the event, which exits to the monitor.  The monitor then does all
 * the work and returns the vCPU to CPL 3 by setting its registers.  On
 * platforms that emulate ring 0 instruction by instruction (PVM), this
 * keeps the emulated part to one instruction per entry.
 *
 * Selectors: 0x08 kernel code, 0x10 kernel data, 0x18|3 user data,
 * 0x20|3 user code, 0x28 TSS (STAR's layout for syscall/sysret).
 */
#ifndef ELH_ARCH_X86_64_KVMGUEST_H
#define ELH_ARCH_X86_64_KVMGUEST_H

#include <stddef.h>
#include <stdint.h>

#define ELH_SEL_KCODE 0x08
#define ELH_SEL_KDATA 0x10
#define ELH_SEL_UDATA (0x18 | 3)
#define ELH_SEL_UCODE (0x20 | 3)
#define ELH_SEL_TSS 0x28

#define ELH_PORT_SYSCALL 0x7f
#define ELH_PORT_EXCEPTION 0x80 /* + vector, for vectors 0..31 */

#define ELH_KVM_SLICE (16 * 1024) /* per vCPU: GDT and TSS page, ring-0 stack */
#define ELH_KVM_MAX_VCPUS 256

/* Offsets inside the system area. */
#define ELH_KVM_IDT 0x0000
#define ELH_KVM_STUBS 0x1000
#define ELH_KVM_SLICES 0x2000
#define ELH_KVM_TABLES (ELH_KVM_SLICES + ELH_KVM_MAX_VCPUS * ELH_KVM_SLICE)

#define ELH_KVM_STUB_SYSCALL 0x100 /* offset of the syscall stub in the stub page */

/* Fill the IDT and stub pages of the system area at host address sys,
 * seen by the guest at gpa. */
void elh_kvm_build_idt(uint8_t *sys, uint64_t gpa);

/* Fill vCPU i's slice: its GDT and TSS; returns the TSS's ring-0 stack
 * top (guest address). */
uint64_t elh_kvm_build_slice(uint8_t *sys, uint64_t gpa, unsigned i);

/* Guest addresses of vCPU i's GDT and TSS. */
static inline uint64_t elh_kvm_gdt(uint64_t gpa, unsigned i)
{
	return gpa + ELH_KVM_SLICES + (uint64_t)i * ELH_KVM_SLICE;
}
static inline uint64_t elh_kvm_tss(uint64_t gpa, unsigned i)
{
	return elh_kvm_gdt(gpa, i) + 0x800;
}
#define ELH_KVM_GDT_LIMIT (7 * 8 - 1)
#define ELH_KVM_TSS_LIMIT 0x67

/* Does exception vector v push an error code? */
static inline int elh_vector_has_error(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

#endif
