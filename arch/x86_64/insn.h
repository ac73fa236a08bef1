/*
 * The memory accesses of one x86-64 instruction, decoded with Capstone.
 *
 * KVM reports a guest access that the host mapping refuses as EFAULT from
 * KVM_RUN, on most hosts without the address (KVM_EXIT_MEMORY_FAULT carries
 * it only for some faults, and only since Linux 6.8).  The program's
 * SIGSEGV must say where it faulted: the monitor decodes the instruction at
 * rip and checks each access it makes against the guest's mappings.
 */
#ifndef ELH_ARCH_X86_64_INSN_H
#define ELH_ARCH_X86_64_INSN_H

#include <stddef.h>
#include <stdint.h>

#include "regs.h"

#define ELH_INSN_MAX	      15 /* the longest x86 instruction */
#define ELH_INSN_MAX_ACCESSES 3

struct elh_access {
	uint64_t addr;
	uint32_t size;
	int write; /* 1: a write (a read-modify-write counts as one) */
};

/*
 * Decode the instruction in code[0..len) found at regs->rip and list the
 * memory it accesses, explicit operands and the stack of push, pop, call
 * and ret, in the order the CPU would touch them.  Returns their number
 * (0 for an instruction that touches no memory), or -1 if the bytes do not
 * decode or an address depends on state the monitor does not have.
 */
int elh_insn_accesses(const uint8_t *code, size_t len, const struct elh_regs *regs,
		      struct elh_access out[ELH_INSN_MAX_ACCESSES]);

#endif
