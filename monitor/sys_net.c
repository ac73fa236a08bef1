/* Socket handlers: families, addresses, message headers with iovecs and SCM_RIGHTS, options. */
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guestmem.h"
#include "syscall.h"
#include "vm.h"

/* The guest's struct msghdr and mmsghdr are the x86-64 kernel's. */
_Static_assert(sizeof(struct msghdr) == 56 && offsetof(struct msghdr, msg_controllen) == 40,
	       "struct msghdr is the kernel's");
_Static_assert(sizeof(struct mmsghdr) == 64, "struct mmsghdr is the kernel's");

/* Control data per message.  Linux bounds it by optmem_max (20 KiB by
 * default, 128 KiB on recent kernels); this bounds the monitor's copy. */
#define CTL_MAX 65536

static bool family_ok(int family)
{
	return family == AF_UNIX || family == AF_INET || family == AF_INET6 || family == AF_NETLINK;
}

static long check_family(struct elh_vm *vm, int family)
{
	if (family_ok(family))
		return 0;
	elh_sys_unsupported(vm, ELH_UNSUP_FAMILY, family);
	return -EAFNOSUPPORT;
}

ELH_HANDLER(socket)
{
	long ret = check_family(cpu->vm, (int)a[0]);

	return ret ? ret : elh_host3(SYS_socket, a[0], a[1], a[2]);
}

ELH_HANDLER(socketpair)
{
	struct elh_vm *vm = cpu->vm;
	int sv[2];
	long ret = check_family(vm, (int)a[0]);

	if (ret)
		return ret;
	if (elh_guest_range(&vm->arena, a[3], sizeof(sv)))
		return -EFAULT;
	ret = elh_host4(SYS_socketpair, a[0], a[1], a[2], sv);
	if (ret < 0)
		return ret;
	if (sv[0] >= elh_sys_fd_bound(vm) || sv[1] >= elh_sys_fd_bound(vm))
		ret = -EMFILE;
	else if (elh_guest_write(&vm->arena, a[3], sv, sizeof(sv)))
		ret = -EFAULT;
	if (ret) {
		close(sv[0]);
		close(sv[1]);
	}
	return ret;
}

/* A socket address the guest passes in: addrlen is an int, bounded by
 * sockaddr_storage as Linux does. */
static long addr_in(struct elh_vm *vm, uint64_t gva, uint64_t glen, struct sockaddr_storage *ss)
{
	int len = (int)glen;

	if (len < 0 || (size_t)len > sizeof(*ss))
		return -EINVAL;
	if (elh_guest_read(&vm->arena, ss, gva, len))
		return -EFAULT;
	return len;
}

ELH_HANDLER(bind)
{
	struct sockaddr_storage ss;
	long len = addr_in(cpu->vm, a[1], a[2], &ss);

	return len < 0 ? len : elh_host3(SYS_bind, a[0], &ss, len);
}

ELH_HANDLER(connect)
{
	struct sockaddr_storage ss;
	long len = addr_in(cpu->vm, a[1], a[2], &ss);

	return len < 0 ? len : elh_host3(SYS_connect, a[0], &ss, len);
}

ELH_HANDLER(sendto)
{
	struct sockaddr_storage ss;
	long len;

	if (!a[4])
		return elh_host6(SYS_sendto, a[0], a[1], a[2], a[3], 0, 0);
	len = addr_in(cpu->vm, a[4], a[5], &ss);
	return len < 0 ? len : elh_host6(SYS_sendto, a[0], a[1], a[2], a[3], &ss, len);
}

/* A socket address the host returns: received into monitor memory, then
 * min(actual, room) bytes and the actual length go to the guest. */
struct addr_out {
	uint64_t gaddr, glen;
	int room;
	socklen_t klen;
	struct sockaddr_storage ss;
};

