/* Unit tests of the executor on files and fds, against the host kernel in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "syscall-fixture.h"

struct dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long gopen(const char *path, int flags, int mode)
{
	return SC(SYS_open, G(gstr(path)), flags, mode);
}

START_TEST(file_roundtrip)
{
	char *path = gstr("f1"), *buf = galloc(64);
	struct stat *st = galloc(sizeof(*st));
	struct statx *stx = galloc(sizeof(*stx));
	long fd;

	fd = SC(SYS_open, G(path), O_CREAT | O_RDWR | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(fd, LIMIT);
	memcpy(buf, "hello, world", 12);
	ck_assert_int_eq(SC(SYS_write, fd, G(buf), 12), 12);
	ck_assert_int_eq(SC(SYS_lseek, fd, 0, SEEK_SET), 0);
	memset(buf, 0, 64);
	ck_assert_int_eq(SC(SYS_read, fd, G(buf), 64), 12);
	ck_assert_str_eq(buf, "hello, world");
	ck_assert_int_eq(SC(SYS_lseek, fd, 0, SEEK_END), 12);
	ck_assert_int_eq(SC(SYS_lseek, fd, -100, SEEK_SET), -EINVAL);

	ck_assert_int_eq(SC(SYS_pwrite64, fd, G(gstr("HELLO")), 5, 0), 5);
	ck_assert_int_eq(SC(SYS_pread64, fd, G(buf), 5, 7), 5);
	ck_assert_int_eq(memcmp(buf, "world", 5), 0);

	ck_assert_int_eq(SC(SYS_fstat, fd, G(st)), 0);
	ck_assert_int_eq(st->st_size, 12);
	ck_assert_int_eq(st->st_mode & 0777, 0600);
	memset(st, 0, sizeof(*st));
	ck_assert_int_eq(SC(SYS_stat, G(path), G(st)), 0);
	ck_assert_int_eq(st->st_size, 12);
	ck_assert_int_eq(SC(SYS_lstat, G(path), G(st)), 0);
	ck_assert_int_eq(SC(SYS_newfstatat, AT_FDCWD, G(path), G(st), 0), 0);
	ck_assert_int_eq(SC(SYS_newfstatat, fd, G(gstr("")), G(st), AT_EMPTY_PATH), 0);
	ck_assert_int_eq(st->st_size, 12);
	ck_assert_int_eq(SC(SYS_statx, AT_FDCWD, G(path), 0, STATX_SIZE, G(stx)), 0);
	ck_assert_uint_eq(stx->stx_size, 12);
	ck_assert_int_eq(SC(SYS_statfs, G(path), G(galloc(sizeof(struct statfs)))), 0);
	ck_assert_int_eq(SC(SYS_fstatfs, fd, G(galloc(sizeof(struct statfs)))), 0);

	ck_assert_int_eq(SC(SYS_ftruncate, fd, 4), 0);
	ck_assert_int_eq(SC(SYS_truncate, G(path), 3), 0);
	ck_assert_int_eq(SC(SYS_fstat, fd, G(st)), 0);
	ck_assert_int_eq(st->st_size, 3);
	ck_assert_int_eq(SC(SYS_fsync, fd), 0);
	ck_assert_int_eq(SC(SYS_fdatasync, fd), 0);
	ck_assert_int_eq(SC(SYS_fallocate, fd, 0, 0, 8192), 0);
	ck_assert_int_eq(SC(SYS_flock, fd, LOCK_EX), 0);
	ck_assert_int_eq(SC(SYS_fchmod, fd, 0640), 0);
	ck_assert_int_eq(SC(SYS_access, G(path), R_OK), 0);
	ck_assert_int_eq(SC(SYS_faccessat, AT_FDCWD, G(path), X_OK), -EACCES);
	ck_assert_int_eq(SC(SYS_faccessat2, AT_FDCWD, G(path), R_OK, AT_EACCESS), 0);
	ck_assert_int_eq(SC(SYS_close, fd), 0);
	ck_assert_int_eq(SC(SYS_close, fd), -EBADF);
	ck_assert_int_eq(SC(SYS_sync), 0);
}
END_TEST

START_TEST(directories_and_names)
{
	char *buf = galloc(4096), *rl = galloc(64);
	struct stat *st = galloc(sizeof(*st));
	long dfd, fd, n, off;
	int found = 0;

	ck_assert_int_eq(SC(SYS_mkdir, G(gstr("d")), 0755), 0);
	ck_assert_int_eq(SC(SYS_mkdir, G(gstr("d")), 0755), -EEXIST);
	dfd = SC(SYS_open, G(gstr("d")), O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(dfd, 0);
	fd = SC(SYS_openat, dfd, G(gstr("inside")), O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(SC(SYS_close, fd), 0);
	ck_assert_int_eq(SC(SYS_mkdirat, dfd, G(gstr("sub")), 0700), 0);
	ck_assert_int_eq(SC(SYS_symlinkat, G(gstr("inside")), dfd, G(gstr("ln"))), 0);
	ck_assert_int_eq(SC(SYS_readlinkat, dfd, G(gstr("ln")), G(rl), 64), 6);
	ck_assert_int_eq(memcmp(rl, "inside", 6), 0);
	ck_assert_int_eq(SC(SYS_readlinkat, dfd, G(gstr("ln")), G(rl), 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_readlinkat, dfd, G(gstr("ln")), G(rl), -1), -EINVAL);
	ck_assert_int_eq(SC(SYS_readlinkat, dfd, G(gstr("ln")), G(st) + 4096 * 1024, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_linkat, dfd, G(gstr("inside")), dfd, G(gstr("hard")), 0), 0);
	ck_assert_int_eq(SC(SYS_renameat, dfd, G(gstr("hard")), AT_FDCWD, G(gstr("moved"))), 0);
	ck_assert_int_eq(
	    SC(SYS_renameat2, AT_FDCWD, G(gstr("moved")), dfd, G(gstr("sub")), RENAME_NOREPLACE),
	    -EEXIST);
	ck_assert_int_eq(SC(SYS_fchmodat, dfd, G(gstr("inside")), 0600), 0);
	ck_assert_int_eq(SC(SYS_fchownat, dfd, G(gstr("inside")), -1, -1, 0), 0);
	ck_assert_int_eq(SC(SYS_utimensat, dfd, G(gstr("inside")), 0, 0), 0);

	/* getdents64 finds what was made. */
	n = SC(SYS_getdents64, dfd, G(buf), 4096);
	ck_assert_int_gt(n, 0);
	for (off = 0; off < n;) {
		struct dirent64 *d = (struct dirent64 *)(buf + off);

		found += !strcmp(d->d_name, "inside") + !strcmp(d->d_name, "sub") +
			 !strcmp(d->d_name, "ln");
		off += d->d_reclen;
	}
	ck_assert_int_eq(found, 3);

	ck_assert_int_eq(SC(SYS_unlinkat, dfd, G(gstr("ln")), 0), 0);
	ck_assert_int_eq(SC(SYS_unlinkat, dfd, G(gstr("sub")), AT_REMOVEDIR), 0);
	ck_assert_int_eq(SC(SYS_rename, G(gstr("moved")), G(gstr("m2"))), 0);
	ck_assert_int_eq(SC(SYS_stat, G(gstr("moved")), G(st)), -ENOENT);
	ck_assert_int_eq(SC(SYS_link, G(gstr("m2")), G(gstr("m3"))), 0);
	ck_assert_int_eq(SC(SYS_symlink, G(gstr("m3")), G(gstr("s3"))), 0);
	ck_assert_int_eq(SC(SYS_readlink, G(gstr("s3")), G(rl), 64), 2);
	ck_assert_int_eq(SC(SYS_readlink, G(gstr("s3")), G(rl), 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_lchown, G(gstr("s3")), -1, -1), 0);
	ck_assert_int_eq(SC(SYS_chmod, G(gstr("m3")), 0600), 0);
	ck_assert_int_eq(SC(SYS_unlink, G(gstr("s3"))), 0);
	ck_assert_int_eq(SC(SYS_unlink, G(gstr("m2"))), 0);
	ck_assert_int_eq(SC(SYS_unlink, G(gstr("m3"))), 0);
	ck_assert_int_eq(SC(SYS_rmdir, G(gstr("d"))), -ENOTEMPTY);

	/* chdir and fchdir move the guest's (the process's) cwd. */
	ck_assert_int_eq(SC(SYS_fchdir, dfd), 0);
	ck_assert_int_eq(SC(SYS_access, G(gstr("inside")), F_OK), 0);
	ck_assert_int_eq(SC(SYS_chdir, G(gstr(".."))), 0);
	ck_assert_int_eq(SC(SYS_unlinkat, AT_FDCWD, G(gstr("d/inside")), 0), 0);
	ck_assert_int_eq(SC(SYS_close, dfd), 0);
	ck_assert_int_eq(SC(SYS_rmdir, G(gstr("d"))), 0);
	fd = SC(SYS_creat, G(gstr("c")), 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(SC(SYS_mknod, G(gstr("fifo")), S_IFIFO | 0600, 0), 0);
}
END_TEST

