/*
 * The x86-64 Linux rt signal frame, as the guest's libc expects it: the
 * handler returns into sa_restorer (pretcode), which calls rt_sigreturn
 * with rsp pointing at uc.  Layouts are the kernel's, not glibc's.
 */
#ifndef ELH_ARCH_X86_64_SIGFRAME_H
#define ELH_ARCH_X86_64_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

struct elh_ksigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* guest address of the XSAVE area, 0 if none */
	uint64_t reserved1[8];
};

struct elh_kstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct elh_kucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct elh_kstack uc_stack;
	struct elh_ksigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct elh_rt_sigframe {
	uint64_t pretcode;
	struct elh_kucontext uc;
	uint8_t info[128];
};

#define ELH_UC_FP_XSTATE	 0x1
#define ELH_UC_SIGCONTEXT_SS	 0x2
#define ELH_UC_STRICT_RESTORE_SS 0x4

#define ELH_FP_XSTATE_MAGIC1 0x46505853u
#define ELH_FP_XSTATE_MAGIC2 0x46505845u

/* The selectors Linux gives user code; the guest only ever reads them. */
#define ELH_USER_CS 0x33
#define ELH_USER_SS 0x2b

_Static_assert(sizeof(struct elh_ksigcontext) == 256, "struct sigcontext");
_Static_assert(sizeof(struct elh_kucontext) == 304, "struct ucontext");
_Static_assert(offsetof(struct elh_rt_sigframe, info) == 312, "struct rt_sigframe");

#endif
