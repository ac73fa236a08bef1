/* Sockets: UDP on 127.0.0.1: source addresses, connected UDP, MSG_PEEK/MSG_TRUNC. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static int bound(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(s, (struct sockaddr *)sa, sizeof(*sa)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)sa, &len) == 0 && sa->sin_port != 0);
	return s;
}

int main(void)
{
	struct sockaddr_in a_addr, b_addr, from;
	socklen_t len;
	char buf[64];
	ssize_t n;
	int a, b, type;

	alarm(WATCHDOG_SECONDS);
	a = bound(&a_addr);
	b = bound(&b_addr);
	CHECK(a_addr.sin_port != b_addr.sin_port);
	len = sizeof(type);
	CHECK(getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM);

	CHECK(sendto(a, "hello b", 7, 0, (struct sockaddr *)&b_addr, sizeof(b_addr)) == 7);
	CHECK(sendto(a, "a longer datagram", 17, 0, (struct sockaddr *)&b_addr, sizeof(b_addr)) ==
	      17);
	CHECK(sendto(a, "", 0, 0, (struct sockaddr *)&b_addr, sizeof(b_addr)) == 0);
	len = sizeof(from);
	n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	CHECK(n == 7);
	CHECK(len == sizeof(from) && from.sin_port == a_addr.sin_port &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	printf("from a: %.*s\n", (int)n, buf);
	n = recv(b, buf, 4, MSG_PEEK);
	printf("peek: %zd %.4s\n", n, buf);
	n = recv(b, buf, 8, MSG_TRUNC);
	printf("truncated: real length %zd, got %.8s\n", n, buf);
	n = recv(b, buf, sizeof(buf), 0);
	printf("empty datagram: %zd\n", n);
	CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);

	/* Connected UDP: send/recv without addresses; others are filtered out. */
	CHECK(connect(b, (struct sockaddr *)&a_addr, sizeof(a_addr)) == 0);
	CHECK(send(b, "reply", 5, 0) == 5);
	n = recv(a, buf, sizeof(buf), 0);
	printf("from b: %.*s\n", (int)n, buf);
	int c;
	struct sockaddr_in c_addr;
	c = bound(&c_addr);
	CHECK(sendto(c, "stranger", 8, 0, (struct sockaddr *)&b_addr, sizeof(b_addr)) == 8);
	CHECK(sendto(a, "friend", 6, 0, (struct sockaddr *)&b_addr, sizeof(b_addr)) == 6);
	n = recv(b, buf, sizeof(buf), 0);
	printf("connected socket received: %.*s\n", (int)n, buf);
	CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	len = sizeof(from);
	CHECK(getpeername(b, (struct sockaddr *)&from, &len) == 0 &&
	      from.sin_port == a_addr.sin_port);
	len = sizeof(from);
	CHECK(getpeername(a, (struct sockaddr *)&from, &len) == -1 && errno == ENOTCONN);

	/* Datagrams to a port where nothing listens: ECONNREFUSED on a connected socket. */
	CHECK(close(c) == 0);
	CHECK(connect(a, (struct sockaddr *)&c_addr, sizeof(c_addr)) == 0);
	CHECK(send(a, "void", 4, 0) == 4);
	n = recv(a, buf, sizeof(buf), 0);
	CHECK(n == -1 && errno == ECONNREFUSED);
	printf("send to a closed port: ECONNREFUSED on the next receive\n");
	CHECK(close(a) == 0 && close(b) == 0);
	printf("ok\n");
	return 0;
}
