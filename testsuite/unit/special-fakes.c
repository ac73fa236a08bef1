/* Test-only stand-ins for the special system-call handlers: every one answers ENOSYS. */
#include <errno.h>

#include "loader.h"
#include "memory.h"
#include "special.h"

#define FAKE(name)                                                                                 \
	ELH_SPECIAL(name)                                                                          \
	{                                                                                          \
		return -ENOSYS;                                                                    \
	}

FAKE(mmap)
FAKE(munmap)
FAKE(mprotect)
FAKE(mremap)
FAKE(brk)
FAKE(madvise)
FAKE(msync)
FAKE(mincore)
FAKE(shmat)
FAKE(shmdt)

FAKE(clone)
FAKE(clone3)
FAKE(fork)
FAKE(vfork)
FAKE(execve)
FAKE(execveat)
FAKE(exit)
FAKE(exit_group)
FAKE(futex)
FAKE(set_tid_address)
FAKE(set_robust_list)
FAKE(get_robust_list)
FAKE(arch_prctl)
FAKE(gettid)
FAKE(tkill)
FAKE(tgkill)
FAKE(rseq)

FAKE(rt_sigaction)
FAKE(rt_sigprocmask)
FAKE(rt_sigreturn)
FAKE(rt_sigsuspend)
FAKE(rt_sigpending)
FAKE(rt_sigtimedwait)
FAKE(rt_sigqueueinfo)
FAKE(sigaltstack)
FAKE(kill)
FAKE(pause)

/* procfs.c's guest maps: no guest mappings here. */
int elh_mm_snapshot(struct elh_vm *vm, struct elh_vma **out, size_t *n)
{
	(void)vm;
	*out = NULL;
	*n = 0;
	return -ENOSYS;
}

/* loader.c's, which sys_proc.c sets. */
int elh_setid_ignored;
