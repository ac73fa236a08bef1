/*
 * The guest process: its child processes (fork, vfork, and clone without
 * CLONE_THREAD), and its end.
 *
 * The monitor forks itself on the vCPU thread that made the call, as the
 * kernel forks a process: the child has a copy of the arena (the guest's
 * memory; MAP_SHARED mappings stay shared), the guest's fds, signal
 * dispositions, mask and alternate stack; it has one thread, the caller's,
 * and no pending signal.  The parent's other vCPUs and the monitor's own
 * threads are not copied: the child starts its exit-less workers and its
 * clock again.  Locks other threads may hold are taken around the fork,
 * so that the child finds them free.
 *
 * CLONE_VM (vfork, posix_spawn) still gives the child a copy of the memory,
 * not the parent's: the parent waits, as vfork's caller does, until the
 * child calls execve or ends, and what the child writes before that stays
 * in its copy.  musl's posix_spawn, which reports a failed exec through a
 * pipe, behaves as natively; a libc that reports it through the shared
 * memory sees the child end with status 127 instead.
 *
 * The platform must be able to go on in a forked monitor (fork_child):
 * systrap goes on as it is; a KVM VM belongs to the process that created
 * it, so the kvm platform makes the child a VM of its own over its copy of
 * the arena, with the caller's registers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exitless.h"
#include "guestmem.h"
#include "memory.h"
#include "platform.h"
#include "process.h"
#include "signal.h"
#include "special.h"
#include "syscall.h"
#include "vm.h"

#define PROCESS_FLAGS                                                                              \
	(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |                   \
	 CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)

static long refuse(struct elh_vm *vm, const char *what, const char *why, long err)
{
	fprintf(vm->trace_out, "elh: %s: %s (returning %s)\n", what, why,
		err == -ENOSYS ? "ENOSYS" : "EINVAL");
	fflush(vm->trace_out);
	return err;
}

/* An fd of the monitor's, out of the guest's range, close-on-exec. */
static int monitor_fd(struct elh_vm *vm, int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, vm->guest_fd_limit);

	close(fd);
	return high;
}

long elh_clone_check(struct elh_vm *vm, uint64_t flags, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	if (((flags & CLONE_PARENT_SETTID) && elh_guest_range(&vm->arena, ptid, 4)) ||
	    ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) &&
	     elh_guest_range(&vm->arena, ctid, 4)))
		return -EFAULT;
	if ((flags & CLONE_SETTLS) && tls >= (1ull << 47))
		return -EPERM;
	return 0;
}

void elh_process_ending(struct elh_vm *vm)
{
	static int done;

	if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
		return;
	if (vm->stats && vm->sys) {
		elh_sys_stats_print(vm, vm->trace_out);
		FILE *out = vm->trace_out ? vm->trace_out : stderr;

		elh_exitless_stats_print(out);
		if (vm->exitless_area) {
			uint64_t all = elh_sys_stats_calls(vm), el = elh_exitless_completed();

			if (el > all)
				el = all;
			fprintf(out, "calls: %llu, %llu exit-less (%.1f%%), %llu trapped\n",
				(unsigned long long)all, (unsigned long long)el,
				all ? 100.0 * (double)el / (double)all : 0.0,
				(unsigned long long)(all - el));
		}
		if (vm->platform->stats_print)
			vm->platform->stats_print(out);
		if (vm->mn)
			fprintf(out,
				"vcpus: %d at most at once; threads of elh-musl programs are "
				"user-level threads over %d\n",
				vm->peak_threads, vm->mn);
		else
			fprintf(out, "vcpus: %d at most at once; one per thread\n",
				vm->peak_threads);
	}
	if (vm->trace_out)
		fflush(vm->trace_out);
}

void elh_exit_process(struct elh_vm *vm, int status)
{
	elh_process_ending(vm);
	_exit(status & 0xff);
}

/* The child, on its only thread: what the parent's other threads were
 * doing is gone. */