static long addr_out_prep(struct elh_vm *vm, struct addr_out *o, uint64_t gaddr, uint64_t glen)
{
	o->gaddr = gaddr;
	o->glen = glen;
	o->klen = sizeof(o->ss);
	if (elh_guest_read(&vm->arena, &o->room, glen, sizeof(o->room)))
		return -EFAULT;
	if (o->room < 0)
		return -EINVAL;
	if (elh_guest_range(&vm->arena, gaddr, (uint64_t)o->room))
		return -EFAULT;
	return 0;
}

static long addr_out_finish(struct elh_vm *vm, const struct addr_out *o)
{
	size_t n = o->klen;

	if (n > (size_t)o->room)
		n = o->room;
	if (n > sizeof(o->ss))
		n = sizeof(o->ss);
	if (elh_guest_write(&vm->arena, o->gaddr, &o->ss, n) ||
	    elh_guest_write(&vm->arena, o->glen, &o->klen, sizeof(o->klen)))
		return -EFAULT;
	return 0;
}

static long do_accept(struct elh_vm *vm, const uint64_t a[6], uint64_t flags)
{
	struct addr_out o;
	bool want = a[1] != 0;
	long ret, r;

	/* Checked before accepting, so a bad pointer does not consume a
	 * connection. */
	if (want && (r = addr_out_prep(vm, &o, a[1], a[2])))
		return r;
	ret = elh_host4(SYS_accept4, a[0], want ? &o.ss : NULL, want ? &o.klen : NULL, flags);
	if (ret < 0 || !want)
		return ret;
	r = addr_out_finish(vm, &o);
	if (r) {
		close(ret);
		return r;
	}
	return ret;
}

ELH_HANDLER(accept)
{
	return do_accept(cpu->vm, a, 0);
}

ELH_HANDLER(accept4)
{
	return do_accept(cpu->vm, a, a[3]);
}

static long sockname(struct elh_vm *vm, long nr, const uint64_t a[6])
{
	struct addr_out o;
	long ret = addr_out_prep(vm, &o, a[1], a[2]);

	if (ret)
		return ret;
	ret = elh_host3(nr, a[0], &o.ss, &o.klen);
	return ret < 0 ? ret : addr_out_finish(vm, &o);
}

ELH_HANDLER(getsockname)
{
	return sockname(cpu->vm, SYS_getsockname, a);
}

ELH_HANDLER(getpeername)
{
	return sockname(cpu->vm, SYS_getpeername, a);
}

ELH_HANDLER(recvfrom)
{
	struct elh_vm *vm = cpu->vm;
	struct addr_out o;
	bool want = a[4] != 0;
	long ret, r;

	if (want && (r = addr_out_prep(vm, &o, a[4], a[5])))
		return r;
	ret = elh_host6(SYS_recvfrom, a[0], a[1], a[2], a[3], want ? &o.ss : NULL,
			want ? &o.klen : NULL);
	if (ret >= 0 && want && (r = addr_out_finish(vm, &o)))
		return r;
	return ret;
}

/* ---- message headers ---- */

/* One guest message header made safe for the host: the header, the iovec
 * array, the name and the control data are monitor copies (or, for data
 * the host writes, checked guest buffers). */
struct msg_prep {
	struct msghdr g; /* the guest's header as copied */
	struct msghdr h; /* what the host gets */
	struct iovec *iov;
	unsigned char *ctl;
	struct sockaddr_storage name;
	struct iovec iov_stack[8];
	_Alignas(struct cmsghdr) unsigned char ctl_stack[256];
};

static void msg_free(struct msg_prep *m)
{
	if (m->iov != m->iov_stack)
		free(m->iov);
	if (m->ctl != m->ctl_stack)
		free(m->ctl);
	m->iov = m->iov_stack;
	m->ctl = m->ctl_stack;
}

/*
 * Walk the control messages the guest sends as the kernel does
 * (for_each_cmsghdr + CMSG_OK): every fd in an SCM_RIGHTS array must be the
 * guest's (EBADF).  A malformed header is EINVAL, as the kernel would
 * refuse the message too.
 */
