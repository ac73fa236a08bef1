/* Memory: mprotect read-only/PROT_NONE/back; faults caught with exact address and code. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PG 4096

static sigjmp_buf env;
static void *volatile addr;
static volatile int code, faults;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	addr = si->si_addr;
	code = si->si_code;
	faults++;
	siglongjmp(env, 1);
}

/* Returns 1 if writing to p faulted at p. */
static int write_faults(char *p)
{
	if (sigsetjmp(env, 1)) {
		CHECK(addr == p);
		CHECK(code == SEGV_ACCERR);
		return 1;
	}
	*(volatile char *)p = 'w';
	return 0;
}

static int read_faults(char *p)
{
	if (sigsetjmp(env, 1)) {
		CHECK(addr == p);
		CHECK(code == SEGV_ACCERR);
		return 1;
	}
	(void)*(volatile char *)p;
	return 0;
}

int main(void)
{
	struct sigaction sa;
	char *p;

	alarm(WATCHDOG_SECONDS);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 'a', 4 * PG);

	int w, r;

	CHECK(mprotect(p + PG, PG, PROT_READ) == 0);
	w = write_faults(p + PG + 5);
	r = read_faults(p + PG + 5);
	printf("read-only page: write faults %d, read faults %d, value %c\n", w, r, p[PG + 5]);
	w = write_faults(p + PG - 1);
	r = write_faults(p + 2 * PG);
	printf("neighbours still writable: %d %d\n", !w, !r);

	CHECK(mprotect(p + 2 * PG, 2 * PG, PROT_NONE) == 0);
	r = read_faults(p + 3 * PG + 100);
	w = write_faults(p + 2 * PG);
	printf("PROT_NONE pages: read faults %d, write faults %d\n", r, w);

	CHECK(mprotect(p, 4 * PG, PROT_READ | PROT_WRITE) == 0);
	w = write_faults(p + 3 * PG);
	printf("all writable again: %d, contents kept: %c%c%c\n", !w, p[PG + 5], p[2 * PG],
	       p[3 * PG + 100]);

	/* A write-only request still allows reads on x86; PROT_EXEC is accepted. */
	CHECK(mprotect(p, PG, PROT_READ | PROT_EXEC) == 0);
	CHECK(write_faults(p + 1));
	CHECK(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0);

	/* musl rounds the start down, so ask the kernel directly about a misaligned one. */
	CHECK(syscall(SYS_mprotect, p + 1, PG, PROT_READ) == -1 && errno == EINVAL);
	CHECK(mprotect(p, PG, 0x1000) == -1 && errno == EINVAL);
	CHECK(munmap(p, 4 * PG) == 0);
	CHECK(mprotect(p, PG, PROT_READ) == -1 && errno == ENOMEM);
	printf("faults caught: %d\n", faults);

	/* The stack and static data can be made read-only too. */
	static char data[3 * PG];
	char *page = (char *)(((uintptr_t)data + PG - 1) & ~(uintptr_t)(PG - 1));
	CHECK(mprotect(page, PG, PROT_READ) == 0);
	CHECK(write_faults(page));
	CHECK(mprotect(page, PG, PROT_READ | PROT_WRITE) == 0);
	CHECK(!write_faults(page));
	printf("static data page protected and restored\n");
	printf("ok\n");
	return 0;
}
