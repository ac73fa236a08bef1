/* epoll over an eventfd and a pipe: level and edge triggering, EPOLL_CTL_MOD
 * and DEL, epoll_wait timeouts; eventfd counter semantics. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), ev = eventfd(0, EFD_NONBLOCK), p[2];
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 1 }, out[4];
	uint64_t v;

	CHECK(ep >= 0 && ev >= 0 && pipe(p) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) == 0);
	e.data.u64 = 2;
	e.events = EPOLLIN | EPOLLET;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == -1 && errno == EEXIST);
	CHECK(epoll_wait(ep, out, 4, 20) == 0);

	CHECK(read(ev, &v, 8) == -1 && errno == EAGAIN);
	v = 3;
	CHECK(write(ev, &v, 8) == 8 && write(ev, &v, 8) == 8);
	CHECK(epoll_wait(ep, out, 4, -1) == 1 && out[0].data.u64 == 1);
	CHECK(epoll_wait(ep, out, 4, 0) == 1); /* level triggered: still ready */
	CHECK(read(ev, &v, 8) == 8 && v == 6);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);

	CHECK(write(p[1], "ab", 2) == 2);
	CHECK(epoll_wait(ep, out, 4, 100) == 1 && out[0].data.u64 == 2);
	CHECK(epoll_wait(ep, out, 4, 0) == 0); /* edge triggered: reported once */
	e.events = EPOLLIN;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e) == 0);
	CHECK(epoll_wait(ep, out, 4, 0) == 1);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);
	CHECK(epoll_wait(ep, out, 4, 0) == 0);

	close(ev);
	ev = eventfd(5, EFD_SEMAPHORE);
	CHECK(read(ev, &v, 8) == 8 && v == 1);
	close(ev);
	close(p[0]);
	close(p[1]);
	close(ep);
	printf("ok\n");
	return 0;
}
