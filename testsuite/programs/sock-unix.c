/* Unix sockets: socketpair stream and datagram, a named listening socket,
 * accept, getsockname, SCM_RIGHTS passing a pipe end. */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

static void pass_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	CHECK(sendmsg(sock, &mh, 0) == 1);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	CHECK(recvmsg(sock, &mh, 0) == 1 && b == 'F');
	c = CMSG_FIRSTHDR(&mh);
	CHECK(c && c->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int main(void)
{
	char *dir = scratch_dir(), buf[64];
	struct sockaddr_un addr = { .sun_family = AF_UNIX }, got;
	socklen_t len = sizeof(got);
	int sv[2], p[2], l, c, a, fd;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[1], buf, 4) == 4);
	CHECK(pipe(p) == 0);
	pass_fd(sv[0], p[1]);
	fd = recv_fd(sv[1]);
	CHECK(fd >= 0 && fd != p[1]);
	CHECK(write(fd, "via passed fd", 13) == 13);
	CHECK(read(p[0], buf, sizeof(buf)) == 13);
	close(fd);
	close(sv[0]);
	close(sv[1]);

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK(send(sv[0], "one", 3, 0) == 3 && send(sv[0], "two!", 4, 0) == 4);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 3 && recv(sv[1], buf, sizeof(buf), 0) == 4);
	close(sv[0]);
	close(sv[1]);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/sock", dir);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(l, 4) == 0);
	CHECK(bind(l, (struct sockaddr *)&addr, sizeof(addr)) == -1 && (errno == EINVAL || errno == EADDRINUSE));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(getsockname(l, (struct sockaddr *)&got, &len) == 0);
	CHECK(strcmp(got.sun_path, addr.sun_path) == 0);
	CHECK(write(c, "named", 5) == 5 && read(a, buf, 5) == 5 && memcmp(buf, "named", 5) == 0);
	close(a);
	close(c);
	close(l);
	unlink(addr.sun_path);
	rmdir(dir);
	printf("ok\n");
	return 0;
}
