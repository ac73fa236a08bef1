/* Sockets: error codes: ECONNREFUSED, EADDRINUSE, ENOTCONN, EAFNOSUPPORT, ENOTSOCK, EISCONN... */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EADDRINUSE: return "EADDRINUSE";
	case ENOTCONN: return "ENOTCONN";
	case EPIPE: return "EPIPE";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EPROTOTYPE: return "EPROTOTYPE";
	case ENOTSOCK: return "ENOTSOCK";
	case EISCONN: return "EISCONN";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	}
	return "other";
}

#define TRY(what, call)                                                                            \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		printf("%-34s %s\n", what, r_ < 0 ? ename(errno) : "ok");                          \
	} while (0)

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET }, other;
	socklen_t len = sizeof(sa);
	int s, t, l, val, p[2];
	char c;

	alarm(WATCHDOG_SECONDS);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A bound but not listening socket owns the port: connecting is refused. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s >= 0);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&sa, &len) == 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	TRY("connect to a non-listening port", connect(t, (struct sockaddr *)&sa, sizeof(sa)));
	len = sizeof(val);
	CHECK(getsockopt(t, SOL_SOCKET, SO_ERROR, &val, &len) == 0);
	printf("%-34s %s\n", "SO_ERROR afterwards", ename(val));
	CHECK(close(t) == 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	TRY("bind to a port in use", bind(t, (struct sockaddr *)&sa, sizeof(sa)));
	TRY("send on an unconnected socket", send(t, "x", 1, MSG_NOSIGNAL));
	TRY("recv on an unconnected socket", recv(t, &c, 1, 0));
	TRY("getpeername when unconnected", getpeername(t, (struct sockaddr *)&other, &len));
	TRY("shutdown when unconnected", shutdown(t, SHUT_RDWR));
	TRY("accept without listen", accept(t, NULL, NULL));
	CHECK(close(t) == 0);

	/* Connected twice. */
	CHECK(listen(s, 2) == 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(t, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	TRY("connect again", connect(t, (struct sockaddr *)&sa, sizeof(sa)));
	TRY("listen on a connected socket", listen(t, 1));
	l = accept(s, NULL, NULL);
	CHECK(l >= 0);
	CHECK(close(l) == 0);
	TRY("getsockopt unknown option", getsockopt(t, SOL_SOCKET, 12345, &val, &len));
	len = 1;
	TRY("getsockopt with short optlen", getsockopt(t, SOL_SOCKET, SO_TYPE, &val, &len));
	CHECK(close(t) == 0);
	CHECK(close(s) == 0);

	TRY("socket(12345, SOCK_STREAM)", socket(12345, SOCK_STREAM, 0));
	TRY("socket(AF_INET, 12345)", socket(AF_INET, 12345, 0));
	TRY("socket(AF_INET, STREAM, UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	TRY("socket(AF_UNIX, STREAM, 7)", socket(AF_UNIX, SOCK_STREAM, 7));
	CHECK(pipe(p) == 0);
	TRY("getsockname on a pipe", getsockname(p[0], (struct sockaddr *)&other, &len));
	TRY("send on a pipe", send(p[1], "x", 1, 0));
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	TRY("bind on a closed fd", bind(999, (struct sockaddr *)&sa, sizeof(sa)));

	s = socket(AF_INET, SOCK_DGRAM, 0);
	TRY("UDP send without an address", send(s, "x", 1, 0));
	TRY("bind with a short address", bind(s, (struct sockaddr *)&sa, 4));
	sa.sin_family = AF_UNIX;
	TRY("bind with the wrong family", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK(close(s) == 0);

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	strcpy(un.sun_path, "/tmp/elh-no-such-dir-here/sock");
	TRY("AF_UNIX connect to a missing path", connect(s, (struct sockaddr *)&un, sizeof(un)));
	CHECK(close(s) == 0);
	printf("ok\n");
	return 0;
}
