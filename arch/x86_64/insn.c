/* The memory accesses of one instruction, for fault addresses (insn.h). */
#include "insn.h"

#include <capstone/capstone.h>

/* The value of a 64- or 32-bit general register, or -1 for any other. */
static int reg_value(const struct elh_regs *r, x86_reg reg, uint64_t *v)
{
	static const struct {
		x86_reg r64, r32;
		size_t off;
	} map[] = {
#define R(n64, n32, f) { X86_REG_##n64, X86_REG_##n32, __builtin_offsetof(struct elh_regs, f) }
		R(RAX, EAX, rax),  R(RBX, EBX, rbx),  R(RCX, ECX, rcx),	 R(RDX, EDX, rdx),
		R(RSI, ESI, rsi),  R(RDI, EDI, rdi),  R(RBP, EBP, rbp),	 R(RSP, ESP, rsp),
		R(R8, R8D, r8),	   R(R9, R9D, r9),    R(R10, R10D, r10), R(R11, R11D, r11),
		R(R12, R12D, r12), R(R13, R13D, r13), R(R14, R14D, r14), R(R15, R15D, r15),
#undef R
	};

	if (reg == X86_REG_INVALID) {
		*v = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t x;

		if (reg != map[i].r64 && reg != map[i].r32)
			continue;
		x = *(const uint64_t *)((const char *)r + map[i].off);
		*v = reg == map[i].r32 ? (uint32_t)x : x;
		return 0;
	}
	return -1;
}

static int stack_access(const cs_insn *in, const struct elh_regs *r, struct elh_access *a)
{
	switch (in->id) {
	case X86_INS_PUSH:
	case X86_INS_PUSHFQ:
	case X86_INS_CALL: *a = (struct elh_access){ r->rsp - 8, 8, 1 }; return 1;
	case X86_INS_POP:
	case X86_INS_POPFQ:
	case X86_INS_RET: *a = (struct elh_access){ r->rsp, 8, 0 }; return 1;
	default: return 0;
	}
}

int elh_insn_accesses(const uint8_t *code, size_t len, const struct elh_regs *regs,
		      struct elh_access out[ELH_INSN_MAX_ACCESSES])
{
	csh h;
	cs_insn *in = NULL;
	int n = -1;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -1;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, code, len, regs->rip, 1, &in) != 1)
		goto out;
	n = 0;
	/* pop and ret read the stack before they write their operand;
	 * push and call write it after reading theirs. */
	if (in->id == X86_INS_POP || in->id == X86_INS_POPFQ || in->id == X86_INS_RET)
		n += stack_access(in, regs, &out[n]);
	for (unsigned i = 0; i < in->detail->x86.op_count && n < ELH_INSN_MAX_ACCESSES; i++) {
		const cs_x86_op *op = &in->detail->x86.operands[i];
		uint64_t base, index, addr;

		if (op->type != X86_OP_MEM)
			continue;
		/* lea and the nops compute an address without touching it. */
		if (in->id == X86_INS_LEA || in->id == X86_INS_NOP)
			continue;
		if (op->mem.base == X86_REG_RIP)
			base = regs->rip + in->size;
		else if (reg_value(regs, op->mem.base, &base) < 0) {
			n = -1;
			goto out;
		}
		if (reg_value(regs, op->mem.index, &index) < 0) {
			n = -1;
			goto out;
		}
		addr = base + index * (uint64_t)op->mem.scale + (uint64_t)op->mem.disp;
		if (op->mem.segment == X86_REG_FS)
			addr += regs->fs_base;
		else if (op->mem.segment == X86_REG_GS)
			addr += regs->gs_base;
		out[n++] = (struct elh_access){ addr, op->size ? op->size : 1,
						(op->access & CS_AC_WRITE) != 0 };
	}
	if (n < ELH_INSN_MAX_ACCESSES && in->id != X86_INS_POP && in->id != X86_INS_POPFQ &&
	    in->id != X86_INS_RET)
		n += stack_access(in, regs, &out[n]);
out:
	if (in)
		cs_free(in, 1);
	cs_close(&h);
	return n;
}
