/* Directories: symlink/readlink, lstat vs stat, dangling/looping links, O_NOFOLLOW, hard links. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char dir[] = "/tmp/elh-XXXXXX";

static const char *at(const char *name)
{
	static char bufs[4][96];
	static int next;
	char *p = bufs[next++ % 4];

	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

int main(void)
{
	char buf[64], real[PATH_MAX], rdir[PATH_MAX];
	struct stat st, lst;
	ssize_t n;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(realpath(dir, rdir) != NULL);
	fd = open(at("target"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "target text\n", 12) == 12);
	CHECK(close(fd) == 0);

	CHECK(symlink("target", at("rel")) == 0);
	CHECK(symlink(at("target"), at("abs")) == 0);
	CHECK(symlink("nowhere", at("dangling")) == 0);
	CHECK(symlink("loop2", at("loop1")) == 0);
	CHECK(symlink("loop1", at("loop2")) == 0);
	CHECK(symlink("rel", at("chain")) == 0);
	CHECK(symlink("x", at("rel")) == -1 && errno == EEXIST);

	memset(buf, '#', sizeof(buf));
	n = readlink(at("rel"), buf, sizeof(buf));
	CHECK(n == 6 && buf[6] == '#');
	printf("readlink rel: %.*s\n", (int)n, buf);
	n = readlink(at("rel"), buf, 3);
	printf("readlink truncated: %zd %.*s\n", n, (int)n, buf);
	n = readlink(at("abs"), buf, sizeof(buf));
	CHECK(n == (ssize_t)strlen(at("target")));
	CHECK(readlink(at("target"), buf, sizeof(buf)) == -1 && errno == EINVAL);
	CHECK(readlink(at("missing"), buf, sizeof(buf)) == -1 && errno == ENOENT);

	CHECK(lstat(at("chain"), &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_size == 3);
	CHECK(stat(at("chain"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 12);
	printf("chain: lstat link of size %lld, stat file of size %lld\n", (long long)lst.st_size,
	       (long long)st.st_size);
	CHECK(lstat(at("dangling"), &lst) == 0 && S_ISLNK(lst.st_mode));
	CHECK(stat(at("dangling"), &st) == -1 && errno == ENOENT);
	CHECK(stat(at("loop1"), &st) == -1 && errno == ELOOP);
	CHECK(open(at("loop2"), O_RDONLY) == -1 && errno == ELOOP);
	CHECK(open(at("rel"), O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);
	printf("dangling: ENOENT, loop: ELOOP, O_NOFOLLOW: ELOOP\n");

	fd = open(at("rel"), O_RDONLY | O_NOFOLLOW | O_PATH);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &lst) == 0 && S_ISLNK(lst.st_mode));
	CHECK(close(fd) == 0);

	/* Writing through a dangling link creates its target. */
	fd = open(at("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(close(fd) == 0);
	CHECK(access(at("nowhere"), F_OK) == 0);

	CHECK(realpath(at("chain"), real) != NULL);
	printf("realpath of chain ends in %s\n", real + strlen(rdir));

	CHECK(link(at("target"), at("hard")) == 0);
	CHECK(stat(at("hard"), &st) == 0 && st.st_nlink == 2);
	CHECK(link(at("target"), at("hard")) == -1 && errno == EEXIST);
	CHECK(link(dir, at("dirlink")) == -1 && errno == EPERM);
	CHECK(unlink(at("target")) == 0);
	CHECK(stat(at("rel"), &st) == -1 && errno == ENOENT);
	CHECK(stat(at("hard"), &st) == 0 && st.st_nlink == 1);
	printf("hard link survives the original\n");

	const char *all[] = {
		"rel", "abs", "dangling", "nowhere", "loop1", "loop2", "chain", "hard"
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(unlink(at(all[i])) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
