/* Child processes of the guest (process.c). */
#ifndef ELH_MONITOR_PROCESS_H
#define ELH_MONITOR_PROCESS_H

#include <stdint.h>

struct elh_vcpu;

/*
 * A child process, for fork, vfork and clone without CLONE_THREAD (what
 * names the call in notes): the child pid in the parent, 0 in the child
 * (its monitor goes on from here), or -errno.
 */
long elh_process_clone(struct elh_vcpu *cpu, const char *what, uint64_t flags, uint64_t sp,
		       uint64_t ptid, uint64_t ctid, uint64_t tls);

#endif
