/*
 * The monitor's own system calls, confined: a seccomp filter (built with
 * libseccomp) that allows the calls the call table may make on the guest's
 * behalf, and the few the monitor needs besides, each with its reason.
 *
 * Design note.  On the KVM platform the guest's code never runs on a host
 * thread: every host system call is the monitor's, made for itself or for
 * a guest call the table has checked.  The table (syscall.c) is the list of
 * what may be made: a row that is not ELH_SYS_UNSUPPORTED names a call
 * whose handler makes it, or one like it, on the host; the table's
 * handlers and the monitor's own machinery (threads, signals, KVM, memory,
 * the re-execution of elh for the guest's execve) use nothing outside those
 * rows but what extra[] lists below.  What the filter refuses is therefore
 * either a bug of elh's or a guest that found a way to make the monitor
 * call something the table does not allow; it traps (SECCOMP_RET_TRAP) so
 * that elh can say which call it was, in one line, before it ends with
 * SIGSYS.  The calls the table refuses outright (capabilities and
 * credentials, namespaces, bpf, perf_event_open, io_uring, userfaultfd...)
 * and those it has no row for (ptrace is in the table; mount, kexec,
 * module loading, keyrings are not) are out of the monitor's reach.
 *
 * One filter for the whole process, installed once the VM is set up on
 * every thread there is (SECCOMP_FILTER_FLAG_TSYNC) and inherited by the
 * threads and processes started later, and across the monitor's
 * re-execution for a guest execve (the new monitor is told, and does not
 * stack a second copy).  libseccomp sets no_new_privs first, as an
 * unprivileged filter requires; the guest's own no_new_privs is virtual
 * (vm.h) and not affected.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "allowlist.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp trap (Linux's siginfo.h) */
#endif

/* Calls the monitor makes for itself that no row of the table names. */
static const struct {
	int nr;
	const char *why;
} extra[] = {
	{ SYS_restart_syscall,
	  "the kernel's own restart of a sleep of the monitor's that a signal interrupted" },
};

static const struct elh_sysdesc *table;
static unsigned table_n;
static int message_fd = 2;

int elh_allowlist_allows(const struct elh_sysdesc *tab, unsigned n, long nr)
{
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i].nr == nr)
			return 1;
	return nr >= 0 && (unsigned long)nr < n && tab[nr].name &&
	       !(tab[nr].flags & ELH_SYS_UNSUPPORTED);
}

void elh_allowlist_report_to(const struct elh_sysdesc *tab, unsigned n, int msg_fd)
{
	table = tab;
	table_n = n;
	message_fd = msg_fd;
}

int elh_allowlist_install(const struct elh_sysdesc *tab, unsigned n, int msg_fd, char *err,
			  size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int r = ctx ? 0 : -ENOMEM;
	const char *step = "seccomp_init";

	elh_allowlist_report_to(tab, n, msg_fd);
	for (unsigned nr = 0; !r && nr < n; nr++) {
		if (elh_allowlist_allows(tab, n, nr)) {
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)nr, 0);
			step = "seccomp_rule_add";
		}
	}
	for (size_t i = 0; !r && i < sizeof(extra) / sizeof(extra[0]); i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, extra[i].nr, 0);
		step = "seccomp_rule_add";
	}
	if (!r) {
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
		step = "seccomp_attr_set(TSYNC)";
	}
	if (!r) {
		r = seccomp_load(ctx);
		step = "seccomp_load";
	}
	if (ctx)
		seccomp_release(ctx);
	if (r) {
		snprintf(err, errlen,
			 "cannot confine the monitor with its seccomp allowlist: %s: %s", step,
			 strerror(-r));
		return -1;
	}
	return 0;
}

/* Async-signal-safe: the number's digits at the end of buf. */
static char *digits(long v, char *end)
{
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	*--end = '\0';
	do
		*--end = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--end = '-';
	return end;
}

static void say(const char *s)
{
	ssize_t r;

	for (size_t len = strlen(s); len; s += r, len -= (size_t)r)
		if ((r = write(message_fd, s, len)) <= 0)
			return;
}

void elh_allowlist_violation(const siginfo_t *info)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	long nr = info->si_syscall;
	char num[24];
	sigset_t set;

	if (info->si_signo != SIGSYS || info->si_code != SYS_SECCOMP)
		return;
	say("elh: the monitor made system call ");
	if (nr >= 0 && (unsigned long)nr < table_n && table && table[nr].name) {
		say(table[nr].name);
		say(" (");
		say(digits(nr, num + sizeof(num)));
		say(")");
	} else {
		say(digits(nr, num + sizeof(num)));
	}
	say(", which its seccomp allowlist refuses: a bug in elh (docs/SECURITY.md)\n");
	sigaction(SIGSYS, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGSYS);
	_exit(128 + SIGSYS);
}
