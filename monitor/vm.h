/*
 * The state of one virtualized process: its VM, its guest memory, its vCPUs.
 *
 * Concurrency: fields above "mutable" are written once during setup, before
 * the first vCPU runs, and read-only afterwards.  Each module that owns
 * mutable state (memory map, statistics, threads) documents its own lock.
 */
#ifndef ELH_MONITOR_VM_H
#define ELH_MONITOR_VM_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "guestmem.h"
#include "regs.h"

struct elh_mm;	      /* memory.c: the guest's address-space layout, brk, mmap */
struct elh_sys_stats; /* syscall.c: per-call counters for --stats */
struct elh_signals;   /* signal.c: dispositions and process-wide pending set */

struct elh_run_options;

struct elh_vm {
	struct elh_arena arena; /* guest memory, guest-virtual == host-virtual */

	/* Guest file descriptors are [0, guest_fd_limit); the monitor's own
	 * fds live at guest_fd_limit and above and are never reachable from
	 * the guest: every fd argument is checked, and a call that would hand
	 * the guest an fd at or above the limit fails with EMFILE. */
	int guest_fd_limit;

	int trace;	  /* --trace: one line per system call on trace_out */
	int stats;	  /* --stats: counts and times printed at exit */
	int mn;		  /* --vcpus N: N, and the guest switches its own FS base (nptl-elh) */
	int fsgsbase;	  /* the guest may use wrfsbase & co (AT_HWCAP2, set by the platform) */
	int tsc_host;	  /* the guest's rdtsc reads the host's TSC (set by the platform) */
	uint32_t exit_ns; /* a trap into the monitor and back, measured by the platform; 0: not */
	FILE *trace_out;  /* the monitor's own copy of stderr */

	const struct elh_platform *platform;
	uint64_t exitless_area;		   /* guest address of the exit-less area, 0 if none */
	int guest_no_new_privs;		   /* prctl(PR_SET_NO_NEW_PRIVS) as the guest sees it */
	int confined;			   /* the monitor's seccomp allowlist is installed */
	const struct elh_run_options *opt; /* what elh runs with, for execve */
	int vfork_fd;	     /* in a vfork child: closed by its execve or end, -1 otherwise */
	char exe_path[4096]; /* the program, absolute: what /proc/self/exe names */

	/* mutable, each with its own lock */
	struct elh_mm *mm;
	struct elh_sys_stats *sys;
	struct elh_signals *sig; /* signal.c */

	/* live guest threads (thread.c) */
	pthread_mutex_t thread_lock;
	struct elh_vcpu *threads;
	int nthreads;
	int peak_threads; /* the most at once, for --stats */
};

/*
 * One vCPU: a host thread running one guest thread (1:1 mode).  Only that
 * host thread touches regs and fpu; the fields below "shared" are read by
 * other threads (signal targeting) under the signal lock (signal.c).
 */
struct elh_vcpu {
	struct elh_vm *vm;
	struct elh_regs regs;	  /* guest registers while the guest is stopped */
	struct elh_fpu fpu;	  /* guest FPU/SSE/AVX state, XSAVE layout; see below */
	int fpu_stale;		  /* the vCPU holds a newer state than fpu (elh_vcpu_fpu_sync) */
	int fpu_dirty;		  /* fpu is newer than the vCPU's: loaded before it runs */
	void *plat;		  /* the platform's per-vCPU state */
	pid_t tid;		  /* host thread id, the guest's tid */
	uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID */
	uint64_t robust_list;	  /* set_robust_list: remembered for get_robust_list */

	/* signals (signal.c): this thread's guest mask and pending set */
	uint64_t sigmask; /* bit sig-1; written by this thread, read by others */
	uint64_t pending; /* thread-directed, atomic */
	siginfo_t pending_info[64];
	uint32_t pending_count[64]; /* real-time signals: instances queued */
	uint64_t saved_mask;	    /* mask to restore after sigsuspend's handler */
	int saved_mask_valid;
	long restart_nr; /* syscall that returned EINTR, -1 if none */
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;

	struct elh_vcpu *next; /* list of live vCPUs, under the thread lock */
	int exiting;
};

#endif
