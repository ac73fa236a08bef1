/*
 * Guest threads in 1:1 mode: each guest thread is a vCPU on a host thread
 * of its own.  clone with thread flags starts one; futex waits and wakes
 * go to the host kernel on the guest's own words (guest-virtual ==
 * host-virtual, so a guest futex is a host futex).
 *
 * The list of live vCPUs (vm->threads) is under vm->thread_lock.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "elh-abi.h"
#include "exitless.h"
#include "guestmem.h"
#include "memory.h"
#include "platform.h"
#include "process.h"
#include "signal.h"
#include "special.h"
#include "syscall.h"
#include "thread.h"
#include "vm.h"

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define KNOWN_FLAGS                                                                                \
	(THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                       \
	 CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | 0xff /* exit signal */)

struct elh_vcpu *elh_vcpu_new(struct elh_vm *vm)
{
	struct elh_vcpu *cpu = aligned_alloc(64, (sizeof(*cpu) + 63) & ~(size_t)63);

	if (!cpu)
		return NULL;
	memset(cpu, 0, sizeof(*cpu));
	cpu->vm = vm;
	cpu->restart_nr = -1;
	elh_fpu_init(&cpu->fpu);
	cpu->fpu_dirty = 1;
	return cpu;
}

void elh_thread_register(struct elh_vcpu *cpu)
{
	struct elh_vm *vm = cpu->vm;

	pthread_mutex_lock(&vm->thread_lock);
	cpu->next = vm->threads;
	vm->threads = cpu;
	if (++vm->nthreads > vm->peak_threads)
		vm->peak_threads = vm->nthreads;
	pthread_mutex_unlock(&vm->thread_lock);
}

/* Remove cpu from the list; returns the number of threads left. */
static int unregister(struct elh_vcpu *cpu)
{
	struct elh_vm *vm = cpu->vm;
	int left;

	pthread_mutex_lock(&vm->thread_lock);
	for (struct elh_vcpu **p = &vm->threads; *p; p = &(*p)->next) {
		if (*p == cpu) {
			*p = cpu->next;
			break;
		}
	}
	left = --vm->nthreads;
	pthread_mutex_unlock(&vm->thread_lock);
	return left;
}

static struct elh_vcpu *find_locked(struct elh_vm *vm, pid_t tid)
{
	for (struct elh_vcpu *t = vm->threads; t; t = t->next)
		if (t->tid == tid && !t->exiting)
			return t;
	return NULL;
}

struct elh_vcpu *elh_thread_find(struct elh_vm *vm, pid_t tid)
{
	struct elh_vcpu *t;

	pthread_mutex_lock(&vm->thread_lock);
	t = find_locked(vm, tid);
	pthread_mutex_unlock(&vm->thread_lock);
	return t;
}

/* Unblock every host signal on a vCPU thread whose handlers are ready. */
static void unblock_host_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
}

int elh_vcpu_start(struct elh_vcpu *cpu, char *err, size_t errlen)
{
	if (cpu->vm->platform->vcpu_init(cpu, err, errlen) < 0)
		return -1;
	cpu->tid = (pid_t)syscall(SYS_gettid);
	unblock_host_signals();
	return 0;
}

struct start {
	struct elh_vcpu *cpu;
	sem_t ready, go;
	int failed;
};

static void *thread_main(void *arg)
{
	struct start *st = arg;
	struct elh_vcpu *cpu = st->cpu;
	char err[256];

	if (cpu->vm->platform->vcpu_init(cpu, err, sizeof(err)) < 0) {
		fprintf(cpu->vm->trace_out, "elh: cannot start a guest thread: %s\n", err);
		st->failed = 1;
		sem_post(&st->ready);
		return NULL;
	}
	cpu->tid = (pid_t)syscall(SYS_gettid);
	sem_post(&st->ready);
	while (sem_wait(&st->go) < 0)
		;
	sem_destroy(&st->ready);
	sem_destroy(&st->go);
	free(st);
	unblock_host_signals();
	elh_vcpu_loop(cpu);
}

