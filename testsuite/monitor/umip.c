/* The instructions UMIP covers (sgdt, sidt, smsw, sldt, str) at CPL 3: what
 * they store.  Linux spoofs them where the CPU has UMIP; so must elh, or
 * sgdt and sidt would tell the guest where the monitor's system area is. */
#include <stdio.h>
#include <stdint.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
static sigjmp_buf env;
static volatile int sig, code;
static void h(int s, siginfo_t *si, void *u)
{
	(void)u;
	sig = s;
	code = si->si_code;
	siglongjmp(env, 1);
}
int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, 0);
	struct __attribute__((packed)) {
		uint16_t lim;
		uint64_t base;
	} g, i;
	memset(&g, 0xaa, sizeof g);
	memset(&i, 0xaa, sizeof i);
	__asm__ volatile("sgdt %0" : "=m"(g));
	__asm__ volatile("sidt %0" : "=m"(i));
	printf("sgdt %#llx %#x sidt %#llx %#x\n", (unsigned long long)g.base, g.lim,
	       (unsigned long long)i.base, i.lim);
	uint64_t r = 0xdeadbeefdeadbeefull;
	__asm__ volatile("smsw %0" : "+r"(r));
	printf("smsw r64 %#llx\n", (unsigned long long)r);
	uint32_t r32 = 0xdeadbeef;
	__asm__ volatile("smsw %0" : "+r"(r32));
	printf("smsw r32 %#x\n", r32);
	uint16_t m = 0xbeef;
	__asm__ volatile("smsw %0" : "=m"(m));
	printf("smsw m16 %#x\n", m);
	if (!sigsetjmp(env, 1)) {
		uint16_t x = 0;
		__asm__ volatile("sldt %0" : "=m"(x));
		printf("sldt %#x\n", x);
	} else
		printf("sldt: signal %d code %d\n", sig, code);
	if (!sigsetjmp(env, 1)) {
		uint16_t x = 0;
		__asm__ volatile("str %0" : "=m"(x));
		printf("str %#x\n", x);
	} else
		printf("str: signal %d code %d\n", sig, code);
	return 0;
}
