/* Unit tests of the executor on readiness: poll, select, epoll, eventfd, timerfd, signal masks. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "syscall-fixture.h"

#define SIGBIT(s) (1ull << ((s)-1))

static int *gpipe(void)
{
	int *p = galloc(2 * sizeof(int));

	ck_assert_int_eq(SC(SYS_pipe2, G(p), O_NONBLOCK), 0);
	return p;
}

START_TEST(poll_arrays)
{
	int *p = gpipe(), mfd = monitor_fd();
	struct pollfd *pf = galloc(3 * sizeof(*pf));
	char *x = gstr("x");
	struct pollfd stack_pf;

	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ -1, POLLIN, 0 };
	pf[2] = (struct pollfd){ p[1], POLLOUT, 0 };
	ck_assert_int_eq(SC(SYS_poll, G(pf), 3, 0), 1);
	ck_assert_int_eq(pf[0].revents, 0);
	ck_assert_int_eq(pf[1].revents, 0);
	ck_assert_int_eq(pf[2].revents, POLLOUT);
	ck_assert_int_eq(SC(SYS_write, p[1], G(x), 1), 1);
	ck_assert_int_eq(SC(SYS_poll, G(pf), 1, -1), 1);
	ck_assert_int_eq(pf[0].revents, POLLIN);
	/* fds outside the guest's range: POLLNVAL, counted, never blocking. */
	pf[1].fd = mfd;
	pf[2].fd = LIMIT + 1000;
	pf[2].events = POLLIN;
	ck_assert_int_eq(SC(SYS_poll, G(pf), 3, -1), 3);
	ck_assert_int_eq(pf[1].revents, POLLNVAL);
	ck_assert_int_eq(pf[2].revents, POLLNVAL);
	ck_assert_int_eq(pf[1].fd, mfd);
	/* The array itself. */
	ck_assert_int_eq(SC(SYS_poll, G(&stack_pf), 1, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_poll, vm.arena.base + ARENA_SIZE - 8, 2, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_poll, G(pf), LIMIT + 1, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_poll, 0, 0, 1), 0);
}
END_TEST

START_TEST(poll_many)
{
	int *p = gpipe(), i;
	struct pollfd *pf = galloc(100 * sizeof(*pf));

	for (i = 0; i < 100; i++)
		pf[i] = (struct pollfd){ i % 2 ? p[1] : LIMIT, POLLOUT, 0 };
	ck_assert_int_eq(SC(SYS_poll, G(pf), 100, 0), 100);
	ck_assert_int_eq(pf[0].revents, POLLNVAL);
	ck_assert_int_eq(pf[1].revents, POLLOUT);
}
END_TEST

START_TEST(ppoll_and_masks)
{
	int *p = gpipe();
	struct pollfd *pf = galloc(sizeof(*pf));
	struct timespec *ts = galloc(sizeof(*ts));
	uint64_t *mask = galloc(8);

	pf->fd = p[0];
	pf->events = POLLIN;
	ts->tv_nsec = 1000;
	*mask = SIGBIT(SIGUSR1) | SIGBIT(SIGKILL);
	cpu.sigmask = SIGBIT(SIGTERM);
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), G(mask), 8), 0);
	ck_assert_uint_eq(cpu.sigmask, SIGBIT(SIGTERM)); /* restored */
	ck_assert_int_eq(ts->tv_sec, 0);
	ck_assert_int_eq(ts->tv_nsec, 0); /* the time left, written back */
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), G(mask), 4), -EINVAL);
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), 8, 8), -EFAULT);
	ts->tv_nsec = -1;
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), 0, 8), -EINVAL);
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, 8, 0, 8), -EFAULT);
	ck_assert_uint_eq(cpu.sigmask, SIGBIT(SIGTERM));

	/* A pending signal that the temporary mask unblocks: EINTR at once,
	 * the temporary mask stays for the delivery, the old one is saved. */
	ts->tv_sec = 100;
	ts->tv_nsec = 0;
	cpu.pending = SIGBIT(SIGTERM);
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), G(mask), 8), -EINTR);
	ck_assert_uint_eq(cpu.sigmask, SIGBIT(SIGUSR1));
	ck_assert_int_eq(cpu.saved_mask_valid, 1);
	ck_assert_uint_eq(cpu.saved_mask, SIGBIT(SIGTERM));
	/* Blocked by the temporary mask: no effect. */
	cpu.sigmask = SIGBIT(SIGTERM);
	cpu.saved_mask_valid = 0;
	cpu.pending = SIGBIT(SIGUSR1);
	ts->tv_sec = 0;
	ck_assert_int_eq(SC(SYS_epoll_pwait, 0, G(galloc(12)), 1, 0, G(mask), 8), -EINVAL);
	ck_assert_uint_eq(cpu.sigmask, SIGBIT(SIGTERM));
	ck_assert_int_eq(SC(SYS_ppoll, G(pf), 1, G(ts), G(mask), 8), 0);
	ck_assert_uint_eq(cpu.sigmask, SIGBIT(SIGTERM));
	ck_assert_int_eq(cpu.saved_mask_valid, 0);
}
END_TEST