static long check_rights(struct elh_vm *vm, const unsigned char *ctl, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;

		memcpy(&c, ctl + off, sizeof(c));
		if (c.cmsg_len < sizeof(c) || c.cmsg_len > len - off)
			return -EINVAL;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS) {
			size_t n = (c.cmsg_len - CMSG_LEN(0)) / sizeof(int), i;

			for (i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, ctl + off + CMSG_LEN(0) + i * sizeof(int), sizeof(fd));
				if (!elh_fd_ok(vm, fd))
					return -EBADF;
			}
		}
		if (CMSG_ALIGN(c.cmsg_len) >= len - off)
			break;
		off += CMSG_ALIGN(c.cmsg_len);
	}
	return 0;
}

/*
 * Received fds at or above bound are closed and cut from their SCM_RIGHTS
 * message, with MSG_CTRUNC, as Linux does when the receiver's table is full
 * (bound 0 closes them all).  Returns the new length of the control data.
 */
static size_t trim_rights(unsigned char *ctl, size_t used, int bound, int *flags)
{
	size_t off = 0;

	while (used - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;
		size_t next, n, keep, i;

		memcpy(&c, ctl + off, sizeof(c));
		if (c.cmsg_len < sizeof(c) || c.cmsg_len > used - off)
			break;
		next = off + CMSG_ALIGN(c.cmsg_len);
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS) {
			n = (c.cmsg_len - CMSG_LEN(0)) / sizeof(int);
			keep = n;
			for (i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, ctl + off + CMSG_LEN(0) + i * sizeof(int), sizeof(fd));
				if (keep == n && (fd < 0 || fd >= bound))
					keep = i;
				if (keep < n && fd >= 0)
					close(fd);
			}
			if (keep < n) {
				size_t tail = next < used ? used - next : 0;
				size_t newnext = off;

				*flags |= MSG_CTRUNC;
				if (keep) {
					c.cmsg_len = CMSG_LEN(keep * sizeof(int));
					memcpy(ctl + off, &c, sizeof(c));
					newnext = off + CMSG_ALIGN(c.cmsg_len);
				}
				if (tail)
					memmove(ctl + newnext, ctl + next, tail);
				used = newnext + tail;
				next = newnext;
			}
		}
		if (next >= used)
			break;
		off = next;
	}
	return used;
}

static long msg_prep(struct elh_vm *vm, struct msg_prep *m, uint64_t ghdr, bool send)
{
	size_t ctllen;
	int namelen;
	long ret;

	m->iov = m->iov_stack;
	m->ctl = m->ctl_stack;
	memset(&m->h, 0, sizeof(m->h));
	if (elh_guest_read(&vm->arena, &m->g, ghdr, sizeof(m->g)))
		return -EFAULT;

	/* Linux: a negative length is EINVAL, a long one is cut to
	 * sockaddr_storage, a NULL name has length 0. */
	namelen = m->g.msg_name ? (int)m->g.msg_namelen : 0;
	if (namelen < 0)
		return -EINVAL;
	if ((size_t)namelen > sizeof(m->name))
		namelen = sizeof(m->name);
	if (m->g.msg_name) {
		uint64_t gname = ELH_U64(m->g.msg_name);

		if (send ? elh_guest_read(&vm->arena, &m->name, gname, namelen)
			 : elh_guest_range(&vm->arena, gname, namelen))
			return -EFAULT;
		m->h.msg_name = &m->name;
		m->h.msg_namelen = send ? (socklen_t)namelen : sizeof(m->name);
	}

	ret = elh_sys_copy_iov(vm, ELH_U64(m->g.msg_iov), m->g.msg_iovlen, -EMSGSIZE, m->iov_stack,
			       sizeof(m->iov_stack) / sizeof(m->iov_stack[0]), &m->iov);
	if (ret < 0)
		return ret;
	m->h.msg_iov = m->iov;
	m->h.msg_iovlen = m->g.msg_iovlen;

	ctllen = m->g.msg_controllen;
	if (!ctllen)
		return 0;
	if (ctllen > CTL_MAX) {
		if (send)
			return -ENOBUFS;
		ctllen = CTL_MAX;
	}
	if (ctllen > sizeof(m->ctl_stack)) {
		m->ctl = malloc(ctllen);
		if (!m->ctl) {
			m->ctl = m->ctl_stack;
			return -ENOMEM;
		}
	}
	if (send) {
		if (elh_guest_read(&vm->arena, m->ctl, ELH_U64(m->g.msg_control), ctllen))
			return -EFAULT;
		ret = check_rights(vm, m->ctl, ctllen);
		if (ret)
			return ret;
	} else if (elh_guest_range(&vm->arena, ELH_U64(m->g.msg_control), ctllen)) {
		return -EFAULT;
	}
	m->h.msg_control = m->ctl;
	m->h.msg_controllen = ctllen;
	return 0;
}

