/* Sockets: non-blocking TCP on 127.0.0.1 in one epoll loop: connect, accept4, echo, RDHUP. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define TOTAL 200000

enum { LISTENER = 1, CLIENT, SERVER };

static char out[TOTAL], back[TOTAL], pending[TOTAL];
static int ep, l, c, a = -1;

/* Client side: finish connecting, send everything, read the echo back. */
static struct {
	int connected, shut, eof;
	size_t sent, got;
} cl;

/* Server side: queue what arrives, send it back. */
static struct {
	int done;
	size_t lo, hi;
} sv;

static void watch(int op, int fd, unsigned int events, unsigned int tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	CHECK(epoll_ctl(ep, op, fd, &ev) == 0);
}

static void on_listener(void)
{
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(a >= 0);
	watch(EPOLL_CTL_ADD, a, EPOLLIN | EPOLLOUT | EPOLLRDHUP, SERVER);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL) == 0);
}

static void on_client(unsigned int what)
{
	ssize_t m;
	socklen_t len;
	int err;

	if ((what & EPOLLOUT) && !cl.connected) {
		len = sizeof(err);
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
		cl.connected = 1;
	}
	if ((what & EPOLLOUT) && cl.sent < TOTAL) {
		m = send(c, out + cl.sent, TOTAL - cl.sent, MSG_NOSIGNAL);
		if (m > 0)
			cl.sent += (size_t)m;
		else
			CHECK(errno == EAGAIN);
	}
	if (cl.sent == TOTAL && !cl.shut) {
		CHECK(shutdown(c, SHUT_WR) == 0);
		cl.shut = 1;
		watch(EPOLL_CTL_MOD, c, EPOLLIN | EPOLLRDHUP, CLIENT);
	}
	if (what & (EPOLLIN | EPOLLRDHUP)) {
		while ((m = recv(c, back + cl.got, TOTAL - cl.got, 0)) > 0)
			cl.got += (size_t)m;
		if (m == 0) {
			cl.eof = 1;
			CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL) == 0);
		} else {
			CHECK(errno == EAGAIN);
		}
	}
}

static void on_server(unsigned int what)
{
	ssize_t m = 1;

	/* The client sends exactly TOTAL bytes, then shuts down its side. */
	if (what & (EPOLLIN | EPOLLRDHUP)) {
		while (sv.hi < TOTAL && (m = recv(a, pending + sv.hi, TOTAL - sv.hi, 0)) > 0)
			sv.hi += (size_t)m;
		CHECK(m > 0 || (m < 0 && errno == EAGAIN));
	}
	while (sv.lo < sv.hi) {
		m = send(a, pending + sv.lo, sv.hi - sv.lo, MSG_NOSIGNAL);
		if (m < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		sv.lo += (size_t)m;
	}
	if (sv.lo == TOTAL && !sv.done) {
		CHECK(shutdown(a, SHUT_WR) == 0);
		CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == 0);
		sv.done = 1;
	}
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct epoll_event evs[8];

	alarm(WATCHDOG_SECONDS);
	for (int i = 0; i < TOTAL; i++)
		out[i] = (char)(i % 199);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sa, &len) == 0);
	CHECK(listen(l, 4) == 0);
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN);

	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	watch(EPOLL_CTL_ADD, l, EPOLLIN, LISTENER);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0);
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		cl.connected = 1;
	else
		CHECK(errno == EINPROGRESS);
	watch(EPOLL_CTL_ADD, c, EPOLLIN | EPOLLOUT | EPOLLRDHUP, CLIENT);

	while (!cl.eof) {
		int n = epoll_wait(ep, evs, 8, 5000);

		CHECK(n > 0);
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case LISTENER: on_listener(); break;
			case CLIENT: on_client(evs[i].events); break;
			case SERVER: on_server(evs[i].events); break;
			}
		}
	}
	CHECK(cl.connected && cl.sent == TOTAL && sv.lo == TOTAL && cl.got == TOTAL);
	printf("non-blocking echo of %d bytes, checksum %08x, identical %d\n", TOTAL,
	       fnv(back, cl.got), memcmp(out, back, TOTAL) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL) == -1 && errno == ENOENT);
	CHECK(close(a) == 0 && close(c) == 0 && close(l) == 0 && close(ep) == 0);
	printf("ok\n");
	return 0;
}
