/* Unit tests of the system-call executor: the table, validation, hostile arguments, --trace,
 * --stats. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "allowlist.h"
#include "elh-calls.h"
#include "special.h"
#include "syscall-fixture.h"

struct elh_vm vm;
struct elh_vcpu cpu;
unsigned char *mem;
char tmpdir[PATH_MAX];
static size_t used;

long sys6(long nr, const uint64_t a[6])
{
	return elh_syscall(&cpu, nr, a);
}

void *galloc(size_t n)
{
	void *p;

	used = (used + 15) & ~(size_t)15;
	ck_assert_uint_le(used + n, ARENA_SIZE / 2); /* the upper half is for page games */
	p = mem + used;
	memset(p, 0, n);
	used += n;
	return p;
}

char *gstr(const char *s)
{
	return strcpy(galloc(strlen(s) + 1), s);
}

int monitor_fd(void)
{
	int fd = fcntl(0, F_DUPFD, LIMIT);

	if (fd < 0)
		fd = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, LIMIT);
	ck_assert_int_ge(fd, LIMIT);
	return fd;
}

char *stats_text(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	elh_sys_stats_print(&vm, f);
	fclose(f);
	return out;
}

void fixture_setup(void)
{
	struct rlimit rl;

	mem = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	used = 0;
	memset(&vm, 0, sizeof(vm));
	vm.arena.base = (uintptr_t)mem;
	vm.arena.size = ARENA_SIZE;
	vm.guest_fd_limit = LIMIT;
	vm.stats = 1;
	/* The monitor's fds sit at LIMIT and above. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < LIMIT + 64 &&
	    rl.rlim_max >= LIMIT + 64) {
		rl.rlim_cur = LIMIT + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ck_assert_int_eq(elh_sys_stats_init(&vm), 0);
	memset(&cpu, 0, sizeof(cpu));
	cpu.vm = &vm;
	cpu.tid = gettid();
	snprintf(tmpdir, sizeof(tmpdir), "%s/elh-sys-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_ptr_nonnull(getcwd(tmpdir, sizeof(tmpdir))); /* without symlinks */
	/* Tests use fds 0-2; make sure they exist. */
	while (fcntl(2, F_GETFD) < 0)
		ck_assert_int_ge(open("/dev/null", O_RDWR), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void fixture_teardown(void)
{
	if (chdir("/") == 0)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	elh_sys_stats_free(&vm);
	munmap(mem, ARENA_SIZE);
}

/* ---- the table ---- */

static int is_ptr_kind(unsigned k)
{
	return k >= ELH_ARG_PATH && k <= ELH_ARG_PTR;
}

START_TEST(table_is_consistent)
{
	unsigned nr, i, named = 0;

	ck_assert_uint_ge(elh_nsyscalls, 335);
	for (nr = 0; nr < elh_nsyscalls; nr++) {
		const struct elh_sysdesc *d = &elh_systab[nr];
		unsigned paths = 0, copies = 0;

		if (!d->name)
			continue;
		named++;
		ck_assert_msg(d->nargs <= 6, "%s: nargs", d->name);
		for (i = 0; i < 6; i++) {
			unsigned k = ELH_ARG_KIND(d->arg[i]);

			if (i >= d->nargs) {
				ck_assert_msg(d->arg[i] == ELH_ARG_NONE, "%s: kind past nargs",
					      d->name);
				continue;
			}
			ck_assert_msg(k != ELH_ARG_NONE && k < ELH_ARG_NKINDS, "%s: arg %u kind",
				      d->name, i);
			ck_assert_msg(!(d->arg[i] & ELH_ARG_OPT) || is_ptr_kind(k),
				      "%s: OPT on a non-pointer", d->name);
			if (k == ELH_ARG_PATH || k == ELH_ARG_STR)
				paths++;
			if (k == ELH_ARG_BUF_IN || k == ELH_ARG_BUF_OUT) {
				unsigned l = ELH_LEN_INDEX(d->len[i]);
				unsigned lk = ELH_ARG_KIND(d->arg[l]);

				ck_assert_msg(l < d->nargs &&
						  (lk == ELH_ARG_UINT || lk == ELH_ARG_INT),
					      "%s: length of arg %u", d->name, i);
			}
			if (k >= ELH_ARG_STRUCT_IN && k <= ELH_ARG_STRUCT_INOUT) {
				ck_assert_msg(d->len[i] > ELH_ST_NONE && d->len[i] < ELH_ST_COUNT,
					      "%s: struct of arg %u", d->name, i);
				ck_assert_uint_gt(elh_structs[d->len[i]].size, 0);
			}
			if (k == ELH_ARG_STRUCT_IN || k == ELH_ARG_STRUCT_INOUT) {
				copies++;
				ck_assert_msg(elh_structs[d->len[i]].size <= 64, "%s: copy slot",
					      d->name);
			}
			if (k == ELH_ARG_DIRFD)
				ck_assert_msg(i + 1 < d->nargs &&
						  ELH_ARG_KIND(d->arg[i + 1]) == ELH_ARG_PATH,
					      "%s: DIRFD without its PATH", d->name);
			if (k == ELH_ARG_STRUCT_INOUT)
				ck_assert_msg(!(d->flags & ELH_SYS_RAW), "%s: INOUT in RAW",
					      d->name);
		}
		ck_assert_msg(paths <= 2 && copies <= 3, "%s: scratch", d->name);
		if (d->flags & ELH_SYS_UNSUPPORTED)
			ck_assert_msg(!d->handler && d->note && !(d->flags & ELH_SYS_PASS),
				      "%s: unsupported needs a note and no handler", d->name);
		else if (d->flags & ELH_SYS_PASS)
			ck_assert_msg(!d->handler, "%s: PASS with a handler", d->name);
		else
			ck_assert_msg(d->handler != NULL, "%s: no handler", d->name);
	}
	ck_assert_uint_ge(named, 240);
	ck_assert_str_eq(elh_systab[SYS_read].name, "read");
	ck_assert_str_eq(elh_systab[SYS_newfstatat].name, "newfstatat");
	ck_assert(elh_systab[SYS_exit_group].flags & ELH_SYS_NO_RETURN);
}
END_TEST

/* Every call of the shared table of rules (elh-calls.h) is one the
 * executor knows: a row for a call it does not know is a misspelling or a
 * call that lost its entry.  io_getevents and friends are the exceptions
 * (ENOSYS here, but nptl-elh's pool may make them natively). */
START_TEST(rules_name_known_calls)
{
#define KNOWN(nm, ...)                                                                             \
	ck_assert_msg(SYS_##nm == SYS_io_getevents || SYS_##nm == SYS_io_pgetevents ||             \
			  SYS_##nm == SYS_mq_timedsend || SYS_##nm == SYS_mq_timedreceive ||       \
			  elh_systab[SYS_##nm].name,                                               \
		      "%s: a rule for a call the executor does not know", #nm);
	ELH_CALLS(KNOWN)
#undef KNOWN
	ck_assert(elh_call_blocks(SYS_read) && elh_call_blocks(SYS_accept));
	ck_assert(!elh_call_blocks(SYS_getpid));
}
END_TEST

/* Everything a static musl or glibc program calls has an entry. */
START_TEST(table_covers_the_libcs)
{
	static const int needed[] = {
		SYS_read,
		SYS_write,
		SYS_pread64,
		SYS_pwrite64,
		SYS_readv,
		SYS_writev,
		SYS_preadv,
		SYS_pwritev,
		SYS_open,
		SYS_openat,
		SYS_creat,
		SYS_close,
		SYS_close_range,
		SYS_lseek,
		SYS_stat,
		SYS_fstat,
		SYS_lstat,
		SYS_newfstatat,
		SYS_statx,
		SYS_statfs,
		SYS_fstatfs,
		SYS_access,
		SYS_faccessat,
		SYS_faccessat2,
		SYS_readlink,
		SYS_readlinkat,
		SYS_getdents64,
		SYS_mkdir,
		SYS_mkdirat,
		SYS_rmdir,
		SYS_unlink,
		SYS_unlinkat,
		SYS_rename,
		SYS_renameat,
		SYS_renameat2,
		SYS_link,
		SYS_linkat,
		SYS_symlink,
		SYS_symlinkat,
		SYS_chmod,
		SYS_fchmod,
		SYS_fchmodat,
		SYS_chown,
		SYS_fchown,
		SYS_lchown,
		SYS_fchownat,
		SYS_truncate,
		SYS_ftruncate,
		SYS_fsync,
		SYS_fdatasync,
		SYS_sync,
		SYS_fallocate,
		SYS_utimensat,
		SYS_umask,
		SYS_chdir,
		SYS_fchdir,
		SYS_getcwd,
		SYS_dup,
		SYS_dup2,
		SYS_dup3,
		SYS_fcntl,
		SYS_flock,
		SYS_sendfile,
		SYS_copy_file_range,
		SYS_memfd_create,
		SYS_pipe,
		SYS_pipe2,
		SYS_socket,
		SYS_socketpair,
		SYS_bind,
		SYS_listen,
		SYS_accept,
		SYS_accept4,
		SYS_connect,
		SYS_getsockname,
		SYS_getpeername,
		SYS_sendto,
		SYS_recvfrom,
		SYS_sendmsg,
		SYS_recvmsg,
		SYS_sendmmsg,
		SYS_recvmmsg,
		SYS_shutdown,
		SYS_setsockopt,
		SYS_getsockopt,
		SYS_poll,
		SYS_ppoll,
		SYS_select,
		SYS_pselect6,
		SYS_epoll_create,
		SYS_epoll_create1,
		SYS_epoll_ctl,
		SYS_epoll_wait,
		SYS_epoll_pwait,
		SYS_eventfd,
		SYS_eventfd2,
		SYS_timerfd_create,
		SYS_timerfd_settime,
		SYS_timerfd_gettime,
		SYS_signalfd4,
		SYS_clock_gettime,
		SYS_clock_getres,
		SYS_clock_nanosleep,
		SYS_nanosleep,
		SYS_gettimeofday,
		SYS_time,
		SYS_times,
		SYS_getitimer,
		SYS_setitimer,
		SYS_alarm,
		SYS_getrandom,
		SYS_uname,
		SYS_getrlimit,
		SYS_setrlimit,
		SYS_prlimit64,
		SYS_getrusage,
		SYS_sysinfo,
		SYS_getpid,
		SYS_getppid,
		SYS_getuid,
		SYS_geteuid,
		SYS_getgid,
		SYS_getegid,
		SYS_getgroups,
		SYS_getpgrp,
		SYS_getpgid,
		SYS_setpgid,
		SYS_getsid,
		SYS_setsid,
		SYS_getresuid,
		SYS_getresgid,
		SYS_sched_yield,
		SYS_sched_getaffinity,
		SYS_sched_setaffinity,
		SYS_getpriority,
		SYS_setpriority,
		SYS_prctl,
		SYS_ioctl,
		SYS_wait4,
		SYS_waitid,
		SYS_mmap,
		SYS_munmap,
		SYS_mprotect,
		SYS_mremap,
		SYS_brk,
		SYS_madvise,
		SYS_msync,
		SYS_mincore,
		SYS_clone,
		SYS_clone3,
		SYS_fork,
		SYS_vfork,
		SYS_execve,
		SYS_execveat,
		SYS_exit,
		SYS_exit_group,
		SYS_futex,
		SYS_set_tid_address,
		SYS_set_robust_list,
		SYS_get_robust_list,
		SYS_arch_prctl,
		SYS_gettid,
		SYS_tkill,
		SYS_tgkill,
		SYS_rseq,
		SYS_rt_sigaction,
		SYS_rt_sigprocmask,
		SYS_rt_sigreturn,
		SYS_rt_sigsuspend,
		SYS_rt_sigpending,
		SYS_rt_sigtimedwait,
		SYS_rt_sigqueueinfo,
		SYS_sigaltstack,
		SYS_kill,
		SYS_pause,
	};
	size_t i;

	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		ck_assert_msg(elh_systab[needed[i]].name, "no entry for syscall %d", needed[i]);
	/* The special calls go to special.h's handlers with the raw registers. */
	ck_assert(elh_systab[SYS_mmap].handler == elh_sys_mmap);
	ck_assert(elh_systab[SYS_mmap].flags & ELH_SYS_RAW);
	ck_assert(elh_systab[SYS_rt_sigreturn].handler == elh_sys_rt_sigreturn);
	ck_assert(elh_systab[SYS_signalfd4].flags & ELH_SYS_UNSUPPORTED);
}
END_TEST

START_TEST(errno_names)
{
	ck_assert_str_eq(elh_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(elh_errno_name(EAGAIN), "EAGAIN");
	ck_assert_str_eq(elh_errno_name(EHWPOISON), "EHWPOISON");
	ck_assert_ptr_null(elh_errno_name(0));
	ck_assert_ptr_null(elh_errno_name(-1));
	ck_assert_ptr_null(elh_errno_name(4000));
}
END_TEST

/* ---- unknown and unsupported numbers ---- */

START_TEST(unknown_numbers_are_enosys)
{
	ck_assert_int_eq(SC(1000), -ENOSYS);
	ck_assert_int_eq(SC(1000, 1, 2, 3), -ENOSYS);
	ck_assert_int_eq(SC(-1), -ENOSYS);
	ck_assert_int_eq(SC(0x40000000 | 0), -ENOSYS);	/* x32 read */
	ck_assert_int_eq(SC(0x40000000 | 39), -ENOSYS); /* x32 getpid */
	ck_assert_int_eq(SC(LONG_MIN), -ENOSYS);
	ck_assert_int_eq(SC(SYS_add_key, 0, 0, 0, 0, 0), -ENOSYS); /* no entry */
	ck_assert_int_eq(SC(SYS_signalfd4, 0, 0, 8, 0), -ENOSYS);
	ck_assert_int_eq(SC(SYS_kcmp, getpid(), getpid(), 0, 0, 0), -ENOSYS);
	ck_assert_int_eq(SC(SYS_seccomp, 0, 0, 0), -ENOSYS);
	ck_assert_int_eq(SC(SYS_setuid, 0), -ENOSYS);
}
END_TEST

/* process_vm_readv/writev: this process only, and only inside the arena on
 * both sides; ptrace: never. */
START_TEST(process_vm_stays_in_the_arena)
{
	struct iovec *l = galloc(sizeof(*l)), *r = galloc(sizeof(*r));
	char *src = galloc(8), *dst = galloc(8);
	static char monitor_byte = 'm';

	memcpy(src, "arena!", 7);
	l->iov_base = dst;
	l->iov_len = 7;
	r->iov_base = src;
	r->iov_len = 7;
	ck_assert_int_eq(SC(SYS_process_vm_readv, getpid(), ELH_U64(l), 1, ELH_U64(r), 1, 0), 7);
	ck_assert_str_eq(dst, "arena!");
	/* The remote side in the monitor's memory: as unmapped memory. */
	r->iov_base = &monitor_byte;
	r->iov_len = 1;
	ck_assert_int_eq(SC(SYS_process_vm_writev, getpid(), ELH_U64(l), 1, ELH_U64(r), 1, 0),
			 -EFAULT);
	ck_assert_int_eq(SC(SYS_process_vm_readv, getpid(), ELH_U64(l), 1, ELH_U64(r), 1, 0),
			 -EFAULT);
	ck_assert_int_eq(monitor_byte, 'm');
	/* Another process may be another monitor. */
	ck_assert_int_eq(SC(SYS_process_vm_readv, getppid(), ELH_U64(l), 1, ELH_U64(r), 1, 0),
			 -EPERM);
	ck_assert_int_eq(SC(SYS_process_vm_readv, getpid(), ELH_U64(l), 1, ELH_U64(r), 1, 1),
			 -EINVAL);
	ck_assert_int_eq(SC(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0), -EPERM);
	ck_assert_int_eq(SC(SYS_ptrace, 16 /* PTRACE_ATTACH */, getpid(), 0, 0), -EPERM);
}
END_TEST

/* Find the row of name in a stats table and read its numbers. */
static int stats_row(const char *text, const char *name, unsigned long *calls,
		     unsigned long *errors)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	if (!p)
		return -1;
	return sscanf(p + strlen(key), "%lu %lu", calls, errors) == 2 ? 0 : -1;
}

/* The count printed after label in the unsupported sections. */
static long unsupported_count(const char *text, const char *label)
{
	char key[96];
	const char *p;
	long n;

	snprintf(key, sizeof(key), "\n  %s ", label);
	p = strstr(text, key);
	if (!p || sscanf(p + strlen(key), "%ld", &n) != 1)
		return -1;
	return n;
}

START_TEST(stats_table)
{
	unsigned long calls, errors;
	char *t, *buf = galloc(16);
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(SC(SYS_getpid), getpid());
	ck_assert_int_eq(SC(SYS_read, -1, G(buf), 16), -EBADF);
	ck_assert_int_eq(SC(SYS_read, 0, G(buf), 0), 0);
	SC(1000);
	SC(1000);
	SC(-1);
	SC(0x40000000);
	SC(SYS_signalfd4, 0, 0, 8, 0);
	SC(SYS_ioctl, 0, 0x12345678, 0);
	SC(SYS_fcntl, 0, 12345, 0);
	SC(SYS_prctl, 9999, 0, 0, 0, 0);
	SC(SYS_socket, AF_PACKET, SOCK_RAW, 0);
	SC(SYS_setsockopt, 0, IPPROTO_IP, 64, 0, 0);

	t = stats_text();
	ck_assert_msg(strstr(t, "syscall") == t, "header first: %s", t);
	ck_assert_ptr_nonnull(strstr(t, "calls"));
	ck_assert_ptr_nonnull(strstr(t, "errors"));
	ck_assert_ptr_nonnull(strstr(t, "total(us)"));
	ck_assert_ptr_nonnull(strstr(t, "mean(us)"));
	ck_assert_int_eq(stats_row(t, "getpid", &calls, &errors), 0);
	ck_assert_uint_eq(calls, 3);
	ck_assert_uint_eq(errors, 0);
	ck_assert_int_eq(stats_row(t, "read", &calls, &errors), 0);
	ck_assert_uint_eq(calls, 2);
	ck_assert_uint_eq(errors, 1);
	ck_assert_int_eq(stats_row(t, "total", &calls, &errors), 0);
	ck_assert_uint_ge(calls, 5);
	/* Unsupported numbers are not in the main table, but listed apart. */
	ck_assert_ptr_null(strstr(t, "\nsignalfd4 "));
	ck_assert_ptr_nonnull(strstr(t, "unsupported system calls (ENOSYS):"));
	ck_assert_int_eq(unsupported_count(t, "syscall_1000"), 2);
	ck_assert_int_eq(unsupported_count(t, "syscall_-1"), 1);
	ck_assert_int_eq(unsupported_count(t, "x32 syscall 0x40000000"), 1);
	ck_assert_int_eq(unsupported_count(t, "signalfd4 (289)"), 1);
	ck_assert_ptr_nonnull(strstr(t, "unsupported ioctl requests (ENOTTY):"));
	ck_assert_int_eq(unsupported_count(t, "0x12345678"), 1);
	ck_assert_ptr_nonnull(strstr(t, "unsupported fcntl commands (EINVAL):"));
	ck_assert_int_eq(unsupported_count(t, "12345"), 1);
	ck_assert_ptr_nonnull(strstr(t, "unsupported prctl options (EINVAL):"));
	ck_assert_int_eq(unsupported_count(t, "9999"), 1);
	ck_assert_ptr_nonnull(strstr(t, "refused socket families (EAFNOSUPPORT):"));
	ck_assert_int_eq(unsupported_count(t, "17"), 1);
	ck_assert_int_eq(unsupported_count(t, "level 0 option 64"), 1);
	free(t);
}
END_TEST

struct hammer {
	struct elh_vcpu cpu;
	int n;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	uint64_t a[6] = { 0 };
	int i;

	h->cpu.tid = gettid();
	for (i = 0; i < h->n; i++) {
		elh_syscall(&h->cpu, SYS_getppid, a);
		elh_syscall(&h->cpu, 1000 + (i & 3), a);
	}
	return NULL;
}

/* Counters are exact with several host threads calling at once. */
START_TEST(stats_are_thread_safe)
{
	struct hammer h[4];
	pthread_t th[4];
	unsigned long calls, errors;
	char *t;
	int i;

	for (i = 0; i < 4; i++) {
		h[i].cpu = cpu;
		h[i].n = 2000;
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	t = stats_text();
	ck_assert_int_eq(stats_row(t, "getppid", &calls, &errors), 0);
	ck_assert_uint_eq(calls, 8000);
	ck_assert_int_eq(unsupported_count(t, "syscall_1000"), 2000);
	ck_assert_int_eq(unsupported_count(t, "syscall_1003"), 2000);
	free(t);
}
END_TEST

/* ---- hostile arguments ---- */

START_TEST(pointer_outside_arena)
{
	char stack_buf[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(SC(SYS_write, p[1], G(stack_buf), sizeof(stack_buf)), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, p[0], G(stack_buf), sizeof(stack_buf)), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, p[0], 0, 1), -EFAULT);
	ck_assert_int_eq(SC(SYS_fstat, p[0], G(stack_buf)), -EFAULT);
	ck_assert_int_eq(SC(SYS_clock_gettime, CLOCK_MONOTONIC, G(stack_buf)), -EFAULT);
	ck_assert_int_eq(SC(SYS_nanosleep, G(stack_buf), 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_uname, vm.arena.base - 4096), -EFAULT);
	ck_assert_int_eq(SC(SYS_open, G("/etc/passwd"), O_RDONLY, 0), -EFAULT);
	/* A zero-length buffer is never touched, wherever it points. */
	ck_assert_int_eq(SC(SYS_write, p[1], G(stack_buf), 0), 0);
}
END_TEST

START_TEST(pointer_length_overflow)
{
	unsigned char *buf = galloc(64);
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(SC(SYS_write, p[1], G(buf), UINT64_MAX - 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_write, p[1], G(buf) + 16, UINT64_MAX), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, p[0], G(buf), (uint64_t)-1), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, p[0], UINT64_MAX, 2), -EFAULT);
	ck_assert_int_eq(SC(SYS_getrandom, G(buf), 1ull << 63, 0), -EFAULT);
	/* getdents64's count is an unsigned int: the upper half is ignored. */
	ck_assert_int_eq(SC(SYS_getdents64, p[0], G(buf), (1ull << 32) | 64), -ENOTDIR);
}
END_TEST

START_TEST(length_straddles_arena_end)
{
	uint64_t end = vm.arena.base + vm.arena.size;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(SC(SYS_write, p[1], end - 4, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, p[0], end - 4, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_clock_gettime, CLOCK_REALTIME, end - 8), -EFAULT);
	memcpy(mem + ARENA_SIZE - 4, "tail", 4);
	ck_assert_int_eq(SC(SYS_write, p[1], end - 4, 4), 4);
	ck_assert_int_eq(SC(SYS_read, p[0], end - 4, 4), 4);
	ck_assert_int_eq(SC(SYS_clock_gettime, CLOCK_REALTIME, end - 16), 0);
}
END_TEST

START_TEST(path_checks)
{
	unsigned char *page = mem + ARENA_SIZE - 8 * 4096;
	char *longpath = galloc(PATH_MAX + 100);

	/* Not NUL-terminated before a PROT_NONE page. */
	ck_assert_int_eq(mprotect(page, 4096, PROT_NONE), 0);
	memset(page - 10, 'a', 10);
	ck_assert_int_eq(SC(SYS_open, G(page - 10), O_RDONLY, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_mkdir, G(page - 10), 0700), -EFAULT);
	/* Ending right before it is fine. */
	page[-1] = 0;
	ck_assert_int_eq(SC(SYS_open, G(page - 10), O_RDONLY, 0), -ENOENT);
	/* On the page itself. */
	ck_assert_int_eq(SC(SYS_stat, G(page), G(galloc(sizeof(struct stat)))), -EFAULT);
	/* NULL, and past PATH_MAX. */
	ck_assert_int_eq(SC(SYS_open, 0, O_RDONLY, 0), -EFAULT);
	memset(longpath, 'x', PATH_MAX + 50);
	ck_assert_int_eq(SC(SYS_open, G(longpath), O_RDONLY, 0), -ENAMETOOLONG);
	ck_assert_int_eq(SC(SYS_rename, G(gstr("a")), G(longpath)), -ENAMETOOLONG);
	/* A name that is not a path: too long is EINVAL, as memfd_create says. */
	ck_assert_int_eq(SC(SYS_memfd_create, G(longpath), 0), -EINVAL);
	/* Runs off the end of the arena. */
	memset(mem + ARENA_SIZE - 4, 'z', 4);
	ck_assert_int_eq(SC(SYS_unlink, vm.arena.base + ARENA_SIZE - 4), -EFAULT);
}
END_TEST

START_TEST(bad_fds)
{
	char *buf = galloc(64);
	struct stat *st = galloc(sizeof(*st));

	ck_assert_int_eq(SC(SYS_read, -1, G(buf), 1), -EBADF);
	ck_assert_int_eq(SC(SYS_close, -1), -EBADF);
	ck_assert_int_eq(SC(SYS_fstat, -1, G(st)), -EBADF);
	ck_assert_int_eq(SC(SYS_read, LIMIT, G(buf), 1), -EBADF);
	ck_assert_int_eq(SC(SYS_write, LIMIT + 5, G(buf), 1), -EBADF);
	ck_assert_int_eq(SC(SYS_fcntl, LIMIT, F_GETFD, 0), -EBADF);
	ck_assert_int_eq(SC(SYS_dup, INT_MAX), -EBADF);
	ck_assert_int_eq(SC(SYS_openat, -5, G(gstr("rel")), O_RDONLY, 0), -EBADF);
	/* Linux reads fd arguments as 32-bit: the upper half is ignored. */
	ck_assert_int_eq(SC(SYS_fstat, (1ull << 32) | 0, G(st)), 0);
	ck_assert_int_eq(SC(SYS_fstat, 0xffffffffull, G(st)), -EBADF);
}
END_TEST

/* An fd the monitor owns is never usable by the guest. */
START_TEST(monitor_fd_is_refused)
{
	int mfd = monitor_fd();
	char *buf = galloc(64);
	struct stat *st = galloc(sizeof(*st));
	struct pollfd *pfd = galloc(sizeof(*pfd));
	struct epoll_event *ev = galloc(sizeof(*ev));
	long ep;

	ck_assert_int_eq(SC(SYS_read, mfd, G(buf), 1), -EBADF);
	ck_assert_int_eq(SC(SYS_close, mfd), -EBADF);
	ck_assert_int_eq(SC(SYS_fstat, mfd, G(st)), -EBADF);
	ck_assert_int_eq(SC(SYS_dup, mfd), -EBADF);
	ck_assert_int_eq(SC(SYS_dup2, 0, mfd), -EBADF);
	ck_assert_int_eq(SC(SYS_dup3, 0, mfd, O_CLOEXEC), -EBADF);
	ck_assert_int_eq(SC(SYS_dup2, mfd, 10), -EBADF);
	ck_assert_int_eq(SC(SYS_fchdir, mfd), -EBADF);
	ck_assert_int_eq(SC(SYS_ioctl, mfd, FIONREAD, G(buf)), -EBADF);
	ck_assert_int_eq(SC(SYS_fcntl, 0, F_DUPFD, LIMIT), -EINVAL);
	ck_assert_int_eq(SC(SYS_fcntl, 0, F_DUPFD_CLOEXEC, mfd), -EINVAL);
	ck_assert_int_eq(SC(SYS_openat, mfd, G(gstr("relative")), O_RDONLY, 0), -EBADF);
	ck_assert_int_eq(SC(SYS_newfstatat, mfd, G(gstr("")), G(st), AT_EMPTY_PATH), -EBADF);
	/* An absolute path makes Linux ignore the dirfd; the host gets AT_FDCWD. */
	ep = SC(SYS_openat, mfd, G(gstr("/dev/null")), O_RDONLY, 0);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_lt(ep, LIMIT);
	/* poll reports POLLNVAL and returns at once, even without a timeout. */
	pfd->fd = mfd;
	pfd->events = POLLIN;
	ck_assert_int_eq(SC(SYS_poll, G(pfd), 1, -1), 1);
	ck_assert_int_eq(pfd->revents, POLLNVAL);
	ck_assert_int_eq(pfd->fd, mfd);
	ep = SC(SYS_epoll_create1, 0);
	ck_assert_int_ge(ep, 0);
	ev->events = EPOLLIN;
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, mfd, G(ev)), -EBADF);
	ck_assert_int_eq(SC(SYS_epoll_ctl, mfd, EPOLL_CTL_ADD, 0, G(ev)), -EBADF);
	/* close_range stays below the limit. */
	ck_assert_int_eq(dup2(0, LIMIT - 3), LIMIT - 3);
	ck_assert_int_eq(SC(SYS_close_range, LIMIT - 3, ~0u, 0), 0);
	ck_assert_int_eq(fcntl(LIMIT - 3, F_GETFD), -1);
	ck_assert_int_eq(SC(SYS_close_range, LIMIT, ~0u, 0), 0);
	/* It is still open after all that. */
	ck_assert_int_ge(fcntl(mfd, F_GETFD), 0);
}
END_TEST

