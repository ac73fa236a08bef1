/* Process: pid/tid/ppid/uid/gid/pgid/sid calls agree with each other and across threads. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static pid_t thread_pid, thread_tid, thread_ppid;

static void *probe(void *arg)
{
	(void)arg;
	thread_pid = getpid();
	thread_tid = gettid();
	thread_ppid = getppid();
	return NULL;
}

int main(void)
{
	pthread_t t;
	uid_t r, e, s;
	gid_t gr, ge, gs;
	gid_t groups[64];

	printf("getpid positive: %d\n", getpid() > 0);
	printf("getpid stable: %d\n", getpid() == getpid());
	printf("syscall(SYS_getpid) matches: %d\n", syscall(SYS_getpid) == getpid());
	printf("main thread: gettid == getpid: %d\n", gettid() == getpid());
	printf("getppid positive and not us: %d\n", getppid() > 0 && getppid() != getpid());

	CHECK(pthread_create(&t, NULL, probe, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("thread: same pid %d, own tid %d, same ppid %d\n", thread_pid == getpid(),
	       thread_tid != getpid() && thread_tid > 0, thread_ppid == getppid());

	CHECK(getresuid(&r, &e, &s) == 0);
	CHECK(getresgid(&gr, &ge, &gs) == 0);
	printf("getresuid matches getuid/geteuid: %d\n", r == getuid() && e == geteuid());
	printf("getresgid matches getgid/getegid: %d\n", gr == getgid() && ge == getegid());
	int n = getgroups(64, groups);
	CHECK(n >= 0);
	printf("getgroups works: %d\n", n >= 0);
	printf("getpgrp == getpgid(0): %d\n", getpgrp() == getpgid(0));
	printf("getsid(0) == getsid(getpid()): %d\n", getsid(0) == getsid(getpid()));
	printf("getpgid of a bad pid fails with ESRCH: %d\n",
	       getpgid(0x7ffffff0) == -1 && errno == ESRCH);
	printf("kill(pid, 0) succeeds: %d\n", kill(getpid(), 0) == 0);
	printf("ok\n");
	return 0;
}
