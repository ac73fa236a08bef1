/* stat, fstat, lstat, fstatat, statx, access, chmod, utimensat, truncate. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char path[64], link[64];
	char *dir = scratch_dir();
	struct stat st, lst;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
	int fd, dfd;

	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0640);
	CHECK(fd >= 0);
	CHECK(write(fd, "12345", 5) == 5);
	CHECK(fstat(fd, &st) == 0);
	printf("size %lld mode %o regular %d\n", (long long)st.st_size, st.st_mode & 0777,
	       S_ISREG(st.st_mode));
	CHECK(ftruncate(fd, 100) == 0);
	close(fd);
	CHECK(stat(path, &st) == 0 && st.st_size == 100);
	CHECK(truncate(path, 3) == 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	CHECK(chmod(path, 0600) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(access(path, R_OK | W_OK) == 0);
	CHECK(access("/nonexistent/x", F_OK) == -1 && errno == ENOENT);
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	CHECK(stat(path, &st) == 0);
	printf("mtime %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	CHECK(symlink("f", link) == 0);
	CHECK(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode));
	CHECK(stat(link, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(fstatat(dfd, "f", &st, 0) == 0 && st.st_size == 3);
	CHECK(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(fstatat(dfd, "missing", &st, 0) == -1 && errno == ENOENT);
	close(dfd);
	CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	unlink(link);
	unlink(path);
	rmdir(dir);
	printf("ok\n");
	return 0;
}