/* A new fd at or above the limit is closed: the guest gets EMFILE. */
START_TEST(new_fd_above_limit)
{
	struct rlimit *r = galloc(sizeof(*r));
	long fd;
	int lowest = dup(0);

	close(lowest);
	r->rlim_cur = lowest;
	r->rlim_max = LIMIT;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(r)), 0);
	ck_assert_int_eq(SC(SYS_open, G(gstr("/dev/null")), O_RDONLY, 0), -EMFILE);
	ck_assert_int_eq(fcntl(lowest, F_GETFD), -1); /* closed again */
	ck_assert_int_eq(SC(SYS_dup, 0), -EMFILE);
	ck_assert_int_eq(SC(SYS_pipe, G(galloc(8))), -EMFILE);
	ck_assert_int_eq(fcntl(lowest, F_GETFD), -1);
	ck_assert_int_eq(SC(SYS_dup2, 0, lowest), -EBADF);
	ck_assert_int_eq(SC(SYS_fcntl, 0, F_DUPFD, lowest), -EINVAL);
	r->rlim_cur = LIMIT;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(r)), 0);
	fd = SC(SYS_open, G(gstr("/dev/null")), O_RDONLY, 0);
	ck_assert_int_eq(fd, lowest);
}
END_TEST

/* ---- limits, identity, misc ---- */

