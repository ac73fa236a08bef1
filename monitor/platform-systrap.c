/*
 * The systrap platform: guest code runs natively in the monitor's address
 * space, its system calls trap through seccomp.
 *
 * Design note.  A seccomp filter installed on every thread of the monitor
 * answers SECCOMP_RET_TRAP for any system call whose instruction pointer
 * lies inside the arena, and lets everything else through: guest code can
 * only reach the host kernel through the monitor.  The resulting SIGSYS, the
 * guest's synchronous faults and any host signal that interrupts guest code
 * run elh_systrap_signal on the thread's alternate stack; it copies the
 * guest's registers and FPU state out of the signal frame, then rewrites
 * the frame so that sigreturn lands in elh_systrap_resume, on the monitor
 * stack saved by elh_systrap_enter: from the monitor's point of view, run()
 * simply returns with an exit, as KVM_RUN would.
 *
 * This platform does not isolate the guest from the monitor (they share an
 * address space and a privilege level): it exists for hosts without KVM and
 * to test everything above the platform.  It is only used when asked for.
 *
 * Every thread of the monitor that can receive a signal must be a vCPU
 * thread with its block installed (other threads block all signals): the
 * handler finds its block by masking the stack pointer.
 */
#include <cpuid.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "icall.h"
#include "platform.h"
#include "signal.h"
#include "systrap.h"
#include "vm.h"

#define SIGSYS_SECCOMP 1 /* si_code of a SIGSYS from SECCOMP_RET_TRAP */

static uint64_t arena_lo, arena_hi;
static uint16_t user_cs, user_ss;

/* Read by elh_systrap_signal: with M:N guests, the FS base a signal finds
 * may be one the guest set itself. */
int elh_systrap_track_fs;

static int install_filter(uint64_t lo, uint64_t hi, int allow_fs, char *err, size_t errlen)
{
	const uint32_t ip_lo = offsetof(struct seccomp_data, instruction_pointer);
	const uint32_t ip_hi = ip_lo + 4;
	const uint32_t nr = offsetof(struct seccomp_data, nr);
	const uint32_t arch = offsetof(struct seccomp_data, arch);
	const uint32_t arg0 = offsetof(struct seccomp_data, args[0]);
	/* With allow_fs, ALLOW arch_prctl(ARCH_SET_FS) from anywhere: an M:N
	 * guest sets its own FS base (user-level threads switch it), which
	 * concerns only itself, as the handler saves it and restores the
	 * monitor's (reading it back costs about 4 us a trap here, so only
	 * then).  Otherwise TRAP
	 * when lo <= ip < hi, comparing the 64-bit ip in 32-bit halves;
	 * instruction 18 is TRAP, 19 is ALLOW. */
	struct sock_filter f[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arch),
		/* 1: no architecture is 0, so without allow_fs this always jumps */
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allow_fs ? AUDIT_ARCH_X86_64 : 0, 0, 6),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, nr),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_arch_prctl, 0, 4),
		/* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_SET_FS, 0, 2),
		/* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0 + 4),
		/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 11, 0),
		/* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_hi),
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)(lo >> 32), 4, 0),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 0, 8),
		/* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_lo),
		/* 12 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 6),
		/* 13 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_hi),
		/* 14: ip >= lo; is ip < hi? */
		/* 14 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(hi >> 32), 0, 3),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(hi >> 32), 0, 3),
		/* 16 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_lo),
		/* 17 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 1, 0),
		/* 18 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		/* 19 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		snprintf(err, errlen, "systrap: cannot install the seccomp filter: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int systrap_init(struct elh_vm *vm, char *err, size_t errlen)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_XSAVE) || !(c & bit_OSXSAVE)) {
		snprintf(err, errlen, "systrap: the CPU or kernel does not enable XSAVE");
		return -1;
	}
	arena_lo = vm->arena.base;
	arena_hi = vm->arena.base + vm->arena.size;
	__asm__("mov %%cs, %0" : "=r"(user_cs));
	__asm__("mov %%ss, %0" : "=r"(user_ss));

	if (elh_signal_catch_host((void (*)(int, siginfo_t *, void *))elh_systrap_signal,
				  SA_ONSTACK, err, errlen) < 0)
		return -1;
	elh_systrap_track_fs = vm->mn;
	/* The guest's wrfsbase is the host kernel's to allow (the monitor's
	 * signal entry reads the FS base back with arch_prctl either way). */
	vm->fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	vm->tsc_host = 1; /* the guest runs on the host's CPU */
	return install_filter(arena_lo, arena_hi, vm->mn, err, errlen);
}

