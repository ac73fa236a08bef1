/* The executor's per-VM state: the --stats counters and table, the records
 * of refused calls and requests, and the guest's virtual RLIMIT_NOFILE. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"
#include "syscall.h"

struct sys_counter {
	uint64_t calls, errors, ns; /* updated with relaxed atomics */
};

struct unsup_rec {
	uint8_t kind;
	int64_t value;
	uint64_t count;
};

#define UNSUP_MAX 256

struct elh_sys_stats {
	pthread_mutex_t lock; /* unsup[], nofile */
	struct unsup_rec unsup[UNSUP_MAX];
	unsigned nunsup;
	uint64_t unsup_dropped;
	struct rlimit nofile; /* the guest's view of RLIMIT_NOFILE */
	int nofile_cur;	      /* its soft limit, read without the lock */
	struct sys_counter count[];
};

int elh_sys_stats_init(struct elh_vm *vm)
{
	struct elh_sys_stats *s;
	struct rlimit host;

	s = calloc(1, sizeof(*s) + elh_nsyscalls * sizeof(s->count[0]));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->nofile.rlim_max = vm->guest_fd_limit;
	s->nofile.rlim_cur = vm->guest_fd_limit;
	if (getrlimit(RLIMIT_NOFILE, &host) == 0 && host.rlim_cur < s->nofile.rlim_cur)
		s->nofile.rlim_cur = host.rlim_cur;
	s->nofile_cur = s->nofile.rlim_cur;
	vm->sys = s;
	return 0;
}

void elh_sys_stats_free(struct elh_vm *vm)
{
	if (!vm->sys)
		return;
	pthread_mutex_destroy(&vm->sys->lock);
	free(vm->sys);
	vm->sys = NULL;
}

void elh_sys_unsupported(struct elh_vm *vm, enum elh_unsup kind, int64_t value)
{
	struct elh_sys_stats *s = vm->sys;
	unsigned i;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->nunsup; i++)
		if (s->unsup[i].kind == kind && s->unsup[i].value == value)
			break;
	if (i < s->nunsup) {
		s->unsup[i].count++;
	} else if (i < UNSUP_MAX) {
		s->unsup[i] = (struct unsup_rec){ kind, value, 1 };
		s->nunsup++;
	} else {
		s->unsup_dropped++;
	}
	pthread_mutex_unlock(&s->lock);
}

void elh_sys_fork_lock(struct elh_vm *vm, int hold)
{
	if (!vm->sys)
		return;
	if (hold)
		pthread_mutex_lock(&vm->sys->lock);
	else
		pthread_mutex_unlock(&vm->sys->lock);
}

void elh_sys_stats_after_fork(struct elh_vm *vm)
{
	struct elh_sys_stats *s = vm->sys;

	if (!s)
		return;
	memset(s->count, 0, elh_nsyscalls * sizeof(s->count[0]));
	memset(s->unsup, 0, sizeof(s->unsup));
	s->nunsup = 0;
	s->unsup_dropped = 0;
}

int elh_sys_fd_bound(struct elh_vm *vm)
{
	int cur;

	if (!vm->sys)
		return vm->guest_fd_limit;
	cur = __atomic_load_n(&vm->sys->nofile_cur, __ATOMIC_RELAXED);
	return cur < vm->guest_fd_limit ? cur : vm->guest_fd_limit;
}

long elh_sys_new_fd(struct elh_vm *vm, long fd)
{
	if (fd >= 0 && fd >= elh_sys_fd_bound(vm)) {
		close(fd);
		return -EMFILE;
	}
	return fd;
}

void elh_sys_nofile_get(struct elh_vm *vm, struct rlimit *r)
{
	if (!vm->sys) {
		r->rlim_cur = r->rlim_max = vm->guest_fd_limit;
		return;
	}
	pthread_mutex_lock(&vm->sys->lock);
	*r = vm->sys->nofile;
	pthread_mutex_unlock(&vm->sys->lock);
}

