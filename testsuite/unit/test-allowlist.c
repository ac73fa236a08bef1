/* The monitor's seccomp allowlist (allowlist.c), made from a small table:
 * its rows are allowed, a row the table refuses and a call with no row
 * end the process with SIGSYS and a line naming the call. */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allowlist.h"
#include "unit.h"

#define N 512

/* What the child below calls after the filter is installed: its own
 * calls, and the violation path's (write, the signal calls, tgkill). */
static const struct elh_sysdesc table[N] = {
	[SYS_write] = { .name = "write" },
	[SYS_getppid] = { .name = "getppid" },
	[SYS_getpid] = { .name = "getpid" },
	[SYS_gettid] = { .name = "gettid" },
	[SYS_tgkill] = { .name = "tgkill" },
	[SYS_rt_sigaction] = { .name = "rt_sigaction" },
	[SYS_rt_sigprocmask] = { .name = "rt_sigprocmask" },
	[SYS_rt_sigreturn] = { .name = "rt_sigreturn" },
	[SYS_exit_group] = { .name = "exit_group" },
	[SYS_getuid] = { .name = "getuid", .flags = ELH_SYS_UNSUPPORTED },
};

static void on_sigsys(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	elh_allowlist_violation(info);
	_exit(5); /* not the allowlist's SIGSYS */
}

/* In a child: install the allowlist, check that an allowed call works,
 * then make call nr.  Returns the child's wait status; *msg gets what it
 * wrote on its message fd. */
static int confined_call(long nr, char *msg, size_t len)
{
	int p[2], st;
	pid_t pid, parent = getpid();
	ssize_t n, got = 0;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sigaction sa;
		char err[256];

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSYS, &sa, NULL);
		close(p[0]);
		if (elh_allowlist_install(table, N, p[1], err, sizeof(err)) < 0) {
			(void)!write(p[1], err, strlen(err));
			_exit(2);
		}
		if (syscall(SYS_getppid) != parent)
			_exit(3);
		syscall(nr);
		_exit(4); /* the call was allowed */
	}
	close(p[1]);
	while (got < (ssize_t)len - 1 && (n = read(p[0], msg + got, len - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(table_rows_are_allowed)
{
	ck_assert(elh_allowlist_allows(table, N, SYS_write));
	ck_assert(elh_allowlist_allows(table, N, SYS_exit_group));
	/* The kernel restarts the monitor's own interrupted sleeps with it. */
	ck_assert(elh_allowlist_allows(table, N, SYS_restart_syscall));
	ck_assert(!elh_allowlist_allows(table, N, SYS_getuid)); /* the table refuses it */
	ck_assert(!elh_allowlist_allows(table, N, SYS_getgid)); /* no row */
	ck_assert(!elh_allowlist_allows(table, N, -1));
	ck_assert(!elh_allowlist_allows(table, N, N + 5));
}
END_TEST

START_TEST(refused_row_ends_with_sigsys)
{
	char msg[512];
	int st = confined_call(SYS_getuid, msg, sizeof(msg));

	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x, said: %s", st, msg);
	ck_assert_str_eq(msg, "elh: the monitor made system call getuid (102), which its seccomp "
			      "allowlist refuses: a bug in elh (docs/SECURITY.md)\n");
}
END_TEST

START_TEST(call_without_row_ends_with_sigsys)
{
	char msg[512];
	int st = confined_call(SYS_getgid, msg, sizeof(msg));

	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x, said: %s", st, msg);
	ck_assert_ptr_nonnull(strstr(msg, "system call 104, which its seccomp allowlist refuses"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("allowlist");
	TCase *tc = tcase_create("allowlist");

	tcase_add_test(tc, table_rows_are_allowed);
	tcase_add_test(tc, refused_row_ends_with_sigsys);
	tcase_add_test(tc, call_without_row_ends_with_sigsys);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
