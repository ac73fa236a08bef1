/* TCP on 127.0.0.1: a server thread echoes what a client sends, through
 * connect, accept4, send/recv, shutdown; socket options round trip. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static int listener;

static void *server(void *arg)
{
	char buf[1024];
	ssize_t n;
	int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

	(void)arg;
	CHECK(c >= 0);
	while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
		CHECK(send(c, buf, n, 0) == n);
	CHECK(n == 0);
	close(c);
	return NULL;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char msg[5000], back[5000];
	int s, one = 1, val;
	long got = 0;
	pthread_t t;

	alarm(WATCHDOG_SECONDS);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(listener >= 0);
	CHECK(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(listener, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(listener, 8) == 0);
	CHECK(getsockname(listener, (struct sockaddr *)&a, &len) == 0 && a.sin_port != 0);
	CHECK(pthread_create(&t, NULL, server, NULL) == 0);

	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	len = sizeof(val);
	CHECK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &val, &len) == 0 && val == 1);
	for (int i = 0; i < (int)sizeof(msg); i++)
		msg[i] = (char)(i % 251);
	CHECK(send(s, msg, sizeof(msg), 0) == (ssize_t)sizeof(msg));
	CHECK(shutdown(s, SHUT_WR) == 0);
	while (got < (long)sizeof(back)) {
		ssize_t n = recv(s, back + got, sizeof(back) - got, 0);

		CHECK(n > 0);
		got += n;
	}
	CHECK(memcmp(msg, back, sizeof(msg)) == 0);
	CHECK(recv(s, back, 1, 0) == 0);
	close(s);
	CHECK(pthread_join(t, NULL) == 0);
	close(listener);
	a.sin_port = 0;
	s = socket(AF_INET, SOCK_STREAM, 0);
	printf("echoed %ld bytes over TCP\n", got);
	close(s);
	return 0;
}
