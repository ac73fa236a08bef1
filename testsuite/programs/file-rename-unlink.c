/* Files: rename over files and directories, unlink of an open file, rmdir errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

static void put(const char *name, const char *text)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(close(fd) == 0);
}

static void show(const char *name)
{
	char buf[64];
	int fd = open(at(name), O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("%s: absent (%s)\n", name, errno == ENOENT ? "ENOENT" : "?");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n >= 0);
	buf[n] = 0;
	printf("%s: %s\n", name, buf);
	close(fd);
}

int main(void)
{
	struct stat st;
	char buf[16];
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	put("a", "first");
	put("b", "second");
	CHECK(rename(at("a"), at("b")) == 0);
	show("a");
	show("b");

	CHECK(mkdir(at("d1"), 0755) == 0);
	CHECK(mkdir(at("d2"), 0755) == 0);
	CHECK(rename(at("b"), at("d1/moved")) == 0);
	show("d1/moved");
	CHECK(rename(at("d1"), at("d3")) == 0);
	show("d3/moved");
	CHECK(rename(at("d3/moved"), at("nodir/x")) == -1 && errno == ENOENT);
	CHECK(rename(at("d3"), at("d3/sub")) == -1 && errno == EINVAL);
	CHECK(rename(at("d3"), at("d2")) == 0); /* an empty directory is replaced */
	show("d2/moved");
	put("f", "file");
	CHECK(rename(at("f"), at("d2")) == -1 && errno == EISDIR);
	CHECK(rename(at("d2"), at("f")) == -1 && errno == ENOTDIR);
	CHECK(rename(at("f"), at("f")) == 0);
	show("f");

	/* An unlinked file lives on while open. */
	fd = open(at("f"), O_RDWR);
	CHECK(fd >= 0);
	CHECK(unlink(at("f")) == 0);
	CHECK(stat(at("f"), &st) == -1 && errno == ENOENT);
	CHECK(fstat(fd, &st) == 0);
	printf("unlinked but open: nlink %ld size %lld\n", (long)st.st_nlink,
	       (long long)st.st_size);
	CHECK(pwrite(fd, "FI", 2, 0) == 2);
	CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "FIle", 4) == 0);
	CHECK(close(fd) == 0);

	CHECK(unlink(at("d2")) == -1 && (errno == EISDIR || errno == EPERM));
	CHECK(rmdir(at("d2")) == -1 && errno == ENOTEMPTY);
	CHECK(unlink(at("d2/moved")) == 0);
	CHECK(unlink(at("d2/moved")) == -1 && errno == ENOENT);
	CHECK(rmdir(at("d2")) == 0);
	CHECK(rmdir(at("d2")) == -1 && errno == ENOENT);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