START_TEST(rlimit_nofile_is_virtual)
{
	struct rlimit *r = galloc(sizeof(*r)), *old = galloc(sizeof(*old)), host, before;
	long fd, last = -1;

	getrlimit(RLIMIT_NOFILE, &before);
	ck_assert_int_eq(SC(SYS_getrlimit, RLIMIT_NOFILE, G(r)), 0);
	ck_assert_uint_eq(r->rlim_max, LIMIT);
	ck_assert_uint_le(r->rlim_cur, LIMIT);
	ck_assert_int_eq(SC(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, G(old)), 0);
	ck_assert_uint_eq(old->rlim_max, LIMIT);

	r->rlim_cur = LIMIT;
	r->rlim_max = LIMIT + 1;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(r)), -EPERM);
	r->rlim_cur = LIMIT;
	r->rlim_max = 10;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(r)), -EINVAL);
	r->rlim_cur = 10;
	r->rlim_max = 100;
	ck_assert_int_eq(SC(SYS_prlimit64, 0, RLIMIT_NOFILE, G(r), G(old)), 0);
	ck_assert_uint_eq(old->rlim_max, LIMIT);
	ck_assert_int_eq(SC(SYS_getrlimit, RLIMIT_NOFILE, G(r)), 0);
	ck_assert_uint_eq(r->rlim_cur, 10);
	ck_assert_uint_eq(r->rlim_max, 100);
	/* The hard limit, once lowered, cannot come back up. */
	r->rlim_max = 101;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(r)), -EPERM);
	/* The host's limit is untouched. */
	getrlimit(RLIMIT_NOFILE, &host);
	ck_assert_uint_eq(host.rlim_cur, before.rlim_cur);
	ck_assert_uint_eq(host.rlim_max, before.rlim_max);
	/* Opening stops at the guest's soft limit. */
	for (;;) {
		fd = SC(SYS_open, G(gstr("/dev/null")), O_RDONLY, 0);
		if (fd < 0)
			break;
		ck_assert_int_lt(fd, 10);
		last = fd;
	}
	ck_assert_int_eq(fd, -EMFILE);
	ck_assert_int_ge(last, 3);

	/* Other limits are the host's; other processes are refused. */
	getrlimit(RLIMIT_STACK, &host);
	ck_assert_int_eq(SC(SYS_getrlimit, RLIMIT_STACK, G(r)), 0);
	ck_assert_uint_eq(r->rlim_cur, host.rlim_cur);
	ck_assert_int_eq(SC(SYS_prlimit64, getpid(), RLIMIT_STACK, 0, G(r)), 0);
	ck_assert_int_eq(SC(SYS_prlimit64, 1, RLIMIT_STACK, 0, G(r)), -EPERM);
	ck_assert_int_eq(SC(SYS_getrlimit, 99, G(r)), -EINVAL);
	ck_assert_int_eq(SC(SYS_getrlimit, RLIMIT_NOFILE, G(&host)), -EFAULT);
	/* poll's nfds is bounded by the guest's limit. */
	ck_assert_int_eq(SC(SYS_poll, G(galloc(16 * 8)), 11, 0), -EINVAL);
}
END_TEST

