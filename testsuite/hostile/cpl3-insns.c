/* Privileged instructions at CPL 3, and software interrupts through gates
 * user code may not use: each ends as on Linux, a signal with its code, or
 * (int $0x80, the 32-bit system-call gate, with a number no call has)
 * -ENOSYS in eax. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>

#include "hostile.h"

static sigjmp_buf env;
static volatile int got_sig, got_code;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(env, 1);
}

#define INSN(name, asm_text)                                                                       \
	static void name(void)                                                                     \
	{                                                                                          \
		__asm__ volatile(asm_text ::: "memory", "rax", "rcx", "rdx");                      \
	}

INSN(do_hlt, "hlt")
INSN(do_cli, "cli")
INSN(do_sti, "sti")
INSN(do_in, "inb $0x80, %%al")
INSN(do_out, "outb %%al, $0x80")
INSN(do_rdmsr, "xor %%ecx, %%ecx; rdmsr")
INSN(do_wrmsr, "xor %%ecx, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr")
INSN(do_movcr3, "xor %%eax, %%eax; mov %%rax, %%cr3")
INSN(do_invd, "invd")
INSN(do_wbinvd, "wbinvd")
INSN(do_int14, "int $14")
INSN(do_int13, "int $13")
INSN(do_int1, "int $1")
INSN(do_int_ff, "int $0xff")
INSN(do_ud2, "ud2")
INSN(do_iret, "push $0; push $0; push $0; push $0; push $0; iretq")
INSN(do_sysret, ".byte 0x48, 0x0f, 0x07")
INSN(do_sysenter, "sysenter")

static const struct {
	const char *name;
	void (*fn)(void);
} insns[] = {
	{ "hlt", do_hlt },	 { "cli", do_cli },	     { "sti", do_sti },
	{ "in", do_in },	 { "out", do_out },	     { "rdmsr", do_rdmsr },
	{ "wrmsr", do_wrmsr },	 { "mov cr3", do_movcr3 },   { "invd", do_invd },
	{ "wbinvd", do_wbinvd }, { "int $14", do_int14 },    { "int $13", do_int13 },
	{ "int $1", do_int1 },	 { "int $0xff", do_int_ff }, { "ud2", do_ud2 },
	{ "iretq", do_iret },	 { "sysretq", do_sysret },   { "sysenter", do_sysenter },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };

	hostile_init(argc, argv);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	CHECK(sigaction(SIGILL, &sa, NULL) == 0);
	CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
	CHECK(sigaction(SIGTRAP, &sa, NULL) == 0);
	CHECK(sigaction(SIGFPE, &sa, NULL) == 0);
	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		got_sig = got_code = 0;
		if (sigsetjmp(env, 1) == 0) {
			insns[i].fn();
			printf("%-10s no signal\n", insns[i].name);
		} else {
			printf("%-10s signal %d code %d\n", insns[i].name, got_sig, got_code);
		}
	}
	/* The 32-bit system-call gate, with no such call: natively -ENOSYS
	 * where the kernel has IA-32 emulation, SIGSEGV where not. */
	got_sig = 0;
	if (sigsetjmp(env, 1) == 0) {
		long ax = 0xffff;

		__asm__ volatile("int $0x80" : "+a"(ax) : : "memory", "rcx", "r11");
		printf("int $0x80  eax %ld\n", ax);
	} else {
		printf("int $0x80  signal %d code %d\n", got_sig, got_code);
	}
	return 0;
}
