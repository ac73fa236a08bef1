# A call made by a worker of the in-process pool (nptl-elh/pool.c).
#
#	long __elh_pool_call(long nr, long a, long b, long c, long d, long e,
#			     long f, volatile uint32_t *interrupt)
#
# Makes the call unless *interrupt is set, in which case it returns -EINTR
# at once.  The worker's handler of the interrupt signal moves a thread
# found between __elh_pool_call_check and __elh_pool_call_done (the test of
# the word, or the `syscall` instruction not yet executed) back to the
# test: a request that lands just before the call is not lost.  The word's
# address stays in rbx, which the call preserves, so the test can be made
# again from any of those points.

.text
.global __elh_pool_call
.hidden __elh_pool_call
.type __elh_pool_call,@function
__elh_pool_call:
	push %rbx
	mov %rdi,%rax
	mov %rsi,%rdi
	mov %rdx,%rsi
	mov %rcx,%rdx
	mov %r8,%r10
	mov %r9,%r8
	mov 16(%rsp),%r9
	mov 24(%rsp),%rbx
.global __elh_pool_call_check
.hidden __elh_pool_call_check
__elh_pool_call_check:
	cmpl $0,(%rbx)
	jne 1f
	syscall
.global __elh_pool_call_done
.hidden __elh_pool_call_done
__elh_pool_call_done:
	pop %rbx
	ret
1:	mov $-4,%rax	# -EINTR
	pop %rbx
	ret
.size __elh_pool_call,.-__elh_pool_call
