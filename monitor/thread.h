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

/* clone's pointers and TLS, for a thread or a process: -EFAULT for a tid
 * pointer that its flags use outside the arena, -EPERM for a TLS base
 * beyond user space, else 0. */
long elh_clone_check(struct elh_vm *vm, uint64_t flags, uint64_t ptid, uint64_t ctid, uint64_t tls);

/* The live guest thread with this tid, or NULL.  The caller must know that
 * it cannot exit meanwhile (an exit-less worker serving its pending call). */
struct elh_vcpu *elh_thread_find(struct elh_vm *vm, pid_t tid);

#endif
