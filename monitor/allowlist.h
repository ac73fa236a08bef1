/*
 * The monitor's own system calls, confined by a seccomp allowlist (the KVM
 * platform; systrap keeps the filter its guest traps through).
 */
#ifndef ELH_MONITOR_ALLOWLIST_H
#define ELH_MONITOR_ALLOWLIST_H

#include <signal.h>
#include <stddef.h>

#include "syscall.h"

/* Would the allowlist made from table tab (n rows, indexed by number)
 * let the monitor make call nr? */
int elh_allowlist_allows(const struct elh_sysdesc *tab, unsigned n, long nr);

/* Install the allowlist made from tab on every thread of the process, and
 * the threads they start; any other call then ends elh with a message on
 * fd msg_fd (elh_allowlist_violation) and SIGSYS.  0, or -1 and err. */
int elh_allowlist_install(const struct elh_sysdesc *tab, unsigned n, int msg_fd, char *err,
			  size_t errlen);

/* Where elh_allowlist_violation() says what it says, and the names it
 * gives calls: for a monitor whose filter an earlier one installed. */
void elh_allowlist_report_to(const struct elh_sysdesc *tab, unsigned n, int msg_fd);

/* From a SIGSYS handler: if info is the allowlist's refusal of a call,
 * say which and end the process with SIGSYS; else return. */
void elh_allowlist_violation(const siginfo_t *info);

#endif
