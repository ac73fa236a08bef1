/*
 * Entering guest code and coming back, for the systrap platform.
 *
 * struct elh_systrap_block (systrap.h), offsets used here:
 *
 *	0	monitor_fs	8	iret[5] (rip cs rflags rsp ss)
 *	48	regs		56	fpu		64	monitor_rsp
 *	72	guest_fs	80	monitor_mxcsr	104	seen_fs
 *
 * struct elh_regs: rax 0, rbx 8, rcx 16, rdx 24, rsi 32, rdi 40, rbp 48,
 * rsp 56, r8 64 ... r15 120.
 *
 *	void elh_systrap_enter(struct elh_systrap_block *b)
 *		Saves the callee-saved registers and the stack pointer, sets the
 *		guest's FS base and FPU state, loads every guest register and
 *		jumps with iretq (same privilege level: rip, cs, rflags, rsp and
 *		ss in one instruction).  Does not return by itself: the signal
 *		handler redirects the thread to elh_systrap_resume with rdi = b.
 *
 *	elh_systrap_resume
 *		Reached by sigreturn on the saved monitor stack: resets the FPU
 *		control state the guest may have changed and returns to the
 *		caller of elh_systrap_enter.
 *
 *	void elh_systrap_signal(int sig, siginfo_t *info, ucontext_t *uc)
 *		The SA_SIGINFO handler, running on the block's alternate stack:
 *		saves the FS base it finds if elh_systrap_track_fs (an M:N
 *		guest sets its own with arch_prctl, which the seccomp filter
 *		then lets through) and restores
 *		the monitor's (found at the block's start by masking rsp) before
 *		any C code runs, then tail-calls elh_systrap_handle().
 */

#define SYS_arch_prctl	158
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define BLOCK_SIZE	(128 * 1024)

	.text

	.globl	elh_systrap_enter
	.type	elh_systrap_enter, @function
elh_systrap_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	stmxcsr	80(%rdi)
	movq	%rsp, 64(%rdi)
	movq	%rdi, %rbx

	.globl	elh_systrap_window_start
elh_systrap_window_start:
	movl	$SYS_arch_prctl, %eax
	movl	$ARCH_SET_FS, %edi
	movq	72(%rbx), %rsi
	syscall

	movq	56(%rbx), %rcx
	movl	$-1, %eax
	movl	$-1, %edx
	xrstor64 (%rcx)

	movq	48(%rbx), %rax
	leaq	8(%rbx), %rsp
	movq	16(%rax), %rcx
	movq	24(%rax), %rdx
	movq	32(%rax), %rsi
	movq	40(%rax), %rdi
	movq	48(%rax), %rbp
	movq	64(%rax), %r8
	movq	72(%rax), %r9
	movq	80(%rax), %r10
	movq	88(%rax), %r11
	movq	96(%rax), %r12
	movq	104(%rax), %r13
	movq	112(%rax), %r14
	movq	120(%rax), %r15
	movq	8(%rax), %rbx
	movq	0(%rax), %rax
	.globl	elh_systrap_window_end
elh_systrap_window_end:
	iretq
	.size	elh_systrap_enter, . - elh_systrap_enter

	.globl	elh_systrap_resume
	.type	elh_systrap_resume, @function
elh_systrap_resume:
	fninit
	ldmxcsr	80(%rdi)
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	elh_systrap_resume, . - elh_systrap_resume

	.globl	elh_systrap_signal
	.type	elh_systrap_signal, @function
elh_systrap_signal:
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rbx
	movq	%rsp, %rbx
	andq	$-BLOCK_SIZE, %rbx
	cmpl	$0, elh_systrap_track_fs(%rip)
	je	1f
	leaq	104(%rbx), %rsi
	movl	$ARCH_GET_FS, %edi
	movl	$SYS_arch_prctl, %eax
	syscall
1:	movq	0(%rbx), %rsi
	movl	$ARCH_SET_FS, %edi
	movl	$SYS_arch_prctl, %eax
	syscall
	popq	%rbx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	jmp	elh_systrap_handle
	.size	elh_systrap_signal, . - elh_systrap_signal

	.section .note.GNU-stack, "", @progbits
