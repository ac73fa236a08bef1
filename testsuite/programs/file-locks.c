/* Files: flock conflicts and a blocked waiter thread, POSIX record locks, OFD locks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char path[64];
static volatile int got_lock;

static void *locker(void *arg)
{
	int fd = open(path, O_RDWR);

	(void)arg;
	CHECK(fd >= 0);
	CHECK(flock(fd, LOCK_EX) == 0); /* blocks until main unlocks */
	got_lock = 1;
	CHECK(flock(fd, LOCK_UN) == 0);
	CHECK(close(fd) == 0);
	return NULL;
}

static const char *type(short t)
{
	switch (t) {
	case F_UNLCK: return "F_UNLCK";
	case F_RDLCK: return "F_RDLCK";
	case F_WRLCK: return "F_WRLCK";
	}
	return "?";
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	struct flock fl;
	struct timespec ms = { 0, 20 * 1000 * 1000 };
	pthread_t t;
	int a, b;

	alarm(WATCHDOG_SECONDS);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/lock", dir);
	a = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(a >= 0);
	CHECK(write(a, "0123456789", 10) == 10);
	b = open(path, O_RDWR);
	CHECK(b >= 0);

	CHECK(flock(a, LOCK_SH) == 0);
	CHECK(flock(b, LOCK_SH | LOCK_NB) == 0);
	CHECK(flock(b, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	CHECK(flock(b, LOCK_UN) == 0);
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0); /* upgrade */
	CHECK(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	printf("flock: shared/exclusive conflicts as expected\n");

	CHECK(pthread_create(&t, NULL, locker, NULL) == 0);
	nanosleep(&ms, NULL);
	CHECK(got_lock == 0);
	CHECK(flock(a, LOCK_UN) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("flock: waiter got the lock after unlock: %d\n", got_lock);
	CHECK(flock(-1, LOCK_SH) == -1 && errno == EBADF);

	/* POSIX locks: a process never conflicts with itself. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 4 };
	CHECK(fcntl(a, F_SETLK, &fl) == 0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(b, F_GETLK, &fl) == 0);
	printf("F_GETLK from the same process: %s\n", type(fl.l_type));
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(a, F_SETLK, &fl) == 0);

	/* OFD locks belong to the open file description and do conflict. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 4 };
	CHECK(fcntl(a, F_OFD_SETLK, &fl) == 0);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 3 };
	CHECK(fcntl(b, F_OFD_SETLK, &fl) == -1 && (errno == EAGAIN || errno == EACCES));
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0);
	printf("F_OFD_GETLK: %s start %lld len %lld pid %d\n", type(fl.l_type),
	       (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 6, .l_len = 4 };
	CHECK(fcntl(b, F_OFD_SETLK, &fl) == 0);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(a, F_OFD_SETLK, &fl) == 0);
	CHECK(fcntl(b, F_OFD_SETLK, &fl) == 0);

	CHECK(close(a) == 0);
	CHECK(close(b) == 0);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
