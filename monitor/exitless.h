/*
 * The host side of exit-less system calls: the shared area in the arena,
 * the pool of worker threads that serve it, and the guest clock published
 * there (arch/x86_64/elh-abi.h has the protocol).
 *
 * Workers spin over the submission entries for an adaptive while after
 * their last call, then sleep on the doorbell after announcing it
 * (workers_idle); the guest rings only when they announced it.  Workers
 * block every host signal but ELH_SIGKICK, which stops their blocking host
 * call (arch/x86_64/icall.S): signals are the vCPU threads' business.
 *
 * Calls that may block run on the same workers; while one does, at least
 * one other worker stays free for short calls, started on demand up to a
 * bound (--max-workers).  At the bound a blocking call goes back to its
 * thread, which makes it by trapping (ELH_SQE_RETRAP).  Workers started
 * beyond the configured number end after a second without work.
 *
 * Calls that need the calling vCPU's own state (registers, signal mask,
 * thread lifetime) never run here: the guest traps them.
 */
#ifndef ELH_MONITOR_EXITLESS_H
#define ELH_MONITOR_EXITLESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct elh_vm;
struct elh_vcpu;
struct elh_clock;

/* Map the shared area and start `workers` threads, at most `max_workers`
 * with the extra ones for blocking calls.  Sets vm->exitless_area, the
 * address the loader passes in the auxiliary vector.  0, or -1 with err. */
int elh_exitless_start(struct elh_vm *vm, int workers, int max_workers, int vcpus, char *err,
		       size_t errlen);

/* cpu's thread is about to run a signal handler: stop its exit-less call,
 * if one is pending; restart: the handler has SA_RESTART. */
void elh_exitless_interrupt(struct elh_vcpu *cpu, int restart);

/* ELH_SYS_interrupt: the same for one entry, which an M:N guest names
 * (a user-level thread's call is not its vCPU's); -EINVAL for a bad slot,
 * -ENOSYS without exit-less calls. */
long elh_exitless_interrupt_slot(uint64_t slot, uint64_t restart);

/* A guest thread ended: free the entry it owned. */
void elh_exitless_thread_exit(struct elh_vm *vm, pid_t tid);

/* In the child of a fork of the monitor: the workers and the clock were
 * threads of the parent.  Every entry is free again (the guest's other
 * threads are gone, and the caller's tid has changed), the counts start
 * from zero, the base workers and the clock start again. */
void elh_exitless_after_fork(struct elh_vm *vm);

/* The --stats line of the pool. */
void elh_exitless_stats_print(FILE *out);

/* Calls the workers completed (served, less those handed back to trap). */
uint64_t elh_exitless_completed(void);

/* clock.c: publish the guest clock in pub and keep it up to date; also
 * converts the guest's spin budget (spin_ns) into TSC ticks in *spin_tsc
 * once the TSC's rate is known.  Does nothing where the guest's TSC is not
 * the host's or not constant. */
int elh_clock_start(struct elh_vm *vm, struct elh_clock *pub, uint32_t *spin_tsc, uint32_t spin_ns,
		    char *err, size_t errlen);

/* In the child of a fork: the same clock, kept up to date again. */
void elh_clock_after_fork(void);

/* The guest's TSC no longer reads the host's (a vCPU whose offset could not
 * be set): from now on clock_gettime takes the exit-less queue. */
void elh_clock_disable(void);

#endif
