/* Sockets: socketpair DGRAM/SEQPACKET/STREAM: boundaries, truncation, shutdown. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int sv[2], type;
	char buf[64];
	socklen_t len;
	ssize_t n;

	alarm(WATCHDOG_SECONDS);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	len = sizeof(type);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM);
	CHECK(send(sv[0], "first", 5, 0) == 5);
	CHECK(send(sv[0], "second message", 14, 0) == 14);
	CHECK(send(sv[0], "", 0, 0) == 0);
	CHECK(send(sv[0], "third", 5, 0) == 5);
	n = recv(sv[1], buf, sizeof(buf), 0);
	printf("dgram 1: %zd %.*s\n", n, (int)n, buf);
	n = recv(sv[1], buf, 6, MSG_TRUNC);
	printf("dgram 2 truncated: %zd %.6s\n", n, buf);
	n = recv(sv[1], buf, sizeof(buf), 0);
	printf("dgram 3 empty: %zd\n", n);
	n = recv(sv[1], buf, 2, MSG_PEEK);
	CHECK(n == 2);
	n = recv(sv[1], buf, sizeof(buf), 0);
	printf("dgram 4 after peek: %zd %.*s\n", n, (int)n, buf);
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);
	/* The other direction works too. */
	CHECK(write(sv[1], "back", 4) == 4);
	CHECK(read(sv[0], buf, sizeof(buf)) == 4);
	CHECK(close(sv[1]) == 0);
	CHECK(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 &&
	      (errno == ECONNREFUSED || errno == ENOTCONN || errno == EPIPE));
	CHECK(close(sv[0]) == 0);

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC);
	CHECK(send(sv[0], "packet-a", 8, 0) == 8);
	CHECK(send(sv[0], "packet-bb", 9, 0) == 9);
	n = recv(sv[1], buf, sizeof(buf), 0);
	printf("seqpacket 1: %zd %.*s\n", n, (int)n, buf);
	n = recv(sv[1], buf, sizeof(buf), 0);
	printf("seqpacket 2: %zd %.*s\n", n, (int)n, buf);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK((fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	CHECK(send(sv[0], "abc", 3, 0) == 3);
	CHECK(send(sv[0], "defg", 4, 0) == 4);
	n = recv(sv[1], buf, sizeof(buf), MSG_WAITALL);
	printf("stream: %zd %.*s\n", n, (int)n, buf);
	CHECK(shutdown(sv[1], SHUT_RDWR) == 0);
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);

	CHECK(socketpair(AF_INET, SOCK_STREAM, 0, sv) == -1 && errno == EOPNOTSUPP);
	printf("ok\n");
	return 0;
}
