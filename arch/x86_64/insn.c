/* The memory accesses of one instruction, for fault addresses (insn.h). */
#include "insn.h"

#include <capstone/capstone.h>
#include <string.h>

static const struct {
	x86_reg r64, r32, r16;
	size_t off;
} gpr[] = {
#define R(n64, n32, n16, f)                                                                        \
	{                                                                                          \
		X86_REG_##n64, X86_REG_##n32, X86_REG_##n16,                                       \
		    __builtin_offsetof(struct elh_regs, f)                                         \
	}
	R(RAX, EAX, AX, rax),	 R(RBX, EBX, BX, rbx),	  R(RCX, ECX, CX, rcx),
	R(RDX, EDX, DX, rdx),	 R(RSI, ESI, SI, rsi),	  R(RDI, EDI, DI, rdi),
	R(RBP, EBP, BP, rbp),	 R(RSP, ESP, SP, rsp),	  R(R8, R8D, R8W, r8),
	R(R9, R9D, R9W, r9),	 R(R10, R10D, R10W, r10), R(R11, R11D, R11W, r11),
	R(R12, R12D, R12W, r12), R(R13, R13D, R13W, r13), R(R14, R14D, R14W, r14),
	R(R15, R15D, R15W, r15),
#undef R
};

/* Where general register reg lives in struct elh_regs, and its width in
 * bytes (8, 4 or 2); -1 for any other register. */
static int gpr_find(x86_reg reg, size_t *off, unsigned *width)
{
	for (size_t i = 0; i < sizeof(gpr) / sizeof(gpr[0]); i++) {
		*off = gpr[i].off;
		if (reg == gpr[i].r64)
			*width = 8;
		else if (reg == gpr[i].r32)
			*width = 4;
		else if (reg == gpr[i].r16)
			*width = 2;
		else
			continue;
		return 0;
	}
	return -1;
}

/* The value of a 64- or 32-bit general register (an address's base or
 * index), 0 for none; -1 for any other register. */
static int reg_value(const struct elh_regs *r, x86_reg reg, uint64_t *v)
{
	unsigned width;
	size_t off;
	uint64_t x;

	if (reg == X86_REG_INVALID) {
		*v = 0;
		return 0;
	}
	if (gpr_find(reg, &off, &width) < 0 || width == 2)
		return -1;
	memcpy(&x, (const char *)r + off, 8);
	*v = width == 4 ? (uint32_t)x : x;
	return 0;
}

/* The address of memory operand op of instruction in: 0, or -1. */
static int mem_address(const cs_insn *in, const cs_x86_op *op, const struct elh_regs *regs,
		       uint64_t *addr)
{
	uint64_t base, index;

	if (op->mem.base == X86_REG_RIP)
		base = regs->rip + in->size;
	else if (reg_value(regs, op->mem.base, &base) < 0)
		return -1;
	if (reg_value(regs, op->mem.index, &index) < 0)
		return -1;
	*addr = base + index * (uint64_t)op->mem.scale + (uint64_t)op->mem.disp;
	if (op->mem.segment == X86_REG_FS)
		*addr += regs->fs_base;
	else if (op->mem.segment == X86_REG_GS)
		*addr += regs->gs_base;
	return 0;
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
		uint64_t addr;

		if (op->type != X86_OP_MEM)
			continue;
		/* lea and the nops compute an address without touching it. */
		if (in->id == X86_INS_LEA || in->id == X86_INS_NOP)
			continue;
		if (mem_address(in, op, regs, &addr) < 0) {
			n = -1;
			goto out;
		}
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

void elh_insn_umip(const uint8_t *code, size_t len, const struct elh_regs *regs,
		   struct elh_umip *out)
{
	csh h;
	cs_insn *in = NULL;
	const cs_x86_op *op;

	memset(out, 0, sizeof(*out));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, code, len, regs->rip, 1, &in) != 1 || in->detail->x86.op_count != 1)
		goto out;
	switch (in->id) {
	case X86_INS_SGDT: out->insn = ELH_UMIP_SGDT; break;
	case X86_INS_SIDT: out->insn = ELH_UMIP_SIDT; break;
	case X86_INS_SMSW: out->insn = ELH_UMIP_SMSW; break;
	case X86_INS_SLDT: out->insn = ELH_UMIP_SLDT; break;
	case X86_INS_STR: out->insn = ELH_UMIP_STR; break;
	default: goto out;
	}
	out->len = in->size;
	op = &in->detail->x86.operands[0];
	if (op->type == X86_OP_MEM) {
		out->to_memory = 1;
		/* sgdt and sidt store a limit and a 64-bit base; the others a word. */
		out->size = out->insn == ELH_UMIP_SGDT || out->insn == ELH_UMIP_SIDT ? 10 : 2;
		if (mem_address(in, op, regs, &out->addr) < 0)
			out->insn = ELH_UMIP_NONE;
	} else if (op->type != X86_OP_REG || gpr_find(op->reg, &out->reg_offset, &out->size) < 0) {
		out->insn = ELH_UMIP_NONE;
	}
out:
	if (in)
		cs_free(in, 1);
	cs_close(&h);
}