START_TEST(identity_and_info)
{
	struct utsname *u = galloc(sizeof(*u)), host;
	unsigned *ids = galloc(3 * sizeof(unsigned));
	unsigned char *rnd = galloc(32);
	char *cwd = galloc(PATH_MAX);
	unsigned char *mask = galloc(128);

	ck_assert_int_eq(SC(SYS_uname, G(u)), 0);
	uname(&host);
	ck_assert_str_eq(u->sysname, "Linux");
	ck_assert_str_eq(u->release, host.release);
	ck_assert_int_eq(SC(SYS_getpid), getpid());
	ck_assert_int_eq(SC(SYS_getppid), getppid());
	ck_assert_int_eq(SC(SYS_getuid), getuid());
	ck_assert_int_eq(SC(SYS_getegid), getegid());
	ck_assert_int_eq(SC(SYS_getresuid, G(&ids[0]), G(&ids[1]), G(&ids[2])), 0);
	ck_assert_uint_eq(ids[0], getuid());
	ck_assert_int_eq(SC(SYS_getresuid, G(&ids[0]), G(&ids[1]), 8), -EFAULT);
	ck_assert_int_ge(SC(SYS_getgroups, 0, 0), 0);
	ck_assert_int_eq(SC(SYS_getgroups, -1, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_getrandom, G(rnd), 32, 0), 32);
	ck_assert_int_eq(SC(SYS_getcwd, G(cwd), PATH_MAX), (long)strlen(tmpdir) + 1);
	ck_assert_str_eq(cwd, tmpdir);
	ck_assert_int_eq(SC(SYS_getcwd, G(cwd), 2), -ERANGE);
	ck_assert_int_eq(SC(SYS_sysinfo, G(galloc(sizeof(struct sysinfo)))), 0);
	ck_assert_int_eq(SC(SYS_getrusage, RUSAGE_SELF, G(galloc(sizeof(struct rusage)))), 0);
	ck_assert_int_gt(SC(SYS_sched_getaffinity, 0, 128, G(mask)), 0);
	ck_assert_int_eq(SC(SYS_sched_setaffinity, 0, 128, G(mask)), 0);
	ck_assert_int_eq(SC(SYS_sched_setaffinity, gettid(), 128, G(mask)), 0);
	ck_assert_int_eq(SC(SYS_sched_setaffinity, 1, 128, G(mask)), -ESRCH);
	ck_assert_int_eq(SC(SYS_sched_setaffinity, 0, 128, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_setpriority, PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0)), 0);
	ck_assert_int_eq(SC(SYS_setpriority, PRIO_PROCESS, 1, 0), -ESRCH);
	ck_assert_int_eq(SC(SYS_setpriority, PRIO_USER, 0, 0), -EPERM);
	ck_assert_int_eq(SC(SYS_sched_yield), 0);
	ck_assert_int_ge(SC(SYS_getpriority, PRIO_PROCESS, 0), 1);
	umask(027);
	ck_assert_int_eq(SC(SYS_umask, 022), 027);
	ck_assert_int_eq(umask(022), 022);
}
END_TEST