long elh_sys_nofile_set(struct elh_vm *vm, const struct rlimit *r)
{
	long ret = 0;

	if (r->rlim_cur > r->rlim_max)
		return -EINVAL;
	if (!vm->sys)
		return -ENOMEM;
	pthread_mutex_lock(&vm->sys->lock);
	/* Even a privileged guest cannot go past guest_fd_limit: the fds
	 * above belong to the monitor. */
	if (r->rlim_max > vm->sys->nofile.rlim_max) {
		ret = -EPERM;
	} else {
		vm->sys->nofile = *r;
		__atomic_store_n(&vm->sys->nofile_cur, (int)r->rlim_cur, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&vm->sys->lock);
	return ret;
}

uint64_t elh_sys_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

void elh_sys_account(struct elh_vm *vm, unsigned nr, long ret, uint64_t ns)
{
	struct sys_counter *c = &vm->sys->count[nr];

	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	if (elh_sys_is_error(ret) && elh_systab[nr].result != ELH_RES_RAW)
		__atomic_fetch_add(&c->errors, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->ns, ns, __ATOMIC_RELAXED);
}

void elh_sys_label(char *out, size_t n, int64_t nr)
{
	if (nr >= 0 && (uint64_t)nr < elh_nsyscalls && elh_systab[nr].name)
		snprintf(out, n, "%s (%" PRId64 ")", elh_systab[nr].name, nr);
	else if ((nr & ~(int64_t)0xfff) == 0x40000000)
		snprintf(out, n, "x32 syscall 0x%" PRIx64, (uint64_t)nr);
	else if (nr > -65536 && nr < 65536)
		snprintf(out, n, "syscall_%" PRId64, nr);
	else
		snprintf(out, n, "syscall_0x%" PRIx64, (uint64_t)nr);
}

static int cmp_counter(const void *x, const void *y)
{
	const struct sys_counter *a = *(struct sys_counter *const *)x;
	const struct sys_counter *b = *(struct sys_counter *const *)y;

	if (a->ns != b->ns)
		return a->ns < b->ns ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return a < b ? -1 : a > b;
}

static int cmp_unsup(const void *x, const void *y)
{
	const struct unsup_rec *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->value < b->value ? -1 : a->value > b->value;
}

uint64_t elh_sys_stats_calls(struct elh_vm *vm)
{
	uint64_t n = 0;

	if (!vm->sys)
		return 0;
	for (unsigned i = 0; i < elh_nsyscalls; i++)
		n += __atomic_load_n(&vm->sys->count[i].calls, __ATOMIC_RELAXED);
	return n;
}

void elh_sys_stats_print(struct elh_vm *vm, FILE *out)
{
	static const char *const heading[ELH_UNSUP_KINDS] = {
		[ELH_UNSUP_SYSCALL] = "unsupported system calls (ENOSYS)",
		[ELH_UNSUP_IOCTL] = "unsupported ioctl requests (ENOTTY)",
		[ELH_UNSUP_FCNTL] = "unsupported fcntl commands (EINVAL)",
		[ELH_UNSUP_PRCTL] = "unsupported prctl options (EINVAL)",
		[ELH_UNSUP_FAMILY] = "refused socket families (EAFNOSUPPORT)",
		[ELH_UNSUP_SOCKOPT] = "refused socket options (ENOPROTOOPT)",
	};
	struct elh_sys_stats *s = vm->sys;
	struct sys_counter **rows, snap_total = { 0, 0, 0 };
	struct unsup_rec *un;
	unsigned i, n = 0, nun;
	int last = -1;

	if (!s)
		return;
	rows = calloc(elh_nsyscalls, sizeof(*rows));
	un = calloc(UNSUP_MAX, sizeof(*un));
	if (!rows || !un) {
		free(rows);
		free(un);
		return;
	}
	for (i = 0; i < elh_nsyscalls; i++)
		if (__atomic_load_n(&s->count[i].calls, __ATOMIC_RELAXED))
			rows[n++] = &s->count[i];
	qsort(rows, n, sizeof(*rows), cmp_counter);

	fprintf(out, "%-24s %10s %8s %14s %12s\n", "syscall", "calls", "errors", "total(us)",
		"mean(us)");
	for (i = 0; i < n; i++) {
		struct sys_counter c;
		unsigned nr = rows[i] - s->count;

		c.calls = __atomic_load_n(&rows[i]->calls, __ATOMIC_RELAXED);
		c.errors = __atomic_load_n(&rows[i]->errors, __ATOMIC_RELAXED);
		c.ns = __atomic_load_n(&rows[i]->ns, __ATOMIC_RELAXED);
		snap_total.calls += c.calls;
		snap_total.errors += c.errors;
		snap_total.ns += c.ns;
		fprintf(out, "%-24s %10" PRIu64 " %8" PRIu64 " %14.3f %12.3f\n",
			elh_systab[nr].name, c.calls, c.errors, c.ns / 1e3, c.ns / 1e3 / c.calls);
	}
	fprintf(out, "%-24s %10" PRIu64 " %8" PRIu64 " %14.3f\n", "total", snap_total.calls,
		snap_total.errors, snap_total.ns / 1e3);

	pthread_mutex_lock(&s->lock);
	nun = s->nunsup;
	memcpy(un, s->unsup, nun * sizeof(*un));
	if (s->unsup_dropped)
		fprintf(out, "(%" PRIu64 " further unsupported calls not recorded)\n",
			s->unsup_dropped);
	pthread_mutex_unlock(&s->lock);
	qsort(un, nun, sizeof(*un), cmp_unsup);
	for (i = 0; i < nun; i++) {
		char label[64];

		if (un[i].kind != last) {
			last = un[i].kind;
			fprintf(out, "%s:\n", heading[last]);
		}
		switch (un[i].kind) {
		case ELH_UNSUP_SYSCALL: elh_sys_label(label, sizeof(label), un[i].value); break;
		case ELH_UNSUP_SOCKOPT:
			snprintf(label, sizeof(label), "level %d option %d",
				 (int)(un[i].value >> 32), (int)(uint32_t)un[i].value);
			break;
		case ELH_UNSUP_FAMILY:
		case ELH_UNSUP_FCNTL:
		case ELH_UNSUP_PRCTL:
			snprintf(label, sizeof(label), "%" PRId64, un[i].value);
			break;
		default: snprintf(label, sizeof(label), "0x%" PRIx64, (uint64_t)un[i].value);
		}
		fprintf(out, "  %-32s %10" PRIu64 "\n", label, un[i].count);
	}
	free(rows);
	free(un);
}