START_TEST(vectored_io)
{
	struct iovec *iov = galloc(3 * sizeof(*iov));
	char *a = gstr("abc"), *b = gstr("defgh"), *r = galloc(16), *s = galloc(16);
	long fd = gopen("v", O_CREAT | O_RDWR, 0600);
	char stack_buf[8];

	iov[0] = (struct iovec){ a, 3 };
	iov[1] = (struct iovec){ NULL, 0 };
	iov[2] = (struct iovec){ b, 5 };
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 3), 8);
	ck_assert_int_eq(SC(SYS_pwritev, fd, G(iov), 1, 8, 0), 3);
	iov[0] = (struct iovec){ r, 4 };
	iov[1] = (struct iovec){ s, 16 };
	ck_assert_int_eq(SC(SYS_preadv, fd, G(iov), 2, 0, 0), 11);
	ck_assert_int_eq(memcmp(r, "abcd", 4), 0);
	ck_assert_int_eq(memcmp(s, "efghabc", 7), 0);
	ck_assert_int_eq(SC(SYS_lseek, fd, 0, SEEK_SET), 0);
	memset(r, 0, 16);
	ck_assert_int_eq(SC(SYS_readv, fd, G(iov), 1), 4);
	ck_assert_int_eq(SC(SYS_preadv2, fd, G(iov), 1, 1, 0, 0), 4);
	ck_assert_int_eq(memcmp(r, "bcde", 4), 0);
	ck_assert_int_eq(SC(SYS_pwritev2, fd, G(iov), 1, 0, 0, 0), 4);

	/* The hostile cases: the array, an element, counts and lengths. */
	ck_assert_int_eq(SC(SYS_writev, fd, G(stack_buf), 1), -EFAULT);
	iov[1] = (struct iovec){ stack_buf, sizeof(stack_buf) };
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 2), -EFAULT);
	ck_assert_int_eq(SC(SYS_readv, fd, G(iov), 2), -EFAULT);
	iov[1] = (struct iovec){ s, (size_t)-1 };
	ck_assert_int_eq(SC(SYS_readv, fd, G(iov), 2), -EINVAL);
	iov[1] = (struct iovec){ s, (size_t)1 << 40 };
	ck_assert_int_eq(SC(SYS_readv, fd, G(iov), 2), -EFAULT);
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 1025), -EINVAL);
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), (uint64_t)-1), -EINVAL);
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 0), 0);
	ck_assert_int_eq(SC(SYS_writev, fd, vm.arena.base + ARENA_SIZE - 8, 1), -EFAULT);
}
END_TEST

