/* Readiness handlers: poll, select and epoll waits, with their fd arrays, timeouts and masks. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "guestmem.h"
#include "syscall.h"
#include "vm.h"

static long check_timespec(const struct timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ? -EINVAL : 0;
}

static long read_timespec(struct elh_vm *vm, uint64_t gva, struct timespec *ts)
{
	if (elh_guest_read(&vm->arena, ts, gva, sizeof(*ts)))
		return -EFAULT;
	return check_timespec(ts);
}

/*
 * The pollfd array is copied.  An fd outside the guest's range is not
 * shown to the host (it gets -1, which the kernel skips) and reports
 * POLLNVAL, as a closed fd does on Linux; like any ready entry, it makes
 * the call return at once.  ts (NULL: no timeout) gets the time left.
 */
static long poll_core(struct elh_vm *vm, uint64_t gfds, unsigned nfds, struct timespec *ts)
{
	struct pollfd stack[32], *fds = stack, *host;
	struct timespec zero = { 0, 0 };
	size_t size = (size_t)nfds * sizeof(*fds);
	unsigned i, nval = 0;
	long ret;

	/* Linux: EINVAL beyond RLIMIT_NOFILE (which also bounds the copy). */
	if (nfds > (unsigned)elh_sys_fd_bound(vm))
		return -EINVAL;
	if (2 * (size_t)nfds > sizeof(stack) / sizeof(stack[0])) {
		fds = malloc(2 * size);
		if (!fds)
			return -ENOMEM;
	}
	host = fds + nfds;
	if (elh_guest_read(&vm->arena, fds, gfds, size)) {
		ret = -EFAULT;
		goto out;
	}
	for (i = 0; i < nfds; i++) {
		host[i] = fds[i];
		if (fds[i].fd >= 0 && !elh_fd_ok(vm, fds[i].fd)) {
			host[i].fd = -1;
			nval++;
		}
	}
	ret = elh_host5(SYS_ppoll, host, nfds, nval ? &zero : ts, NULL, 8);
	if (ret < 0)
		goto out;
	for (i = 0; i < nfds; i++)
		fds[i].revents = host[i].fd != fds[i].fd ? POLLNVAL : host[i].revents;
	ret += nval;
	if (elh_guest_write(&vm->arena, gfds, fds, size))
		ret = -EFAULT;
out:
	if (fds != stack)
		free(fds);
	return ret;
}

ELH_HANDLER(poll)
{
	int ms = (int)a[2];
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return poll_core(cpu->vm, a[0], (unsigned)a[1], ms < 0 ? NULL : &ts);
}

ELH_HANDLER(ppoll)
{
	struct elh_vm *vm = cpu->vm;
	struct elh_mask_swap sw;
	struct timespec ts;
	long ret;

	if (a[2] && (ret = read_timespec(vm, a[2], &ts)))
		return ret;
	ret = elh_sys_mask_install(cpu, a[3], a[4], &sw);
	if (ret < 0)
		return ret;
	ret = ret ? -EINTR : poll_core(vm, a[0], (unsigned)a[1], a[2] ? &ts : NULL);
	elh_sys_mask_restore(cpu, &sw, ret);
	/* The time left, as Linux writes it; a read-only timespec is not an
	 * error (the kernel ignores that fault too). */
	if (a[2])
		elh_guest_write(&vm->arena, a[2], &ts, sizeof(ts));
	return ret;
}

/*
 * fd_sets are copied in and out.  nfds is cut to the guest's fd range: the
 * host never looks at the monitor's fds, and Linux too ignores bits past
 * the end of the process's fd table.
 */
static long select_core(struct elh_vm *vm, int n, const uint64_t g[3], struct timespec *ts)
{
	unsigned long stack[3][16], *buf = &stack[0][0], *sets[3] = { NULL, NULL, NULL };
	size_t words, bytes;
	long ret = 0;
	int k;

	if (n < 0)
		return -EINVAL;
	if (n > vm->guest_fd_limit)
		n = vm->guest_fd_limit;
	words = ((size_t)n + 63) / 64;
	bytes = words * sizeof(unsigned long);
	if (words > 16) {
		buf = calloc(3 * words, sizeof(unsigned long));
		if (!buf)
			return -ENOMEM;
	}
	for (k = 0; k < 3; k++) {
		if (!g[k])
			continue;
		sets[k] = buf + k * words;
		if (elh_guest_read(&vm->arena, sets[k], g[k], bytes)) {
			ret = -EFAULT;
			goto out;
		}
	}
	ret = elh_host6(SYS_pselect6, n, sets[0], sets[1], sets[2], ts, NULL);
	for (k = 0; ret >= 0 && k < 3; k++)
		if (sets[k] && elh_guest_write(&vm->arena, g[k], sets[k], bytes))
			ret = -EFAULT;
out:
	if (buf != &stack[0][0])
		free(buf);
	return ret;
}

