/*
 * Fuzz target: the x86-64 instruction decoder the monitor runs on guest
 * bytes (arch/x86_64/insn.c): the accesses of a faulting instruction and
 * the UMIP instructions it emulates.  The input is the register file, then
 * up to 15 bytes of code at rip.  What the decoder reports must fit the
 * bytes it was given, and a register it names for the monitor to write
 * must lie inside struct elh_regs.
 *
 * Input: struct elh_regs, then the code.
 */
#include <string.h>

#include "fuzz.h"
#include "insn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elh_access acc[ELH_INSN_MAX_ACCESSES];
	uint8_t code[ELH_INSN_MAX];
	struct elh_regs regs;
	struct elh_umip u;
	size_t len;
	int n;

	if (size < sizeof(regs))
		return 0;
	memcpy(&regs, data, sizeof(regs));
	len = size - sizeof(regs) < sizeof(code) ? size - sizeof(regs) : sizeof(code);
	/* A copy of its own size, so that a read past the bytes is seen. */
	memcpy(code, data + sizeof(regs), len);

	n = elh_insn_accesses(code, len, &regs, acc);
	if (n < -1 || n > ELH_INSN_MAX_ACCESSES)
		fuzz_fail("elh_insn_accesses gave %d", n);
	for (int i = 0; i < n; i++)
		if (acc[i].size == 0 || acc[i].size > 4096 || (acc[i].write & ~1))
			fuzz_fail("access %d: %u bytes, write %d", i, acc[i].size, acc[i].write);

	memset(&u, 0xa5, sizeof(u));
	elh_insn_umip(code, len, &regs, &u);
	if (u.insn != ELH_UMIP_NONE) {
		if (u.insn > ELH_UMIP_STR || u.len == 0 || u.len > len)
			fuzz_fail("UMIP: instruction %d of %u bytes in %zu", u.insn, u.len, len);
		if (!u.to_memory &&
		    (u.size == 0 || u.size > 8 || u.reg_offset + u.size > sizeof(regs)))
			fuzz_fail("UMIP: a %u-byte register at offset %zu", u.size, u.reg_offset);
		if (u.to_memory && (u.size == 0 || u.size > 10))
			fuzz_fail("UMIP: a %u-byte store", u.size);
	}
	return 0;
}
