/* Sockets: AF_UNIX stream on a path and an autobound abstract name; SO_PEERCRED. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

#define BULK 300000

static int lsock;

static void *server(void *arg)
{
	static char buf[BULK];
	size_t got = 0;
	ssize_t n;
	int c = accept(lsock, NULL, NULL);

	(void)arg;
	CHECK(c >= 0);
	while ((n = read(c, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0 && got == BULK);
	/* Reply with the checksum after the client shut down its side. */
	unsigned int sum = fnv(buf, got);
	CHECK(write(c, &sum, sizeof(sum)) == sizeof(sum));
	CHECK(close(c) == 0);
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	static char bulk[BULK];
	struct sockaddr_un sa, got;
	socklen_t len;
	struct ucred cred;
	pthread_t t;
	unsigned int sum;
	char buf[32];
	int c, s, type;

	alarm(WATCHDOG_SECONDS);
	CHECK(mkdtemp(dir) != NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lsock >= 0);
	CHECK(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == EADDRINUSE);
	CHECK(listen(lsock, 4) == 0);
	struct stat st;
	CHECK(stat(sa.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
	len = sizeof(type);
	CHECK(getsockopt(lsock, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);

	CHECK(pthread_create(&t, NULL, server, NULL) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	len = sizeof(got);
	CHECK(getpeername(c, (struct sockaddr *)&got, &len) == 0);
	CHECK(strcmp(got.sun_path, sa.sun_path) == 0);
	len = sizeof(cred);
	CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0);
	CHECK(cred.pid == getpid() && cred.uid == getuid());
	printf("connected to the path; peer credentials are our own\n");

	for (int i = 0; i < BULK; i++)
		bulk[i] = (char)(i * 31 + (i >> 10));
	for (size_t off = 0; off < BULK;) {
		ssize_t n = write(c, bulk + off, BULK - off);

		CHECK(n > 0);
		off += (size_t)n;
	}
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
	CHECK(read(c, &sum, sizeof(sum)) == sizeof(sum));
	CHECK(read(c, buf, 1) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("server checksum %08x, local %08x\n", sum, fnv(bulk, BULK));
	CHECK(close(c) == 0);
	CHECK(close(lsock) == 0);
	CHECK(unlink(sa.sun_path) == 0);

	/* Connecting to a path with nobody listening. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == -1 && errno == ENOENT);
	CHECK(close(c) == 0);

	/* Autobind: an abstract name picked by the kernel. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0);
	CHECK(bind(s, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path)) == 0);
	CHECK(listen(s, 1) == 0);
	len = sizeof(got);
	CHECK(getsockname(s, (struct sockaddr *)&got, &len) == 0);
	CHECK(got.sun_path[0] == 0);
	printf("autobind name length %d\n", (int)(len - offsetof(struct sockaddr_un, sun_path)));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&got, len) == 0);
	int a = accept(s, NULL, NULL);
	CHECK(a >= 0);
	CHECK(send(c, "abstract", 8, 0) == 8);
	CHECK(recv(a, buf, sizeof(buf), 0) == 8);
	printf("received %.8s\n", buf);
	CHECK(close(a) == 0 && close(c) == 0 && close(s) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