START_TEST(select_sets)
{
	int *p = gpipe();
	fd_set *rd = galloc(sizeof(*rd)), *wr = galloc(sizeof(*wr));
	struct timeval *tv = galloc(sizeof(*tv));
	struct timespec *ts = galloc(sizeof(*ts));
	uint64_t *sig = galloc(16), *mask = galloc(8);
	unsigned char *big = galloc(4096);
	char *x = gstr("x"), stack_set[128];

	FD_SET(p[0], rd);
	FD_SET(p[1], wr);
	ck_assert_int_eq(SC(SYS_select, p[1] + 1, G(rd), G(wr), 0, G(tv)), 1);
	ck_assert(!FD_ISSET(p[0], rd));
	ck_assert(FD_ISSET(p[1], wr));
	ck_assert_int_eq(SC(SYS_write, p[1], G(x), 1), 1);
	FD_SET(p[0], rd);
	tv->tv_usec = 2500000; /* Linux folds this into 2.5 s */
	ck_assert_int_eq(SC(SYS_select, p[1] + 1, G(rd), 0, 0, G(tv)), 1);
	ck_assert(FD_ISSET(p[0], rd));
	ck_assert_int_le(tv->tv_sec, 2); /* the time left, normalized */
	ck_assert_int_lt(tv->tv_usec, 1000000);
	tv->tv_usec = -1;
	ck_assert_int_eq(SC(SYS_select, p[1] + 1, G(rd), 0, 0, G(tv)), -EINVAL);
	ck_assert_int_eq(SC(SYS_select, -1, 0, 0, 0, 0), -EINVAL);
	tv->tv_usec = 0;
	ck_assert_int_eq(SC(SYS_select, p[1] + 1, G(stack_set), 0, 0, G(tv)), -EFAULT);
	/* nfds past the guest's range: only the guest's fds are looked at. */
	memset(big, 0, 4096);
	big[p[0] / 8] |= 1 << (p[0] % 8);
	big[LIMIT / 8 + 10] = 0xff; /* the monitor's fds: ignored */
	tv->tv_sec = 0;
	tv->tv_usec = 0;
	ck_assert_int_eq(SC(SYS_select, 4096 * 8, G(big), 0, 0, G(tv)), 1);
	ck_assert(big[p[0] / 8] & (1 << (p[0] % 8)));

	/* pselect6 with its { sigset pointer, size } pair. */
	FD_ZERO(rd);
	FD_SET(p[0], rd);
	*mask = SIGBIT(SIGUSR2);
	sig[0] = G(mask);
	sig[1] = 8;
	cpu.sigmask = 0;
	ck_assert_int_eq(SC(SYS_pselect6, p[1] + 1, G(rd), 0, 0, G(ts), G(sig)), 1);
	ck_assert_uint_eq(cpu.sigmask, 0);
	sig[1] = 16;
	ck_assert_int_eq(SC(SYS_pselect6, p[1] + 1, G(rd), 0, 0, G(ts), G(sig)), -EINVAL);
	sig[0] = 0; /* no mask: the size does not matter */
	ck_assert_int_eq(SC(SYS_pselect6, p[1] + 1, G(rd), 0, 0, G(ts), G(sig)), 1);
	ck_assert_int_eq(SC(SYS_pselect6, p[1] + 1, G(rd), 0, 0, G(ts), 8), -EFAULT);
}
END_TEST

