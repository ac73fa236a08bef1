/*
 * The register state of a guest thread, as the monitor keeps it between two
 * runs of its vCPU, whatever the platform (KVM or systrap).
 */
#ifndef ELH_ARCH_X86_64_REGS_H
#define ELH_ARCH_X86_64_REGS_H

#include <stdint.h>

struct elh_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t fs_base, gs_base;
};

/* The FPU/SSE/AVX state in XSAVE layout (legacy FXSAVE area first). */
#define ELH_XSAVE_SIZE 8192
struct elh_fpu {
	uint8_t area[ELH_XSAVE_SIZE] __attribute__((aligned(64)));
};

#define ELH_RFLAGS_IF	     (1u << 9)
#define ELH_RFLAGS_RESERVED1 (1u << 1)
/* Flags a guest may set from a signal frame (as Linux's FIX_EFLAGS). */
#define ELH_RFLAGS_USER 0x40dd5u

/* The initial FPU state: x87 and SSE at their reset values. */
void elh_fpu_init(struct elh_fpu *fpu);

/* Syscall arguments and result in the x86-64 Linux convention. */
static inline void elh_regs_syscall_args(const struct elh_regs *r, uint64_t a[6])
{
	a[0] = r->rdi;
	a[1] = r->rsi;
	a[2] = r->rdx;
	a[3] = r->r10;
	a[4] = r->r8;
	a[5] = r->r9;
}

#endif
