/* Directories: chdir/fchdir and getcwd, relative paths, a renamed cwd, ERANGE/ENOTDIR. */
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

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char real[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX + 16], small[4];
	struct stat st;
	int home, sub, fd;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(realpath(dir, real) != NULL);
	home = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(home >= 0);

	CHECK(chdir(dir) == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) == cwd);
	CHECK(strcmp(cwd, real) == 0);
	printf("getcwd after chdir matches the directory\n");

	CHECK(mkdir("a", 0755) == 0);
	CHECK(mkdir("a/b", 0755) == 0);
	CHECK(chdir("a/b") == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/a/b", real);
	CHECK(strcmp(cwd, want) == 0);
	printf("relative chdir: cwd ends in %s\n", cwd + strlen(real));
	fd = open("here", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(close(fd) == 0);
	CHECK(chdir("..") == 0);
	CHECK(stat("b/here", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(chdir("../a/./b/../..") == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, real) == 0);

	sub = open("a/b", O_RDONLY | O_DIRECTORY);
	CHECK(sub >= 0);
	CHECK(fchdir(sub) == 0);
	CHECK(access("here", F_OK) == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	printf("fchdir: cwd ends in %s\n", cwd + strlen(real));

	/* The cwd keeps working after its path is renamed away. */
	CHECK(rename(want, strcat(strcpy(cwd, real), "/a/c")) == 0);
	CHECK(access("here", F_OK) == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	printf("after rename: cwd ends in %s\n", cwd + strlen(real));

	CHECK(getcwd(small, sizeof(small)) == NULL && errno == ERANGE);
	CHECK(chdir("here") == -1 && errno == ENOTDIR);
	CHECK(chdir("missing") == -1 && errno == ENOENT);
	CHECK(fchdir(-1) == -1 && errno == EBADF);
	fd = open("here", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(fchdir(fd) == -1 && errno == ENOTDIR);
	CHECK(close(fd) == 0);

	CHECK(unlink("here") == 0);
	CHECK(chdir("/") == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	printf("root: %s\n", cwd);
	CHECK(fchdir(home) == 0);
	CHECK(close(home) == 0);
	CHECK(close(sub) == 0);
	snprintf(want, sizeof(want), "%s/a/c", real);
	CHECK(rmdir(want) == 0);
	snprintf(want, sizeof(want), "%s/a", real);
	CHECK(rmdir(want) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
