/*
 * An interruptible system call, for the workers that make calls on behalf
 * of guest threads: the monitor's exit-less workers (monitor/exitless.c)
 * and the guest's in-process pool (nptl-elh/pool.c), which is built into
 * elh-musl from this same file.
 *
 *	long elh_icall(long nr, const uint64_t a[6], const uint32_t *stop)
 *
 * Executes system call nr with arguments a[0..5] unless *stop is non-zero,
 * in which case it returns -EINTR without making the call.  Another thread
 * interrupts the caller by setting *stop, then sending it a signal whose
 * handler has no SA_RESTART and calls elh_icall_fixup().  r12 holds the
 * stop word's address from the check to the end of the call (`syscall`
 * clobbers rcx and r11, and a call the kernel restarts comes back to the
 * `syscall` instruction):
 *
 *   - signal before the check, or between the check and the `syscall`
 *     instruction (the interrupted rip lies in [elh_icall_check,
 *     elh_icall_done)): the fix-up moves rip to elh_icall_stopped, which
 *     returns -EINTR: the call never starts;
 *   - signal while the call sleeps: the kernel ends it with -EINTR (a call
 *     the kernel would restart by itself comes back with rip on the
 *     `syscall` instruction, which the fix-up handles as above);
 *   - signal after the call: its result stands.
 *
 * So a stop request is never lost, whatever the timing.  The same method
 * as musl's cancellation points, done our own way.
 */

#define EINTR	4

	.text
	.globl	elh_icall
	.hidden	elh_icall
	.type	elh_icall, @function
elh_icall:
	pushq	%r12
	movq	%rdi, %rax
	movq	%rdx, %r12
	movq	0(%rsi), %rdi
	movq	16(%rsi), %rdx
	movq	24(%rsi), %r10
	movq	32(%rsi), %r8
	movq	40(%rsi), %r9
	movq	8(%rsi), %rsi
	.globl	elh_icall_check
	.hidden	elh_icall_check
elh_icall_check:
	cmpl	$0, (%r12)
	jne	elh_icall_stopped
	syscall
	.globl	elh_icall_done
	.hidden	elh_icall_done
elh_icall_done:
	popq	%r12
	ret
	.globl	elh_icall_stopped
	.hidden	elh_icall_stopped
elh_icall_stopped:
	movq	$-EINTR, %rax
	popq	%r12
	ret
	.size	elh_icall, . - elh_icall

	.section .note.GNU-stack, "", @progbits
