/* The fake host kernel of the fuzz targets (fake-host.h). */
#include "fake-host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/filter.h>

#include "fuzz.h"
#include "icall.h"
#include "syscall.h"

/* What syscall.c calls instead of syscall() (built with -Dsyscall=...). */
long elh_fuzz_host_syscall(long nr, ...);

static const struct elh_arena *arena;
static const uint8_t *script;
static size_t script_len, script_pos;
static unsigned ncalls;

void fuzz_host_init(const struct elh_arena *a)
{
	arena = a;
	for (int fd = FAKE_FD_LOW; fd < FUZZ_FD_LIMIT; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fuzz_fail("fd %d is open: the fake kernel's fds would not be fake", fd);
}

void fuzz_host_script(const uint8_t *s, size_t len)
{
	script = s;
	script_len = len;
	script_pos = 0;
	ncalls = 0;
}

unsigned fuzz_host_calls(void)
{
	return ncalls;
}

/* The next script byte; zeros once the script is used up. */
static uint8_t next(void)
{
	return script_pos < script_len ? script[script_pos++] : 0;
}

static int in_arena(uint64_t p, uint64_t len)
{
	return elh_guest_range(arena, p, len) == 0;
}

/* A buffer the monitor passes: a guest buffer must lie wholly in the arena;
 * anything else is the monitor's own memory, read or written over its whole
 * length as the kernel would (a wild pointer faults here). */
static void touch(const void *p, uint64_t len, int write)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	volatile const uint8_t *b = p;
	uint8_t sum = 0;

	if (!p || !len || in_arena(a, len))
		return;
	if (a + len > arena->base && a < arena->base + arena->size)
		fuzz_fail("a host buffer [%#llx, +%llu) straddles the arena's bounds",
			  (unsigned long long)a, (unsigned long long)len);
	if (write) {
		memset((void *)(uintptr_t)p, 0x5a, len);
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		sum += b[i];
	(void)sum;
}

/* A guest buffer the host reads or writes directly: inside the arena. */
static void guest_buf(uint64_t p, uint64_t len, const char *what)
{
	if (len && !in_arena(p, len))
		fuzz_fail("%s [%#llx, +%llu) reaches the host outside the arena", what,
			  (unsigned long long)p, (unsigned long long)len);
}

static void iov_check(const struct iovec *iov, uint64_t cnt, const char *what)
{
	if (cnt > UIO_MAXIOV)
		fuzz_fail("%s: %llu iovecs reach the host", what, (unsigned long long)cnt);
	touch(iov, cnt * sizeof(*iov), 0);
	for (uint64_t i = 0; i < cnt; i++)
		guest_buf((uint64_t)(uintptr_t)iov[i].iov_base, iov[i].iov_len, what);
}

static void msg_check(const struct msghdr *h, int recv)
{
	touch(h, sizeof(*h), 0);
	touch(h->msg_name, h->msg_namelen, recv);
	iov_check(h->msg_iov, h->msg_iovlen, "a message's iovec");
	touch(h->msg_control, h->msg_controllen, recv);
}

/* An fd the fake kernel creates: the guest may keep a low one; the monitor
 * must close a high one. */
static int fake_fd(uint8_t b)
{
	return b & 1 ? FAKE_FD_HIGH + b : FAKE_FD_LOW + (b >> 1) % (FUZZ_FD_LIMIT - FAKE_FD_LOW);
}

/* A received message: an address of the script's length and SCM_RIGHTS
 * messages of fake fds, as many as fit (MSG_CTRUNC for the rest). */
static void msg_recv(struct msghdr *h)
{
	size_t used = 0;
	int flags = next() & (MSG_TRUNC | MSG_EOR | MSG_OOB);

	msg_check(h, 1);
	if (h->msg_name)
		h->msg_namelen = next() % (sizeof(struct sockaddr_storage) + 1);
	while (h->msg_control && (next() & 1)) {
		unsigned n = next() % 8;
		struct cmsghdr c = { .cmsg_len = CMSG_LEN(n * sizeof(int)),
				     .cmsg_level = SOL_SOCKET,
				     .cmsg_type = SCM_RIGHTS };

		if (used + CMSG_SPACE(n * sizeof(int)) > h->msg_controllen) {
			flags |= MSG_CTRUNC;
			break;
		}
		memcpy((char *)h->msg_control + used, &c, sizeof(c));
		for (unsigned i = 0; i < n; i++) {
			int fd = fake_fd(next());

			memcpy((char *)h->msg_control + used + CMSG_LEN(i * sizeof(int)), &fd,
			       sizeof(fd));
		}
		used += CMSG_SPACE(n * sizeof(int));
	}
	h->msg_controllen = used;
	h->msg_flags = flags;
}

/* An address the host returns: *len is the room, then the actual length. */
static void addr_recv(void *addr, socklen_t *len)
{
	socklen_t room, actual = next() % (sizeof(struct sockaddr_storage) + 1);

	if (!addr)
		return;
	touch(len, sizeof(*len), 0);
	room = *len;
	touch(addr, actual < room ? actual : room, 1);
	*len = actual;
}

/* The checks the table implies for a call passed through as it is: its
 * buffers are guest memory, its structures copies or guest memory. */
static void table_check(long nr, const uint64_t a[6])
{
	const struct elh_sysdesc *d = &elh_systab[nr];

	for (unsigned i = 0; i < d->nargs; i++) {
		unsigned k = ELH_ARG_KIND(d->arg[i]);
		uint64_t len;

		if ((d->arg[i] & ELH_ARG_OPT) && !a[i])
			continue;
		switch (k) {
		case ELH_ARG_BUF_IN:
		case ELH_ARG_BUF_OUT:
			len = a[ELH_LEN_INDEX(d->len[i])];
			if (d->len[i] & ELH_LEN_U32)
				len = (uint32_t)len;
			guest_buf(a[i], len, d->name);
			break;
		case ELH_ARG_STRUCT_IN:
		case ELH_ARG_STRUCT_INOUT:
		case ELH_ARG_STRUCT_OUT:
			touch(ELH_PTR(a[i]), elh_structs[d->len[i]].size, 0);
			break;
		}
	}
}

static long fake_call(long nr, const uint64_t a[6])
{
	static const int errs[] = { EINTR, EAGAIN, EINVAL, EBADF, EFAULT, ENOSYS, EPIPE, EMSGSIZE };
	uint8_t b;
	long n;

	ncalls++;
	if (nr >= 0 && (unsigned long)nr < elh_nsyscalls && (elh_systab[nr].flags & ELH_SYS_PASS))
		table_check(nr, a);
	switch (nr) {
	case SYS_readv:
	case SYS_writev:
	case SYS_preadv:
	case SYS_pwritev:
	case SYS_preadv2:
	case SYS_pwritev2: iov_check(ELH_PTR(a[1]), a[2], "readv/writev"); break;
	case SYS_process_vm_readv:
	case SYS_process_vm_writev:
		iov_check(ELH_PTR(a[1]), a[2], "process_vm's local iovec");
		iov_check(ELH_PTR(a[3]), a[4], "process_vm's remote iovec");
		break;
	case SYS_sendmsg: msg_check(ELH_PTR(a[1]), 0); break;
	case SYS_sendmmsg:
	case SYS_recvmmsg:
		if (a[2] > UIO_MAXIOV)
			fuzz_fail("mmsg: %llu entries reach the host", (unsigned long long)a[2]);
		for (uint64_t i = 0; i < a[2]; i++)
			msg_check(&((struct mmsghdr *)ELH_PTR(a[1]))[i].msg_hdr,
				  nr == SYS_recvmmsg);
		break;
	case SYS_bind:
	case SYS_connect: touch(ELH_PTR(a[1]), a[2], 0); break;
	case SYS_sendto:
		guest_buf(a[1], a[2], "sendto's buffer");
		touch(ELH_PTR(a[4]), a[5], 0);
		break;
	case SYS_recvfrom: guest_buf(a[1], a[2], "recvfrom's buffer"); break;
	case SYS_getsockopt:
		touch(ELH_PTR(a[4]), sizeof(socklen_t), 0);
		guest_buf(a[3], *(socklen_t *)ELH_PTR(a[4]), "getsockopt's value");
		break;
	case SYS_setsockopt:
		if (a[1] == SOL_SOCKET &&
		    (a[2] == SO_ATTACH_FILTER || a[2] == SO_ATTACH_REUSEPORT_CBPF)) {
			const struct sock_fprog *f = ELH_PTR(a[3]);

			touch(f, sizeof(*f), 0);
			touch(f->filter, f->len * sizeof(*f->filter), 0);
		} else {
			touch(ELH_PTR(a[3]), a[4], 0);
		}
		break;
	case SYS_poll:
	case SYS_ppoll: touch(ELH_PTR(a[0]), a[1] * sizeof(struct pollfd), 1); break;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		touch(ELH_PTR(a[1]), (uint64_t)(int)a[2] * sizeof(struct epoll_event), 1);
		break;
	}

	b = next();
	if (b & 0x80)
		return -errs[b & 7];
	n = b & 0x1f;
	switch (nr) {
	case SYS_recvmsg: msg_recv(ELH_PTR(a[1])); break;
	case SYS_sendmmsg:
	case SYS_recvmmsg:
		n = a[2] ? 1 + n % a[2] : 0;
		for (long i = 0; i < n; i++) {
			struct mmsghdr *m = &((struct mmsghdr *)ELH_PTR(a[1]))[i];

			if (nr == SYS_recvmmsg)
				msg_recv(&m->msg_hdr);
			m->msg_len = next();
		}
		break;
	case SYS_accept:
	case SYS_accept4: addr_recv(ELH_PTR(a[1]), ELH_PTR(a[2])); return fake_fd(next());
	case SYS_getsockname:
	case SYS_getpeername: addr_recv(ELH_PTR(a[1]), ELH_PTR(a[2])); return 0;
	case SYS_recvfrom: addr_recv(ELH_PTR(a[4]), ELH_PTR(a[5])); break;
	case SYS_getsockopt: {
		socklen_t *len = ELH_PTR(a[4]);
		uint8_t actual = next();

		if (actual < *len)
			*len = actual;
		return 0;
	}
	case SYS_semctl:
		/* The kernel fills IPC_STAT's structure, its set size bounded by
		 * SEMMSL: the monitor sizes GETALL and SETALL by it. */
		if (((int)a[2] & ~0x100) == IPC_STAT) {
			struct semid_ds *ds = ELH_PTR(a[3]);

			touch(ds, sizeof(*ds), 1);
			memset(ds, 0, sizeof(*ds));
			ds->sem_nsems = next();
		}
		break;
	case SYS_socketpair:
	case SYS_pipe:
	case SYS_pipe2: {
		int fds[2] = { fake_fd(next()), fake_fd(next()) };

		touch(ELH_PTR(nr == SYS_socketpair ? a[3] : a[0]), sizeof(fds), 1);
		memcpy(ELH_PTR(nr == SYS_socketpair ? a[3] : a[0]), fds, sizeof(fds));
		return 0;
	}
	}
	if (nr >= 0 && (unsigned long)nr < elh_nsyscalls && elh_systab[nr].result == ELH_RES_FD)
		return fake_fd(b);
	return n;
}

long elh_fuzz_host_syscall(long nr, ...)
{
	uint64_t a[6];
	va_list ap;
	long r;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, uint64_t);
	va_end(ap);
	r = fake_call(nr, a);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

long elh_icall(long nr, const uint64_t a[6], const uint32_t *stop)
{
	if (__atomic_load_n(stop, __ATOMIC_SEQ_CST))
		return -EINTR;
	return fake_call(nr, a);
}
