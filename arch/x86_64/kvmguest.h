/*
 * The KVM guest's system area: per-vCPU GDT, TSS and ring-0 stack, the IDT
 * and the entry stubs, built by the monitor.  The guest sees all of it
 * supervisor-only except the stub page, which it may read and execute (not
 * write): on PVM the `syscall` instruction jumps to LSTAR without leaving
 * CPL 3, and must be able to fetch the stub there.
 *
 * The stubs are one `out` each: the `syscall` instruction (LSTAR) and
 * every exception vector write to an I/O port that names the event, which
 * exits to the monitor.  The monitor then does all the work and returns the
 * vCPU to CPL 3 by setting its registers.  On platforms that emulate ring 0
 * instruction by instruction (PVM), this keeps the emulated part to one
 * instruction per entry.
 *
 * Entry, two ways (enum elh_kvm_entry, found by a probe at start-up):
 *   - VT-x, SVM: `syscall` enters CPL 0 at the syscall stub, whose `out`
 *     exits with ELH_PORT_SYSCALL: one exit per call.
 *   - PVM: `syscall` reaches the syscall stub at CPL 3 with rcx and r11 set
 *     as usual; its `out` raises #GP (IOPL 0), which enters CPL 0 through
 *     the IDT at the #GP stub and exits with ELH_PORT_EXCEPTION + 13, the
 *     frame's rip naming the syscall stub.  Still one exit per call.
 * elh_kvm_decode() tells a system call from a fault either way, and a
 * CPL-3 jump into the stub page from both (the program's SIGSEGV).
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
#define ELH_SEL_TSS   0x28

#define ELH_PORT_SYSCALL   0x7f
#define ELH_PORT_EXCEPTION 0x80 /* + vector, for vectors 0..31 */

#define ELH_KVM_SLICE	  (16 * 1024) /* per vCPU: GDT and TSS page, ring-0 stack */
#define ELH_KVM_MAX_VCPUS 1024	      /* KVM_MAX_VCPUS on x86 since Linux 5.15 */

/* Offsets inside the system area. */
#define ELH_KVM_IDT    0x0000
#define ELH_KVM_STUBS  0x1000
#define ELH_KVM_SLICES 0x2000
#define ELH_KVM_TABLES (ELH_KVM_SLICES + ELH_KVM_MAX_VCPUS * ELH_KVM_SLICE)

#define ELH_KVM_STUB_SYSCALL 0x100 /* offset of the syscall stub in the stub page */
#define ELH_KVM_STUB_PROBE   0x200 /* `syscall; hlt` for the entry probe, then hlt */

/* How `syscall` at CPL 3 reaches the syscall stub. */
enum elh_kvm_entry {
	ELH_KVM_ENTRY_RING0, /* enters CPL 0 (VT-x, SVM) */
	ELH_KVM_ENTRY_RING3, /* stays at CPL 3; the stub's `out` raises #GP (PVM) */
};

/* An exception frame as the CPU pushed it on the ring-0 stack (error is 0
 * for vectors without one). */
struct elh_kvm_frame {
	uint64_t error, rip, cs, rflags, rsp, ss;
};

enum elh_kvm_event {
	ELH_KVM_EV_SYSCALL,	/* a system call; return rip in rcx, rflags in r11 */
	ELH_KVM_EV_FAULT,	/* the program's own fault at CPL 3 */
	ELH_KVM_EV_SYSTEM_JUMP, /* CPL-3 code ran into the system area: SIGSEGV, SEGV_MAPERR, rip */
	ELH_KVM_EV_MONITOR_FAULT, /* a fault at CPL 0, in the stubs: elh's own failure */
};

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

/* Is guest address a inside the system area at gpa? */
static inline int elh_kvm_in_system(uint64_t gpa, uint64_t a)
{
	return a >= gpa && a - gpa < ELH_KVM_TABLES;
}

/*
 * What exception vector vec, delivered with frame f on a VM whose entry is
 * `entry`, means; rcx is the guest's rcx at the exit.  A #GP at the
 * syscall stub from CPL 3 is a system call only where `syscall` stays at
 * CPL 3, and only if it would return outside the system area (a
 * sigreturn onto the stub is a jump, as on Linux).
 */
enum elh_kvm_event elh_kvm_decode(uint64_t gpa, enum elh_kvm_entry entry, unsigned vec,
				  const struct elh_kvm_frame *f, uint64_t rcx);

/*
 * A host signal can end KVM_RUN in the one instruction between the CPU's
 * entry into ring 0 and the stub's `out`: after `syscall` (rcx and r11
 * already hold the return) or after an exception's delivery (its frame
 * already on the ring-0 stack).  The event is then complete but for the
 * exit, and resuming rip at CPL 3 would run the stub as the program's own
 * code.  For a vCPU stopped at rip with code selector cs: the port that
 * stub's `out` would have written, or 0 if it stopped anywhere else (at
 * CPL 3, a stub is only the program's jump into the system area).
 */
unsigned elh_kvm_stub_port(uint64_t gpa, uint64_t rip, uint16_t cs);

/* May the guest use wrfsbase & co?  host_leaf7_ebx: CPUID.(7,0):EBX of the
 * host CPU; cr4_ok: KVM_SET_SREGS took CR4.FSGSBASE and reads it back.
 * KVM_GET_SUPPORTED_CPUID is not asked: PVM hides the bit it supports. */
static inline int elh_kvm_fsgsbase_usable(uint32_t host_leaf7_ebx, int cr4_ok)
{
	return (host_leaf7_ebx & 1) && cr4_ok;
}

/* Does exception vector v push an error code? */
static inline int elh_vector_has_error(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

#endif
