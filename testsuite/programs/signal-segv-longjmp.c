/* SIGSEGV from a PROT_NONE page and SIGFPE from a division by zero,
 * recovered with sigsetjmp/siglongjmp; si_addr and si_code are right. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"

static sigjmp_buf env;
static void *fault_addr;
static int fault_code, fault_sig;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(env, 1);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile int zero = 0, r = 0;
	int *volatile low = (int *)(uintptr_t)8;

	CHECK(page != MAP_FAILED);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	for (int i = 0; i < 3; i++) {
		if (!sigsetjmp(env, 1))
			page[100 + i] = 1;
		printf("segv %d: addr ok %d code %s\n", i, fault_addr == page + 100 + i,
		       fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
	}
	if (!sigsetjmp(env, 1))
		*low = 1;
	printf("null: addr %p code %s\n", fault_addr, fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
	if (!sigsetjmp(env, 1))
		r = 10 / zero;
	printf("fpe: sig %d code %s r %d\n", fault_sig, fault_code == FPE_INTDIV ? "FPE_INTDIV" : "other", r);
	CHECK(mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0);
	page[5] = 5;
	printf("after mprotect: %d\n", page[5]);
	return 0;
}
