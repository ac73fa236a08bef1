/*
 * Interruptible host system calls (icall.S): a monitor thread executes a
 * call that another thread can stop without losing the request, whatever
 * the timing.
 */
#ifndef ELH_ARCH_X86_64_ICALL_H
#define ELH_ARCH_X86_64_ICALL_H

#include <stdint.h>
#include <ucontext.h>

/* System call nr with a[0..5], or -EINTR without calling it if *stop. */
long elh_icall(long nr, const uint64_t a[6], const uint32_t *stop);

extern const char elh_icall_check[], elh_icall_done[], elh_icall_stopped[];

/*
 * For the stopping signal's handler: a thread interrupted between its check
 * of *stop and its `syscall` instruction does not make the call if its stop
 * word is set (a signal meant for an earlier call leaves this one alone).
 * Touches no thread-local storage.
 */
static inline void elh_icall_fixup(void *vuc)
{
	ucontext_t *uc = vuc;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t rip = (uintptr_t)g[REG_RIP];

	if (rip >= (uintptr_t)elh_icall_check && rip < (uintptr_t)elh_icall_done &&
	    __atomic_load_n((const uint32_t *)(uintptr_t)g[REG_R12], __ATOMIC_SEQ_CST))
		g[REG_RIP] = (greg_t)(uintptr_t)elh_icall_stopped;
}

#endif
