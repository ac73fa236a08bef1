/* Process handlers: resource limits (RLIMIT_NOFILE virtualized), groups, prctl, waiting for
 * children. */
#include <errno.h>
#include <stdbool.h>
#include <linux/prctl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestmem.h"
#include "loader.h"
#include "syscall.h"
#include "vm.h"

/*
 * RLIMIT_NOFILE is the guest's own: the host's limit must stay above
 * guest_fd_limit for the monitor's fds, and the guest must never be told
 * it may go higher.  Every other limit is the host's (the guest is the
 * process).  new and old are monitor pointers (new already copied) or 0.
 */
static long rlimit_common(struct elh_vm *vm, unsigned res, const struct rlimit *new, uint64_t gold)
{
	struct rlimit old;
	long ret;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (res != RLIMIT_NOFILE)
		return elh_host4(SYS_prlimit64, 0, res, new, gold);
	elh_sys_nofile_get(vm, &old);
	if (new && (ret = elh_sys_nofile_set(vm, new)))
		return ret;
	if (gold && elh_guest_write(&vm->arena, gold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

ELH_HANDLER(getrlimit)
{
	return rlimit_common(cpu->vm, (unsigned)a[0], NULL, a[1]);
}

ELH_HANDLER(setrlimit)
{
	return rlimit_common(cpu->vm, (unsigned)a[0], ELH_PTR(a[1]), 0);
}

ELH_HANDLER(prlimit64)
{
	pid_t pid = (pid_t)a[0];

	/* Other processes are outside the virtualized process. */
	if (pid != 0 && pid != getpid())
		return -EPERM;
	return rlimit_common(cpu->vm, (unsigned)a[1], ELH_PTR(a[2]), a[3]);
}

ELH_HANDLER(getgroups)
{
	int size = (int)a[0];

	if (size < 0)
		return -EINVAL;
	if (elh_guest_range(&cpu->vm->arena, a[1], (uint64_t)size * sizeof(gid_t)))
		return -EFAULT;
	return elh_host2(SYS_getgroups, size, a[1]);
}

/* A pid naming this process or one of its threads (the guest's tids are
 * host tids): tgkill with signal 0 checks membership and sends nothing. */
static bool own_pid(pid_t pid)
{
	return pid == 0 || pid == getpid() || syscall(SYS_tgkill, getpid(), pid, 0) == 0;
}

/* Other processes are outside the virtualized process, as for kill. */
ELH_HANDLER(sched_setaffinity)
{
	if (!own_pid((pid_t)a[0]))
		return -ESRCH;
	return elh_host3(SYS_sched_setaffinity, a[0], a[1], a[2]);
}

ELH_HANDLER(setpriority)
{
	if ((int)a[0] != PRIO_PROCESS)
		return -EPERM; /* a process group or a user: beyond this process */
	if (!own_pid((pid_t)a[1]))
		return -ESRCH;
	return elh_host3(SYS_setpriority, a[0], a[1], a[2]);
}

/* The thread name is 16 bytes with its NUL; Linux silently cuts a longer one. */
#define TASK_COMM_LEN 16

ELH_HANDLER(prctl)
{
	struct elh_vm *vm = cpu->vm;
	char name[TASK_COMM_LEN];
	int option = (int)a[0], sig;
	long ret;

	switch (option) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		ret = elh_guest_read_string(&vm->arena, name, sizeof(name), a[1]);
		if (ret < 0 && ret != -ENAMETOOLONG)
			return ret;
		name[sizeof(name) - 1] = 0;
		return elh_host2(SYS_prctl, PR_SET_NAME, name);
	case PR_GET_NAME:
		ret = elh_host2(SYS_prctl, PR_GET_NAME, name);
		if (ret < 0)
			return ret;
		return elh_guest_write(&vm->arena, a[1], name, sizeof(name)) ? -EFAULT : 0;
	case PR_SET_DUMPABLE:
	case PR_GET_DUMPABLE:
	case PR_SET_PDEATHSIG: return elh_host2(SYS_prctl, option, a[1]);
	case PR_SET_NO_NEW_PRIVS:
		/* Virtual: the systrap platform sets the monitor's own flag. */
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		vm->guest_no_new_privs = 1;
		elh_setid_ignored = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return vm->guest_no_new_privs;
	case PR_GET_PDEATHSIG:
		ret = elh_host2(SYS_prctl, PR_GET_PDEATHSIG, &sig);
		if (ret < 0)
			return ret;
		return elh_guest_write(&vm->arena, a[1], &sig, sizeof(sig)) ? -EFAULT : 0;
	default:
		/* Most options act on the host thread (seccomp, no_new_privs,
		 * capabilities, the mm fields): the monitor's, not the guest's. */
		elh_sys_unsupported(vm, ELH_UNSUP_PRCTL, option);
		return -EINVAL;
	}
}

/*
 * The guest's children are the monitor's (process.c), and the monitor has
 * none of its own: waiting is the host's, on guest memory once checked.
 */
ELH_HANDLER(wait4)
{
	struct elh_vm *vm = cpu->vm;
	unsigned opts = (unsigned)a[2];

	if (opts & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (elh_guest_range(&vm->arena, a[1], a[1] ? sizeof(int) : 0) ||
	    elh_guest_range(&vm->arena, a[3], a[3] ? sizeof(struct rusage) : 0))
		return -EFAULT;
	return elh_host4(SYS_wait4, a[0], a[1], a[2], a[3]);
}

ELH_HANDLER(waitid)
{
	unsigned opts = (unsigned)a[3];
	int idtype = (int)a[0];

	if (opts & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE |
		     __WALL))
		return -EINVAL;
	if (!(opts & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID && idtype != P_PIDFD)
		return -EINVAL;
	if (idtype == P_PIDFD && ((int)a[1] < 0 || (int)a[1] >= elh_sys_fd_bound(cpu->vm)))
		return -EBADF;
	if (elh_guest_range(&cpu->vm->arena, a[2], a[2] ? sizeof(siginfo_t) : 0) ||
	    elh_guest_range(&cpu->vm->arena, a[4], a[4] ? sizeof(struct rusage) : 0))
		return -EFAULT;
	return elh_host5(SYS_waitid, a[0], a[1], a[2], a[3], a[4]);
}

/*
 * The calling thread's CPU clock is the guest thread's, wherever the call
 * runs (an exit-less worker is another host thread): its tid names it.
 */
ELH_HANDLER(clock_gettime)
{
	clockid_t id = (clockid_t)a[0];

	if (id == CLOCK_THREAD_CPUTIME_ID)
		id = (clockid_t)((~(unsigned)cpu->tid << 3) | 6); /* CPUCLOCK_SCHED of tid */
	return elh_host2(SYS_clock_gettime, id, a[1]);
}

/*
 * process_vm_readv and process_vm_writev aimed at this process copy inside
 * the guest's memory: both sides' iovecs are copied and checked against the
 * arena, so a remote range outside it (the monitor's memory, its system
 * area) fails with EFAULT, as an unmapped range does on Linux.  Any other
 * process may be another elh, whose monitor the guest must not reach, and
 * the monitor cannot tell: EPERM, Linux's answer when the ptrace access
 * check fails.
 */
static long vm_copy(struct elh_vcpu *cpu, long nr, const uint64_t a[6])
{
	struct iovec lstack[8], rstack[8], *liov, *riov;
	long ret;

	if (a[5])
		return -EINVAL;
	if (!own_pid((pid_t)a[0]) || (pid_t)a[0] == 0)
		return (pid_t)a[0] <= 0 ? -ESRCH : -EPERM;
	ret = elh_sys_copy_iov(cpu->vm, a[1], a[2], -EINVAL, lstack, 8, &liov);
	if (ret < 0)
		return ret;
	ret = elh_sys_copy_iov(cpu->vm, a[3], a[4], -EINVAL, rstack, 8, &riov);
	if (ret == 0)
		ret = elh_host6(nr, getpid(), liov, a[2], riov, a[4], 0);
	if (riov != rstack)
		free(riov);
	if (liov != lstack)
		free(liov);
	return ret;
}

ELH_HANDLER(process_vm_readv)
{
	return vm_copy(cpu, SYS_process_vm_readv, a);
}

ELH_HANDLER(process_vm_writev)
{
	return vm_copy(cpu, SYS_process_vm_writev, a);
}

/* ptrace would let the guest stop and rewrite a monitor, its own (which
 * Linux refuses too: a process may not attach to its own thread group) or
 * another elh's: EPERM for every request, PTRACE_TRACEME included. */
ELH_HANDLER(ptrace)
{
	(void)cpu;
	(void)a;
	return -EPERM;
}
