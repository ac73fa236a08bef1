/* Sockets: TCP on 127.0.0.1 port 0: names, options, a 512 KiB echo through threads. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define BULK (512 * 1024)

static int conn;

/* Echo everything back until the client shuts down its sending side. */
static void *echo(void *arg)
{
	char buf[3000];
	ssize_t n;

	(void)arg;
	while ((n = recv(conn, buf, sizeof(buf), 0)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t m = send(conn, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

			CHECK(m > 0);
			off += m;
		}
	}
	CHECK(n == 0);
	CHECK(shutdown(conn, SHUT_WR) == 0);
	return NULL;
}

static void *sender(void *arg)
{
	int c = *(int *)arg;
	static char out[BULK];

	for (int i = 0; i < BULK; i++)
		out[i] = (char)(i * 13 + (i >> 12));
	for (size_t off = 0; off < BULK;) {
		ssize_t n = send(c, out + off, BULK - off, MSG_NOSIGNAL);

		CHECK(n > 0);
		off += (size_t)n;
	}
	CHECK(shutdown(c, SHUT_WR) == 0);
	return (void *)(unsigned long)fnv(out, BULK);
}

int main(void)
{
	static char in[BULK + 1];
	struct sockaddr_in sa = { .sin_family = AF_INET }, local, peer, acc;
	socklen_t len;
	pthread_t te, ts;
	int l, c, one = 1, val;
	size_t got = 0;
	ssize_t n;
	void *sum;
	char ip[INET_ADDRSTRLEN];

	alarm(WATCHDOG_SECONDS);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	len = sizeof(val);
	CHECK(getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &val, &len) == 0 && val == 1);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	len = sizeof(sa);
	CHECK(getsockname(l, (struct sockaddr *)&sa, &len) == 0 && len == sizeof(sa));
	CHECK(ntohs(sa.sin_port) != 0);
	CHECK(listen(l, 8) == 0);
	len = sizeof(val);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &val, &len) == 0 && val == 1);
	printf("listening on %s, kernel-chosen port\n",
	       inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip)));

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	len = sizeof(val);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &val, &len) == 0 && val == 1);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	len = sizeof(acc);
	conn = accept4(l, (struct sockaddr *)&acc, &len, SOCK_CLOEXEC);
	CHECK(conn >= 0);
	CHECK(fcntl(conn, F_GETFD) == FD_CLOEXEC);

	len = sizeof(local);
	CHECK(getsockname(c, (struct sockaddr *)&local, &len) == 0);
	len = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0);
	CHECK(peer.sin_port == sa.sin_port && peer.sin_addr.s_addr == sa.sin_addr.s_addr);
	CHECK(acc.sin_port == local.sin_port && acc.sin_addr.s_addr == local.sin_addr.s_addr);
	printf("peer and accepted addresses agree\n");

	CHECK(pthread_create(&te, NULL, echo, NULL) == 0);
	CHECK(pthread_create(&ts, NULL, sender, &c) == 0);
	while ((n = recv(c, in + got, BULK + 1 - got, 0)) > 0)
		got += (size_t)n;
	CHECK(n == 0);
	CHECK(pthread_join(ts, &sum) == 0 && pthread_join(te, NULL) == 0);
	printf("echoed %zu bytes, checksum %08x, matches %d\n", got, fnv(in, got),
	       fnv(in, got) == (unsigned int)(unsigned long)sum);
	CHECK(close(conn) == 0 && close(c) == 0);

	/* A second connection, data before accept is queued. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(send(c, "early", 5, 0) == 5);
	conn = accept(l, NULL, NULL);
	CHECK(conn >= 0);
	CHECK(recv(conn, in, 5, MSG_WAITALL) == 5);
	printf("queued before accept: %.5s\n", in);
	CHECK(close(c) == 0);
	CHECK(recv(conn, in, 1, 0) == 0);
	CHECK(close(conn) == 0);
	CHECK(close(l) == 0);
	printf("ok\n");
	return 0;
}
