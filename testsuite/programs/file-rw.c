/* Files: create, write, read back, lseek, pread/pwrite, O_APPEND, unlink. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char path[64], buf[64];
	char *dir = scratch_dir();
	int fd;

	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "hello, world\n", 13) == 13);
	CHECK(lseek(fd, 0, SEEK_CUR) == 13);
	CHECK(lseek(fd, 7, SEEK_SET) == 7);
	CHECK(read(fd, buf, sizeof(buf)) == 6);
	CHECK(memcmp(buf, "world\n", 6) == 0);
	CHECK(pwrite(fd, "WORLD", 5, 7) == 5);
	CHECK(pread(fd, buf, 5, 7) == 5 && memcmp(buf, "WORLD", 5) == 0);
	CHECK(lseek(fd, 0, SEEK_END) == 13);
	CHECK(lseek(fd, -100, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(close(fd) == 0);
	CHECK(open(path, O_RDWR | O_CREAT | O_EXCL, 0600) == -1 && errno == EEXIST);

	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "tail\n", 5) == 5);
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 18);
	buf[18] = 0;
	printf("%s", buf);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
	close(fd);
	CHECK(unlink(path) == 0);
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