START_TEST(clocks_and_sleep)
{
	struct timespec *ts = galloc(sizeof(*ts)), *rem = galloc(sizeof(*rem));
	struct timeval *tv = galloc(sizeof(*tv));
	int64_t *t = galloc(8);
	long now;

	ck_assert_int_eq(SC(SYS_clock_gettime, CLOCK_MONOTONIC, G(ts)), 0);
	ck_assert(ts->tv_sec > 0 || ts->tv_nsec > 0);
	ck_assert_int_eq(SC(SYS_clock_getres, CLOCK_MONOTONIC, 0), 0);
	ck_assert_int_eq(SC(SYS_clock_getres, CLOCK_MONOTONIC, G(ts)), 0);
	ck_assert_int_eq(SC(SYS_clock_gettime, 12345, G(ts)), -EINVAL);
	ts->tv_sec = 0;
	ts->tv_nsec = 1000000;
	ck_assert_int_eq(SC(SYS_nanosleep, G(ts), 0), 0);
	ck_assert_int_eq(SC(SYS_nanosleep, G(ts), G(rem)), 0);
	ck_assert_int_eq(SC(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, G(ts), G(rem)), 0);
	ts->tv_nsec = 2000000000;
	ck_assert_int_eq(SC(SYS_nanosleep, G(ts), 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_gettimeofday, G(tv), 0), 0);
	ck_assert_int_gt(tv->tv_sec, 1000000000);
	now = SC(SYS_time, 0);
	ck_assert_int_gt(now, 1000000000);
	ck_assert_int_ge(SC(SYS_time, G(t)), now);
	ck_assert_int_ge(*t, now);
	ck_assert_int_eq(SC(SYS_time, 16), -EFAULT);
	ck_assert_int_ge(SC(SYS_times, 0), 0);
	ck_assert_int_eq(SC(SYS_getitimer, ITIMER_REAL, G(galloc(sizeof(struct itimerval)))), 0);
}
END_TEST