long elh_sys_clone(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	uint64_t flags = a[0], sp = a[1], ptid = a[2], ctid = a[3], tls = a[4];
	struct elh_vcpu *child;
	struct start *st;
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	long ret;
	int r;

	if (!(flags & CLONE_THREAD))
		return elh_process_clone(cpu, "clone", flags, sp, ptid, ctid, tls);
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS)
		return -EINVAL;
	if (flags & ~(uint64_t)KNOWN_FLAGS)
		return -EINVAL;
	if ((ret = elh_clone_check(vm, flags, ptid, ctid, tls)))
		return ret;

	child = elh_vcpu_new(vm);
	if (!child)
		return -ENOMEM;
	child->regs = cpu->regs;
	child->regs.rax = 0;
	if (sp)
		child->regs.rsp = sp;
	if (flags & CLONE_SETTLS)
		child->regs.fs_base = tls;
	elh_vcpu_fpu_sync(cpu);
	child->fpu = cpu->fpu; /* loaded into its vCPU: elh_vcpu_new made it dirty */
	child->sigmask = cpu->sigmask;
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = ctid;

	st = calloc(1, sizeof(*st));
	if (!st) {
		free(child);
		return -ENOMEM;
	}
	st->cpu = child;
	sem_init(&st->ready, 0, 0);
	sem_init(&st->go, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* The new host thread starts with every signal blocked, until its
	 * alternate signal stack is in place. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&t, &attr, thread_main, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r) {
		free(st);
		free(child);
		return -EAGAIN;
	}
	while (sem_wait(&st->ready) < 0)
		;
	if (st->failed) {
		free(st);
		free(child);
		return -EAGAIN;
	}
	if (flags & CLONE_PARENT_SETTID)
		elh_guest_write(&vm->arena, ptid, &child->tid, 4);
	if (flags & CLONE_CHILD_SETTID)
		elh_guest_write(&vm->arena, ctid, &child->tid, 4);
	elh_thread_register(child);
	r = child->tid;
	sem_post(&st->go); /* the child frees st */
	return r;
}

long elh_sys_clone3(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return -ENOSYS; /* libcs fall back to clone */
}

long elh_sys_exit(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	uint32_t zero = 0;

	cpu->exiting = 1;
	elh_exitless_thread_exit(vm, cpu->tid);
	if (cpu->clear_child_tid && !elh_guest_write(&vm->arena, cpu->clear_child_tid, &zero, 4))
		syscall(SYS_futex, (void *)(uintptr_t)cpu->clear_child_tid, FUTEX_WAKE, 1, NULL,
			NULL, 0);
	if (unregister(cpu) == 0)
		elh_exit_process(vm, (int)(a[0] & 0xff));
	vm->platform->vcpu_fini(cpu);
	free(cpu);
	pthread_exit(NULL);
}

long elh_sys_exit_group(struct elh_vcpu *cpu, const uint64_t a[6])
{
	elh_exit_process(cpu->vm, (int)(a[0] & 0xff));
}

long elh_sys_futex(struct elh_vcpu *cpu, const uint64_t a[6])
{
	const struct elh_arena *ar = &cpu->vm->arena;
	int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
	struct timespec ts, *tsp = NULL;
	uint64_t uaddr2 = 0, val2 = a[3];
	long r;

	if ((a[0] & 3) || elh_guest_range(ar, a[0], 4))
		return (a[0] & 3) ? -EINVAL : -EFAULT;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI:
		if (a[3]) {
			if (elh_guest_read(ar, &ts, a[3], sizeof(ts)))
				return -EFAULT;
			tsp = &ts;
		}
		val2 = (uint64_t)(uintptr_t)tsp;
		if (cmd == FUTEX_WAIT_REQUEUE_PI)
			uaddr2 = a[4];
		break;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
	case FUTEX_UNLOCK_PI:
	case FUTEX_TRYLOCK_PI: break;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
	case FUTEX_CMP_REQUEUE_PI: uaddr2 = a[4]; break;
	default: return -ENOSYS;
	}
	if (uaddr2 && ((uaddr2 & 3) || elh_guest_range(ar, uaddr2, 4)))
		return (uaddr2 & 3) ? -EINVAL : -EFAULT;
	r = syscall(SYS_futex, (void *)(uintptr_t)a[0], op, (uint32_t)a[2], (void *)(uintptr_t)val2,
		    (void *)(uintptr_t)uaddr2, (uint32_t)a[5]);
	return r < 0 ? -errno : r;
}

long elh_sys_set_tid_address(struct elh_vcpu *cpu, const uint64_t a[6])
{
	cpu->clear_child_tid = a[0];
	return cpu->tid;
}

long elh_sys_set_robust_list(struct elh_vcpu *cpu, const uint64_t a[6])
{
	/* Robust futexes are not cleaned up when a thread dies; nothing
	 * kills a single guest thread, so the list is only remembered. */
	if (a[1] != 24)
		return -EINVAL;
	cpu->robust_list = a[0];
	return 0;
}

