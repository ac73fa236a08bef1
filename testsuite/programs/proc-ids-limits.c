/* Process identity and limits: getpid/getppid/gettid consistency, ids,
 * uname, getrlimit/setrlimit round trip, getrusage, sysinfo. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct utsname u;
	struct rlimit rl, back;
	struct rusage ru;
	struct sysinfo si;

	CHECK(getpid() == gettid());
	CHECK(getppid() >= 0 && getppid() != getpid());
	CHECK(getuid() == geteuid() && getgid() == getegid());
	CHECK(uname(&u) == 0);
	printf("sysname %s machine %s\n", u.sysname, u.machine);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 16);
	back = rl;
	rl.rlim_cur = 64;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64);
	CHECK(setrlimit(RLIMIT_NOFILE, &back) == 0);
	rl.rlim_cur = rl.rlim_max + 1;
	CHECK(rl.rlim_max == RLIM_INFINITY || (setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EINVAL));
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > 0);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	CHECK(sysinfo(&si) == 0 && si.totalram > 0 && si.mem_unit > 0);
	/* A process whose session or group leader lives outside its pid
	 * namespace sees 0 here (CI containers do), so only consistency is
	 * checked. */
	CHECK(getpgrp() >= 0 && getpgid(0) == getpgrp());
	CHECK(getsid(0) >= 0 && getsid(0) == getsid(getpid()));
	printf("ok\n");
	return 0;
}
