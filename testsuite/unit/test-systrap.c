/*
 * Unit tests of the systrap platform: guest code entered and left through
 * seccomp traps, faults and host signals, with registers, FS base and FPU
 * state carried across.  Each test runs in its own process (Check forks),
 * since the platform installs a seccomp filter and signal handlers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "platform.h"
#include "process.h"
#include "exitless.h"
#include "signal.h"
#include "vm.h"

#define ARENA_SIZE (1u << 20)

static struct elh_vm vm;
static struct elh_vcpu *cpu;
static uint8_t *arena;

/* signal.c calls these on the way out; a unit test has no process to end. */
void elh_process_ending(struct elh_vm *v)
{
}

/* No exit-less pool here: no worker call to stop. */
void elh_exitless_interrupt(struct elh_vcpu *c, int restart)
{
}

static void setup(void)
{
	char err[256];
	sigset_t none;

	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(arena, MAP_FAILED);
	memset(&vm, 0, sizeof(vm));
	vm.arena.base = (uintptr_t)arena;
	vm.arena.size = ARENA_SIZE;
	vm.platform = &elh_platform_systrap;
	pthread_mutex_init(&vm.thread_lock, NULL);
	ck_assert_int_eq(elh_signal_init(&vm), 0);
	ck_assert_msg(vm.platform->init(&vm, err, sizeof(err)) == 0, "%s", err);

	ck_assert_int_eq(posix_memalign((void **)&cpu, 64, sizeof(*cpu)), 0);
	memset(cpu, 0, sizeof(*cpu));
	cpu->vm = &vm;
	cpu->restart_nr = -1;
	elh_fpu_init(&cpu->fpu);
	ck_assert_msg(vm.platform->vcpu_init(cpu, err, sizeof(err)) == 0, "%s", err);
	cpu->tid = (pid_t)syscall(SYS_gettid);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	cpu->regs.rsp = vm.arena.base + ARENA_SIZE - 4096;
	cpu->regs.rflags = 0x202;
}

/* Place code at the start of the arena and point rip at it. */
static void code(const void *bytes, size_t len)
{
	memcpy(arena, bytes, len);
	cpu->regs.rip = vm.arena.base;
}

START_TEST(syscall_exits_then_resumes)
{
	/* mov $39,%eax; mov $7,%edi; mov $8,%esi; syscall; mov %rax,%rbx; ud2 */
	static const uint8_t c[] = { 0xb8, 39, 0, 0, 0,	   0xbf, 7,    0,    0,	   0,	 0xbe,
				     8,	   0,  0, 0, 0x0f, 0x05, 0x48, 0x89, 0xc3, 0x0f, 0x0b };
	struct elh_exit ex;

	code(c, sizeof(c));
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_SYSCALL);
	ck_assert_int_eq(ex.nr, 39);
	ck_assert_uint_eq(cpu->regs.rdi, 7);
	ck_assert_uint_eq(cpu->regs.rsi, 8);
	ck_assert_uint_eq(cpu->regs.rip, vm.arena.base + 17);

	cpu->regs.rax = 4242; /* the result the guest sees */
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_FAULT);
	ck_assert_int_eq(ex.info.si_signo, SIGILL);
	ck_assert_uint_eq(cpu->regs.rip, vm.arena.base + 20);
	ck_assert_uint_eq(cpu->regs.rbx, 4242);
}
END_TEST

START_TEST(fs_base_is_the_guests)
{
	/* mov %fs:0,%rbx; mov $39,%eax; syscall */
	static const uint8_t c[] = { 0x64, 0x48, 0x8b, 0x1c, 0x25, 0, 0,    0,
				     0,	   0xb8, 39,   0,    0,	   0, 0x0f, 0x05 };
	uint64_t magic = 0x1122334455667788ull;
	struct elh_exit ex;

	memcpy(arena + 0x1000, &magic, 8);
	cpu->regs.fs_base = vm.arena.base + 0x1000;
	code(c, sizeof(c));
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_SYSCALL);
	ck_assert_uint_eq(cpu->regs.rbx, magic);
	/* And the monitor's own TLS works again: errno is thread-local. */
	errno = 0;
	ck_assert_int_eq(close(-1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(fpu_state_survives_the_monitor)
{
	/* movq %rdi,%xmm3; mov $39,%eax; syscall; movq %xmm3,%rbx; ud2 */
	static const uint8_t c[] = { 0x66, 0x48, 0x0f, 0x6e, 0xdf, 0xb8, 39,   0,    0,	  0,
				     0x0f, 0x05, 0x66, 0x48, 0x0f, 0x7e, 0xdb, 0x0f, 0x0b };
	volatile double x = 1.0;
	struct elh_exit ex;

	cpu->regs.rdi = 0xdeadbeefcafef00dull;
	code(c, sizeof(c));
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_SYSCALL);
	/* The monitor uses SSE registers meanwhile. */
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25;
	__asm__ volatile("pxor %%xmm3, %%xmm3" ::: "xmm3");
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_FAULT);
	ck_assert_uint_eq(cpu->regs.rbx, 0xdeadbeefcafef00dull);
	ck_assert(x > 1.0);
}
END_TEST

START_TEST(faults_report_address)
{
	/* mov (%rdi),%rax with rdi = a PROT_NONE page */
	static const uint8_t c[] = { 0x48, 0x8b, 0x07 };
	struct elh_exit ex;

	ck_assert_int_eq(mprotect(arena + 0x8000, 4096, PROT_NONE), 0);
	cpu->regs.rdi = vm.arena.base + 0x8010;
	code(c, sizeof(c));
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_FAULT);
	ck_assert_int_eq(ex.info.si_signo, SIGSEGV);
	ck_assert_int_eq(ex.info.si_code, SEGV_ACCERR);
	ck_assert_ptr_eq(ex.info.si_addr, arena + 0x8010);
	ck_assert_uint_eq(cpu->regs.rip, vm.arena.base);
}
END_TEST

static void *send_later(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	syscall(SYS_tgkill, getpid(), *(pid_t *)arg, SIGUSR1);
	return NULL;
}

START_TEST(host_signal_interrupts_guest)
{
	/* jmp . */
	static const uint8_t c[] = { 0xeb, 0xfe };
	struct elh_exit ex;
	pthread_t t;
	sigset_t all, old;

	code(c, sizeof(c));
	/* The helper thread has no alternate stack: keep signals off it. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_create(&t, NULL, send_later, &cpu->tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	vm.platform->run(cpu, &ex);
	ck_assert_int_eq(ex.reason, ELH_EXIT_INTERRUPT);
	ck_assert_uint_eq(cpu->regs.rip, vm.arena.base);
	ck_assert(__atomic_load_n(&vm.sig, __ATOMIC_RELAXED) != NULL);
	pthread_join(t, NULL);
}
END_TEST

START_TEST(monitor_syscalls_are_not_trapped)
{
	/* The filter only traps system calls made from inside the arena. */
	ck_assert_int_eq(syscall(SYS_getppid), getppid());
	ck_assert_int_gt(write(STDOUT_FILENO, "", 0), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("systrap");
	TCase *tc = tcase_create("platform");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, syscall_exits_then_resumes);
	tcase_add_test(tc, fs_base_is_the_guests);
	tcase_add_test(tc, fpu_state_survives_the_monitor);
	tcase_add_test(tc, faults_report_address);
	tcase_add_test(tc, host_signal_interrupts_guest);
	tcase_add_test(tc, monitor_syscalls_are_not_trapped);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
