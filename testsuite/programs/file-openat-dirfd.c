/* Files: the *at calls on a directory fd: openat, mkdirat, renameat, linkat, unlinkat... */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char buf[64];
	struct stat st;
	int dfd, sub, fd;
	ssize_t n;

	CHECK(mkdtemp(dir) != NULL);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	CHECK(mkdirat(dfd, "sub", 0755) == 0);
	CHECK(mkdirat(dfd, "sub", 0755) == -1 && errno == EEXIST);
	sub = openat(dfd, "sub", O_RDONLY | O_DIRECTORY);
	CHECK(sub >= 0);

	fd = openat(sub, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "via dirfd\n", 10) == 10);
	CHECK(close(fd) == 0);
	CHECK(fstatat(dfd, "sub/f", &st, 0) == 0 && st.st_size == 10);
	CHECK(openat(sub, "f", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
	CHECK(openat(fd, "f", O_RDONLY) == -1 && errno == EBADF);

	CHECK(renameat(sub, "f", dfd, "g") == 0);
	CHECK(faccessat(sub, "f", F_OK, 0) == -1 && errno == ENOENT);
	CHECK(faccessat(dfd, "g", R_OK | W_OK, 0) == 0);
	CHECK(linkat(dfd, "g", sub, "h", 0) == 0);
	CHECK(fstatat(sub, "h", &st, 0) == 0 && st.st_nlink == 2);
	CHECK(symlinkat("../g", sub, "s") == 0);
	n = readlinkat(sub, "s", buf, sizeof(buf));
	CHECK(n == 4);
	printf("readlinkat: %.*s\n", (int)n, buf);

	fd = openat(sub, "s", O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	CHECK(n == 10);
	printf("read through symlink: %.*s", (int)n, buf);
	CHECK(close(fd) == 0);
	CHECK(openat(sub, "s", O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);

	/* Absolute paths ignore the directory fd. */
	snprintf(buf, sizeof(buf), "%s/g", dir);
	CHECK(fstatat(sub, buf, &st, 0) == 0 && st.st_size == 10);
	CHECK(fstatat(-1, buf, &st, 0) == 0);
	CHECK(fstatat(-1, "g", &st, 0) == -1 && errno == EBADF);

	CHECK(unlinkat(dfd, "sub", 0) == -1 && errno == EISDIR);
	CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == -1 && errno == ENOTEMPTY);
	CHECK(unlinkat(sub, "s", 0) == 0);
	CHECK(unlinkat(sub, "h", 0) == 0);
	CHECK(unlinkat(dfd, "g", 0) == 0);
	CHECK(close(sub) == 0);
	CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
	CHECK(close(dfd) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