START_TEST(prctl_allow_list)
{
	char *name = gstr("a-long-thread-name-cut"), *back = galloc(16);
	int *sig = galloc(sizeof(int));

	ck_assert_int_eq(SC(SYS_prctl, PR_SET_NAME, G(name)), 0);
	ck_assert_int_eq(SC(SYS_prctl, PR_GET_NAME, G(back)), 0);
	ck_assert_str_eq(back, "a-long-thread-n");
	ck_assert_int_eq(SC(SYS_prctl, PR_SET_NAME, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_prctl, PR_GET_NAME, 8), -EFAULT);
	ck_assert_int_ge(SC(SYS_prctl, PR_GET_DUMPABLE), 0);
	ck_assert_int_eq(SC(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM), 0);
	ck_assert_int_eq(SC(SYS_prctl, PR_GET_PDEATHSIG, G(sig)), 0);
	ck_assert_int_eq(*sig, SIGTERM);
	ck_assert_int_eq(SC(SYS_prctl, PR_SET_SECCOMP, 2, 0), -EINVAL);
	/* no_new_privs is the guest's own flag: the host thread's is untouched. */
	ck_assert_int_eq(SC(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	ck_assert_int_eq(SC(SYS_prctl, PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(SC(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(no_children)
{
	int *status = galloc(sizeof(int));

	ck_assert_int_eq(SC(SYS_wait4, -1, G(status), 0, 0), -ECHILD);
	ck_assert_int_eq(SC(SYS_wait4, -1, G(status), WNOHANG, 0), -ECHILD);
	ck_assert_int_eq(SC(SYS_wait4, -1, G(status), 0x4000, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_waitid, P_ALL, 0, G(galloc(128)), WEXITED, 0), -ECHILD);
	ck_assert_int_eq(SC(SYS_waitid, P_ALL, 0, G(galloc(128)), WNOHANG, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_waitid, 42, 0, G(galloc(128)), WEXITED, 0), -EINVAL);
}
END_TEST

/* The monitor's seccomp allowlist, made from the real table: what the
 * monitor makes for itself and for the guest is in it; what the table
 * refuses or has no row for is not. */
START_TEST(seccomp_allowlist_from_the_table)
{
	static const long allowed[] = {
		SYS_read,
		SYS_write,
		SYS_openat,
		SYS_close,
		SYS_ioctl,
		SYS_mmap,
		SYS_munmap,
		SYS_mprotect,
		SYS_madvise,
		SYS_futex,
		SYS_clone,
		SYS_clone3,
		SYS_execve,
		SYS_wait4,
		SYS_exit,
		SYS_exit_group,
		SYS_rt_sigaction,
		SYS_rt_sigprocmask,
		SYS_rt_sigreturn,
		SYS_sigaltstack,
		SYS_tgkill,
		SYS_gettid,
		SYS_prctl,
		SYS_rseq,
		SYS_set_robust_list,
		SYS_sched_getaffinity,
		SYS_restart_syscall,
	};
	static const long refused[] = {
		SYS_bpf,	SYS_perf_event_open, SYS_userfaultfd,	 SYS_unshare, SYS_setns,
		SYS_setuid,	SYS_capset,	     SYS_io_uring_setup, SYS_mount,   SYS_umount2,
		SYS_kexec_load, SYS_init_module,     SYS_finit_module,	 SYS_keyctl,  SYS_seccomp,
		SYS_pivot_root, SYS_reboot,
	};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ck_assert_msg(elh_allowlist_allows(elh_systab, elh_nsyscalls, allowed[i]),
			      "call %ld refused", allowed[i]);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_msg(!elh_allowlist_allows(elh_systab, elh_nsyscalls, refused[i]),
			      "call %ld allowed", refused[i]);
}
END_TEST

START_TEST(ioctl_allow_list)
{
	int *n = galloc(sizeof(int)), *one = galloc(sizeof(int));
	struct winsize *ws = galloc(sizeof(*ws));
	char *data = gstr("abc");
	int p[2];
	char *t;

	ck_assert_int_eq(pipe(p), 0);
	/* Listed, but not for a pipe: the host says ENOTTY. */
	ck_assert_int_eq(SC(SYS_ioctl, p[0], TIOCGWINSZ, G(ws)), -ENOTTY);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], TCGETS, G(galloc(64))), -ENOTTY);
	/* Not listed: ENOTTY before the host sees it, and counted. */
	ck_assert_int_eq(SC(SYS_ioctl, p[0], 0x12345678, 0), -ENOTTY);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], 0x12345678, 0), -ENOTTY);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIOASYNC, G(one)), -ENOTTY);
	ck_assert_int_eq(SC(SYS_write, p[1], G(data), 3), 3);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIONREAD, G(n)), 0);
	ck_assert_int_eq(*n, 3);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIONREAD, G(&p[0])), -EFAULT);
	/* The request is an unsigned int: the upper half is ignored. */
	ck_assert_int_eq(SC(SYS_ioctl, p[0], (1ull << 32) | FIONREAD, G(n)), 0);
	*one = 1;
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIONBIO, G(one)), 0);
	ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIONBIO, 16), -EFAULT);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIOCLEX, 0), 0);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(SC(SYS_ioctl, p[0], FIONCLEX, 0), 0);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), 0);
	t = stats_text();
	ck_assert_int_eq(unsupported_count(t, "0x12345678"), 2);
	free(t);
}
END_TEST