/* After the host received into m->h: drop fds the guest may not hold, then
 * copy the name, the control data and the header's results out.  On a
 * fault, the received fds are closed. */
static long msg_finish_recv(struct elh_vm *vm, struct msg_prep *m, uint64_t ghdr)
{
	size_t used = m->h.msg_control ? m->h.msg_controllen : 0;
	int flags = m->h.msg_flags;

	used = trim_rights(m->ctl, used, elh_sys_fd_bound(vm), &flags);
	if (m->g.msg_name) {
		size_t n = m->h.msg_namelen, room = m->g.msg_namelen;

		if (room > sizeof(m->name))
			room = sizeof(m->name);
		if (n > room)
			n = room;
		if (elh_guest_write(&vm->arena, ELH_U64(m->g.msg_name), &m->name, n))
			goto fault;
		m->g.msg_namelen = m->h.msg_namelen;
	}
	if (used && elh_guest_write(&vm->arena, ELH_U64(m->g.msg_control), m->ctl, used))
		goto fault;
	m->g.msg_controllen = used;
	m->g.msg_flags = flags;
	if (elh_guest_write(&vm->arena, ghdr, &m->g, sizeof(m->g)))
		goto fault;
	return 0;
fault:
	trim_rights(m->ctl, used, 0, &flags);
	return -EFAULT;
}

ELH_HANDLER(sendmsg)
{
	struct msg_prep m;
	long ret = msg_prep(cpu->vm, &m, a[1], true);

	if (!ret)
		ret = elh_host3(SYS_sendmsg, a[0], &m.h, a[2]);
	msg_free(&m);
	return ret;
}

ELH_HANDLER(recvmsg)
{
	struct msg_prep m;
	long ret = msg_prep(cpu->vm, &m, a[1], false), r;

	if (!ret) {
		ret = elh_host3(SYS_recvmsg, a[0], &m.h, a[2]);
		if (ret >= 0 && (r = msg_finish_recv(cpu->vm, &m, a[1])))
			ret = r;
	}
	msg_free(&m);
	return ret;
}

/* The guest address of entry i of an mmsghdr array, 0 if it wraps. */
static uint64_t mmsg_entry(uint64_t base, unsigned i)
{
	uint64_t p;

	if (__builtin_add_overflow(base, (uint64_t)i * sizeof(struct mmsghdr), &p))
		return 0;
	return p;
}

struct mmsg {
	struct msg_prep *m;
	struct mmsghdr *h;
	unsigned n; /* entries prepared */
};

/* Prepare up to vlen entries; stops at the first bad one, whose error is
 * returned when no entry could be prepared (Linux fails the call then, and
 * otherwise reports the messages it handled). */
