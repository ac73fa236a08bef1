/* Guest threads: vCPU creation and the registry of live threads. */
#ifndef ELH_MONITOR_THREAD_H
#define ELH_MONITOR_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elh_vm;
struct elh_vcpu;

/* A zeroed vCPU with its FPU in the initial state. */
struct elh_vcpu *elh_vcpu_new(struct elh_vm *vm);

/* On the host thread that will run it: platform setup, tid, host signals
 * unblocked.  -1 with err on failure. */
int elh_vcpu_start(struct elh_vcpu *cpu, char *err, size_t errlen);

void elh_thread_register(struct elh_vcpu *cpu);

/* The vCPU loop of one guest thread; never returns. */
void elh_vcpu_loop(struct elh_vcpu *cpu) __attribute__((noreturn));

/* The live guest thread with this tid, or NULL.  The caller must know that
 * it cannot exit meanwhile (an exit-less worker serving its pending call). */
struct elh_vcpu *elh_thread_find(struct elh_vm *vm, pid_t tid);

#endif
