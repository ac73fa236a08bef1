/*
 * Handlers of the system calls that are not plain host calls: they change
 * the guest's memory layout, its threads, its signal state or its vCPU
 * registers.  The system-call table (syscall.c) points at them; each is
 * implemented by the module that owns the state it changes.
 *
 * Every handler receives the six raw argument registers and returns the
 * value for the guest's rax: a result, or -errno.
 */
#ifndef ELH_MONITOR_SPECIAL_H
#define ELH_MONITOR_SPECIAL_H

#include <stdint.h>

struct elh_vcpu;

#define ELH_SPECIAL(name) long elh_sys_##name(struct elh_vcpu *cpu, const uint64_t a[6])

/* memory.c: the guest address space inside the arena */
ELH_SPECIAL(mmap);
ELH_SPECIAL(munmap);
ELH_SPECIAL(mprotect);
ELH_SPECIAL(mremap);
ELH_SPECIAL(brk);
ELH_SPECIAL(madvise);
ELH_SPECIAL(msync);
ELH_SPECIAL(mincore);
ELH_SPECIAL(shmat);
ELH_SPECIAL(shmdt);

/* thread.c: guest threads (1:1 on vCPUs) */
ELH_SPECIAL(clone);
ELH_SPECIAL(clone3);
ELH_SPECIAL(fork);
ELH_SPECIAL(vfork);
ELH_SPECIAL(execve);
ELH_SPECIAL(execveat);
ELH_SPECIAL(exit);
ELH_SPECIAL(exit_group);
ELH_SPECIAL(futex);
ELH_SPECIAL(set_tid_address);
ELH_SPECIAL(set_robust_list);
ELH_SPECIAL(get_robust_list);
ELH_SPECIAL(arch_prctl);
ELH_SPECIAL(gettid);
ELH_SPECIAL(tkill);
ELH_SPECIAL(tgkill);
ELH_SPECIAL(rseq);

/* signal.c: guest signal dispositions, masks and frames */
ELH_SPECIAL(rt_sigaction);
ELH_SPECIAL(rt_sigprocmask);
ELH_SPECIAL(rt_sigreturn);
ELH_SPECIAL(rt_sigsuspend);
ELH_SPECIAL(rt_sigpending);
ELH_SPECIAL(rt_sigtimedwait);
ELH_SPECIAL(rt_sigqueueinfo);
ELH_SPECIAL(sigaltstack);
ELH_SPECIAL(kill);
ELH_SPECIAL(pause);

#endif
