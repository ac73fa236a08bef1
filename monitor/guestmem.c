/* Range-checked, fault-safe access to guest memory. */
#include "guestmem.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int elh_guest_range(const struct elh_arena *a, uint64_t gva, uint64_t len)
{
	if (len == 0)
		return 0;
	if (gva < a->base || len > a->size || gva - a->base > a->size - len)
		return -EFAULT;
	return 0;
}

/*
 * process_vm_readv/writev on ourselves copy through the kernel's
 * user-access routines: an unmapped or protected guest page yields EFAULT
 * (or a short count) rather than SIGSEGV in the monitor.  They are aimed at
 * the calling thread, not at the process id: once the main thread has
 * exited (a guest may end its main thread first), the thread-group leader
 * has no memory to look at.
 */
static __thread pid_t self; /* this thread's tid, for process_vm_*v */

void elh_guestmem_after_fork(void)
{
	self = 0;
}

static int copy_self(void *local, uint64_t gva, size_t len, int to_guest)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)gva, .iov_len = len };
	ssize_t n;

	if (!self)
		self = (pid_t)syscall(SYS_gettid);
	do {
		n = to_guest ? process_vm_writev(self, &l, 1, &r, 1, 0)
			     : process_vm_readv(self, &l, 1, &r, 1, 0);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int elh_guest_read(const struct elh_arena *a, void *dst, uint64_t gva, size_t len)
{
	if (elh_guest_range(a, gva, len))
		return -EFAULT;
	return len ? copy_self(dst, gva, len, 0) : 0;
}

int elh_guest_write(const struct elh_arena *a, uint64_t gva, const void *src, size_t len)
{
	if (elh_guest_range(a, gva, len))
		return -EFAULT;
	return len ? copy_self((void *)src, gva, len, 1) : 0;
}

long elh_guest_read_string(const struct elh_arena *a, char *buf, size_t size, uint64_t gva)
{
	size_t done = 0;

	if (size == 0)
		return -ENAMETOOLONG;
	if (gva < a->base || gva - a->base >= a->size)
		return -EFAULT;
	/* Copy page by page so that a string ending just before an
	 * unreadable page is still read whole. */
	while (done < size) {
		uint64_t p = gva + done;
		size_t chunk = 4096 - (p & 4095);
		char *nul;

		if (chunk > size - done)
			chunk = size - done;
		if (p - a->base >= a->size)
			return -EFAULT;
		if (chunk > a->base + a->size - p)
			chunk = a->base + a->size - p;
		if (copy_self(buf + done, p, chunk, 0))
			return -EFAULT;
		nul = memchr(buf + done, 0, chunk);
		if (nul)
			return nul - buf;
		done += chunk;
	}
	return -ENAMETOOLONG;
}