static void child_side(struct elh_vcpu *cpu, uint64_t flags, uint64_t sp, uint64_t ctid,
		       uint64_t tls)
{
	struct elh_vm *vm = cpu->vm;

	elh_guestmem_after_fork();
	cpu->tid = (pid_t)syscall(SYS_gettid);
	cpu->next = NULL;
	cpu->exiting = 0;
	vm->threads = cpu;
	vm->nthreads = 1;
	vm->peak_threads = 1;
	elh_signal_after_fork(cpu);
	elh_sys_stats_after_fork(vm);
	elh_exitless_after_fork(vm);
	if (sp)
		cpu->regs.rsp = sp;
	if (flags & CLONE_SETTLS)
		cpu->regs.fs_base = tls;
	if (flags & CLONE_CHILD_SETTID)
		elh_guest_write(&vm->arena, ctid, &cpu->tid, 4);
	if (flags & CLONE_CHILD_CLEARTID)
		cpu->clear_child_tid = ctid;
}

long elh_process_clone(struct elh_vcpu *cpu, const char *what, uint64_t flags, uint64_t sp,
		       uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct elh_vm *vm = cpu->vm;
	int vfork_fd[2] = { -1, -1 }, inherited = vm->vfork_fd;
	char buf[1];
	pid_t pid;
	int err;

	if (!vm->platform->fork_child)
		return refuse(vm, what,
			      "child processes are not supported on this platform yet; "
			      "--platform=systrap has them",
			      -ENOSYS);
	if (flags & ~(uint64_t)PROCESS_FLAGS)
		return refuse(vm, what, "clone flags other than a child process's", -EINVAL);
	if ((flags & CSIGNAL) != SIGCHLD)
		return refuse(vm, what, "a child process whose exit signal is not SIGCHLD",
			      -EINVAL);
	if ((err = (int)elh_clone_check(vm, flags, ptid, ctid, tls)))
		return err;
	if (flags & CLONE_VFORK) {
		if (pipe(vfork_fd) < 0)
			return -errno;
		vfork_fd[0] = monitor_fd(vm, vfork_fd[0]);
		vfork_fd[1] = monitor_fd(vm, vfork_fd[1]);
		if (vfork_fd[0] < 0 || vfork_fd[1] < 0) {
			close(vfork_fd[0]);
			close(vfork_fd[1]);
			return -EMFILE;
		}
	}

	/* The child's vCPU starts from the parent's FPU state. */
	elh_vcpu_fpu_sync(cpu);
	elh_mm_fork_lock(vm);
	pthread_mutex_lock(&vm->thread_lock);
	elh_signal_fork_lock(1);
	elh_sys_fork_lock(vm, 1);
	flockfile(vm->trace_out);
	pid = fork();
	err = errno;
	funlockfile(vm->trace_out);
	elh_sys_fork_lock(vm, 0);
	elh_signal_fork_lock(0);
	pthread_mutex_unlock(&vm->thread_lock);
	elh_mm_fork_unlock(vm, pid == 0);

	if (pid == 0) {
		/* A vfork child's own children do not hold its parent. */
		if (inherited >= 0)
			close(inherited);
		if (vfork_fd[0] >= 0)
			close(vfork_fd[0]);
		vm->vfork_fd = vfork_fd[1];
		child_side(cpu, flags, sp, ctid, tls);
		vm->platform->fork_child(cpu);
		return 0;
	}
	if (vfork_fd[1] >= 0)
		close(vfork_fd[1]);
	if (pid < 0) {
		close(vfork_fd[0]);
		return -err;
	}
	if (flags & CLONE_PARENT_SETTID)
		elh_guest_write(&vm->arena, ptid, &pid, 4);
	if (vfork_fd[0] >= 0) {
		/* Until the child's execve or end closes its end. */
		while (read(vfork_fd[0], buf, 1) < 0 && errno == EINTR)
			;
		close(vfork_fd[0]);
	}
	return pid;
}

long elh_sys_fork(struct elh_vcpu *cpu, const uint64_t a[6])
{
	(void)a;
	return elh_process_clone(cpu, "fork", SIGCHLD, 0, 0, 0, 0);
}

long elh_sys_vfork(struct elh_vcpu *cpu, const uint64_t a[6])
{
	(void)a;
	return elh_process_clone(cpu, "vfork", CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