static long mmsg_prep(struct elh_vm *vm, struct mmsg *mm, uint64_t base, unsigned vlen, bool send)
{
	long ret = 0;

	mm->n = 0;
	mm->m = calloc(vlen, sizeof(*mm->m));
	mm->h = calloc(vlen, sizeof(*mm->h));
	if (!mm->m || !mm->h)
		return -ENOMEM;
	for (; mm->n < vlen; mm->n++) {
		uint64_t e = mmsg_entry(base, mm->n);

		ret = e ? msg_prep(vm, &mm->m[mm->n], e, send) : -EFAULT;
		if (ret)
			break;
		mm->h[mm->n].msg_hdr = mm->m[mm->n].h;
	}
	return mm->n ? 0 : ret;
}

static void mmsg_free(struct mmsg *mm, unsigned vlen)
{
	unsigned i;

	if (mm->m)
		for (i = 0; i < vlen; i++)
			msg_free(&mm->m[i]);
	free(mm->m);
	free(mm->h);
}

static unsigned mmsg_vlen(uint64_t v)
{
	unsigned vlen = (unsigned)v;

	return vlen > UIO_MAXIOV ? UIO_MAXIOV : vlen; /* Linux cuts, it does not fail */
}

ELH_HANDLER(sendmmsg)
{
	struct elh_vm *vm = cpu->vm;
	unsigned vlen = mmsg_vlen(a[2]), i;
	struct mmsg mm = { 0 };
	long ret;

	if (!vlen)
		return 0;
	ret = mmsg_prep(vm, &mm, a[1], vlen, true);
	if (!ret)
		ret = elh_host4(SYS_sendmmsg, a[0], mm.h, mm.n, a[3]);
	/* Datagrams are gone: a fault writing msg_len loses only msg_len. */
	for (i = 0; ret > 0 && i < (unsigned long)ret; i++)
		elh_guest_write(&vm->arena, mmsg_entry(a[1], i) + offsetof(struct mmsghdr, msg_len),
				&mm.h[i].msg_len, sizeof(mm.h[i].msg_len));
	mmsg_free(&mm, vlen);
	return ret;
}

ELH_HANDLER(recvmmsg)
{
	struct elh_vm *vm = cpu->vm;
	unsigned vlen = mmsg_vlen(a[2]), i, j;
	struct mmsg mm = { 0 };
	struct timespec ts;
	long ret, r;

	if (a[4] && elh_guest_read(&vm->arena, &ts, a[4], sizeof(ts)))
		return -EFAULT;
	if (!vlen)
		return 0;
	ret = mmsg_prep(vm, &mm, a[1], vlen, false);
	if (!ret)
		ret = elh_host5(SYS_recvmmsg, a[0], mm.h, mm.n, a[3], a[4] ? &ts : NULL);
	for (i = 0; ret > 0 && i < (unsigned long)ret; i++) {
		uint64_t e = mmsg_entry(a[1], i);

		mm.m[i].h = mm.h[i].msg_hdr;
		r = msg_finish_recv(vm, &mm.m[i], e);
		if (!r && elh_guest_write(&vm->arena, e + offsetof(struct mmsghdr, msg_len),
					  &mm.h[i].msg_len, sizeof(mm.h[i].msg_len)))
			r = -EFAULT;
		if (r) {
			/* Messages not handed over: their fds go. */
			for (j = i + 1; j < (unsigned long)ret; j++) {
				int flags = 0;

				trim_rights(mm.m[j].ctl, mm.h[j].msg_hdr.msg_controllen, 0, &flags);
			}
			ret = i ? (long)i : r;
			break;
		}
	}
	if (ret > 0 && a[4] && elh_guest_write(&vm->arena, a[4], &ts, sizeof(ts)))
		ret = -EFAULT;
	mmsg_free(&mm, vlen);
	return ret;
}

/* ---- options ---- */

static bool level_ok(int level)
{
	switch (level) {
	case SOL_SOCKET:
	case IPPROTO_IP:
	case IPPROTO_IPV6:
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
	case SOL_NETLINK: return true;
	default: return false;
	}
}

