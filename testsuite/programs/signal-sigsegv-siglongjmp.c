/* Signals: SIGSEGV on a PROT_NONE page caught with SA_SIGINFO, left with siglongjmp. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static sigjmp_buf env;
static void *volatile fault_addr;
static volatile int fault_code, faults;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	CHECK(sig == SIGSEGV && si->si_signo == SIGSEGV);
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	faults++;
	siglongjmp(env, 1);
}

static const char *code(int c)
{
	return c == SEGV_ACCERR ? "SEGV_ACCERR" : c == SEGV_MAPERR ? "SEGV_MAPERR" : "other";
}

int main(void)
{
	struct sigaction sa;
	sigset_t cur;
	char *page;
	volatile int reached;

	alarm(WATCHDOG_SECONDS);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);

	/* Read fault, several times in a row. */
	for (int i = 0; i < 5; i++) {
		reached = 0;
		if (sigsetjmp(env, 1) == 0) {
			reached = page[100 + i];
			reached = 2;
		}
		CHECK(reached == 0);
		CHECK(fault_addr == page + 100 + i);
	}
	printf("read faults: %d, code %s, address exact\n", faults, code(fault_code));

	/* Write fault. */
	if (sigsetjmp(env, 1) == 0) {
		page[4000] = 1;
		CHECK(0);
	}
	printf("write fault: code %s, address exact %d\n", code(fault_code),
	       fault_addr == page + 4000);

	/* The signal mask is restored by siglongjmp (savemask 1). */
	CHECK(sigprocmask(SIG_SETMASK, NULL, &cur) == 0);
	printf("SIGSEGV blocked after siglongjmp: %d\n", sigismember(&cur, SIGSEGV));

	/* An unmapped address: SEGV_MAPERR. */
	CHECK(munmap(page, 4096) == 0);
	if (sigsetjmp(env, 1) == 0) {
		reached = *(volatile char *)(page + 8);
		CHECK(0);
	}
	printf("unmapped: code %s, address exact %d\n", code(fault_code), fault_addr == page + 8);

	/* After making it accessible, the same access works. */
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	CHECK(mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0);
	page[4000] = 7;
	CHECK(page[4000] == 7);
	printf("total faults %d\n", faults);
	CHECK(munmap(page, 4096) == 0);
	printf("ok\n");
	return 0;
}
