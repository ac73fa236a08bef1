/* Unit tests of the executor on sockets: UNIX pairs with SCM_RIGHTS, TCP and UDP on 127.0.0.1. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "syscall-fixture.h"

/* A message header in the arena with one iovec of len bytes and room for
 * control data. */
static struct msghdr *gmsg(void *data, size_t len, size_t ctl)
{
	struct msghdr *m = galloc(sizeof(*m));
	struct iovec *iov = galloc(sizeof(*iov));

	iov->iov_base = data;
	iov->iov_len = len;
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	if (ctl) {
		m->msg_control = galloc(ctl);
		m->msg_controllen = ctl;
	}
	return m;
}

static void put_rights(struct msghdr *m, const int *fds, int n)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	m->msg_controllen = CMSG_SPACE(n * sizeof(int));
}

static int *gpair(int type)
{
	int *sv = galloc(2 * sizeof(int));

	ck_assert_int_eq(SC(SYS_socketpair, AF_UNIX, type, 0, G(sv)), 0);
	ck_assert_int_lt(sv[0], LIMIT);
	ck_assert_int_lt(sv[1], LIMIT);
	return sv;
}

START_TEST(scm_rights_roundtrip)
{
	int *sv = gpair(SOCK_STREAM), *p = galloc(2 * sizeof(int)), got;
	char *two = galloc(4), *rbuf = galloc(16), *x = gstr("x");
	struct iovec *iov = galloc(2 * sizeof(*iov));
	struct msghdr *m = gmsg(NULL, 0, 64), *r = gmsg(rbuf, 16, 64);
	struct cmsghdr *c;

	ck_assert_int_eq(SC(SYS_pipe, G(p)), 0);
	memcpy(two, "abcd", 4);
	iov[0] = (struct iovec){ two, 2 };
	iov[1] = (struct iovec){ two + 2, 2 };
	m->msg_iov = iov;
	m->msg_iovlen = 2;
	put_rights(m, &p[0], 1);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), 4);
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), 0), 4);
	ck_assert_int_eq(memcmp(rbuf, "abcd", 4), 0);
	ck_assert_uint_eq(r->msg_controllen, CMSG_SPACE(sizeof(int)));
	ck_assert_int_eq(r->msg_flags & MSG_CTRUNC, 0);
	c = CMSG_FIRSTHDR(r);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cmsg_type, SCM_RIGHTS);
	memcpy(&got, CMSG_DATA(c), sizeof(got));
	ck_assert_int_ge(got, 0);
	ck_assert_int_lt(got, LIMIT);
	ck_assert_int_ne(got, p[0]);
	/* The received fd is the pipe's read end. */
	ck_assert_int_eq(SC(SYS_write, p[1], G(x), 1), 1);
	ck_assert_int_eq(SC(SYS_read, got, G(rbuf), 16), 1);
	ck_assert_int_eq(rbuf[0], 'x');
}
END_TEST

START_TEST(scm_rights_refused)
{
	int *sv = gpair(SOCK_DGRAM), mfd = monitor_fd(), bad[2] = { 0, -1 };
	char *d = gstr("d");
	struct msghdr *m = gmsg(d, 1, 64);
	struct cmsghdr *c;

	put_rights(m, &mfd, 1);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EBADF);
	put_rights(m, bad, 2);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EBADF);
	bad[1] = LIMIT;
	put_rights(m, bad, 2);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EBADF);
	/* A malformed control header: EINVAL, as the kernel says. */
	put_rights(m, bad, 1);
	c = CMSG_FIRSTHDR(m);
	c->cmsg_len = 8;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EINVAL);
	c->cmsg_len = 1000;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EINVAL);
	/* Too much control data. */
	m->msg_controllen = 1 << 20;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -ENOBUFS);
	/* Nothing was sent. */
	ck_assert_int_eq(SC(SYS_recvfrom, sv[1], G(d), 1, MSG_DONTWAIT, 0, 0), -EAGAIN);
}
END_TEST

