/* UDP on 127.0.0.1: sendto/recvfrom with the peer address, MSG_PEEK,
 * sendmsg/recvmsg with a scattered iovec, MSG_TRUNC. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in b = a, from;
	socklen_t len = sizeof(a);
	char buf[64], p1[3], p2[8];
	struct iovec iov[2] = { { "hea", 3 }, { "der+body", 8 } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0);

	alarm(WATCHDOG_SECONDS);
	CHECK(s1 >= 0 && s2 >= 0);
	CHECK(bind(s1, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(s1, (struct sockaddr *)&a, &len) == 0);
	CHECK(bind(s2, (struct sockaddr *)&b, sizeof(b)) == 0);
	len = sizeof(b);
	CHECK(getsockname(s2, (struct sockaddr *)&b, &len) == 0);

	CHECK(sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8);
	CHECK(recv(s1, buf, sizeof(buf), MSG_PEEK) == 8);
	len = sizeof(from);
	CHECK(recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 8);
	CHECK(from.sin_port == b.sin_port && memcmp(buf, "datagram", 8) == 0);

	mh.msg_name = &a;
	mh.msg_namelen = sizeof(a);
	CHECK(sendmsg(s2, &mh, 0) == 11);
	iov[0].iov_base = p1;
	iov[1].iov_base = p2;
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	CHECK(recvmsg(s1, &mh, 0) == 11);
	CHECK(memcmp(p1, "hea", 3) == 0 && memcmp(p2, "der+body", 8) == 0);

	CHECK(sendto(s2, "0123456789", 10, 0, (struct sockaddr *)&a, sizeof(a)) == 10);
	CHECK(recv(s1, buf, 4, MSG_TRUNC) == 10);
	close(s1);
	close(s2);
	printf("ok\n");
	return 0;
}
