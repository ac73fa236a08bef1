/* Sockets: sendmsg/recvmsg iovecs, SCM_RIGHTS, MSG_CTRUNC, sendmmsg/recvmmsg over UDP. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int sv[2], p[2], passed;
	char a[5], b[7], c[32], buf[64];
	struct iovec iov[4];
	struct msghdr msg;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct cmsghdr *cm;
	ssize_t n;

	alarm(WATCHDOG_SECONDS);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);

	/* Four pieces out, three buffers in. */
	iov[0] = (struct iovec){ .iov_base = "gather", .iov_len = 6 };
	iov[1] = (struct iovec){ .iov_base = "-", .iov_len = 1 };
	iov[2] = (struct iovec){ .iov_base = "scatter", .iov_len = 7 };
	iov[3] = (struct iovec){ .iov_base = "!\n", .iov_len = 2 };
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 4;
	CHECK(sendmsg(sv[0], &msg, 0) == 16);
	memset(c, 0, sizeof(c));
	iov[0] = (struct iovec){ .iov_base = a, .iov_len = sizeof(a) };
	iov[1] = (struct iovec){ .iov_base = b, .iov_len = sizeof(b) };
	iov[2] = (struct iovec){ .iov_base = c, .iov_len = sizeof(c) - 1 };
	msg.msg_iovlen = 3;
	CHECK(recvmsg(sv[1], &msg, 0) == 16);
	printf("scattered: [%.5s] [%.7s] [%.3s]\n", a, b, c);
	CHECK(msg.msg_flags == 0);

	/* Pass the write end of a pipe; write through the received descriptor. */
	CHECK(pipe(p) == 0);
	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ .iov_base = "fd", .iov_len = 2 };
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	CHECK(sendmsg(sv[0], &msg, 0) == 2);
	CHECK(close(p[1]) == 0);

	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC);
	CHECK(n == 2);
	cm = CMSG_FIRSTHDR(&msg);
	CHECK(cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
	CHECK(cm->cmsg_len == CMSG_LEN(sizeof(int)));
	memcpy(&passed, CMSG_DATA(cm), sizeof(int));
	CHECK(CMSG_NXTHDR(&msg, cm) == NULL);
	CHECK(write(passed, "through the passed fd\n", 22) == 22);
	CHECK(close(passed) == 0);
	n = read(p[0], buf, sizeof(buf));
	CHECK(n == 22);
	printf("%.*s", (int)n, buf);
	CHECK(read(p[0], buf, 1) == 0); /* every write end is closed now */
	CHECK(close(p[0]) == 0);

	/* Too small a control buffer: MSG_CTRUNC, and the descriptor is dropped. */
	CHECK(pipe(p) == 0);
	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ .iov_base = "t", .iov_len = 1 };
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
	CHECK(sendmsg(sv[0], &msg, 0) == 1);
	memset(&msg, 0, sizeof(msg));
	iov[0] = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(struct cmsghdr) - 1;
	CHECK(recvmsg(sv[1], &msg, 0) == 1);
	printf("control buffer too small: MSG_CTRUNC %d\n", !!(msg.msg_flags & MSG_CTRUNC));
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);

	/* UDP: msg_name on both sides, several messages at once. */
	struct sockaddr_in to = { .sin_family = AF_INET }, from;
	socklen_t len = sizeof(to);
	struct mmsghdr mm[3];
	struct iovec miov[3];
	char mbuf[3][16];
	int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(u >= 0 && v >= 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(v, (struct sockaddr *)&to, sizeof(to)) == 0);
	CHECK(getsockname(v, (struct sockaddr *)&to, &len) == 0);
	memset(mm, 0, sizeof(mm));
	const char *words[3] = { "one", "two!", "three" };
	for (int i = 0; i < 3; i++) {
		miov[i] =
		    (struct iovec){ .iov_base = (void *)words[i], .iov_len = strlen(words[i]) };
		mm[i].msg_hdr.msg_iov = &miov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = sizeof(to);
	}
	CHECK(sendmmsg(u, mm, 3, 0) == 3);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		miov[i] = (struct iovec){ .iov_base = mbuf[i], .iov_len = sizeof(mbuf[i]) };
		mm[i].msg_hdr.msg_iov = &miov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	mm[0].msg_hdr.msg_name = &from;
	mm[0].msg_hdr.msg_namelen = sizeof(from);
	n = recvmmsg(v, mm, 3, MSG_WAITFORONE, NULL);
	CHECK(n >= 1);
	CHECK(mm[0].msg_hdr.msg_namelen == sizeof(from) && from.sin_family == AF_INET);
	for (int i = (int)n; i < 3; i++) {
		n = recvmsg(v, &mm[i].msg_hdr, 0);
		CHECK(n > 0);
		mm[i].msg_len = (unsigned int)n;
	}
	printf("recvmmsg: %.*s %.*s %.*s\n", (int)mm[0].msg_len, mbuf[0], (int)mm[1].msg_len,
	       mbuf[1], (int)mm[2].msg_len, mbuf[2]);
	CHECK(close(u) == 0 && close(v) == 0);
	printf("ok\n");
	return 0;
}