/* Large iovec arrays go through the heap copy. */
START_TEST(many_iovecs)
{
	struct iovec *iov = galloc(100 * sizeof(*iov));
	char *data = galloc(100);
	long fd = gopen("many", O_CREAT | O_RDWR, 0600);
	int i;

	for (i = 0; i < 100; i++) {
		data[i] = 'A' + i % 26;
		iov[i] = (struct iovec){ data + i, 1 };
	}
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 100), 100);
	iov[99].iov_base = (void *)1;
	ck_assert_int_eq(SC(SYS_writev, fd, G(iov), 100), -EFAULT);
}
END_TEST

struct racer {
	struct iovec *iov;
	void *good, *bad;
	volatile int stop;
};

static void *race_iov(void *arg)
{
	struct racer *r = arg;

	while (!r->stop) {
		__atomic_store_n(&r->iov->iov_base, r->bad, __ATOMIC_RELAXED);
		__atomic_store_n(&r->iov->iov_base, r->good, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* A guest thread rewriting an iovec during the call cannot make the host
 * use a pointer that was not checked: each write is either the arena's
 * bytes or EFAULT, never the monitor's. */
START_TEST(iovec_toctou)
{
	static char secret[8] = "SECRET!!";
	struct racer r = { galloc(sizeof(struct iovec)), gstr("arena-ok"), secret, 0 };
	char *back = galloc(16);
	int *p = galloc(2 * sizeof(int)), i, ok = 0, faults = 0;
	pthread_t th;
	long n;

	ck_assert_int_eq(SC(SYS_pipe2, G(p), O_NONBLOCK), 0);
	r.iov->iov_base = r.good;
	r.iov->iov_len = 8;
	ck_assert_int_eq(pthread_create(&th, NULL, race_iov, &r), 0);
	for (i = 0; i < 20000; i++) {
		n = SC(SYS_writev, p[1], G(r.iov), 1);
		if (n == -EFAULT) {
			faults++;
			continue;
		}
		ck_assert_int_eq(n, 8);
		ck_assert_int_eq(SC(SYS_read, p[0], G(back), 16), 8);
		ck_assert_int_eq(memcmp(back, "arena-ok", 8), 0);
		ok++;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	ck_assert_int_eq(ok + faults, 20000);
}
END_TEST

START_TEST(dups_and_fcntl)
{
	struct flock *fl = galloc(sizeof(*fl));
	long fd = gopen("lk", O_CREAT | O_RDWR, 0600), fd2, d;

	d = SC(SYS_dup, fd);
	ck_assert_int_gt(d, fd);
	ck_assert_int_eq(SC(SYS_dup2, fd, 100), 100);
	ck_assert_int_eq(SC(SYS_dup2, fd, LIMIT - 1), LIMIT - 1);
	ck_assert_int_eq(SC(SYS_dup2, fd, LIMIT), -EBADF);
	ck_assert_int_eq(SC(SYS_dup2, fd, -1), -EBADF);
	ck_assert_int_eq(SC(SYS_dup3, fd, 101, O_CLOEXEC), 101);
	ck_assert_int_eq(fcntl(101, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(SC(SYS_dup3, fd, fd, 0), -EINVAL);
	ck_assert_int_ge(SC(SYS_fcntl, fd, F_DUPFD, 150), 150);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_DUPFD, LIMIT - 1), -EMFILE);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_DUPFD, -1), -EINVAL);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_GETFD, 0), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_GETFD, 0), FD_CLOEXEC);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND), 0);
	ck_assert(SC(SYS_fcntl, fd, F_GETFL, 0) & O_APPEND);
	ck_assert_int_eq(SC(SYS_fcntl, fd, 12345, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_SETOWN, getpid()), -EINVAL);

	/* Locks go through a copy of struct flock, both ways. */
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_len = 10;
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_OFD_SETLK, G(fl)), 0);
	fd2 = gopen("lk", O_RDWR, 0);
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_RDLCK;
	fl->l_len = 5;
	ck_assert_int_eq(SC(SYS_fcntl, fd2, F_OFD_GETLK, G(fl)), 0);
	ck_assert_int_eq(fl->l_type, F_WRLCK);
	ck_assert_int_eq(fl->l_len, 10);
	fl->l_type = F_RDLCK;
	fl->l_pid = 0; /* OFD locks want 0; F_OFD_GETLK wrote -1 */
	ck_assert_int_eq(SC(SYS_fcntl, fd2, F_OFD_SETLK, G(fl)), -EAGAIN);
	fl->l_start = 100;
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_SETLK, G(fl)), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_GETLK, G(fl)), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_GETLK, 16), -EFAULT);
}
END_TEST

