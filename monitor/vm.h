/*
 * The state of one virtualized process: its VM, its guest memory, its vCPUs.
 *
 * Concurrency: fields above "mutable" are written once during setup, before
 * the first vCPU runs, and read-only afterwards.  Each module that owns
 * mutable state (memory map, statistics, threads) documents its own lock.
 */
#ifndef ELH_MONITOR_VM_H
#define ELH_MONITOR_VM_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "guestmem.h"

struct elh_mm;        /* memory.c: the guest's address-space layout, brk, mmap */
struct elh_sys_stats; /* syscall.c: per-call counters for --stats */

struct elh_vm {
	struct elh_arena arena; /* guest memory, guest-virtual == host-virtual */

	/* Guest file descriptors are [0, guest_fd_limit); the monitor's own
	 * fds live at guest_fd_limit and above and are never reachable from
	 * the guest: every fd argument is checked, and a call that would hand
	 * the guest an fd at or above the limit fails with EMFILE. */
	int guest_fd_limit;

	int trace;       /* --trace: one line per system call on trace_out */
	int stats;       /* --stats: counts and times printed at exit */
	FILE *trace_out; /* the monitor's own copy of stderr */

	int kvm_fd, vm_fd;

	/* mutable, each with its own lock */
	struct elh_mm *mm;
	struct elh_sys_stats *sys;
};

/* One vCPU: a host thread running one guest thread (1:1 mode). */
struct elh_vcpu {
	struct elh_vm *vm;
	int fd;                    /* KVM vCPU fd, -1 in unit tests */
	pid_t tid;                 /* host thread id, the guest's tid */
	uint64_t fs_base;          /* guest TLS pointer (arch_prctl) */
	uint64_t clear_child_tid;  /* set_tid_address / CLONE_CHILD_CLEARTID */
	sigset_t sigmask;          /* the guest thread's signal mask */
};

#endif
