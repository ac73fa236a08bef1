/*
 * How a vCPU runs guest code until the guest needs the monitor.
 *
 * A platform runs one guest thread on the calling host thread until the
 * guest makes a system call, faults, or a host signal interrupts it, and
 * reports that as an exit.  Everything above (system calls, signals, threads)
 * is platform-independent and works on the register state in struct elh_cpu.
 *
 *   kvm      the product: a KVM guest at CPL 3, no guest kernel
 *   systrap  the guest's code runs in the monitor's own address space at
 *            host CPL 3; its system calls trap through a seccomp filter
 *            (SECCOMP_RET_TRAP for instruction pointers inside the arena).
 *            No isolation from the monitor: for hosts without KVM and for
 *            testing the layers above.  Never chosen silently.
 */
#ifndef ELH_MONITOR_PLATFORM_H
#define ELH_MONITOR_PLATFORM_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "regs.h"
#include "vm.h"

struct elh_vm;
struct elh_vcpu;

enum elh_exit_reason {
	ELH_EXIT_SYSCALL,   /* nr in exit.nr, arguments in the registers */
	ELH_EXIT_FAULT,	    /* synchronous fault: exit.info describes it */
	ELH_EXIT_INTERRUPT, /* a host signal arrived; nothing for the guest itself */
};

struct elh_exit {
	enum elh_exit_reason reason;
	long nr;	/* ELH_EXIT_SYSCALL */
	siginfo_t info; /* ELH_EXIT_FAULT: si_signo, si_code, si_addr as the guest must see them */
};

struct elh_platform {
	const char *name;
	/* Process-wide setup once the arena exists; -1 and err on failure. */
	int (*init)(struct elh_vm *vm, char *err, size_t errlen);
	/* Per guest thread, on the host thread that will run it. */
	int (*vcpu_init)(struct elh_vcpu *cpu, char *err, size_t errlen);
	void (*vcpu_fini)(struct elh_vcpu *cpu);
	/* Run the guest from cpu->regs/cpu->fpu; on return they hold its state. */
	void (*run)(struct elh_vcpu *cpu, struct elh_exit *exit);
	/* Make a vCPU running on another host thread exit soon (signals). */
	void (*kick)(struct elh_vcpu *cpu);
	/* A monitor thread that runs no guest code but takes ELH_SIGKICK to
	 * stop its host calls (an exit-less worker): set up on that thread
	 * before it unblocks the signal, torn down before it ends. */
	int (*helper_init)(char *err, size_t errlen);
	void (*helper_fini)(void);
	/* In the child of a fork of the monitor, on cpu's thread, its only
	 * one: make cpu run there.  NULL: the platform cannot (process.c). */
	void (*fork_child)(struct elh_vcpu *cpu);
	/* --stats: the platform's own counts, one line (NULL: none). */
	void (*stats_print)(FILE *out);
	/* Copy the FPU state the vCPU holds into cpu->fpu (a platform that
	 * leaves it in the vCPU between runs sets cpu->fpu_stale). */
	void (*fpu_fetch)(struct elh_vcpu *cpu);
	/* Once everything is set up, before the guest's first instruction:
	 * confine the monitor's own calls (NULL: the platform does not). */
	int (*confine)(struct elh_vm *vm, char *err, size_t errlen);
};

/*
 * The FPU state of a stopped guest thread: read cpu->fpu only after
 * elh_vcpu_fpu_sync(), and call elh_vcpu_fpu_written() after changing it,
 * so that a platform may keep the state in the vCPU instead of copying it
 * at every exit (an ioctl each way on KVM).  On cpu's own thread.
 */
static inline void elh_vcpu_fpu_sync(struct elh_vcpu *cpu)
{
	if (cpu->fpu_stale) {
		cpu->vm->platform->fpu_fetch(cpu);
		cpu->fpu_stale = 0;
	}
}

static inline void elh_vcpu_fpu_written(struct elh_vcpu *cpu)
{
	cpu->fpu_stale = 0;
	cpu->fpu_dirty = 1;
}

extern const struct elh_platform elh_platform_systrap;
extern const struct elh_platform elh_platform_kvm;

#endif
