/* Running a virtualized process: set up the VM, load the program, run it. */
#ifndef ELH_STATIC
#include <dlfcn.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exitless.h"
#include "loader.h"
#include "memory.h"
#include "kvmguest.h"
#include "platform.h"
#include "run.h"
#include "signal.h"
#include "syscall.h"
#include "thread.h"
#include "vm.h"

extern char **environ;

static struct elh_vm the_vm;

/*
 * The guest's fds are [0, limit), the monitor's own at limit and above.
 * The host soft limit is raised so the monitor can place its fds there;
 * the guest sees `limit` as its RLIMIT_NOFILE (syscall.c virtualizes it).
 */
#define MONITOR_FDS 64 /* the monitor's own, besides its vCPUs' */

static int setup_fds(struct elh_vm *vm, char *err, size_t errlen)
{
	struct rlimit rl;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(err, errlen, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return -1;
	}
	vm->guest_fd_limit = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
	/* The monitor's fds include one per vCPU on KVM, so one per thread
	 * of a program whose threads are vCPUs.  Raise the hard limit for
	 * them where the host allows it (CAP_SYS_RESOURCE); where not, they
	 * come out of the guest's share: up to ELH_KVM_MAX_VCPUS of them,
	 * never more than a quarter of the hard limit. */
	if (rl.rlim_max != RLIM_INFINITY) {
		rlim_t most = vm->platform == &elh_platform_kvm ? ELH_KVM_MAX_VCPUS : 0;
		rlim_t vcpus = rl.rlim_max / 4 < most ? rl.rlim_max / 4 : most;
		rlim_t want = (rlim_t)vm->guest_fd_limit + MONITOR_FDS + most;
		struct rlimit up = { rl.rlim_cur, want };

		if (rl.rlim_max < want && setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
		if (rl.rlim_max < (rlim_t)vm->guest_fd_limit + MONITOR_FDS + vcpus)
			vm->guest_fd_limit = (int)(rl.rlim_max - MONITOR_FDS - vcpus);
		if (vm->guest_fd_limit < 64) {
			snprintf(err, errlen, "RLIMIT_NOFILE hard limit %lu is too low",
				 (unsigned long)rl.rlim_max);
			return -1;
		}
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, vm->guest_fd_limit);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < vm->guest_fd_limit) {
		snprintf(err, errlen, "cannot place the monitor's stderr above the guest's fds: %s",
			 strerror(errno));
		return -1;
	}
	vm->trace_out = fdopen(fd, "w");
	if (!vm->trace_out) {
		snprintf(err, errlen, "fdopen: %s", strerror(errno));
		return -1;
	}
	setvbuf(vm->trace_out, NULL, _IOLBF, 0);
	return 0;
}

/* Signals the monitor inherited as ignored stay ignored for the guest, and
 * its blocked mask becomes the guest's, as across execve. */
static uint64_t inherited_mask(void)
{
	sigset_t set;
	uint64_t mask = 0;

	pthread_sigmask(SIG_SETMASK, NULL, &set);
	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(&set, sig) == 1)
			mask |= 1ull << (sig - 1);
	return mask;
}

#ifndef ELH_PRELOAD_PATH
#define ELH_PRELOAD_PATH "" /* not installed anywhere: the build tree's only */
#endif

/* The shim: next to elh in the build tree (preload/), else where `make
 * install` put it; NULL if neither is there. */
static const char *preload_path(void)
{
	static char buf[PATH_MAX];
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			n = snprintf(buf, sizeof(buf), "%s/preload/libelh-preload.so", self);
			if (n > 0 && (size_t)n < sizeof(buf) && !access(buf, R_OK))
				return buf;
		}
	}
	return *ELH_PRELOAD_PATH && !access(ELH_PRELOAD_PATH, R_OK) ? ELH_PRELOAD_PATH : NULL;
}

/* Is this glibc's dynamic loader (ld-linux-x86-64.so.2 or another name of it)? */
static int glibc_interp(const char *interp)
{
	const char *base = strrchr(interp, '/');

	return !strncmp(base ? base + 1 : interp, "ld-linux", 8);
}

/*
 * The guest's environment with the shim appended to LD_PRELOAD (the
 * program's own preloads come first, so that they interpose on the shim
 * too); environ itself if the shim is there already or cannot be added.
 * The shim takes itself out again as it starts (preload/README.md).
 */
static char **preload_environment(const char *shim)
{
	size_t n = 0, at = (size_t)-1, len;
	char **env, *entry;
	const char *old = "";

	for (; environ[n]; n++)
		if (!strncmp(environ[n], "LD_PRELOAD=", 11)) {
			at = n;
			old = environ[n] + 11;
		}
	if (strstr(old, "libelh-preload.so"))
		return environ;
	env = calloc(n + 2, sizeof(*env));
	len = strlen(old) + strlen(shim) + 13;
	entry = malloc(len);
	if (!env || !entry) {
		free(env);
		free(entry);
		return environ;
	}
	snprintf(entry, len, "LD_PRELOAD=%s%s%s", old, *old ? ":" : "", shim);
	memcpy(env, environ, n * sizeof(*env));
	env[at == (size_t)-1 ? n : at] = entry;
	return env;
}

