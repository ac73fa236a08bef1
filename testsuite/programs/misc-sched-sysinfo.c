/* Misc: sched_yield, affinity, scheduling policy, setpriority, getrusage, sysinfo (booleans). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	cpu_set_t set;
	struct sched_param sp;
	struct rusage ru;
	struct sysinfo si;
	int prio, n;

	for (int i = 0; i < 100; i++)
		CHECK(sched_yield() == 0);
	printf("sched_yield x100\n");

	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	n = CPU_COUNT(&set);
	printf("affinity has at least one CPU: %d\n", n >= 1);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);

	/* musl leaves sched_getscheduler/sched_getparam unimplemented: ask the kernel. */
	long pol = syscall(SYS_sched_getscheduler, 0);
	printf("policy is a normal one: %d\n",
	       pol == SCHED_OTHER || pol == SCHED_BATCH || pol == SCHED_IDLE);
	CHECK(syscall(SYS_sched_getparam, 0, &sp) == 0);
	printf("priority 0: %d\n", sp.sched_priority == 0);
	printf("SCHED_FIFO range 1..99: %d %d\n", sched_get_priority_min(SCHED_FIFO),
	       sched_get_priority_max(SCHED_FIFO));

	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	CHECK(errno == 0);
	if (prio < 19) {
		/* Lowering our own priority is always allowed. */
		CHECK(setpriority(PRIO_PROCESS, 0, prio + 1) == 0);
		errno = 0;
		CHECK(getpriority(PRIO_PROCESS, 0) == prio + 1 && errno == 0);
	}
	printf("setpriority: one step nicer\n");
	CHECK(getpriority(12345, 0) == -1 && errno == EINVAL);

	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	CHECK(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK(getrusage(RUSAGE_THREAD, &ru) == 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0);
	CHECK(getrusage(12345, &ru) == -1 && errno == EINVAL);
	printf("getrusage: self, thread, children\n");

	CHECK(sysinfo(&si) == 0);
	printf("sysinfo: uptime > 0 %d, totalram > 0 %d, procs > 0 %d, mem_unit > 0 %d\n",
	       si.uptime > 0, si.totalram > 0, si.procs > 0, si.mem_unit > 0);
	printf("ok\n");
	return 0;
}
