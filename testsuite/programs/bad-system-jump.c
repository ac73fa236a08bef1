/* Jumps into where elh keeps its system area with the default 4 GiB arena
 * (the IDT, the stub page, the syscall stub, the entry probe): natively
 * nothing is mapped there.  Each is SIGSEGV, SEGV_MAPERR, at the address
 * jumped to, as Linux gives for a jump to unmapped memory. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

static sigjmp_buf env;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	fault_code = si->si_code;
	siglongjmp(env, 1);
}

/* Jump to target with rcx pointing there too (what a sigreturn onto a
 * syscall stub would leave). */
static void jump(uintptr_t target)
{
	__asm__ volatile("mov %0, %%rcx\n\tjmp *%%rcx" : : "r"(target) : "rcx", "memory");
}

int main(void)
{
	/* The next GiB above an arena of 4 GiB at 0x10000. */
	const uintptr_t base = 0x140000000;
	/* The IDT, the #PF stub, the syscall stub, the entry probe. */
	static const uintptr_t offsets[] = { 0, 0x1000 + 4 * 14, 0x1100, 0x1200 };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		uintptr_t target = base + offsets[i];

		fault_addr = 0;
		fault_code = 0;
		if (sigsetjmp(env, 1) == 0) {
			jump(target);
			printf("jump %zu: came back\n", i);
			return 1;
		}
		printf("jump %zu: SIGSEGV, SEGV_MAPERR %d, at the target %d\n", i,
		       fault_code == SEGV_MAPERR, fault_addr == target);
	}
	return 0;
}