START_TEST(pipes)
{
	int *p = galloc(2 * sizeof(int));
	char *msg = gstr("through"), *r = galloc(16);
	int stack_fds[2], before = dup(0);

	close(before);
	ck_assert_int_eq(SC(SYS_pipe, G(p)), 0);
	ck_assert_int_lt(p[1], LIMIT);
	ck_assert_int_eq(SC(SYS_write, p[1], G(msg), 7), 7);
	ck_assert_int_eq(SC(SYS_read, p[0], G(r), 16), 7);
	ck_assert_str_eq(r, "through");
	ck_assert_int_eq(SC(SYS_pipe2, G(p), O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(SC(SYS_read, p[0], G(r), 16), -EAGAIN);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	ck_assert_int_ge(SC(SYS_fcntl, p[0], F_GETPIPE_SZ, 0), 4096);
	ck_assert_int_eq(SC(SYS_pipe2, G(p), 0x12345678), -EINVAL);
	/* A bad array: EFAULT, and no fd left behind. */
	before = dup(0);
	close(before);
	ck_assert_int_eq(SC(SYS_pipe, G(stack_fds)), -EFAULT);
	ck_assert_int_eq(SC(SYS_pipe2, vm.arena.base + ARENA_SIZE - 4, 0), -EFAULT);
	ck_assert_int_eq(dup(0), before);
}
END_TEST

START_TEST(copies_with_offsets)
{
	int64_t *off_in = galloc(8), *off_out = galloc(8);
	char *data = gstr("0123456789"), *r = galloc(16);
	long in = gopen("in", O_CREAT | O_RDWR, 0600), out = gopen("out", O_CREAT | O_RDWR, 0600);

	ck_assert_int_eq(SC(SYS_write, in, G(data), 10), 10);
	*off_in = 2;
	*off_out = 0;
	ck_assert_int_eq(SC(SYS_copy_file_range, in, G(off_in), out, G(off_out), 4, 0), 4);
	/* The offsets are written back. */
	ck_assert_int_eq(*off_in, 6);
	ck_assert_int_eq(*off_out, 4);
	*off_in = 6;
	ck_assert_int_eq(SC(SYS_lseek, out, 4, SEEK_SET), 4);
	ck_assert_int_eq(SC(SYS_sendfile, out, in, G(off_in), 3), 3);
	ck_assert_int_eq(*off_in, 9);
	ck_assert_int_eq(SC(SYS_pread64, out, G(r), 16, 0), 7);
	ck_assert_int_eq(memcmp(r, "2345678", 7), 0);
	ck_assert_int_eq(SC(SYS_sendfile, out, in, G(r) + 4 * 1024 * 1024, 3), -EFAULT);
	ck_assert_int_eq(SC(SYS_sendfile, out, in, 0, 3), 0); /* at EOF of in */
}
END_TEST

START_TEST(memfd)
{
	long fd = SC(SYS_memfd_create, G(gstr("elh-test")), MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char *x = galloc(300);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(SC(SYS_ftruncate, fd, 4096), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_GROW), 0);
	ck_assert_int_eq(SC(SYS_fcntl, fd, F_GET_SEALS, 0), F_SEAL_GROW);
	memset(x, 'n', 299);
	ck_assert_int_eq(SC(SYS_memfd_create, G(x), 0), -EINVAL);
}
END_TEST

START_TEST(close_range_clamped)
{
	int mfd = monitor_fd();

	ck_assert_int_eq(dup2(0, 200), 200);
	ck_assert_int_eq(dup2(0, 201), 201);
	ck_assert_int_eq(SC(SYS_close_range, 201, 200, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_close_range, 200, 300, 0x100), -EINVAL);
	ck_assert_int_eq(SC(SYS_close_range, 200, ~0u, CLOSE_RANGE_CLOEXEC), 0);
	ck_assert_int_eq(fcntl(200, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(fcntl(mfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(SC(SYS_close_range, 200, ~0u, CLOSE_RANGE_UNSHARE), 0);
	ck_assert_int_eq(fcntl(200, F_GETFD), -1);
	ck_assert_int_eq(fcntl(201, F_GETFD), -1);
	ck_assert_int_ge(fcntl(mfd, F_GETFD), 0);
}
END_TEST

/* /proc/self is the guest's (procfs.c): the walk through every trick, the
 * exe link, the fds above the limit, the check of an opened fd. */
START_TEST(proc_self_is_the_guests)
{
	char *buf = galloc(PATH_MAX), link[64];
	int mfd = fcntl(2, F_DUPFD, LIMIT + 10);
	long fd;

	snprintf(vm.exe_path, sizeof(vm.exe_path), "/guest/program");
	ck_assert_int_eq(gopen("/proc/self/mem", O_RDWR, 0), -ENOENT);
	ck_assert_int_eq(gopen("/proc/./self/../self/environ", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(gopen("/proc/thread-self/auxv", O_RDONLY, 0), -ENOENT);
	snprintf(link, sizeof(link), "/proc/%d/task/%d/mem", getpid(), getpid());
	ck_assert_int_eq(gopen(link, O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(symlink("/proc/self", "selflink"), 0);
	ck_assert_int_eq(gopen("selflink/mem", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(SC(SYS_unlink, G(gstr("selflink"))), 0);
	ck_assert_int_ge(mfd, LIMIT);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", mfd);
	ck_assert_int_eq(gopen(link, O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(SC(SYS_readlink, G(gstr(link)), G(buf), PATH_MAX), -ENOENT);
	snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", mfd);
	ck_assert_int_eq(SC(SYS_access, G(gstr(link)), F_OK), -ENOENT);
	ck_assert_int_eq(SC(SYS_readlink, G(gstr("/proc/self/exe")), G(buf), PATH_MAX), 14);
	ck_assert_int_eq(memcmp(buf, "/guest/program", 14), 0);
	fd = gopen("/proc/self/status", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(fd, LIMIT);
	close((int)fd);
	close(mfd);
}
END_TEST

Suite *files_suite(void)
{
	Suite *s = suite_create("syscall-files");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, file_roundtrip);
	tcase_add_test(tc, directories_and_names);
	tcase_add_test(tc, vectored_io);
	tcase_add_test(tc, many_iovecs);
	tcase_add_test(tc, iovec_toctou);
	tcase_add_test(tc, dups_and_fcntl);
	tcase_add_test(tc, pipes);
	tcase_add_test(tc, copies_with_offsets);
	tcase_add_test(tc, memfd);
	tcase_add_test(tc, close_range_clamped);
	tcase_add_test(tc, proc_self_is_the_guests);
	suite_add_tcase(s, tc);
	return s;
}
