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

/*
 * The instructions CR4.UMIP stops at CPL 3 (they raise #GP): which one is
 * at regs->rip, and where it would store.  For spoofing them as Linux
 * does (elh_insn_umip).
 */
enum elh_umip_insn {
	ELH_UMIP_NONE, /* not one of them, or it does not decode */
	ELH_UMIP_SGDT,
	ELH_UMIP_SIDT,
	ELH_UMIP_SMSW,
	ELH_UMIP_SLDT,
	ELH_UMIP_STR,
};

struct elh_umip {
	enum elh_umip_insn insn;
	unsigned len;  /* the instruction's length */
	int to_memory; /* 1: the result goes to addr, size bytes */
	uint64_t addr;
	unsigned size;	   /* bytes stored (memory) or the register's width */
	size_t reg_offset; /* otherwise: the register, an offset in struct elh_regs */
};

/* Fill *out for the instruction in code[0..len) at regs->rip; out->insn is
 * ELH_UMIP_NONE for any other instruction. */
void elh_insn_umip(const uint8_t *code, size_t len, const struct elh_regs *regs,
		   struct elh_umip *out);

#endif
