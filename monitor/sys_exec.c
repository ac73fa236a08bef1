/*
 * execve and execveat: the virtualized process starts again on a new
 * program.
 *
 * The monitor does what the kernel would do to a process, to itself: it
 * executes elh again (/proc/self/exe) with the options it runs under, the
 * new program and the guest's argv and environment.  The process keeps
 * its pid, its open files (the guest's fds; the monitor's are close-on-
 * exec), its current directory, its limits, its signal mask, its pending
 * signals and the signals it ignores, as across a native execve; the
 * other threads end.
 *
 * Everything that can fail is checked first, while the calling program
 * still exists to be told: a missing file (ENOENT), one that is not a
 * regular executable file (EACCES), one that elh cannot run (ENOEXEC, with
 * a note on stderr saying why: another architecture, a dynamically linked
 * program whose interpreter is no x86-64 ld.so; ENOENT if it is missing,
 * as Linux says).  A script's "#!" line names its interpreter, which must
 * be a program elh can run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestmem.h"
#include "loader.h"
#include "process.h"
#include "run.h"
#include "signal.h"
#include "special.h"
#include "syscall.h"
#include "vm.h"

#define MAX_ARG_STRLEN (32 * 4096) /* Linux: one argument or variable */
#define SHEBANG_MAX    256	   /* Linux: the "#!" line read (BINPRM_BUF_SIZE) */

/* A vector of strings copied out of the guest, in one buffer. */
struct strvec {
	char **v;
	size_t n;
	char *buf;
	size_t used, size;
};

static void strvec_free(struct strvec *s)
{
	free(s->v);
	free(s->buf);
}

/* Copy the NULL-terminated vector of guest strings at gva (NULL: empty);
 * *budget bounds their total size, as ARG_MAX does. */
static long copy_strvec(struct elh_vm *vm, uint64_t gva, struct strvec *s, size_t *budget)
{
	memset(s, 0, sizeof(*s));
	s->size = *budget;
	s->buf = malloc(s->size ? s->size : 1);
	if (!s->buf)
		return -ENOMEM;
	for (size_t i = 0; gva; i++) {
		uint64_t p;
		char **nv;
		long len;

		if (elh_guest_read(&vm->arena, &p, gva + 8 * i, 8))
			return -EFAULT;
		if (!p)
			break;
		if (s->size - s->used < 1)
			return -E2BIG;
		len = elh_guest_read_string(
		    &vm->arena, s->buf + s->used,
		    s->size - s->used < MAX_ARG_STRLEN + 1 ? s->size - s->used : MAX_ARG_STRLEN + 1,
		    p);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		nv = realloc(s->v, (s->n + 2) * sizeof(*s->v));
		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->v[s->n++] = (char *)(uintptr_t)s->used; /* an offset until done */
		s->used += (size_t)len + 1;
	}
	if (!s->v && !(s->v = malloc(sizeof(*s->v))))
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		s->v[i] = s->buf + (uintptr_t)s->v[i];
	s->v[s->n] = NULL;
	*budget -= s->used;
	return 0;
}

