/*
 * Guest signals: dispositions, masks, pending sets, frames.
 *
 * The guest's signal state is kept by the monitor, not by the host kernel:
 * vCPU threads leave host signals unblocked so that any of them interrupts
 * guest code or the host call the monitor is making for it.  The host
 * signal handler only notes the signal (elh_signal_note_host, async-signal
 * safe); the vCPU loop delivers it to the guest (elh_signal_deliver) before
 * running the guest again, as a kernel does on its way back to user mode.
 *
 * Locking: dispositions are under the signal lock; pending sets are atomic
 * bit masks; a thread's mask is written only by that thread and read with
 * atomic loads by others when they choose a thread to deliver to.
 */
#ifndef ELH_MONITOR_SIGNAL_H
#define ELH_MONITOR_SIGNAL_H

#include <signal.h>
#include <stdint.h>

struct elh_vm;
struct elh_vcpu;

/* The host signal elh uses to make another vCPU leave the guest. */
#define ELH_SIGKICK (SIGRTMIN + 2)

int elh_signal_init(struct elh_vm *vm);

/* Signals ignored when elh started stay ignored for the guest (as across
 * execve); call before the platform installs its handlers. */
int elh_signal_inherit_ignored(struct elh_vm *vm);

/* execve (sys_exec.c): what the host must hold across the exec of elh
 * itself, so that the new monitor finds it (elh_signal_inherit_ignored and
 * the inherited mask): the signals the guest ignores set to SIG_IGN, the
 * calling thread's host mask set to the guest's, and the guest's pending
 * signals that it blocks raised again on that thread.  Undone by
 * elh_signal_exec_failed if the exec fails. */
struct elh_exec_signals {
	sigset_t mask;
	uint64_t ignored;
	struct sigaction old[65];
};
void elh_signal_exec_prepare(struct elh_vcpu *cpu, struct elh_exec_signals *save);
void elh_signal_exec_failed(struct elh_vcpu *cpu, struct elh_exec_signals *save);

/* Around a fork of the monitor (process.c): hold the lock of the
 * dispositions (1), release it (0). */
void elh_signal_fork_lock(int hold);

/* In the child of a fork: no signal is pending (the kernel's rule). */
void elh_signal_after_fork(struct elh_vcpu *cpu);

/* From the host signal handler: remember sig for the guest. */
void elh_signal_note_host(struct elh_vcpu *cpu, int sig, const siginfo_t *info);

/* Make cpu's thread leave the guest or its blocking host call. */
void elh_signal_kick_thread(struct elh_vcpu *cpu);

/* A synchronous fault of the guest (SIGSEGV, SIGILL...): deliver or die. */
void elh_signal_fault(struct elh_vcpu *cpu, const siginfo_t *info);

/* Before running the guest: take a deliverable signal, if any, and either
 * set up its handler's frame or carry out its default action. */
void elh_signal_deliver(struct elh_vcpu *cpu);

/* A guest signal sent by the guest itself (kill, tgkill, raise). */
int elh_signal_send(struct elh_vm *vm, struct elh_vcpu *target, int sig, const siginfo_t *info);

/* From a host signal handler: is this a fault of the interrupted
 * instruction (as opposed to a signal sent or an asynchronous event)? */
int elh_signal_is_fault(int sig, const siginfo_t *info);

/* A fault in the monitor's own code: say where, and let the process die of
 * it when the handler returns. */
void elh_signal_monitor_crash(int sig, const siginfo_t *info, const void *uc);

/* Install handler (SA_SIGINFO | flags, every signal blocked while it runs)
 * for every host signal that can be caught: the platform's way of hearing
 * about faults and signals.  0, or -1 with err. */
int elh_signal_catch_host(void (*handler)(int, siginfo_t *, void *), int flags, char *err,
			  size_t errlen);

/* End the whole process as if killed by sig (does not return). */
void elh_die_by_signal(struct elh_vm *vm, int sig) __attribute__((noreturn));

#endif
