/* Why a guest access faulted, from the instruction and the mappings (fault.h). */
#include "fault.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guestmem.h"
#include "insn.h"
#include "memory.h"
#include "vm.h"

/* Can the host read the byte at a?  Not for a file mapping past the end
 * of its file, whatever its protection. */
static int host_readable(uint64_t a)
{
	char c;
	struct iovec local = { &c, 1 }, remote = { (void *)(uintptr_t)a, 1 };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1;
}

/* Would the access [a, a + size) fault?  0 if not, or the signal, with
 * *code and *at the first byte that faults. */
static int check_access(struct elh_vm *vm, uint64_t a, uint64_t size, int need, int *code,
			uint64_t *at)
{
	uint64_t end = a + size;

	while (a < end) {
		struct elh_vma vma;

		*at = a;
		if (elh_guest_range(&vm->arena, a, 1) < 0 || elh_mm_lookup(vm, a, &vma) < 0) {
			*code = SEGV_MAPERR;
			return SIGSEGV;
		}
		if (!(vma.prot & need)) {
			*code = SEGV_ACCERR;
			return SIGSEGV;
		}
		if (!host_readable(a)) {
			*code = BUS_ADRERR;
			return SIGBUS;
		}
		a = (a | (ELH_PAGE_SIZE - 1)) + 1;
	}
	return 0;
}

void elh_fault_explain(struct elh_vm *vm, const struct elh_regs *regs, siginfo_t *info,
		       uint64_t hint)
{
	struct elh_access acc[ELH_INSN_MAX_ACCESSES];
	uint8_t code[ELH_INSN_MAX];
	size_t len = sizeof(code);
	uint64_t at;
	int n, sig, si_code;

	sig = check_access(vm, regs->rip, 1, PROT_EXEC, &si_code, &at);
	if (!sig) {
		/* The instruction may end at the last readable byte. */
		while (len && elh_guest_read(&vm->arena, code, regs->rip, len) < 0)
			len--;
		n = elh_insn_accesses(code, len, regs, acc);
		/* On x86 every mapping that may be accessed may be read. */
		for (int i = 0; i < n && !sig; i++)
			sig = check_access(vm, acc[i].addr, acc[i].size,
					   acc[i].write ? PROT_WRITE
							: PROT_READ | PROT_WRITE | PROT_EXEC,
					   &si_code, &at);
	}
	if (!sig) {
		sig = SIGSEGV;
		si_code = SEGV_ACCERR;
		at = hint;
	}
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = si_code;
	info->si_addr = (void *)(uintptr_t)at;
}