/* What execve would say of path before loading it: 0, or -errno. */
static long check_file(const char *path, int nofollow)
{
	struct stat st;

	if ((nofollow ? lstat(path, &st) : stat(path, &st)) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return -EACCES;
	return 0;
}

static void note_as(struct elh_vm *vm, const char *what, const char *path, const char *why, long r)
{
	fprintf(vm->trace_out, "elh: %s: %s %s (returning %s)\n", what, path, why,
		r == -ENOENT ? "ENOENT" : "ENOEXEC");
	fflush(vm->trace_out);
}

static void note(struct elh_vm *vm, const char *what, const char *path, const char *why)
{
	fprintf(vm->trace_out, "elh: %s: %s %s (returning ENOEXEC)\n", what, path, why);
	fflush(vm->trace_out);
}

/*
 * 0 if elh can run the program at path; 1 if it is a script, with its
 * interpreter and optional argument in interp and arg; -ENOEXEC (with a
 * note) or another -errno otherwise.
 */
static long inspect(struct elh_vm *vm, const char *what, const char *path, char *interp,
		    size_t interplen, char *arg, size_t arglen)
{
	struct elh_elf_info info;
	char head[SHEBANG_MAX + 1], err[256];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, head, SHEBANG_MAX, 0);
	if (n < 0) {
		close(fd);
		return -EIO;
	}
	head[n] = 0;
	if (interp && n >= 2 && head[0] == '#' && head[1] == '!') {
		char *p = head + 2, *end = strchr(head, '\n'), *name;

		close(fd);
		if (!end) {
			note(vm, what, path, "has a \"#!\" line longer than 255 bytes");
			return -ENOEXEC;
		}
		*end = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		for (char *e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = 0;
		if (!*name) {
			note(vm, what, path, "has a \"#!\" line that names no interpreter");
			return -ENOEXEC;
		}
		snprintf(interp, interplen, "%s", name);
		snprintf(arg, arglen, "%s", p);
		return 1;
	}
	if (elh_elf_inspect(fd, &info, err, sizeof(err)) < 0) {
		close(fd);
		/* Linux refuses what is no ELF file at all just the same; an
		 * ELF program it would run deserves a word. */
		if (n >= 4 && !memcmp(head, "\177ELF", 4))
			note(vm, what, path, err);
		return -ENOEXEC;
	}
	close(fd);
	if (info.interp) {
		struct elh_elf_info ii;
		int ifd = elh_interp_open(&info, &ii, err, sizeof(err));

		if (ifd < 0) {
			long e = -errno;

			note_as(vm, what, path, err, e);
			elh_elf_release(&info);
			return e;
		}
		close(ifd);
		elh_elf_release(&ii);
	}
	elh_elf_release(&info);
	return 0;
}

/* The path execve names, as a path the new monitor can open. */
static long exec_path(struct elh_vcpu *cpu, int dirfd, uint64_t gpath, int flags, char *out,
		      size_t outlen)
{
	char name[PATH_MAX];
	long len;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	len = elh_guest_read_string(&cpu->vm->arena, name, sizeof(name), gpath);
	if (len < 0)
		return len;
	if (elh_exe_link(cpu->vm, name))
		len = snprintf(name, sizeof(name), "%s", elh_exe_link(cpu->vm, name));
	if (dirfd != AT_FDCWD && (dirfd < 0 || dirfd >= elh_sys_fd_bound(cpu->vm)))
		return -EBADF;
	if (!len && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (name[0] == '/' || dirfd == AT_FDCWD)
		len = snprintf(out, outlen, "%s%s", name[0] == '/' || strchr(name, '/') ? "" : "./",
			       name);
	else if (!len)
		len = snprintf(out, outlen, "/proc/self/fd/%d", dirfd);
	else
		len = snprintf(out, outlen, "/proc/self/fd/%d/%s", dirfd, name);
	if (len < 0 || (size_t)len >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* Set the host's soft RLIMIT_NOFILE to cur, at most the hard limit. */
static void host_nofile(rlim_t cur)
{
	struct rlimit host;

	if (getrlimit(RLIMIT_NOFILE, &host) == 0) {
		host.rlim_cur = cur < host.rlim_max ? cur : host.rlim_max;
		setrlimit(RLIMIT_NOFILE, &host);
	}
}

static long do_exec(struct elh_vcpu *cpu, int dirfd, uint64_t gpath, uint64_t gargv, uint64_t genvp,
		    int flags)
{
	struct elh_vm *vm = cpu->vm;
	const char *what = dirfd == AT_FDCWD && !flags ? "execve" : "execveat";
	char path[PATH_MAX], interp[SHEBANG_MAX], iarg[SHEBANG_MAX];
	struct strvec argv = { 0 }, envp = { 0 };
	struct elh_exec_signals sigsave;
	const struct elh_run_options *opt = vm->opt;
	char **margv = NULL, *argv0 = NULL;
	size_t budget, m = 0;
	long r, script;
	struct rlimit nofile;

	r = exec_path(cpu, dirfd, gpath, flags, path, sizeof(path));
	if (r < 0)
		return r;
	if (dirfd != AT_FDCWD && (r = fcntl(dirfd, F_GETFD)) < 0)
		return -EBADF;
	if (dirfd != AT_FDCWD && (r & FD_CLOEXEC) && !strncmp(path, "/proc/self/fd/", 14)) {
		/* The new monitor opens the program after the exec, when a
		 * close-on-exec fd is gone (fexecve of an O_CLOEXEC fd). */
		fprintf(vm->trace_out,
			"elh: %s: fd %d is close-on-exec, and elh opens the program after the exec "
			"(returning ENOEXEC)\n",
			what, dirfd);
		fflush(vm->trace_out);
		return -ENOEXEC;
	}
	r = check_file(path, flags & AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return r;
	script = inspect(vm, what, path, interp, sizeof(interp), iarg, sizeof(iarg));
	if (script < 0)
		return script;
	if (script) {
		char ipath[PATH_MAX];
		int n = snprintf(ipath, sizeof(ipath), "%s", interp);

		if (n < 0 || (size_t)n >= sizeof(ipath))
			return -ENAMETOOLONG;
		r = check_file(ipath, 0);
		if (r < 0)
			return r;
		r = inspect(vm, what, ipath, NULL, 0, NULL, 0);
		if (r < 0)
			return r;
	}

	budget = (size_t)sysconf(_SC_ARG_MAX);
	if (budget < 131072)
		budget = 131072;
	r = copy_strvec(vm, gargv, &argv, &budget);
	if (!r)
		r = copy_strvec(vm, genvp, &envp, &budget);
	if (r)
		goto out;

	/* elh run OPTIONS --argv0=ARGV0 -- PROGRAM [INTERP-ARG SCRIPT] ARGS */
	margv = calloc((size_t)opt->nopts + argv.n + 9, sizeof(*margv));
	if (!margv || asprintf(&argv0, "--argv0=%s",
			       script	? interp
			       : argv.n ? argv.v[0]
					: "") < 0) {
		argv0 = NULL;
		r = -ENOMEM;
		goto out;
	}
	margv[m++] = opt->self;
	margv[m++] = "run";
	for (int i = 0; i < opt->nopts; i++)
		margv[m++] = opt->opts[i];
	margv[m++] = vm->confined ? (vm->guest_no_new_privs ? "--exec-state=confined,nnp"
							    : "--exec-state=confined")
				  : (vm->guest_no_new_privs ? "--exec-state=nnp" : "--exec-state=");
	margv[m++] = argv0;
	margv[m++] = "--";
	if (script) {
		margv[m++] = interp;
		if (*iarg)
			margv[m++] = iarg;
	}
	margv[m++] = path;
	for (size_t i = 1; i < argv.n; i++)
		margv[m++] = argv.v[i];
	margv[m] = NULL;

	/* From here on, the old program is over unless the host refuses. */
	elh_process_ending(vm);
	elh_sys_nofile_get(vm, &nofile);
	host_nofile(nofile.rlim_cur);
	elh_signal_exec_prepare(cpu, &sigsave);
	execve("/proc/self/exe", margv, envp.v);
	r = -errno;
	elh_signal_exec_failed(cpu, &sigsave);
	host_nofile(RLIM_INFINITY); /* the monitor's own, as run.c sets it */
	fprintf(vm->trace_out, "elh: %s: cannot start elh again for %s: %s\n", what, path,
		strerror(-r));
	fflush(vm->trace_out);
out:
	free(argv0);
	free(margv);
	strvec_free(&argv);
	strvec_free(&envp);
	return r;
}

long elh_sys_execve(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return do_exec(cpu, AT_FDCWD, a[0], a[1], a[2], 0);
}

long elh_sys_execveat(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return do_exec(cpu, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}
