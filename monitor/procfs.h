/*
 * The guest's view of /proc/self (procfs.c): every path argument is walked
 * as the kernel would walk it, and what would expose or reach the monitor
 * under /proc/<pid> is refused as a missing file; every fd the open family
 * returns is checked again by its name.
 *
 * Concurrency: no state of its own; any thread may call these at once.
 */
#ifndef ELH_MONITOR_PROCFS_H
#define ELH_MONITOR_PROCFS_H

#include <stdbool.h>

#include "vm.h"

enum {
	ELH_PROC_ASIS = 0,	/* the host may have the path as the guest gave it */
	ELH_PROC_REWRITTEN = 1, /* it went through /proc/<pid>/exe: use out instead */
	ELH_PROC_EXE = 2,	/* it names /proc/<pid>/exe itself, not followed */
};

/*
 * Walk path from dirfd (AT_FDCWD: the current directory), following its
 * last component if follow_last.  ELH_PROC_* or -errno (ENOENT for what the
 * guest may not see, EACCES for another process's mem or fds, ELOOP,
 * ENAMETOOLONG).  out: PATH_MAX bytes, written for ELH_PROC_REWRITTEN.
 */
long elh_proc_walk(const struct elh_vm *vm, int dirfd, const char *path, bool follow_last,
		   char *out);

/*
 * After the open family gave the guest fd (flags: the open's flags): fd if
 * the guest may hold what it opened, /proc/<pid>/maps replaced by the
 * guest's own in the same slot; else fd closed and -ENOENT or -EACCES.
 */
long elh_proc_opened(struct elh_vm *vm, long fd, int flags);

/*
 * getdents (nr: SYS_getdents or SYS_getdents64, whose names start at
 * name_off in each record) of guest fd into the guest's buf: a listing of
 * this process's fd/ or fdinfo/ leaves out the monitor's fds.
 */
long elh_proc_getdents(struct elh_vm *vm, long nr, int fd, uint64_t buf, unsigned len,
		       size_t name_off);

#endif
