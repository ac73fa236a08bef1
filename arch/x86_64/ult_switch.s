# Context switch between user-level threads (nptl-elh/sched.c).
#
#	void __elh_ult_switch(uint64_t *save, uint64_t to)
#
# Pushes what the System V ABI says a callee preserves (rbx, rbp, r12-r15,
# the x87 control word and MXCSR), stores the stack pointer in *save, loads
# `to` and pops the same frame from there.  A new context is a frame whose
# return address is __elh_ult_trampoline, which calls r12 with r13 as its
# argument on a 16-byte aligned stack.

.text
.global __elh_ult_switch
.hidden __elh_ult_switch
.type __elh_ult_switch,@function
__elh_ult_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	sub $8,%rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	mov %rsp,(%rdi)
	mov %rsi,%rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	add $8,%rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
.size __elh_ult_switch,.-__elh_ult_switch

.global __elh_ult_trampoline
.hidden __elh_ult_trampoline
.type __elh_ult_trampoline,@function
__elh_ult_trampoline:
	xor %ebp,%ebp
	mov %r13,%rdi
	call *%r12
	hlt
.size __elh_ult_trampoline,.-__elh_ult_trampoline

	.section .note.GNU-stack, "", @progbits