/* Received fds beyond the guest's limit are closed and cut, with MSG_CTRUNC. */
START_TEST(scm_rights_over_limit)
{
	int *sv = gpair(SOCK_DGRAM), fds[2] = { 0, 1 }, lowest;
	char *d = gstr("d"), *rbuf = galloc(4);
	struct msghdr *m = gmsg(d, 1, 64), *r = gmsg(rbuf, 4, 64);
	struct rlimit *rl = galloc(sizeof(*rl));

	put_rights(m, fds, 2);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), 1);
	lowest = dup(0);
	close(lowest);
	rl->rlim_cur = lowest + 1; /* room for one of the two */
	rl->rlim_max = LIMIT;
	ck_assert_int_eq(SC(SYS_setrlimit, RLIMIT_NOFILE, G(rl)), 0);
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), 0), 1);
	ck_assert_int_ne(r->msg_flags & MSG_CTRUNC, 0);
	ck_assert_uint_eq(r->msg_controllen, CMSG_SPACE(sizeof(int)));
	ck_assert_uint_eq(CMSG_FIRSTHDR(r)->cmsg_len, CMSG_LEN(sizeof(int)));
	ck_assert_int_eq(*(int *)CMSG_DATA(CMSG_FIRSTHDR(r)), lowest);
	ck_assert_int_eq(fcntl(lowest + 1, F_GETFD), -1); /* the second was closed */

	/* None fits: the message loses its control data entirely. */
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), 1);
	r->msg_controllen = 64;
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), 0), 1);
	ck_assert_uint_eq(r->msg_controllen, 0);
	ck_assert_int_ne(r->msg_flags & MSG_CTRUNC, 0);
	ck_assert_int_eq(fcntl(lowest + 1, F_GETFD), -1);
}
END_TEST

START_TEST(msghdr_hostile)
{
	int *sv = gpair(SOCK_DGRAM);
	char stack_buf[32], *d = gstr("data"), *rbuf = galloc(16);
	struct msghdr *m = gmsg(d, 4, 0), *r = gmsg(rbuf, 16, 32);
	struct iovec *bad_iov = galloc(sizeof(*bad_iov));

	/* The header itself. */
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(stack_buf), 0), -EFAULT);
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], vm.arena.base + ARENA_SIZE - 8, 0), -EFAULT);
	/* msg_name. */
	m->msg_name = stack_buf;
	m->msg_namelen = 16;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EFAULT);
	m->msg_namelen = (socklen_t)-1;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EINVAL);
	m->msg_name = NULL;
	r->msg_name = stack_buf;
	r->msg_namelen = sizeof(stack_buf);
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), MSG_DONTWAIT), -EFAULT);
	r->msg_name = NULL;
	/* msg_control. */
	m->msg_control = stack_buf;
	m->msg_controllen = sizeof(stack_buf);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EFAULT);
	m->msg_control = NULL;
	m->msg_controllen = 0;
	r->msg_control = stack_buf;
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), MSG_DONTWAIT), -EFAULT);
	r->msg_control = galloc(32);
	/* msg_iov and its elements. */
	*bad_iov = (struct iovec){ stack_buf, 4 };
	m->msg_iov = bad_iov;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EFAULT);
	m->msg_iov = (struct iovec *)stack_buf;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EFAULT);
	m->msg_iovlen = 2000;
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), -EMSGSIZE);
	r->msg_iov = bad_iov;
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), MSG_DONTWAIT), -EFAULT);
	/* Still usable afterwards. */
	m = gmsg(d, 4, 0);
	r = gmsg(rbuf, 16, 0);
	ck_assert_int_eq(SC(SYS_sendmsg, sv[0], G(m), 0), 4);
	ck_assert_int_eq(SC(SYS_recvmsg, sv[1], G(r), 0), 4);
}
END_TEST