/* ---- --trace ---- */

static char *trace_buf;
static size_t trace_len;

static void trace_start(void)
{
	vm.trace = 1;
	vm.trace_out = open_memstream(&trace_buf, &trace_len);
	ck_assert_ptr_nonnull(vm.trace_out);
}

static void expect_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void expect_line(const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	fflush(vm.trace_out);
	ck_assert_msg(strstr(trace_buf, want) != NULL, "missing trace line\n  %s\nin\n%s", want,
		      trace_buf);
}

START_TEST(trace_lines)
{
	char *hello = gstr("hello\n\"x\"\x01"), *rbuf = galloc(64);
	char *longp = galloc(128);
	struct timespec *ts = galloc(sizeof(*ts));
	int p[2], tid = cpu.tid;

	ck_assert_int_eq(pipe(p), 0);
	trace_start();
	ck_assert_int_eq(SC(SYS_write, p[1], G(hello), 10), 10);
	expect_line("[%d] write(%d, \"hello\\n\\\"x\\\"\\x01\", 10) = 10\n", tid, p[1]);
	ck_assert_int_eq(SC(SYS_read, p[0], G(rbuf), 64), 10);
	expect_line("[%d] read(%d, \"hello\\n\\\"x\\\"\\x01\", 64) = 10\n", tid, p[0]);
	ck_assert_int_eq(SC(SYS_open, G(gstr("/nonexistent/x")), O_RDONLY, 0), -ENOENT);
	expect_line("[%d] open(\"/nonexistent/x\", 0, 0) = -1 ENOENT (No such file or directory)\n",
		    tid);
	ck_assert_int_eq(SC(SYS_openat, AT_FDCWD, G(gstr("nope")), O_RDONLY | O_CLOEXEC, 0644),
			 -ENOENT);
	expect_line("[%d] openat(AT_FDCWD, \"nope\", 0x80000, 0644) = -1 ENOENT", tid);
	memset(longp, 'a', 100);
	ck_assert_int_eq(SC(SYS_unlink, G(longp)), -ENOENT);
	expect_line("[%d] unlink(\"%.64s\"...) = -1 ENOENT", tid, longp);
	ck_assert_int_eq(SC(SYS_read, -1, G(rbuf), 4), -EBADF);
	expect_line("[%d] read(-1, 0x%lx, 4) = -1 EBADF (Bad file descriptor)\n", tid,
		    (unsigned long)G(rbuf));
	ck_assert_int_eq(SC(1000, 1, 2), -ENOSYS);
	expect_line(
	    "[%d] syscall_1000(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n",
	    tid);
	ck_assert_int_eq(SC(SYS_signalfd4, 3, 0, 8, 0), -ENOSYS);
	expect_line("[%d] signalfd4(3, NULL, 8, 0) = -1 ENOSYS", tid);
	ts->tv_nsec = 1000;
	ck_assert_int_eq(SC(SYS_nanosleep, G(ts), 0), 0);
	expect_line("[%d] nanosleep({tv_sec=0, tv_nsec=1000}, NULL) = 0\n", tid);
	ck_assert_int_eq(SC(SYS_write, p[1], G(hello), 0x100000000ull), -EFAULT);
	expect_line("[%d] write(%d, 0x%lx, 4294967296) = -1 EFAULT (Bad address)\n", tid, p[1],
		    (unsigned long)G(hello));
	/* A call that may not return is traced before it runs, then again. */
	ck_assert_int_eq(SC(SYS_exit_group, 3), -ENOSYS);
	expect_line("[%d] exit_group(3) = ?\n[%d] exit_group(3) = -1 ENOSYS", tid, tid);
	fclose(vm.trace_out);
	free(trace_buf);
}
END_TEST