/*
 * Options whose value holds user pointers the kernel follows: netfilter,
 * arptables, ebtables and IPVS control (SOL_IP 64 and above, except
 * SO_ORIGINAL_DST; ip6tables' 64 and 65) and TCP zero-copy receive.
 */
static bool option_refused(int level, int name)
{
	switch (level) {
	case IPPROTO_IP: return name >= 64 && name != 80;
	case IPPROTO_IPV6: return name == 64 || name == 65;
	case IPPROTO_TCP: return name == 35; /* TCP_ZEROCOPY_RECEIVE */
	default: return false;
	}
}

static long check_option(struct elh_vm *vm, int level, int name)
{
	if (level_ok(level) && !option_refused(level, name))
		return 0;
	/* Shifted unsigned: a negative level must not make it undefined. */
	elh_sys_unsupported(vm, ELH_UNSUP_SOCKOPT,
			    (int64_t)((uint64_t)(uint32_t)level << 32 | (uint32_t)name));
	return -ENOPROTOOPT;
}

/* A classic BPF socket filter: the program behind the pointer is copied. */
static long attach_filter(struct elh_vm *vm, const uint64_t a[6], int len)
{
	struct sock_fprog g, h;
	struct sock_filter *f;
	long ret;

	if (len != sizeof(g))
		return -EINVAL;
	if (elh_guest_read(&vm->arena, &g, a[3], sizeof(g)))
		return -EFAULT;
	if (!g.filter || g.len == 0 || g.len > BPF_MAXINSNS)
		return -EINVAL;
	f = malloc(g.len * sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (elh_guest_read(&vm->arena, f, ELH_U64(g.filter), g.len * sizeof(*f))) {
		free(f);
		return -EFAULT;
	}
	h.len = g.len;
	h.filter = f;
	ret = elh_host5(SYS_setsockopt, a[0], SOL_SOCKET, a[2], &h, sizeof(h));
	free(f);
	return ret;
}

ELH_HANDLER(setsockopt)
{
	struct elh_vm *vm = cpu->vm;
	int level = (int)a[1], name = (int)a[2], len = (int)a[4];
	long ret;
	int fd;

	if (len < 0)
		return -EINVAL;
	ret = check_option(vm, level, name);
	if (ret)
		return ret;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ATTACH_FILTER:
		case SO_ATTACH_REUSEPORT_CBPF: return attach_filter(vm, a, len);
		case SO_ATTACH_BPF:
		case SO_ATTACH_REUSEPORT_EBPF:
			/* The value is an fd: it must be the guest's. */
			if ((size_t)len < sizeof(fd))
				return -EINVAL;
			if (elh_guest_read(&vm->arena, &fd, a[3], sizeof(fd)))
				return -EFAULT;
			if (!elh_fd_ok(vm, fd))
				return -EBADF;
			return elh_host5(SYS_setsockopt, a[0], level, name, &fd, sizeof(fd));
		}
	}
	if (elh_guest_range(&vm->arena, a[3], (uint64_t)len))
		return -EFAULT;
	return elh_host5(SYS_setsockopt, a[0], level, name, a[3], len);
}

ELH_HANDLER(getsockopt)
{
	struct elh_vm *vm = cpu->vm;
	int level = (int)a[1], name = (int)a[2], room;
	socklen_t len;
	long ret;

	ret = check_option(vm, level, name);
	if (ret)
		return ret;
	if (elh_guest_read(&vm->arena, &room, a[4], sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	if (elh_guest_range(&vm->arena, a[3], (uint64_t)room))
		return -EFAULT;
	len = room;
	ret = elh_host5(SYS_getsockopt, a[0], level, name, a[3], &len);
	if (ret < 0)
		return ret;
	if (elh_guest_write(&vm->arena, a[4], &len, sizeof(len)))
		return -EFAULT;
	return ret;
}