/* A thread's block, its tail installed as the thread's alternate signal
 * stack; cpu is NULL for a thread that never runs guest code. */
static struct elh_systrap_block *install_block(struct elh_vcpu *cpu, char *err, size_t errlen)
{
	struct elh_systrap_block *b;
	stack_t ss;

	b = aligned_alloc(ELH_SYSTRAP_BLOCK_SIZE, ELH_SYSTRAP_BLOCK_SIZE);
	if (!b) {
		snprintf(err, errlen, "systrap: out of memory for a thread's signal stack");
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &b->monitor_fs) < 0) {
		snprintf(err, errlen, "systrap: arch_prctl(ARCH_GET_FS): %s", strerror(errno));
		free(b);
		return NULL;
	}
	if (cpu) {
		b->regs = &cpu->regs;
		b->fpu = &cpu->fpu;
		b->cpu = cpu;
	}
	ss.ss_sp = (char *)b + 4096;
	ss.ss_size = ELH_SYSTRAP_BLOCK_SIZE - 4096;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) < 0) {
		snprintf(err, errlen, "systrap: sigaltstack: %s", strerror(errno));
		free(b);
		return NULL;
	}
	return b;
}

/* No handler may run on the block once it is freed. */
static void remove_block(struct elh_systrap_block *b)
{
	stack_t ss = { .ss_flags = SS_DISABLE };
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sigaltstack(&ss, NULL);
	free(b);
}

static int systrap_vcpu_init(struct elh_vcpu *cpu, char *err, size_t errlen)
{
	cpu->plat = install_block(cpu, err, errlen);
	return cpu->plat ? 0 : -1;
}

static void systrap_vcpu_fini(struct elh_vcpu *cpu)
{
	remove_block(cpu->plat);
	cpu->plat = NULL;
}

static __thread struct elh_systrap_block *helper_block;

/* A block with no vCPU: the handler finds it as on a vCPU thread, and the
 * thread is never in the guest. */
static int systrap_helper_init(char *err, size_t errlen)
{
	helper_block = install_block(NULL, err, errlen);
	return helper_block ? 0 : -1;
}

static void systrap_helper_fini(void)
{
	remove_block(helper_block);
	helper_block = NULL;
}

static void systrap_run(struct elh_vcpu *cpu, struct elh_exit *exit)
{
	struct elh_systrap_block *b = cpu->plat;
	struct elh_regs *r = &cpu->regs;

	b->iret[0] = r->rip;
	b->iret[1] = user_cs;
	b->iret[2] = (r->rflags & ELH_RFLAGS_USER) | ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1;
	b->iret[3] = r->rsp;
	b->iret[4] = user_ss;
	b->guest_fs = r->fs_base;
	b->exit = exit;
	__atomic_store_n(&b->in_guest, 1, __ATOMIC_RELAXED);
	__asm__ volatile("" ::: "memory");
	elh_systrap_enter(b);
}

static void systrap_kick(struct elh_vcpu *cpu)
{
	elh_signal_kick_thread(cpu);
}

/* Copy the guest's FPU state out of a signal frame. */
static void save_fpu(struct elh_fpu *fpu, const ucontext_t *uc)
{
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	const struct _fpx_sw_bytes *sw = (const void *)(fp + 464);
	size_t size = 512;

	if (!fp)
		return;
	if (sw->magic1 == FP_XSTATE_MAGIC1 && sw->xstate_size >= 576 &&
	    sw->xstate_size <= sizeof(fpu->area))
		size = sw->xstate_size;
	memcpy(fpu->area, fp, size);
	if (size == 512) {
		/* Legacy frame: say that x87 and SSE state are present. */
		memset(fpu->area + 512, 0, 64);
		fpu->area[512] = 3;
	}
}