/* Long buffers are cut at 32 bytes; lines stay whole. */
START_TEST(trace_cuts_buffers)
{
	char *big = galloc(100);
	int p[2], tid = cpu.tid;

	ck_assert_int_eq(pipe(p), 0);
	memset(big, 'b', 100);
	trace_start();
	ck_assert_int_eq(SC(SYS_write, p[1], G(big), 100), 100);
	expect_line("[%d] write(%d, \"%.32s\"..., 100) = 100\n", tid, p[1], big);
	fclose(vm.trace_out);
	free(trace_buf);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("syscall");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, table_is_consistent);
	tcase_add_test(tc, table_covers_the_libcs);
	tcase_add_test(tc, rules_name_known_calls);
	tcase_add_test(tc, errno_names);
	tcase_add_test(tc, unknown_numbers_are_enosys);
	tcase_add_test(tc, process_vm_stays_in_the_arena);
	tcase_add_test(tc, stats_table);
	tcase_add_test(tc, stats_are_thread_safe);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, pointer_outside_arena);
	tcase_add_test(tc, pointer_length_overflow);
	tcase_add_test(tc, length_straddles_arena_end);
	tcase_add_test(tc, path_checks);
	tcase_add_test(tc, bad_fds);
	tcase_add_test(tc, monitor_fd_is_refused);
	tcase_add_test(tc, new_fd_above_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, rlimit_nofile_is_virtual);
	tcase_add_test(tc, identity_and_info);
	tcase_add_test(tc, clocks_and_sleep);
	tcase_add_test(tc, prctl_allow_list);
	tcase_add_test(tc, no_children);
	tcase_add_test(tc, ioctl_allow_list);
	tcase_add_test(tc, seccomp_allowlist_from_the_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace");
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, trace_lines);
	tcase_add_test(tc, trace_cuts_buffers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_add_suite(sr, files_suite());
	srunner_add_suite(sr, net_suite());
	srunner_add_suite(sr, poll_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
