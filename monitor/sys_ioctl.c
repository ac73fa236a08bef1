/* ioctl: an explicit allow-list of requests, each with the size and direction of its argument. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
/* The kernel's termios (36 bytes), not glibc's: that is what TCGETS copies. */
#include <asm/termbits.h>
#include <net/if.h>

#include "guestmem.h"
#include "syscall.h"
#include "vm.h"

enum io_dir {
	IO_VALUE, /* the argument is a value, passed on as it is */
	IO_IN,	  /* the host reads size bytes at the argument */
	IO_OUT,	  /* the host writes size bytes there */
	IO_INOUT,
	IO_NEWFD, /* a value argument; the result is a new fd */
};

struct ioctl_desc {
	unsigned req;
	uint8_t dir;
	uint8_t size;
};

/*
 * Anything not listed here fails with ENOTTY, as Linux answers a request a
 * file does not know, and is counted for --stats.  An argument with a
 * pointer inside it can never be listed as a plain size.
 */
static const struct ioctl_desc ioctls[] = {
	{ TCGETS, IO_OUT, sizeof(struct termios) },
	{ TCSETS, IO_IN, sizeof(struct termios) },
	{ TCSETSW, IO_IN, sizeof(struct termios) },
	{ TCSETSF, IO_IN, sizeof(struct termios) },
	{ TCGETS2, IO_OUT, sizeof(struct termios2) },
	{ TCSETS2, IO_IN, sizeof(struct termios2) },
	{ TCSETSW2, IO_IN, sizeof(struct termios2) },
	{ TCSETSF2, IO_IN, sizeof(struct termios2) },
	{ TCSBRK, IO_VALUE, 0 },
	{ TCSBRKP, IO_VALUE, 0 },
	{ TCXONC, IO_VALUE, 0 },
	{ TCFLSH, IO_VALUE, 0 },
	{ TIOCGWINSZ, IO_OUT, sizeof(struct winsize) },
	{ TIOCSWINSZ, IO_IN, sizeof(struct winsize) },
	{ TIOCGPGRP, IO_OUT, sizeof(int) },
	{ TIOCSPGRP, IO_IN, sizeof(int) },
	{ TIOCGSID, IO_OUT, sizeof(int) },
	{ TIOCSCTTY, IO_VALUE, 0 },
	{ TIOCNOTTY, IO_VALUE, 0 },
	{ TIOCOUTQ, IO_OUT, sizeof(int) },
	{ FIONREAD, IO_OUT, sizeof(int) },
	{ FIONBIO, IO_IN, sizeof(int) },
	{ FIOCLEX, IO_VALUE, 0 },
	{ FIONCLEX, IO_VALUE, 0 },
	{ TIOCGPTN, IO_OUT, sizeof(unsigned) },
	{ TIOCSPTLCK, IO_IN, sizeof(int) },
	{ TIOCGPTPEER, IO_NEWFD, 0 },
	{ SIOCGIFINDEX, IO_INOUT, sizeof(struct ifreq) },
	{ SIOCGIFNAME, IO_INOUT, sizeof(struct ifreq) },
};

_Static_assert(sizeof(struct termios2) <= 64 && sizeof(struct ifreq) <= 64,
	       "ioctl arguments fit the handler's buffer");

ELH_HANDLER(ioctl)
{
	struct elh_vm *vm = cpu->vm;
	unsigned req = (unsigned)a[1]; /* Linux takes the request as an unsigned int */
	const struct ioctl_desc *d = NULL;
	unsigned char buf[64];
	size_t i;
	long ret;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		if (ioctls[i].req == req) {
			d = &ioctls[i];
			break;
		}
	}
	if (!d) {
		elh_sys_unsupported(vm, ELH_UNSUP_IOCTL, req);
		return -ENOTTY;
	}
	switch (d->dir) {
	case IO_VALUE: return elh_host3(SYS_ioctl, a[0], req, a[2]);
	case IO_NEWFD: return elh_sys_new_fd(vm, elh_host3(SYS_ioctl, a[0], req, a[2]));
	default: break;
	}
	/* Through a monitor buffer: what the host sees is what was checked. */
	memset(buf, 0, sizeof(buf));
	if ((d->dir == IO_IN || d->dir == IO_INOUT) &&
	    elh_guest_read(&vm->arena, buf, a[2], d->size))
		return -EFAULT;
	if (d->dir == IO_OUT && elh_guest_range(&vm->arena, a[2], d->size))
		return -EFAULT;
	ret = elh_host3(SYS_ioctl, a[0], req, buf);
	if (ret >= 0 && (d->dir == IO_OUT || d->dir == IO_INOUT) &&
	    elh_guest_write(&vm->arena, a[2], buf, d->size))
		return -EFAULT;
	return ret;
}
