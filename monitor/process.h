/* The guest process: its child processes and its end (process.c). */
#ifndef ELH_MONITOR_PROCESS_H
#define ELH_MONITOR_PROCESS_H

#include <stdint.h>

struct elh_vm;
struct elh_vcpu;

/*
 * A child process, for fork, vfork and clone without CLONE_THREAD (what
 * names the call in notes): the child pid in the parent, 0 in the child
 * (its monitor goes on from here), or -errno.
 */
long elh_process_clone(struct elh_vcpu *cpu, const char *what, uint64_t flags, uint64_t sp,
		       uint64_t ptid, uint64_t ctid, uint64_t tls);

/* clone's pointers and TLS, for a thread or a process: -EFAULT for a tid
 * pointer that its flags use outside the arena, -EPERM for a TLS base
 * beyond user space, else 0. */
long elh_clone_check(struct elh_vm *vm, uint64_t flags, uint64_t ptid, uint64_t ctid, uint64_t tls);

/* Last words before the process ends: --stats, trace flush. */
void elh_process_ending(struct elh_vm *vm);

/* Whole-process exit with a status (exit_group, or the last thread). */
void elh_exit_process(struct elh_vm *vm, int status) __attribute__((noreturn));

#endif