static void save_regs(struct elh_regs *r, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	r->rax = g[REG_RAX];
	r->rbx = g[REG_RBX];
	r->rcx = g[REG_RCX];
	r->rdx = g[REG_RDX];
	r->rsi = g[REG_RSI];
	r->rdi = g[REG_RDI];
	r->rbp = g[REG_RBP];
	r->rsp = g[REG_RSP];
	r->r8 = g[REG_R8];
	r->r9 = g[REG_R9];
	r->r10 = g[REG_R10];
	r->r11 = g[REG_R11];
	r->r12 = g[REG_R12];
	r->r13 = g[REG_R13];
	r->r14 = g[REG_R14];
	r->r15 = g[REG_R15];
	r->rip = g[REG_RIP];
	r->rflags = g[REG_EFL];
}

void elh_systrap_handle(int sig, void *vinfo, void *vuc)
{
	siginfo_t *info = vinfo;
	ucontext_t *uc = vuc;
	char here;
	struct elh_systrap_block *b =
	    (void *)((uintptr_t)&here & ~(uintptr_t)(ELH_SYSTRAP_BLOCK_SIZE - 1));
	struct elh_vcpu *cpu = b->cpu;
	struct elh_exit *exit = b->exit;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rip = g[REG_RIP];
	int fault = elh_signal_is_fault(sig, info);

	if (!__atomic_load_n(&b->in_guest, __ATOMIC_RELAXED)) {
		if (fault) {
			elh_signal_monitor_crash(sig, info, uc);
			return;
		}
		elh_icall_fixup(uc);
		elh_signal_note_host(cpu, sig, info);
		return; /* the monitor's interrupted call returns EINTR */
	}

	if (rip >= (uintptr_t)elh_systrap_window_start &&
	    rip <= (uintptr_t)elh_systrap_window_end) {
		/* Interrupted while loading guest state: nothing of the guest
		 * ran; its saved state is intact.  A fault here can only be an
		 * FPU state the guest supplied through a signal frame. */
		if (fault) {
			elh_fpu_init(&cpu->fpu);
			memset(&exit->info, 0, sizeof(exit->info));
			exit->info.si_signo = SIGSEGV;
			exit->info.si_code = SI_KERNEL;
			exit->reason = ELH_EXIT_FAULT;
		} else {
			elh_signal_note_host(cpu, sig, info);
			exit->reason = ELH_EXIT_INTERRUPT;
		}
	} else {
		save_regs(&cpu->regs, uc);
		save_fpu(&cpu->fpu, uc);
		if (elh_systrap_track_fs)
			cpu->regs.fs_base = b->seen_fs;
		if (sig == SIGSYS && info->si_code == SIGSYS_SECCOMP) {
			exit->reason = ELH_EXIT_SYSCALL;
			exit->nr = info->si_arch == AUDIT_ARCH_X86_64 ? info->si_syscall : -1;
			cpu->regs.rax = exit->nr;
		} else if (fault) {
			exit->reason = ELH_EXIT_FAULT;
			exit->info = *info;
		} else {
			elh_signal_note_host(cpu, sig, info);
			exit->reason = ELH_EXIT_INTERRUPT;
		}
	}

	__atomic_store_n(&b->in_guest, 0, __ATOMIC_RELAXED);
	g[REG_RIP] = (greg_t)(uintptr_t)elh_systrap_resume;
	g[REG_RSP] = (greg_t)b->monitor_rsp;
	g[REG_RDI] = (greg_t)(uintptr_t)b;
	g[REG_EFL] = ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1;
}

/* The seccomp filter, the handlers and this thread's alternate stack (its
 * block) are the child's as they were the parent's. */
static void systrap_fork_child(struct elh_vcpu *cpu)
{
	(void)cpu;
}

const struct elh_platform elh_platform_systrap = {
	.name = "systrap",
	.init = systrap_init,
	.vcpu_init = systrap_vcpu_init,
	.vcpu_fini = systrap_vcpu_fini,
	.run = systrap_run,
	.kick = systrap_kick,
	.helper_init = systrap_helper_init,
	.helper_fini = systrap_helper_fini,
	.fork_child = systrap_fork_child,
};