/* libcs probe this call before they accept a robust mutex (musl's
 * pthread_mutexattr_setrobust fails with its error). */
long elh_sys_get_robust_list(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	pid_t pid = (pid_t)a[0];
	struct elh_vcpu *t;
	uint64_t head, len = 24;

	pthread_mutex_lock(&vm->thread_lock);
	t = pid ? find_locked(vm, pid) : cpu;
	head = t ? t->robust_list : 0;
	pthread_mutex_unlock(&vm->thread_lock);
	if (!t)
		return -ESRCH;
	if (elh_guest_write(&vm->arena, a[1], &head, 8) ||
	    elh_guest_write(&vm->arena, a[2], &len, 8))
		return -EFAULT;
	return 0;
}

long elh_sys_arch_prctl(struct elh_vcpu *cpu, const uint64_t a[6])
{
	switch (a[0]) {
	case ARCH_SET_FS:
		if (a[1] >= (1ull << 47))
			return -EPERM;
		cpu->regs.fs_base = a[1];
		return 0;
	case ARCH_SET_GS:
		if (a[1] >= (1ull << 47))
			return -EPERM;
		cpu->regs.gs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		return elh_guest_write(&cpu->vm->arena, a[1], &cpu->regs.fs_base, 8) ? -EFAULT : 0;
	case ARCH_GET_GS:
		return elh_guest_write(&cpu->vm->arena, a[1], &cpu->regs.gs_base, 8) ? -EFAULT : 0;
	default: return -EINVAL;
	}
}

long elh_sys_gettid(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return cpu->tid;
}

static long kill_thread(struct elh_vcpu *cpu, pid_t tid, int sig)
{
	struct elh_vm *vm = cpu->vm;
	struct elh_vcpu *target;
	siginfo_t info;

	if (tid <= 0 || sig < 0 || sig > 64)
		return -EINVAL;
	pthread_mutex_lock(&vm->thread_lock);
	target = find_locked(vm, tid);
	if (target && sig) {
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_TKILL;
		info.si_pid = getpid();
		info.si_uid = getuid();
		elh_signal_send(vm, target, sig, &info);
	}
	pthread_mutex_unlock(&vm->thread_lock);
	return target ? 0 : -ESRCH;
}

long elh_sys_tkill(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return kill_thread(cpu, (pid_t)a[0], (int)a[1]);
}

long elh_sys_tgkill(struct elh_vcpu *cpu, const uint64_t a[6])
{
	if ((pid_t)a[0] != getpid())
		return (pid_t)a[0] <= 0 ? -EINVAL : -ESRCH;
	return kill_thread(cpu, (pid_t)a[1], (int)a[2]);
}

long elh_sys_rseq(struct elh_vcpu *cpu, const uint64_t a[6])
{
	return -ENOSYS;
}

void elh_vcpu_loop(struct elh_vcpu *cpu)
{
	const struct elh_platform *p = cpu->vm->platform;
	struct elh_exit ex;

	for (;;) {
		elh_signal_deliver(cpu);
		p->run(cpu, &ex);
		switch (ex.reason) {
		case ELH_EXIT_SYSCALL: {
			uint64_t a[6];
			long r;

			elh_regs_syscall_args(&cpu->regs, a);
			cpu->regs.rcx = cpu->regs.rip;
			cpu->regs.r11 = cpu->regs.rflags;
			if (ex.nr == ELH_SYS_interrupt)
				r = elh_exitless_interrupt_slot(a[0], a[1]);
			else
				r = elh_syscall(cpu, ex.nr, a);
			cpu->regs.rax = (uint64_t)r;
			cpu->restart_nr = (r == -EINTR && ex.nr != SYS_rt_sigreturn) ? ex.nr : -1;
			break;
		}
		case ELH_EXIT_FAULT:
			/* A page the guest unmapped is a reserved placeholder on
			 * the host (memory.c): Linux says MAPERR for it. */
			if (ex.info.si_signo == SIGSEGV && ex.info.si_code == SEGV_ACCERR &&
			    !elh_mm_mapped(cpu->vm, (uint64_t)(uintptr_t)ex.info.si_addr))
				ex.info.si_code = SEGV_MAPERR;
			elh_signal_fault(cpu, &ex.info);
			break;
		case ELH_EXIT_INTERRUPT: break;
		}
	}
}