int elh_run(const struct elh_run_options *opt)
{
	char **envp = environ;
	struct elh_vm *vm = &the_vm;
	struct elh_elf_info info;
	struct elh_image img;
	struct elh_vcpu *cpu;
	uint64_t rsp, mask;
	sigset_t all;
	char err[512];
	int fd;

	fd = open(opt->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "elh: %s: %s\n", opt->path, strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (!realpath(opt->path, vm->exe_path))
		snprintf(vm->exe_path, sizeof(vm->exe_path), "%s", opt->path);
	if (elh_elf_inspect(fd, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "elh: %s %s\n", opt->path, err);
		close(fd);
		return 126;
	}
	/* A missing or unusable interpreter is the program's fault, told
	 * before anything is set up (elh_load opens it again). */
	if (info.interp) {
		struct elh_elf_info ii;
		int ifd = elh_interp_open(&info, &ii, err, sizeof(err));

		if (ifd < 0) {
			fprintf(stderr, "elh: %s %s\n", opt->path, err);
			elh_elf_release(&info);
			close(fd);
			return 126;
		}
		close(ifd);
		elh_elf_release(&ii);
	}

	/* No host signal may reach a thread before its handler stack exists. */
	mask = inherited_mask();
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	vm->platform = opt->platform;
	vm->opt = opt;
	/* Before an execve, the previous monitor's view: no_new_privs of the
	 * host may be the allowlist's own. */
	vm->guest_no_new_privs =
	    opt->exec_state ? opt->exec_guest_nnp : prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	elh_setid_ignored = vm->guest_no_new_privs;
	/* The filter is inherited: check that it is there. */
	vm->confined =
	    opt->exec_state && opt->exec_confined && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2;
	vm->trace = opt->trace;
	vm->stats = opt->stats;
	vm->vfork_fd = -1;
	pthread_mutex_init(&vm->thread_lock, NULL);

	if (setup_fds(vm, err, sizeof(err)) < 0)
		goto setup_failed;
#ifndef ELH_STATIC
	/* glibc's pthread_exit, which ends a vCPU thread, unwinds through
	 * libgcc_s and dlopens it the first time: that open would take a free
	 * fd in the guest's range while the guest runs, where a guest call can
	 * see it.  Load it now, while no guest fd exists.  (A static elh, the
	 * one elh-runc puts in containers, has the unwinder linked in.) */
	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE)) {
		snprintf(err, sizeof(err), "cannot load libgcc_s.so.1 (needed to end threads): %s",
			 dlerror());
		goto setup_failed;
	}
#endif
	if (elh_sys_stats_init(vm) < 0 || elh_signal_init(vm) < 0) {
		snprintf(err, sizeof(err), "out of memory");
		goto setup_failed;
	}
	if (elh_signal_inherit_ignored(vm) < 0) {
		snprintf(err, sizeof(err), "cannot read the inherited signal dispositions");
		goto setup_failed;
	}
	if (elh_mm_init(vm, opt->arena_size, err, sizeof(err)) < 0)
		goto setup_failed;
	vm->mn = opt->vcpus;
	if (vm->platform->init(vm, err, sizeof(err)) < 0)
		goto setup_failed;
	if (opt->exitless && elh_exitless_start(vm, opt->workers, opt->max_workers, opt->vcpus, err,
						sizeof(err)) < 0)
		goto setup_failed;

	if (elh_load(vm, fd, &info, &img, err, sizeof(err)) < 0) {
		fprintf(stderr, "elh: %s: %s\n", opt->path, err);
		close(fd);
		return 126;
	}
	close(fd);
	if (info.interp && opt->exitless && opt->preload && glibc_interp(info.interp)) {
		const char *shim = preload_path();

		if (shim)
			envp = preload_environment(shim);
		else if (opt->stats)
			fprintf(stderr, "elh: libelh-preload.so not found: %s runs without it\n",
				opt->path);
	}
	elh_elf_release(&info);
	if (elh_build_stack(vm, &img, opt->argc, opt->argv, envp, opt->path, &rsp, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "elh: %s: %s\n", opt->path, err);
		return 126;
	}

	cpu = elh_vcpu_new(vm);
	if (!cpu) {
		snprintf(err, sizeof(err), "out of memory");
		goto setup_failed;
	}
	cpu->regs.rip = img.start;
	cpu->regs.rsp = rsp;
	cpu->regs.rflags = ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1;
	cpu->sigmask = mask & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	if (elh_vcpu_start(cpu, err, sizeof(err)) < 0)
		goto setup_failed;
	elh_thread_register(cpu);
	if (vm->platform->confine && vm->platform->confine(vm, err, sizeof(err)) < 0)
		goto setup_failed;
	elh_vcpu_loop(cpu);

setup_failed:
	fprintf(stderr, "elh: %s\n", err);
	return 125;
}
