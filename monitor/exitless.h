/*
 * The host side of exit-less system calls: the shared area in the arena and
 * the pool of worker threads that serve it (arch/x86_64/elh-abi.h has the
 * protocol).
 *
 * Workers spin over the submission entries for a while after their last
 * call, then sleep on the doorbell after announcing it (workers_idle); the
 * guest rings only when they announced it.  Workers block every host
 * signal: signals are the vCPU threads' business.
 *
 * Only calls that neither block indefinitely nor touch the calling vCPU's
 * own state (registers, signal mask, thread lifetime) are served here; the
 * rest trap as before, so blocking calls keep their EINTR and SA_RESTART
 * behaviour.
 */
#ifndef ELH_MONITOR_EXITLESS_H
#define ELH_MONITOR_EXITLESS_H

#include <stddef.h>
#include <sys/types.h>

struct elh_vm;

/* Map the shared area and start `workers` threads (0: the runtime's
 * choice).  Sets vm->exitless_area, the address the loader passes in the
 * auxiliary vector.  0, or -1 with err. */
int elh_exitless_start(struct elh_vm *vm, int workers, char *err, size_t errlen);

/* A guest thread ended: free the entry it owned. */
void elh_exitless_thread_exit(struct elh_vm *vm, pid_t tid);

#endif
