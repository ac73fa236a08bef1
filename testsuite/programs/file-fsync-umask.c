/* Files: umask on open/mkdir/mkfifo modes, fsync/fdatasync, access(), FD_CLOEXEC. */
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

static unsigned mode_of(const char *name)
{
	char p[96];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	CHECK(stat(p, &st) == 0);
	return st.st_mode & 07777;
}

static const char *at(const char *name)
{
	static char p[96];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

int main(void)
{
	int fd, dfd, p[2];

	CHECK(mkdtemp(dir) != NULL);
	CHECK(umask(077) != (mode_t)-1);
	CHECK(umask(027) == 077);
	fd = open(at("f027"), O_WRONLY | O_CREAT | O_EXCL, 0777);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(mkdir(at("d027"), 0777) == 0);
	CHECK(mkfifo(at("p027"), 0666) == 0);
	printf("umask 027: file %04o dir %04o fifo %04o\n", mode_of("f027"), mode_of("d027"),
	       mode_of("p027"));
	umask(0);
	fd = open(at("f000"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0 && close(fd) == 0);
	printf("umask 000: file %04o\n", mode_of("f000"));
	/* chmod is not affected by the umask. */
	umask(0777);
	CHECK(chmod(at("f000"), 0644) == 0);
	printf("chmod under umask 0777: %04o\n", mode_of("f000"));
	umask(022);

	fd = open(at("data"), O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "durable\n", 8) == 8);
	CHECK(fsync(fd) == 0);
	CHECK(fdatasync(fd) == 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && fsync(dfd) == 0);
	CHECK(pipe(p) == 0);
	CHECK(fsync(p[0]) == -1 && errno == EINVAL);
	CHECK(fsync(-1) == -1 && errno == EBADF);
	printf("fsync and fdatasync ok on a file and a directory; fsync on a pipe: EINVAL\n");

	CHECK(access(at("data"), F_OK) == 0);
	CHECK(access(at("data"), R_OK | W_OK) == 0);
	CHECK(access(at("missing"), F_OK) == -1 && errno == ENOENT);
	CHECK(access(at("data"), 0x40) == -1 && errno == EINVAL);
	printf("access: F_OK/R_OK/W_OK and ENOENT\n");

	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(close(fd) == 0 && close(dfd) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	const char *names[] = { "f027", "p027", "f000", "data" };
	for (size_t i = 0; i < 4; i++)
		CHECK(unlink(at(names[i])) == 0);
	CHECK(rmdir(at("d027")) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