ELH_HANDLER(select)
{
	struct elh_vm *vm = cpu->vm;
	struct timespec ts;
	struct timeval tv;
	long ret, sec;

	if (a[4]) {
		if (elh_guest_read(&vm->arena, &tv, a[4], sizeof(tv)))
			return -EFAULT;
		/* Linux folds surplus microseconds into seconds. */
		if (__builtin_add_overflow(tv.tv_sec, tv.tv_usec / 1000000, &sec) || sec < 0 ||
		    tv.tv_usec % 1000000 < 0)
			return -EINVAL;
		ts.tv_sec = sec;
		ts.tv_nsec = tv.tv_usec % 1000000 * 1000;
	}
	ret = select_core(vm, (int)a[0], &a[1], a[4] ? &ts : NULL);
	if (a[4]) {
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		elh_guest_write(&vm->arena, a[4], &tv, sizeof(tv));
	}
	return ret;
}

ELH_HANDLER(pselect6)
{
	struct elh_vm *vm = cpu->vm;
	struct elh_mask_swap sw = { 0, 0 };
	struct timespec ts;
	uint64_t sig[2]; /* { const sigset_t *ss; size_t ss_len; } */
	long ret;

	if (a[4] && (ret = read_timespec(vm, a[4], &ts)))
		return ret;
	if (a[5]) {
		if (elh_guest_read(&vm->arena, sig, a[5], sizeof(sig)))
			return -EFAULT;
		ret = elh_sys_mask_install(cpu, sig[0], sig[1], &sw);
		if (ret < 0)
			return ret;
		if (ret) {
			elh_sys_mask_restore(cpu, &sw, -EINTR);
			return -EINTR;
		}
	}
	ret = select_core(vm, (int)a[0], &a[1], a[4] ? &ts : NULL);
	elh_sys_mask_restore(cpu, &sw, ret);
	if (a[4])
		elh_guest_write(&vm->arena, a[4], &ts, sizeof(ts));
	return ret;
}

/* The event is copied; EPOLL_CTL_DEL ignores it, as Linux does, whatever
 * the pointer. */
ELH_HANDLER(epoll_ctl)
{
	struct epoll_event ev;

	if ((int)a[1] == EPOLL_CTL_DEL)
		return elh_host4(SYS_epoll_ctl, a[0], a[1], a[2], NULL);
	if (elh_guest_read(&cpu->vm->arena, &ev, a[3], sizeof(ev)))
		return -EFAULT;
	return elh_host4(SYS_epoll_ctl, a[0], a[1], a[2], &ev);
}

/* The kernel writes the events itself: they are flat, the range is enough. */
static long check_events(struct elh_vm *vm, uint64_t ev, int max)
{
	if (max <= 0 || max > INT_MAX / (int)sizeof(struct epoll_event))
		return -EINVAL;
	if (elh_guest_range(&vm->arena, ev, (uint64_t)max * sizeof(struct epoll_event)))
		return -EFAULT;
	return 0;
}

ELH_HANDLER(epoll_wait)
{
	long ret = check_events(cpu->vm, a[1], (int)a[2]);

	return ret ? ret : elh_host4(SYS_epoll_wait, a[0], a[1], a[2], a[3]);
}

ELH_HANDLER(epoll_pwait)
{
	struct elh_mask_swap sw;
	long ret;

	ret = elh_sys_mask_install(cpu, a[4], a[5], &sw);
	if (ret < 0)
		return ret;
	if (ret)
		ret = -EINTR;
	else if (!(ret = check_events(cpu->vm, a[1], (int)a[2])))
		ret = elh_host4(SYS_epoll_wait, a[0], a[1], a[2], a[3]);
	elh_sys_mask_restore(cpu, &sw, ret);
	return ret;
}

ELH_HANDLER(epoll_pwait2)
{
	struct elh_mask_swap sw;
	struct timespec ts;
	long ret;

	if (a[3] && (ret = read_timespec(cpu->vm, a[3], &ts)))
		return ret;
	ret = elh_sys_mask_install(cpu, a[4], a[5], &sw);
	if (ret < 0)
		return ret;
	if (ret)
		ret = -EINTR;
	else if (!(ret = check_events(cpu->vm, a[1], (int)a[2])))
		ret = elh_host6(SYS_epoll_pwait2, a[0], a[1], a[2], a[3] ? &ts : NULL, NULL, 8);
	elh_sys_mask_restore(cpu, &sw, ret);
	return ret;
}
