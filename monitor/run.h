/* Running a virtualized process: from the command line to its end. */
#ifndef ELH_MONITOR_RUN_H
#define ELH_MONITOR_RUN_H

#include <stdint.h>

struct elh_vm;
struct elh_vcpu;
struct elh_platform;

struct elh_run_options {
	const struct elh_platform *platform;
	uint64_t arena_size;
	int trace, stats;
	int exitless;	  /* serve eligible calls of elh-musl programs without exits */
	int preload;	  /* exit-less: preload libelh-preload.so into glibc programs */
	int workers;	  /* exit-less worker threads, 0: the runtime's choice */
	int max_workers;  /* with the extra ones for blocking calls */
	int vcpus;	  /* M:N threads over this many vCPUs; 0: 1:1 */
	const char *path; /* resolved program path */
	int argc;
	char **argv; /* the guest's argv */
	/* For execve (sys_exec.c): elh's own argv[0], and the options above
	 * as `elh run` options that give them again. */
	char *self;
	char **opts;
	int nopts;
	/* Given by the monitor that executed this one for the guest's execve
	 * (--exec-state): what the guest's process was. */
	int exec_state;	    /* set: the two below say */
	int exec_confined;  /* the monitor's allowlist was installed */
	int exec_guest_nnp; /* the guest had set no_new_privs */
};

/* Set up the VM, load the program and run it; returns only on setup
 * failure (status 125/126 with a message printed), else the process ends
 * with the guest's status or signal. */
int elh_run(const struct elh_run_options *opt);

#endif
