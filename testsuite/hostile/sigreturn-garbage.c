/* A signal handler that rewrites its frame before it returns: rip (and rcx)
 * at elh's syscall stub, rip non-canonical, the FPU state pointer at the
 * system area, at nothing, misaligned; each ends as on Linux (SIGSEGV with
 * its code, the address where Linux gives one), never in a loop or elh's
 * own failure.  Each case runs in a child of its own, as some end the
 * process. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "hostile.h"

#define STUB 0x140001100ul /* the syscall stub with a 4 GiB arena */

static sigjmp_buf env;
static volatile int got_sig, got_code, at_target;
static volatile int which;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	at_target = (uintptr_t)si->si_addr == STUB;
	siglongjmp(env, 1);
}

static void on_usr1(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig;
	(void)si;
	switch (which) {
	case 0: g[REG_RIP] = g[REG_RCX] = STUB; break;
	case 1: g[REG_RIP] = (greg_t)0x8000000000000000ull; break;
	case 2: uc->uc_mcontext.fpregs = (fpregset_t)STUB; break;
	case 3: uc->uc_mcontext.fpregs = (fpregset_t)0x1000; break;
	case 4: uc->uc_mcontext.fpregs = (fpregset_t)((uintptr_t)uc->uc_mcontext.fpregs + 8); break;
	case 5:
		g[REG_RSP] = (greg_t)STUB;
		g[REG_RIP] = (greg_t)(uintptr_t)abort;
		break;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };
	static const char *const what[] = { "rip at the stub",	   "rip non-canonical",
					    "fpstate at the stub", "fpstate at nothing",
					    "fpstate misaligned",  "rsp at the stub" };

	hostile_init(argc, argv);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	sa.sa_sigaction = on_usr1;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	for (which = 0; which < 6; which++) {
		int st;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			if (sigsetjmp(env, 1) == 0) {
				raise(SIGUSR1);
				printf("%-20s came back\n", what[which]);
			} else {
				printf("%-20s signal %d code %d%s\n", what[which], got_sig,
				       got_code,
				       which == 0 ? (at_target ? ", at the stub" : ", elsewhere")
						  : "");
			}
			fflush(stdout);
			_exit(0);
		}
		CHECK(waitpid(pid, &st, 0) == pid);
		if (WIFSIGNALED(st))
			printf("%-20s killed by signal %d\n", what[which], WTERMSIG(st));
		else if (WEXITSTATUS(st))
			printf("%-20s exit %d\n", what[which], WEXITSTATUS(st));
	}
	return 0;
}
