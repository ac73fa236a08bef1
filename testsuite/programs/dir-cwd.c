/* chdir, fchdir, getcwd, relative paths, openat with a directory fd. */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char cwd[PATH_MAX], start[PATH_MAX];
	char *dir = scratch_dir();
	int dfd, fd;

	CHECK(getcwd(start, sizeof(start)) != NULL);
	CHECK(chdir(dir) == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, dir) == 0);
	CHECK(mkdir("sub", 0755) == 0);
	CHECK(chdir("sub") == 0);
	fd = open("../rel", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK(chdir("..") == 0);
	CHECK(access("rel", F_OK) == 0);
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	fd = openat(dfd, "inner", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK(fchdir(dfd) == 0);
	CHECK(access("inner", F_OK) == 0);
	CHECK(getcwd(cwd, 4) == NULL && errno == ERANGE);
	CHECK(chdir("/nonexistent") == -1 && errno == ENOENT);
	CHECK(chdir("inner") == -1 && errno == ENOTDIR);
	close(dfd);
	CHECK(chdir(dir) == 0);
	unlink("sub/inner");
	rmdir("sub");
	unlink("rel");
	CHECK(chdir(start) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
