/* rename, renameat, link, unlink, unlinkat, readlink, symlink loops. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char dir[64];

static const char *p(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

int main(void)
{
	char target[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(dir, sizeof(dir), "%s", scratch_dir());
	fd = open(p("a"), O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && write(fd, "A", 1) == 1);
	close(fd);
	CHECK(rename(p("a"), p("b")) == 0);
	CHECK(access(p("a"), F_OK) == -1 && errno == ENOENT);
	CHECK(link(p("b"), p("c")) == 0);
	CHECK(stat(p("b"), &st) == 0 && st.st_nlink == 2);
	CHECK(symlink("b", p("s")) == 0);
	n = readlink(p("s"), target, sizeof(target));
	CHECK(n == 1 && target[0] == 'b');
	CHECK(readlink(p("b"), target, sizeof(target)) == -1 && errno == EINVAL);
	CHECK(symlink("loop2", p("loop1")) == 0 && symlink("loop1", p("loop2")) == 0);
	CHECK(open(p("loop1"), O_RDONLY) == -1 && errno == ELOOP);
	CHECK(renameat(AT_FDCWD, p("c"), AT_FDCWD, p("d")) == 0);
	CHECK(unlinkat(AT_FDCWD, p("d"), 0) == 0);
	CHECK(stat(p("b"), &st) == 0 && st.st_nlink == 1);
	CHECK(mkdir(p("sub"), 0755) == 0);
	CHECK(unlinkat(AT_FDCWD, p("sub"), 0) == -1 && errno == EISDIR);
	CHECK(unlinkat(AT_FDCWD, p("sub"), AT_REMOVEDIR) == 0);
	CHECK(rename(p("b"), p("nodir/x")) == -1 && errno == ENOENT);
	unlink(p("b"));
	unlink(p("s"));
	unlink(p("loop1"));
	unlink(p("loop2"));
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
