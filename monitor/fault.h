/*
 * Why a guest access faulted, as Linux would say it, for a platform that
 * learns only that the host refused it (KVM_RUN's EFAULT, on most hosts
 * without the address): from the instruction at rip and the guest's
 * mappings.
 */
#ifndef ELH_MONITOR_FAULT_H
#define ELH_MONITOR_FAULT_H

#include <signal.h>
#include <stdint.h>

#include "regs.h"

struct elh_vm;

/*
 * Fill info (si_signo, si_code, si_addr) for the fault of the instruction
 * at regs->rip: its fetch, then each access it makes in order; the first
 * byte that faults is si_addr, and its mapping gives the reason:
 * SEGV_MAPERR (nothing mapped), SEGV_ACCERR (the protection refuses the
 * access) or SIGBUS/BUS_ADRERR (a file mapping past the end of its file).
 * When nothing explains it, SIGSEGV/SEGV_ACCERR at hint (the address the
 * host gave, or 0).
 */
void elh_fault_explain(struct elh_vm *vm, const struct elh_regs *regs, siginfo_t *info,
		       uint64_t hint);

#endif