static struct sockaddr_in *loopback(void)
{
	struct sockaddr_in *sa = galloc(sizeof(*sa));

	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

START_TEST(tcp_loopback)
{
	struct sockaddr_in *sa = loopback(), *peer = galloc(sizeof(*peer));
	socklen_t *len = galloc(sizeof(*len)), *olen = galloc(sizeof(*olen));
	int *one = galloc(sizeof(int)), *type = galloc(sizeof(int));
	char *msg = gstr("over tcp"), *rbuf = galloc(32);
	long srv, cli, conn, cli2;

	srv = SC(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv, 0);
	*one = 1;
	ck_assert_int_eq(SC(SYS_setsockopt, srv, SOL_SOCKET, SO_REUSEADDR, G(one), sizeof(int)), 0);
	ck_assert_int_eq(SC(SYS_setsockopt, srv, SOL_SOCKET, SO_REUSEADDR, G(one), -1), -EINVAL);
	ck_assert_int_eq(SC(SYS_setsockopt, srv, SOL_SOCKET, SO_REUSEADDR, 8, 4), -EFAULT);
	ck_assert_int_eq(SC(SYS_bind, srv, G(sa), sizeof(*sa)), 0);
	ck_assert_int_eq(SC(SYS_listen, srv, 4), 0);
	*len = sizeof(*sa);
	ck_assert_int_eq(SC(SYS_getsockname, srv, G(sa), G(len)), 0);
	ck_assert_uint_eq(*len, sizeof(*sa));
	ck_assert_uint_ne(sa->sin_port, 0);
	*olen = sizeof(int);
	ck_assert_int_eq(SC(SYS_getsockopt, srv, SOL_SOCKET, SO_TYPE, G(type), G(olen)), 0);
	ck_assert_int_eq(*type, SOCK_STREAM);
	ck_assert_uint_eq(*olen, sizeof(int));
	*olen = -1;
	ck_assert_int_eq(SC(SYS_getsockopt, srv, SOL_SOCKET, SO_TYPE, G(type), G(olen)), -EINVAL);

	cli = SC(SYS_socket, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(SC(SYS_connect, cli, G(sa), sizeof(*sa)), 0);
	ck_assert_int_eq(SC(SYS_connect, cli, G(sa), 1000), -EINVAL);
	*len = sizeof(*peer);
	conn = SC(SYS_accept4, srv, G(peer), G(len), SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	ck_assert_int_lt(conn, LIMIT);
	ck_assert_uint_eq(*len, sizeof(*peer));
	ck_assert_uint_eq(peer->sin_addr.s_addr, htonl(INADDR_LOOPBACK));

	ck_assert_int_eq(SC(SYS_sendto, cli, G(msg), 8, 0, 0, 0), 8);
	ck_assert_int_eq(SC(SYS_recvfrom, conn, G(rbuf), 32, 0, 0, 0), 8);
	ck_assert_int_eq(memcmp(rbuf, "over tcp", 8), 0);
	ck_assert_int_eq(SC(SYS_write, conn, G(msg), 4), 4);
	ck_assert_int_eq(SC(SYS_read, cli, G(rbuf), 32), 4);
	*len = sizeof(*peer);
	ck_assert_int_eq(SC(SYS_getpeername, cli, G(peer), G(len)), 0);
	ck_assert_uint_eq(peer->sin_port, sa->sin_port);
	ck_assert_int_eq(SC(SYS_getpeername, cli, G(peer), 8), -EFAULT);
	*len = 2; /* short: cut, with the real length reported */
	ck_assert_int_eq(SC(SYS_getpeername, cli, G(peer), G(len)), 0);
	ck_assert_uint_eq(*len, sizeof(*peer));

	/* A bad address buffer fails accept without taking the connection. */
	cli2 = SC(SYS_socket, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(SC(SYS_connect, cli2, G(sa), sizeof(*sa)), 0);
	ck_assert_int_eq(SC(SYS_accept, srv, G(peer), 16), -EFAULT);
	*len = -1;
	ck_assert_int_eq(SC(SYS_accept, srv, G(peer), G(len)), -EINVAL);
	ck_assert_int_ge(SC(SYS_accept, srv, 0, 0), 0);

	ck_assert_int_eq(SC(SYS_shutdown, cli, SHUT_WR), 0);
	ck_assert_int_eq(SC(SYS_read, conn, G(rbuf), 32), 0);
}
END_TEST

START_TEST(udp_loopback)
{
	struct sockaddr_in *sa = loopback(), *from = galloc(sizeof(*from));
	socklen_t *len = galloc(sizeof(*len));
	char *ping = gstr("ping"), *rbuf = galloc(64), stack_buf[16];
	struct mmsghdr *vec = galloc(2 * sizeof(*vec));
	struct iovec *iov = galloc(2 * sizeof(*iov));
	struct timespec *ts = galloc(sizeof(*ts));
	long u1, u2;

	u1 = SC(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	u2 = SC(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(SC(SYS_bind, u1, G(sa), sizeof(*sa)), 0);
	*len = sizeof(*sa);
	ck_assert_int_eq(SC(SYS_getsockname, u1, G(sa), G(len)), 0);
	ck_assert_int_eq(SC(SYS_sendto, u2, G(ping), 4, 0, G(sa), sizeof(*sa)), 4);
	ck_assert_int_eq(SC(SYS_sendto, u2, G(ping), 4, 0, G(stack_buf), sizeof(*sa)), -EFAULT);
	ck_assert_int_eq(SC(SYS_sendto, u2, G(ping), 4, 0, G(sa), -1), -EINVAL);
	*len = sizeof(*from);
	ck_assert_int_eq(SC(SYS_recvfrom, u1, G(rbuf), 64, 0, G(from), G(len)), 4);
	ck_assert_uint_eq(*len, sizeof(*from));
	ck_assert_int_eq(from->sin_family, AF_INET);
	ck_assert_uint_eq(from->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	ck_assert_int_eq(SC(SYS_recvfrom, u1, G(rbuf), 64, MSG_DONTWAIT, G(from), 8), -EFAULT);

	/* sendmmsg and recvmmsg: several headers, msg_len written back. */
	iov[0] = (struct iovec){ ping, 4 };
	iov[1] = (struct iovec){ ping, 2 };
	vec[0].msg_hdr.msg_name = sa;
	vec[0].msg_hdr.msg_namelen = sizeof(*sa);
	vec[0].msg_hdr.msg_iov = &iov[0];
	vec[0].msg_hdr.msg_iovlen = 1;
	vec[1].msg_hdr = vec[0].msg_hdr;
	vec[1].msg_hdr.msg_iov = &iov[1];
	ck_assert_int_eq(SC(SYS_sendmmsg, u2, G(vec), 2, 0), 2);
	ck_assert_uint_eq(vec[0].msg_len, 4);
	ck_assert_uint_eq(vec[1].msg_len, 2);
	/* A bad second entry: the first still goes. */
	vec[1].msg_hdr.msg_iov = (struct iovec *)stack_buf;
	ck_assert_int_eq(SC(SYS_sendmmsg, u2, G(vec), 2, 0), 1);
	vec[0].msg_hdr.msg_iov = (struct iovec *)stack_buf;
	ck_assert_int_eq(SC(SYS_sendmmsg, u2, G(vec), 2, 0), -EFAULT);

	memset(vec, 0, 2 * sizeof(*vec));
	iov[0] = (struct iovec){ rbuf, 32 };
	iov[1] = (struct iovec){ rbuf + 32, 32 };
	vec[0].msg_hdr.msg_iov = &iov[0];
	vec[0].msg_hdr.msg_iovlen = 1;
	vec[0].msg_hdr.msg_name = from;
	vec[0].msg_hdr.msg_namelen = sizeof(*from);
	vec[1].msg_hdr.msg_iov = &iov[1];
	vec[1].msg_hdr.msg_iovlen = 1;
	ts->tv_sec = 1;
	ck_assert_int_eq(SC(SYS_recvmmsg, u1, G(vec), 2, 0, G(ts)), 2);
	ck_assert_uint_eq(vec[0].msg_len, 4);
	ck_assert_uint_eq(vec[1].msg_len, 2);
	ck_assert_uint_eq(vec[0].msg_hdr.msg_namelen, sizeof(*from));
	ck_assert_int_eq(SC(SYS_recvmmsg, u1, G(vec), 2, MSG_DONTWAIT, 0), 1); /* the third */
	ck_assert_int_eq(SC(SYS_recvmmsg, u1, G(vec), 2, 0, G(stack_buf)), -EFAULT);
	ck_assert_int_eq(SC(SYS_recvmmsg, u1, G(vec), 0, 0, 0), 0);
}
END_TEST

START_TEST(families_and_options)
{
	struct sock_filter *prog = galloc(sizeof(*prog));
	struct sock_fprog *fp = galloc(sizeof(*fp));
	int *v = galloc(sizeof(int)), *sv = gpair(SOCK_STREAM);
	char *text;
	long s;

	ck_assert_int_eq(SC(SYS_socket, AF_PACKET, SOCK_RAW, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(SC(SYS_socket, AF_BLUETOOTH, SOCK_STREAM, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(SC(SYS_socketpair, AF_PACKET, SOCK_DGRAM, 0, G(galloc(8))), -EAFNOSUPPORT);
	ck_assert_int_eq(SC(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, 8), -EFAULT);
	s = SC(SYS_socket, AF_INET6, SOCK_DGRAM, 0);
	ck_assert(s >= 0 || s == -EAFNOSUPPORT); /* a host without IPv6 */
	s = SC(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
	ck_assert_int_ge(s, 0);

	/* Levels outside the list and options carrying pointers are refused. */
	ck_assert_int_eq(SC(SYS_setsockopt, sv[0], SOL_IP, 64, G(v), 4), -ENOPROTOOPT);
	ck_assert_int_eq(SC(SYS_getsockopt, sv[0], SOL_IP, 65, G(v), G(galloc(4))), -ENOPROTOOPT);
	ck_assert_int_eq(SC(SYS_getsockopt, sv[0], IPPROTO_TCP, 35, G(v), G(galloc(4))),
			 -ENOPROTOOPT);
	ck_assert_int_eq(SC(SYS_setsockopt, sv[0], 263 /* SOL_PACKET */, 1, G(v), 4), -ENOPROTOOPT);
	/* A negative level too, and --stats names it as the guest gave it. */
	ck_assert_int_eq(SC(SYS_setsockopt, sv[0], -7, 2, G(v), 4), -ENOPROTOOPT);
	text = stats_text();
	ck_assert_ptr_nonnull(strstr(text, "level -7 option 2"));
	free(text);
	/* A socket filter: the program is copied from behind its pointer. */
	*prog = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffff);
	fp->len = 1;
	fp->filter = prog;
	ck_assert_int_eq(
	    SC(SYS_setsockopt, sv[0], SOL_SOCKET, SO_ATTACH_FILTER, G(fp), sizeof(*fp)), 0);
	fp->filter = (struct sock_filter *)8;
	ck_assert_int_eq(
	    SC(SYS_setsockopt, sv[0], SOL_SOCKET, SO_ATTACH_FILTER, G(fp), sizeof(*fp)), -EFAULT);
	fp->filter = NULL;
	ck_assert_int_eq(
	    SC(SYS_setsockopt, sv[0], SOL_SOCKET, SO_ATTACH_FILTER, G(fp), sizeof(*fp)), -EINVAL);
	ck_assert_int_eq(SC(SYS_setsockopt, sv[0], SOL_SOCKET, SO_ATTACH_FILTER, G(fp), 4),
			 -EINVAL);
	*v = monitor_fd();
	ck_assert_int_eq(SC(SYS_setsockopt, sv[0], SOL_SOCKET, SO_ATTACH_BPF, G(v), 4), -EBADF);
}
END_TEST

Suite *net_suite(void)
{
	Suite *s = suite_create("syscall-net");
	TCase *tc = tcase_create("sockets");

	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, scm_rights_roundtrip);
	tcase_add_test(tc, scm_rights_refused);
	tcase_add_test(tc, scm_rights_over_limit);
	tcase_add_test(tc, msghdr_hostile);
	tcase_add_test(tc, tcp_loopback);
	tcase_add_test(tc, udp_loopback);
	tcase_add_test(tc, families_and_options);
	suite_add_tcase(s, tc);
	return s;
}
