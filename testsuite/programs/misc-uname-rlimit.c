/* Misc: uname sysname/machine, RLIMIT_NOFILE lowered and read back, EMFILE, prlimit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct utsname u;
	struct rlimit orig, rl, old;
	int fds[64], n = 0, fd;

	CHECK(uname(&u) == 0);
	printf("sysname %s\n", u.sysname);
	printf("machine %s\n", u.machine);
	printf("release, version, nodename non-empty: %d\n",
	       u.release[0] != 0 && u.version[0] != 0 && u.nodename[0] != 0);
	CHECK(strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0);

	CHECK(getrlimit(RLIMIT_NOFILE, &orig) == 0);
	CHECK(orig.rlim_cur >= 64 && orig.rlim_cur <= orig.rlim_max);
	rl = orig;
	rl.rlim_cur = 40;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	printf("RLIMIT_NOFILE soft limit read back: %llu, hard limit unchanged: %d\n",
	       (unsigned long long)rl.rlim_cur, rl.rlim_max == orig.rlim_max);
	CHECK(sysconf(_SC_OPEN_MAX) == 40);

	/* Opening descriptors stops at the limit with EMFILE. */
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		CHECK(fd < 40 && n < 64);
		fds[n++] = fd;
	}
	printf("open beyond the limit: %s\n", errno == EMFILE ? "EMFILE" : "?");
	CHECK(dup2(0, 45) == -1 && errno == EBADF);
	CHECK(fcntl(0, F_DUPFD, 40) == -1 && errno == EINVAL);
	while (n > 0)
		CHECK(close(fds[--n]) == 0);

	/* prlimit on ourselves reads and sets in one call. */
	rl.rlim_cur = 50;
	CHECK(prlimit(0, RLIMIT_NOFILE, &rl, &old) == 0);
	CHECK(old.rlim_cur == 40);
	CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &old) == 0 && old.rlim_cur == 50);
	printf("prlimit: old 40, new %llu\n", (unsigned long long)old.rlim_cur);

	rl.rlim_cur = rl.rlim_max + (rl.rlim_max == RLIM_INFINITY ? 0 : 1);
	if (rl.rlim_max != RLIM_INFINITY)
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL);
	CHECK(setrlimit(RLIMIT_NOFILE, &orig) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == orig.rlim_cur);
	CHECK(getrlimit(12345, &rl) == -1 && errno == EINVAL);

	/* Other limits can at least be read. */
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > 0);
	CHECK(getrlimit(RLIMIT_AS, &rl) == 0);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0);
	printf("RLIMIT_STACK, RLIMIT_AS, RLIMIT_CORE readable\n");
	printf("ok\n");
	return 0;
}
