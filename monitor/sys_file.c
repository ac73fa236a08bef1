/* Handlers for files and fds: vectored I/O, readlink, dup2/dup3, fcntl, pipes, close_range. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guestmem.h"
#include "procfs.h"
#include "syscall.h"
#include "vm.h"

/* readv and friends: the iovec array is copied and each element checked,
 * so the host only ever sees buffers inside the arena. */
static long vectored(struct elh_vcpu *cpu, long nr, const uint64_t a[6])
{
	struct iovec stack[8], *iov;
	long ret;

	ret = elh_sys_copy_iov(cpu->vm, a[1], a[2], -EINVAL, stack, 8, &iov);
	if (ret < 0)
		return ret;
	ret = elh_host(nr, a[0], ELH_U64(iov), a[2], a[3], a[4], a[5]);
	if (iov != stack)
		free(iov);
	return ret;
}

ELH_HANDLER(readv)
{
	return vectored(cpu, SYS_readv, a);
}

ELH_HANDLER(writev)
{
	return vectored(cpu, SYS_writev, a);
}

ELH_HANDLER(preadv)
{
	return vectored(cpu, SYS_preadv, a);
}

ELH_HANDLER(pwritev)
{
	return vectored(cpu, SYS_pwritev, a);
}

ELH_HANDLER(preadv2)
{
	return vectored(cpu, SYS_preadv2, a);
}

ELH_HANDLER(pwritev2)
{
	return vectored(cpu, SYS_pwritev2, a);
}

/* bufsiz is an int: Linux refuses a non-positive one before anything else.
 * The raw arguments (validate has checked them): the path is walked again
 * on this copy (procfs.c), and the link to the program reads as the
 * program's path, not as elh's. */
static long do_readlink(struct elh_vm *vm, int dirfd, uint64_t gpath, uint64_t buf, uint64_t size)
{
	char path[PATH_MAX], out[PATH_MAX];
	int n = (int)size;
	long len;

	if (n <= 0)
		return -EINVAL;
	if (elh_guest_range(&vm->arena, buf, (uint64_t)n))
		return -EFAULT;
	len = elh_guest_read_string(&vm->arena, path, sizeof(path), gpath);
	if (len < 0)
		return len;
	len = elh_proc_walk(vm, dirfd, path, false, out);
	if (len < 0)
		return len;
	if (len == ELH_PROC_REWRITTEN)
		return elh_host4(SYS_readlinkat, AT_FDCWD, out, buf, n);
	if (len == ELH_PROC_ASIS)
		return elh_host4(SYS_readlinkat, path[0] == '/' ? AT_FDCWD : dirfd, path, buf, n);
	len = (long)strlen(vm->exe_path);
	if (len > n)
		len = n;
	return elh_guest_write(&vm->arena, buf, vm->exe_path, (size_t)len) ? -EFAULT : len;
}

/* Names start after d_ino, d_off, d_reclen (and d_type, in getdents64). */
ELH_HANDLER(getdents)
{
	return elh_proc_getdents(cpu->vm, SYS_getdents, (int)a[0], a[1], (unsigned)a[2], 18);
}

ELH_HANDLER(getdents64)
{
	return elh_proc_getdents(cpu->vm, SYS_getdents64, (int)a[0], a[1], (unsigned)a[2], 19);
}

ELH_HANDLER(readlink)
{
	return do_readlink(cpu->vm, AT_FDCWD, a[0], a[1], a[2]);
}

ELH_HANDLER(readlinkat)
{
	return do_readlink(cpu->vm, (int)a[0], a[1], a[2], a[3]);
}

/* The new fd must be a guest fd below the guest's soft limit (Linux: EBADF
 * at or above RLIMIT_NOFILE); checking after the call would be too late, as
 * dup2 has closed whatever the target held. */
static long check_newfd(struct elh_vm *vm, uint64_t v)
{
	int fd = (int)v;

	return fd < 0 || fd >= elh_sys_fd_bound(vm) ? -EBADF : 0;
}

ELH_HANDLER(dup2)
{
	long ret = check_newfd(cpu->vm, a[1]);

	return ret ? ret : elh_host2(SYS_dup2, a[0], a[1]);
}

ELH_HANDLER(dup3)
{
	long ret = check_newfd(cpu->vm, a[1]);

	return ret ? ret : elh_host3(SYS_dup3, a[0], a[1], a[2]);
}

static long fcntl_lock(struct elh_vm *vm, const uint64_t a[6], int out)
{
	struct flock fl;
	long ret;

	if (elh_guest_read(&vm->arena, &fl, a[2], sizeof(fl)))
		return -EFAULT;
	ret = elh_host3(SYS_fcntl, a[0], a[1], &fl);
	if (ret >= 0 && out && elh_guest_write(&vm->arena, a[2], &fl, sizeof(fl)))
		return -EFAULT;
	return ret;
}

ELH_HANDLER(fcntl)
{
	struct elh_vm *vm = cpu->vm;
	unsigned cmd = (unsigned)a[1];

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		/* Linux: EINVAL for a minimum at or above RLIMIT_NOFILE. */
		if (a[2] >= (uint64_t)elh_sys_fd_bound(vm))
			return -EINVAL;
		return elh_sys_new_fd(vm, elh_host3(SYS_fcntl, a[0], cmd, a[2]));
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
	case F_SETFL:
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS: return elh_host3(SYS_fcntl, a[0], cmd, a[2]);
	case F_GETLK:
	case F_OFD_GETLK: return fcntl_lock(vm, a, 1);
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: return fcntl_lock(vm, a, 0);
	default:
		/* F_SETOWN/F_SETSIG would aim host signals at the monitor,
		 * leases and notifications too; none is needed yet. */
		elh_sys_unsupported(vm, ELH_UNSUP_FCNTL, (int)cmd);
		return -EINVAL;
	}
}

static long make_pipe(struct elh_vm *vm, uint64_t gfds, uint64_t flags)
{
	int fds[2];
	long ret;

	if (elh_guest_range(&vm->arena, gfds, sizeof(fds)))
		return -EFAULT;
	ret = elh_host2(SYS_pipe2, fds, flags);
	if (ret < 0)
		return ret;
	if (fds[0] >= elh_sys_fd_bound(vm) || fds[1] >= elh_sys_fd_bound(vm)) {
		close(fds[0]);
		close(fds[1]);
		return -EMFILE;
	}
	if (elh_guest_write(&vm->arena, gfds, fds, sizeof(fds))) {
		close(fds[0]);
		close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

ELH_HANDLER(pipe)
{
	return make_pipe(cpu->vm, a[0], 0);
}

ELH_HANDLER(pipe2)
{
	return make_pipe(cpu->vm, a[0], a[1]);
}

ELH_HANDLER(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1], flags = (unsigned)a[2];
	unsigned limit = (unsigned)cpu->vm->guest_fd_limit;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (first >= limit)
		return 0;
	if (last >= limit)
		last = limit - 1;
	return elh_host3(SYS_close_range, first, last, flags & ~CLOSE_RANGE_UNSHARE);
}