START_TEST(epoll_and_eventfd)
{
	struct epoll_event *ev = galloc(sizeof(*ev)), *evs = galloc(4 * sizeof(*evs));
	uint64_t *val = galloc(8), *mask = galloc(8);
	struct timespec *ts = galloc(sizeof(*ts));
	long ep, efd, ep2;

	ep = SC(SYS_epoll_create1, EPOLL_CLOEXEC);
	ck_assert_int_ge(ep, 0);
	ep2 = SC(SYS_epoll_create, 1);
	ck_assert_int_ge(ep2, 0);
	ck_assert_int_eq(SC(SYS_epoll_create, 0), -EINVAL);
	efd = SC(SYS_eventfd2, 0, EFD_NONBLOCK);
	ck_assert_int_ge(efd, 0);
	ck_assert_int_ge(SC(SYS_eventfd, 0), 0);
	ev->events = EPOLLIN;
	ev->data.u64 = 0x1234567890ull;
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, G(ev)), 0);
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, G(ev)), -EEXIST);
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, efd, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, G(evs), 4, 0), 0);
	*val = 5;
	ck_assert_int_eq(SC(SYS_write, efd, G(val), 8), 8);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, G(evs), 4, -1), 1);
	ck_assert_uint_eq(evs[0].events, EPOLLIN);
	ck_assert_uint_eq(evs[0].data.u64, 0x1234567890ull);
	*mask = SIGBIT(SIGUSR1);
	ck_assert_int_eq(SC(SYS_epoll_pwait, ep, G(evs), 4, 0, G(mask), 8), 1);
	ck_assert_int_eq(SC(SYS_epoll_pwait, ep, G(evs), 4, 0, 0, 0), 1);
	ck_assert_int_eq(SC(SYS_epoll_pwait2, ep, G(evs), 4, G(ts), G(mask), 8), 1);
	ck_assert_int_eq(SC(SYS_epoll_pwait2, ep, G(evs), 4, 8, 0, 8), -EFAULT);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, G(evs), 0, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, G(evs), -1, 0), -EINVAL);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, G(ev) - 4096 * 1024, 4, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_epoll_wait, ep, vm.arena.base + ARENA_SIZE - 12, 2, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_read, efd, G(val), 8), 8);
	ck_assert_uint_eq(*val, 5);
	ck_assert_int_eq(SC(SYS_read, efd, G(val), 8), -EAGAIN);
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, efd, 8), 0); /* event ignored */
	ck_assert_int_eq(SC(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, 0), -EFAULT);
}
END_TEST

START_TEST(timerfd)
{
	struct itimerspec *its = galloc(sizeof(*its)), *old = galloc(sizeof(*old));
	uint64_t *n = galloc(8);
	long tfd;

	tfd = SC(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);
	ck_assert_int_ge(tfd, 0);
	its->it_value.tv_nsec = 1000000;
	ck_assert_int_eq(SC(SYS_timerfd_settime, tfd, 0, G(its), 0), 0);
	ck_assert_int_eq(SC(SYS_read, tfd, G(n), 8), 8);
	ck_assert_uint_ge(*n, 1);
	its->it_value.tv_sec = 100;
	ck_assert_int_eq(SC(SYS_timerfd_settime, tfd, 0, G(its), G(old)), 0);
	ck_assert_int_eq(SC(SYS_timerfd_gettime, tfd, G(old)), 0);
	ck_assert_int_gt(old->it_value.tv_sec, 90);
	ck_assert_int_eq(SC(SYS_timerfd_settime, tfd, 0, 8, 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_timerfd_gettime, tfd, 8), -EFAULT);
	its->it_value.tv_nsec = -5;
	ck_assert_int_eq(SC(SYS_timerfd_settime, tfd, 0, G(its), 0), -EINVAL);
}
END_TEST

Suite *poll_suite(void)
{
	Suite *s = suite_create("syscall-poll");
	TCase *tc = tcase_create("readiness");

	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, poll_arrays);
	tcase_add_test(tc, poll_many);
	tcase_add_test(tc, ppoll_and_masks);
	tcase_add_test(tc, select_sets);
	tcase_add_test(tc, epoll_and_eventfd);
	tcase_add_test(tc, timerfd);
	suite_add_tcase(s, tc);
	return s;
}
