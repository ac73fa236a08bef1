/*
 * The guest arena and the one checked way to reach guest memory.
 *
 * The arena is a single range of the monitor's address space that is mapped
 * 1:1 into the guest: a guest-virtual address is the host-virtual address of
 * the same byte.  A guest pointer is therefore usable by the host kernel as
 * it is, once elh_guest_range() has checked that the whole range lies inside
 * the arena.  The monitor itself never dereferences a guest pointer: guest
 * pages may be unmapped or PROT_NONE (the guest's mprotect is the host's), so
 * it copies through elh_guest_read()/elh_guest_write(), which turn a fault
 * into -EFAULT instead of a crash.
 *
 * Concurrency: the arena's bounds are written once before the first vCPU
 * runs and are read-only afterwards; every function here may be called from
 * any thread.
 */
#ifndef ELH_MONITOR_GUESTMEM_H
#define ELH_MONITOR_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

struct elh_arena {
	uint64_t base; /* page aligned, non-zero */
	uint64_t size; /* page aligned, non-zero, base + size does not wrap */
};

/*
 * 0 if [gva, gva + len) lies inside the arena, -EFAULT otherwise (including
 * when gva + len overflows).  An empty range is accepted anywhere: the host
 * kernel never touches it, as Linux never touches a zero-length buffer.
 */
int elh_guest_range(const struct elh_arena *a, uint64_t gva, uint64_t len);

/* Copy len bytes from guest address gva to dst: 0 or -EFAULT. */
int elh_guest_read(const struct elh_arena *a, void *dst, uint64_t gva, size_t len);

/* Copy len bytes from src to guest address gva: 0 or -EFAULT. */
int elh_guest_write(const struct elh_arena *a, uint64_t gva, const void *src, size_t len);

/*
 * Copy the NUL-terminated guest string at gva into buf (size bytes, NUL
 * included).  Returns its length, -EFAULT if it leaves the arena or sits on
 * an unreadable page, -ENAMETOOLONG if no NUL is found within size bytes.
 */
long elh_guest_read_string(const struct elh_arena *a, char *buf, size_t size, uint64_t gva);

/* In the child of a fork of the monitor, on its thread: the copies must
 * name the child's memory, not the parent's. */
void elh_guestmem_after_fork(void);

#endif
