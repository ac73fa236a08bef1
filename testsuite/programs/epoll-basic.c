/* Readiness: epoll level vs edge triggered, EPOLLONESHOT, MOD/DEL, hang-up, error codes. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int wait_for(int ep, struct epoll_event *ev, int timeout)
{
	int n = epoll_wait(ep, ev, 4, timeout);

	CHECK(n >= 0);
	return n;
}

int main(void)
{
	int ep, a[2], b[2], n;
	struct epoll_event ev, out[4];
	sigset_t mask;
	char c;

	alarm(WATCHDOG_SECONDS);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK(epoll_create1(12345) == -1 && errno == EINVAL);
	CHECK(pipe(a) == 0 && pipe(b) == 0);

	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x1122334455667788ull };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev) == -1 && errno == EEXIST);
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev) == -1 && errno == ENOENT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL);
	CHECK(epoll_ctl(ep, 99, a[0], &ev) == -1 && errno == EINVAL);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u32 = 2 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev) == 0);

	CHECK(wait_for(ep, out, 0) == 0);
	printf("nothing ready\n");

	/* Level triggered: reported again while data remains. */
	CHECK(write(a[1], "xy", 2) == 2);
	n = wait_for(ep, out, -1);
	CHECK(n == 1 && out[0].events == EPOLLIN);
	printf("level: data %016llx\n", (unsigned long long)out[0].data.u64);
	CHECK(read(a[0], &c, 1) == 1);
	CHECK(wait_for(ep, out, 0) == 1);
	CHECK(read(a[0], &c, 1) == 1);
	CHECK(wait_for(ep, out, 0) == 0);
	printf("level: reported until drained\n");

	/* Edge triggered: reported once per new arrival. */
	CHECK(write(b[1], "xy", 2) == 2);
	n = wait_for(ep, out, -1);
	CHECK(n == 1 && out[0].data.u32 == 2);
	CHECK(wait_for(ep, out, 0) == 0);
	CHECK(write(b[1], "z", 1) == 1);
	CHECK(wait_for(ep, out, 0) == 1);
	CHECK(read(b[0], &c, 1) == 1);
	printf("edge: one report per arrival\n");

	/* One-shot: disabled after one report until re-armed with MOD. */
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u32 = 3 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev) == 0);
	CHECK(wait_for(ep, out, 0) == 1 && out[0].data.u32 == 3);
	CHECK(wait_for(ep, out, 0) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev) == 0);
	CHECK(wait_for(ep, out, 0) == 1);
	printf("oneshot: re-armed by EPOLL_CTL_MOD\n");

	/* Both ready at once; then remove one. */
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 4 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, b[0], &ev) == 0);
	CHECK(write(a[1], "q", 1) == 1);
	n = wait_for(ep, out, -1);
	printf("two ready: %d\n", n);
	n = epoll_wait(ep, out, 1, 0);
	CHECK(n == 1);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL) == -1 && errno == ENOENT);
	n = wait_for(ep, out, 0);
	CHECK(n == 1 && out[0].data.u64 == 0x1122334455667788ull);

	/* Hang-up on the read end, then closing a watched fd removes it. */
	CHECK(close(a[1]) == 0);
	sigemptyset(&mask);
	n = epoll_pwait(ep, out, 4, 100, &mask);
	CHECK(n == 1);
	printf("after writer closed: IN %d HUP %d\n", !!(out[0].events & EPOLLIN),
	       !!(out[0].events & EPOLLHUP));
	CHECK(close(a[0]) == 0);
	CHECK(wait_for(ep, out, 10) == 0);
	CHECK(epoll_wait(ep, out, 0, 0) == -1 && errno == EINVAL);
	CHECK(epoll_wait(a[1], out, 1, 0) == -1 && errno == EBADF);
	CHECK(epoll_wait(b[0], out, 1, 0) == -1 && errno == EINVAL);
	CHECK(close(b[0]) == 0 && close(b[1]) == 0 && close(ep) == 0);
	printf("ok\n");
	return 0;
}
