/* elh: command line of the ELH monitor. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm.h"
#include "memory.h"
#include "platform.h"
#include "run.h"

/* Exit statuses of elh's own failures, before the guest runs (as a shell
 * reports a command it cannot find or execute). */
enum {
	EXIT_SETUP = 125,    /* the monitor could not set up the VM */
	EXIT_NOEXEC = 126,   /* the program is not something elh can run */
	EXIT_NOTFOUND = 127, /* the program does not exist */
};

#ifdef ELH_SANITIZED
/*
 * configure --enable-sanitizers: the options the sanitizers take unless
 * ASAN_OPTIONS and UBSAN_OPTIONS say otherwise (tests run elh under
 * `env -i`).  Faults stay the guest's and the monitor's own signals; no
 * leak check at exit (the monitor ends with _exit(), its memory mapped);
 * a library the guest's environment preloads into elh too does not stop
 * ASan; UBSan stops at its first report.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:"
	       "verify_asan_link_order=0";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}
#endif

static void usage(FILE *f)
{
	fputs("Usage: elh run [OPTIONS] PROGRAM [ARGS...]\n"
	      "       elh check-kvm\n"
	      "       elh --help | --version\n"
	      "\n"
	      "Run an x86-64 Linux program as a virtualized process: inside a KVM\n"
	      "guest of its own, with its system calls carried out by elh on the host.\n"
	      "\n"
	      "Options of run:\n"
	      "  --mode=MODE        exitless (default): elh-musl programs submit eligible\n"
	      "                     calls through shared memory, without a VM exit;\n"
	      "                     hypercall: every call traps (unmodified programs\n"
	      "                     always do)\n"
	      "  --workers=N        exit-less worker threads (default 1)\n"
	      "  --max-workers=N    at most N workers, extra ones serving blocking calls\n"
	      "                     (default 128); past it blocking calls trap\n"
	      "  --vcpus=N          run the POSIX threads of an elh-musl program as\n"
	      "                     user-level threads over N vCPUs (1 to 64; in\n"
	      "                     exit-less mode the default is the host's CPUs);\n"
	      "                     per-thread: each thread is a vCPU of its own (the\n"
	      "                     default in hypercall mode).  In hypercall mode the\n"
	      "                     guest's own worker threads make its blocking calls\n"
	      "  --platform=NAME    kvm (default): a KVM guest; systrap: the guest runs in\n"
	      "                     elh's own address space, its system calls trapped by\n"
	      "                     seccomp -- no isolation, for hosts without KVM and tests\n",
	      f);
	fprintf(f, "  --arena-size=SIZE  guest memory arena, e.g. 512M or 8G (default %dG)\n",
		ELH_ARENA_DEFAULT_GIB);
	fputs("  --trace            print each system call on stderr\n"
	      "  --stats            print per-call counts and times at exit\n"
	      "  --argv0=NAME       the program's argv[0] (default: PROGRAM as given)\n"
	      "  --no-preload       do not preload libelh-preload.so into a dynamically\n"
	      "                     linked glibc program (exit-less mode preloads it)\n"
	      "\n"
	      "check-kvm tells whether this host's KVM can run guests, and if not why.\n"
	      "\n"
	      "Exit status: the program's own, or the signal that killed it; 125 when elh\n"
	      "cannot set up the VM, 126 when PROGRAM is not an x86-64 executable elh can\n"
	      "run (32-bit, another machine, a missing interpreter, set-user-ID),\n"
	      "127 when PROGRAM is not found.\n",
	      f);
}

static int check_kvm(void)
{
	char err[256];
	int fd = elh_kvm_open(err, sizeof(err));

	if (fd < 0) {
		printf("elh: KVM unusable: %s\n", err);
		return 1;
	}
	close(fd);
	if (elh_kvm_describe(stdout, err, sizeof(err)) < 0) {
		printf("elh: KVM unusable: %s\n", err);
		return 1;
	}
	return 0;
}

/* Find PROGRAM as execvp would: a name without a slash is looked up in PATH. */
static int resolve_program(const char *name, char *out, size_t outlen)
{
	const char *path, *p;

	if (strchr(name, '/')) {
		if (snprintf(out, outlen, "%s", name) >= (int)outlen)
			return -ENAMETOOLONG;
		return access(out, F_OK) ? -errno : 0;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = strchr(p, ':') + 1) {
		size_t len = strcspn(p, ":");

		if (snprintf(out, outlen, "%.*s%s%s", (int)len, len ? p : ".", "/", name) <
			(int)outlen &&
		    access(out, X_OK) == 0)
			return 0;
		if (!p[len])
			return -ENOENT;
	}
}

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end || v > (ULLONG_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/* M:N's default in exit-less mode: a vCPU per host CPU this process may
 * run on, at most 64. */
static int default_vcpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The options of opt, as `elh run` options: what an execve of the guest
 * runs elh again with (sys_exec.c). */
static char **exec_options(const struct elh_run_options *opt, int *n)
{
	static char buf[9][48];
	static char *v[9];
	int i = 0;

	snprintf(buf[i++], sizeof(buf[0]), "--mode=%s", opt->exitless ? "exitless" : "hypercall");
	snprintf(buf[i++], sizeof(buf[0]), "--platform=%s",
		 opt->platform == &elh_platform_systrap ? "systrap" : "kvm");
	if (opt->workers)
		snprintf(buf[i++], sizeof(buf[0]), "--workers=%d", opt->workers);
	snprintf(buf[i++], sizeof(buf[0]), "--max-workers=%d", opt->max_workers);
	if (opt->vcpus)
		snprintf(buf[i++], sizeof(buf[0]), "--vcpus=%d", opt->vcpus);
	else
		snprintf(buf[i++], sizeof(buf[0]), "--vcpus=per-thread");
	snprintf(buf[i++], sizeof(buf[0]), "--arena-size=%llu",
		 (unsigned long long)opt->arena_size);
	if (opt->trace)
		snprintf(buf[i++], sizeof(buf[0]), "--trace");
	if (opt->stats)
		snprintf(buf[i++], sizeof(buf[0]), "--stats");
	if (!opt->preload)
		snprintf(buf[i++], sizeof(buf[0]), "--no-preload");
	for (int k = 0; k < i; k++)
		v[k] = buf[k];
	*n = i;
	return v;
}

static int cmd_run(char *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "arena-size", required_argument, NULL, 'a' },
		{ "platform", required_argument, NULL, 'p' },
		{ "workers", required_argument, NULL, 'w' },
		{ "max-workers", required_argument, NULL, 'W' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "trace", no_argument, NULL, 't' },
		{ "stats", no_argument, NULL, 's' },
		{ "argv0", required_argument, NULL, '0' },
		{ "no-preload", no_argument, NULL, 'P' },
		{ "exec-state", required_argument, NULL, 'E' }, /* sys_exec.c's own */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct elh_run_options opt = {
		.platform = &elh_platform_kvm,
		.arena_size = ELH_ARENA_DEFAULT_SIZE,
		.exitless = 1,
		.preload = 1,
		.max_workers = 128,
		.vcpus = -1, /* by mode: see default_vcpus */
	};
	unsigned long long arena_size;
	static char path[PATH_MAX];
	char *argv0 = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "exitless") && strcmp(optarg, "hypercall")) {
				fprintf(stderr,
					"elh: unknown mode '%s' (use exitless or hypercall)\n",
					optarg);
				return 2;
			}
			opt.exitless = !strcmp(optarg, "exitless");
			break;
		case 'w': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 1 || n > 64) {
				fprintf(stderr, "elh: bad --workers '%s' (1 to 64)\n", optarg);
				return 2;
			}
			opt.workers = (int)n;
			break;
		}
		case 'W': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 2 || n > 1024) {
				fprintf(stderr, "elh: bad --max-workers '%s' (2 to 1024)\n",
					optarg);
				return 2;
			}
			opt.max_workers = (int)n;
			break;
		}
		case 'v': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (!strcmp(optarg, "per-thread")) {
				opt.vcpus = 0;
				break;
			}
			if (*end || end == optarg || n < 1 || n > 64) {
				fprintf(stderr, "elh: bad --vcpus '%s' (1 to 64, or per-thread)\n",
					optarg);
				return 2;
			}
			opt.vcpus = (int)n;
			break;
		}
		case 'a':
			if (parse_size(optarg, &arena_size) || arena_size < (16u << 20) ||
			    arena_size > (1ull << 45) || arena_size % 4096) {
				fprintf(stderr,
					"elh: bad --arena-size '%s' (a page multiple between 16M "
					"and 32T)\n",
					optarg);
				return 2;
			}
			opt.arena_size = arena_size;
			break;
		case 'p':
			if (!strcmp(optarg, "kvm")) {
				opt.platform = &elh_platform_kvm;
			} else if (!strcmp(optarg, "systrap")) {
				opt.platform = &elh_platform_systrap;
			} else {
				fprintf(stderr, "elh: unknown platform '%s' (use kvm or systrap)\n",
					optarg);
				return 2;
			}
			break;
		case 't': opt.trace = 1; break;
		case 's': opt.stats = 1; break;
		case '0': argv0 = optarg; break;
		case 'P': opt.preload = 0; break;
		case 'E':
			/* Not for users: the monitor that ran the guest's execve
			 * says what the process was (sys_exec.c). */
			opt.exec_state = 1;
			opt.exec_confined = strstr(optarg, "confined") != NULL;
			opt.exec_guest_nnp = strstr(optarg, "nnp") != NULL;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt.vcpus < 0)
		opt.vcpus = opt.exitless ? default_vcpus() : 0;
	if (opt.workers >= opt.max_workers) {
		fprintf(stderr, "elh: --workers=%d leaves no room under --max-workers=%d\n",
			opt.workers, opt.max_workers);
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "elh: run: no program given (see elh --help)\n");
		return 2;
	}

	r = resolve_program(argv[optind], path, sizeof(path));
	if (r < 0) {
		fprintf(stderr, "elh: %s: %s\n", argv[optind], strerror(-r));
		return r == -ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	opt.path = path;
	opt.argc = argc - optind;
	opt.argv = argv + optind;
	if (argv0)
		opt.argv[0] = argv0;
	opt.self = self;
	opt.opts = exec_options(&opt, &opt.nopts);
	return elh_run(&opt);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("elh %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "check-kvm"))
		return check_kvm();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argv[0], argc - 1, argv + 1);
	fprintf(stderr, "elh: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
