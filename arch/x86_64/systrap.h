/*
 * The systrap platform's per-thread block and its assembly entry points.
 *
 * Each vCPU host thread owns one block, aligned to its size, whose tail is
 * the thread's alternate signal stack.  Signal handlers find the block by
 * masking their stack pointer, without touching TLS: when a signal hits
 * guest code, the FS base is the guest's, not the monitor's.
 */
#ifndef ELH_ARCH_X86_64_SYSTRAP_H
#define ELH_ARCH_X86_64_SYSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "regs.h"

#define ELH_SYSTRAP_BLOCK_SIZE (128 * 1024) /* a power of two */

struct elh_systrap_block {
	uint64_t monitor_fs;	/* 0: the monitor's FS base for this thread */
	uint64_t iret[5];	/* 8: rip, cs, rflags, rsp, ss of the guest */
	struct elh_regs *regs;	/* 48 */
	struct elh_fpu *fpu;	/* 56 */
	uint64_t monitor_rsp;	/* 64: saved by elh_systrap_enter */
	uint64_t guest_fs;	/* 72 */
	uint32_t monitor_mxcsr; /* 80 */
	uint32_t in_guest;	/* 84: set before entering, cleared by the handler */
	void *cpu;		/* 88: struct elh_vcpu */
	void *exit;		/* 96: struct elh_exit being filled */
	uint64_t seen_fs;	/* 104: the FS base the handler found */
				/* the alternate signal stack follows, up to the end of the block */
};

_Static_assert(offsetof(struct elh_systrap_block, iret) == 8, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, regs) == 48, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, fpu) == 56, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, monitor_rsp) == 64, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, guest_fs) == 72, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, monitor_mxcsr) == 80, "asm offset");
_Static_assert(offsetof(struct elh_systrap_block, seen_fs) == 104, "asm offset");
_Static_assert(offsetof(struct elh_regs, rax) == 0 && offsetof(struct elh_regs, r15) == 120,
	       "asm offsets of struct elh_regs");

/* Enter the guest described by the block; returns when the handler ends
 * the run (through elh_systrap_resume). */
void elh_systrap_enter(struct elh_systrap_block *b);
/* Where the handler sends the thread back to the monitor. */
void elh_systrap_resume(void);
/* The signal handler's entry: saves the FS base it finds in seen_fs if
 * elh_systrap_track_fs (an M:N guest sets its own), switches FS back, then
 * elh_systrap_handle(). */
extern int elh_systrap_track_fs;
void elh_systrap_signal(int sig, void *info, void *uc);
void elh_systrap_handle(int sig, void *info, void *uc);

/* The code between these labels has started loading guest state; a signal
 * landing there aborts the entry. */
extern const char elh_systrap_window_start[], elh_systrap_window_end[];

#endif
