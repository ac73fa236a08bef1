/* Files: stat/fstat/lstat/fstatat agree; modes, chmod, link counts, utimensat/futimens. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static const char *kind(mode_t m)
{
	if (S_ISREG(m))
		return "regular";
	if (S_ISDIR(m))
		return "directory";
	if (S_ISLNK(m))
		return "symlink";
	if (S_ISFIFO(m))
		return "fifo";
	return "other";
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], link2[64], sym[64], fifo[64];
	struct stat a, b, c;
	struct timespec ts[2];
	int fd, dfd;

	umask(022);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(link2, sizeof(link2), "%s/hard", dir);
	snprintf(sym, sizeof(sym), "%s/sym", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0);
	CHECK(write(fd, "twelve bytes", 12) == 12);
	CHECK(fstat(fd, &a) == 0);
	CHECK(stat(path, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK(a.st_uid == geteuid());
	printf("file: %s mode %04o size %lld nlink %ld\n", kind(a.st_mode), a.st_mode & 07777,
	       (long long)a.st_size, (long)a.st_nlink);

	CHECK(chmod(path, 0600) == 0);
	CHECK(stat(path, &b) == 0 && (b.st_mode & 07777) == 0600);
	CHECK(fchmod(fd, 0751) == 0);
	CHECK(fstat(fd, &b) == 0);
	printf("after fchmod: %04o\n", b.st_mode & 07777);

	CHECK(link(path, link2) == 0);
	CHECK(fstat(fd, &b) == 0);
	printf("after link: nlink %ld\n", (long)b.st_nlink);
	CHECK(stat(link2, &c) == 0 && c.st_ino == a.st_ino);

	ts[0] = (struct timespec){ .tv_sec = 1000000000, .tv_nsec = 0 };
	ts[1] = (struct timespec){ .tv_sec = 1234567890, .tv_nsec = 500000000 };
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	CHECK(stat(link2, &b) == 0);
	/* A file system with coarse timestamps may drop the nanoseconds. */
	CHECK(b.st_mtim.tv_nsec == 500000000 || b.st_mtim.tv_nsec == 0);
	printf("times: atime %lld mtime %lld\n", (long long)b.st_atim.tv_sec,
	       (long long)b.st_mtim.tv_sec);
	ts[0] = (struct timespec){ .tv_sec = 0, .tv_nsec = UTIME_OMIT };
	ts[1] = (struct timespec){ .tv_sec = 2000000000, .tv_nsec = 0 };
	CHECK(futimens(fd, ts) == 0);
	CHECK(fstat(fd, &b) == 0);
	printf("times: atime %lld mtime %lld\n", (long long)b.st_atim.tv_sec,
	       (long long)b.st_mtim.tv_sec);

	CHECK(symlink("file", sym) == 0);
	CHECK(lstat(sym, &b) == 0);
	printf("lstat sym: %s size %lld\n", kind(b.st_mode), (long long)b.st_size);
	CHECK(stat(sym, &b) == 0 && b.st_ino == a.st_ino);
	printf("stat sym: %s\n", kind(b.st_mode));

	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(fstatat(dfd, "sym", &b, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(b.st_mode));
	CHECK(fstatat(dfd, "sym", &b, 0) == 0 && b.st_ino == a.st_ino);
	CHECK(fstatat(dfd, "", &b, AT_EMPTY_PATH) == 0);
	printf("fstatat dir: %s\n", kind(b.st_mode));
	CHECK(mkfifo(fifo, 0640) == 0);
	CHECK(fstatat(dfd, "fifo", &b, 0) == 0);
	printf("fifo: %s mode %04o\n", kind(b.st_mode), b.st_mode & 07777);

	CHECK(stat("/tmp/elh-no/such", &b) == -1 && errno == ENOENT);
	snprintf(fifo, sizeof(fifo), "%s/file/x", dir);
	CHECK(stat(fifo, &b) == -1 && errno == ENOTDIR);
	CHECK(fstat(-1, &b) == -1 && errno == EBADF);

	CHECK(close(fd) == 0);
	CHECK(unlinkat(dfd, "fifo", 0) == 0);
	CHECK(unlinkat(dfd, "sym", 0) == 0);
	CHECK(unlinkat(dfd, "hard", 0) == 0);
	CHECK(unlinkat(dfd, "file", 0) == 0);
	CHECK(close(dfd) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
