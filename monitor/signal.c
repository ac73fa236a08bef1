/* Guest signals: dispositions, masks, pending sets, delivery and frames. */
#include <cpuid.h>
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elh-calls.h"
#include "errors.h"
#include "exitless.h"
#include "guestmem.h"
#include "process.h"
#include "sigframe.h"
#include "platform.h"
#include "signal.h"
#include "special.h"
#include "vm.h"

#define BIT(sig)	     (1ull << ((sig)-1))
#define KERNEL_MINSIGSTKSZ   2048u /* the kernel's check, not glibc's sysconf value */
#define KERNEL_SS_AUTODISARM (1u << 31)
#define UNBLOCKABLE	     (BIT(SIGKILL) | BIT(SIGSTOP))
#define SYNCHRONOUS                                                                                \
	(BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))
#define IGNORED_BY_DEFAULT (BIT(SIGCHLD) | BIT(SIGURG) | BIT(SIGWINCH) | BIT(SIGCONT))
#define STOP_BY_DEFAULT	   (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))
/* Host signals that concern the thread that caused them. */
#define THREAD_DIRECTED (BIT(SIGPIPE) | BIT(SIGXFSZ))

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define KSA_RESTORER 0x04000000ull

struct elh_signals {
	pthread_mutex_t lock; /* dispositions */
	struct ksigaction action[65];
	uint64_t pending; /* process-directed, atomic */
	siginfo_t info[65];
	uint32_t count[65];  /* real-time signals: instances queued */
	uint32_t seq;	     /* bumped at every new pending signal; futex word */
	uint32_t xsave_size; /* the host's XSAVE size for enabled features */
	uint64_t xcr0;
};

static struct elh_signals signals;

/*
 * Make sig pending in set.  Standard signals merge; real-time ones queue:
 * count says how many instances wait (their siginfo is the latest one's).
 * Safe in a signal handler.
 */
static void mark_pending(uint64_t *set, uint32_t *count, int sig)
{
	if (sig >= 32)
		__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
	__atomic_or_fetch(set, BIT(sig), __ATOMIC_SEQ_CST);
}

int elh_signal_init(struct elh_vm *vm)
{
	unsigned a, b, c, d, lo, hi;

	pthread_mutex_init(&signals.lock, NULL);
	__cpuid_count(0xd, 0, a, b, c, d);
	signals.xsave_size = b;
	if (signals.xsave_size < 576 || signals.xsave_size + 4 > ELH_XSAVE_SIZE)
		signals.xsave_size = 576;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	signals.xcr0 = ((uint64_t)hi << 32) | lo;
	vm->sig = &signals;
	return 0;
}

static void bump_seq(void)
{
	__atomic_add_fetch(&signals.seq, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &signals.seq, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

void elh_signal_kick_thread(struct elh_vcpu *cpu)
{
	syscall(SYS_tgkill, getpid(), cpu->tid, ELH_SIGKICK);
}

void elh_signal_note_host(struct elh_vcpu *cpu, int sig, const siginfo_t *info)
{
	if (sig == ELH_SIGKICK || sig < 1 || sig > 64)
		return;
	if ((BIT(sig) & THREAD_DIRECTED) && cpu) {
		cpu->pending_info[sig - 1] = *info;
		mark_pending(&cpu->pending, &cpu->pending_count[sig - 1], sig);
	} else {
		signals.info[sig] = *info;
		mark_pending(&signals.pending, &signals.count[sig], sig);
	}
	bump_seq();
}

static uint64_t load_mask(const struct elh_vcpu *cpu)
{
	return __atomic_load_n(&cpu->sigmask, __ATOMIC_ACQUIRE);
}

static void set_mask(struct elh_vcpu *cpu, uint64_t mask)
{
	__atomic_store_n(&cpu->sigmask, mask & ~UNBLOCKABLE, __ATOMIC_RELEASE);
}

/*
 * A process-directed signal goes to a thread that does not block it; if the
 * thread that noticed it blocks it, wake one that does not.
 */
static void route_process_signals(struct elh_vcpu *self)
{
	uint64_t pending = __atomic_load_n(&signals.pending, __ATOMIC_ACQUIRE);
	uint64_t blocked_here = pending & load_mask(self);

	if (!blocked_here)
		return;
	pthread_mutex_lock(&self->vm->thread_lock);
	for (struct elh_vcpu *t = self->vm->threads; t; t = t->next) {
		if (t != self && !t->exiting && (blocked_here & ~load_mask(t))) {
			elh_signal_kick_thread(t);
			break;
		}
	}
	pthread_mutex_unlock(&self->vm->thread_lock);
}

int elh_signal_send(struct elh_vm *vm, struct elh_vcpu *target, int sig, const siginfo_t *info)
{
	if (sig < 1 || sig > 64)
		return -EINVAL;
	if (target) {
		target->pending_info[sig - 1] = *info;
		mark_pending(&target->pending, &target->pending_count[sig - 1], sig);
		bump_seq();
		if (target->tid != (pid_t)syscall(SYS_gettid))
			elh_signal_kick_thread(target);
		return 0;
	}
	signals.info[sig] = *info;
	mark_pending(&signals.pending, &signals.count[sig], sig);
	bump_seq();
	/* Wake a thread that can take it (perhaps the sender itself). */
	pthread_mutex_lock(&vm->thread_lock);
	for (struct elh_vcpu *t = vm->threads; t; t = t->next) {
		if (!t->exiting && !(load_mask(t) & BIT(sig))) {
			if (t->tid != (pid_t)syscall(SYS_gettid))
				elh_signal_kick_thread(t);
			break;
		}
	}
	pthread_mutex_unlock(&vm->thread_lock);
	return 0;
}

void elh_die_by_signal(struct elh_vm *vm, int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;

	elh_process_ending(vm);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* Thread-directed: a process-directed core-dumping signal (SIGSEGV,
	 * SIGABRT...) may be taken by another thread, and this one would
	 * reach _exit() before the core dump path ends the process. */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
	/* Only stop signals and the like get here. */
	_exit(128 + sig);
}

/* Claim one pending signal from a set: thread-directed first, synchronous
 * ones before the others, then the lowest number. */
static int dequeue(struct elh_vcpu *cpu, uint64_t allowed, siginfo_t *info)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t *set = pass ? &signals.pending : &cpu->pending;
		uint64_t p;

		while ((p = __atomic_load_n(set, __ATOMIC_ACQUIRE) & allowed)) {
			uint64_t pick = (p & SYNCHRONOUS) ? (p & SYNCHRONOUS) : p;
			int sig = __builtin_ctzll(pick) + 1;

			if (__atomic_fetch_and(set, ~BIT(sig), __ATOMIC_ACQ_REL) & BIT(sig)) {
				*info = pass ? signals.info[sig] : cpu->pending_info[sig - 1];
				info->si_signo = sig;
				/* More instances of a real-time signal stay pending. */
				uint32_t *count =
				    pass ? &signals.count[sig] : &cpu->pending_count[sig - 1];

				if (sig >= 32 && __atomic_sub_fetch(count, 1, __ATOMIC_SEQ_CST) > 0)
					__atomic_or_fetch(set, BIT(sig), __ATOMIC_SEQ_CST);
				return sig;
			}
		}
	}
	return 0;
}

static int on_altstack(const struct elh_vcpu *cpu, uint64_t sp)
{
	return cpu->altstack_size && sp - cpu->altstack_sp <= cpu->altstack_size;
}

static int setup_frame(struct elh_vcpu *cpu, int sig, const siginfo_t *info,
		       const struct ksigaction *ka, uint64_t old_mask)
{
	struct elh_vm *vm = cpu->vm;
	struct elh_regs *r = &cpu->regs;
	struct elh_rt_sigframe f;
	uint64_t sp = r->rsp, fp, frame;
	uint32_t xs = signals.xsave_size;
	uint8_t sw[48];
	uint32_t magic2 = ELH_FP_XSTATE_MAGIC2;

	if ((ka->flags & SA_ONSTACK) && cpu->altstack_size && !on_altstack(cpu, sp))
		sp = cpu->altstack_sp + cpu->altstack_size;
	else
		sp -= 128; /* the red zone */
	sp -= xs + 4;
	sp &= ~63ull;
	fp = sp;
	frame = ((sp - sizeof(f)) & ~15ull) - 8;

	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = ELH_UC_FP_XSTATE | ELH_UC_SIGCONTEXT_SS | ELH_UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = cpu->altstack_sp;
	f.uc.uc_stack.ss_size = cpu->altstack_size;
	f.uc.uc_stack.ss_flags =
	    cpu->altstack_size ? (on_altstack(cpu, r->rsp) ? SS_ONSTACK : 0) : SS_DISABLE;
	f.uc.uc_mcontext = (struct elh_ksigcontext){
		.r8 = r->r8,
		.r9 = r->r9,
		.r10 = r->r10,
		.r11 = r->r11,
		.r12 = r->r12,
		.r13 = r->r13,
		.r14 = r->r14,
		.r15 = r->r15,
		.rdi = r->rdi,
		.rsi = r->rsi,
		.rbp = r->rbp,
		.rbx = r->rbx,
		.rdx = r->rdx,
		.rax = r->rax,
		.rcx = r->rcx,
		.rsp = r->rsp,
		.rip = r->rip,
		.eflags = r->rflags,
		.cs = ELH_USER_CS,
		.ss = ELH_USER_SS,
		.trapno = sig == SIGSEGV ? 14 : 0,
		.oldmask = old_mask,
		.cr2 = (sig == SIGSEGV || sig == SIGBUS) ? (uint64_t)(uintptr_t)info->si_addr : 0,
		.fpstate = fp,
	};
	f.uc.uc_sigmask = old_mask;
	memcpy(f.info, info, sizeof(f.info));

	/* The XSAVE image with the software bytes that mark it extended. */
	memcpy(sw, &(uint32_t){ ELH_FP_XSTATE_MAGIC1 }, 4);
	memcpy(sw + 4, &(uint32_t){ xs + 4 }, 4);
	memcpy(sw + 8, &signals.xcr0, 8);
	memcpy(sw + 16, &xs, 4);
	memset(sw + 20, 0, sizeof(sw) - 20);
	elh_vcpu_fpu_sync(cpu);
	if (elh_guest_write(&vm->arena, fp, cpu->fpu.area, xs) ||
	    elh_guest_write(&vm->arena, fp + 464, sw, sizeof(sw)) ||
	    elh_guest_write(&vm->arena, fp + xs, &magic2, 4) ||
	    elh_guest_write(&vm->arena, frame, &f, sizeof(f)))
		return -EFAULT;

	r->rsp = frame;
	r->rip = ka->handler;
	r->rdi = sig;
	r->rsi = frame + offsetof(struct elh_rt_sigframe, info);
	r->rdx = frame + offsetof(struct elh_rt_sigframe, uc);
	r->rax = 0;
	r->rflags &= ~(1ull << 10 | 1ull << 8 | 1ull << 18); /* DF, TF, AC */
	elh_fpu_init(&cpu->fpu);
	elh_vcpu_fpu_written(cpu);
	return 0;
}

/* A signal that must kill: as the kernel's force_sig, a fault that the
 * guest blocks or ignores is fatal. */
static void handle_one(struct elh_vcpu *cpu, int sig, const siginfo_t *info)
{
	struct ksigaction ka;
	uint64_t old_mask = cpu->saved_mask_valid ? cpu->saved_mask : load_mask(cpu);

	pthread_mutex_lock(&signals.lock);
	ka = signals.action[sig];
	if (ka.handler > 1 && (ka.flags & SA_RESETHAND))
		signals.action[sig].handler = 0;
	pthread_mutex_unlock(&signals.lock);

	if (ka.handler == (uint64_t)(uintptr_t)SIG_IGN && sig != SIGKILL && sig != SIGSTOP)
		return;
	if (ka.handler == (uint64_t)(uintptr_t)SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
		if (BIT(sig) & IGNORED_BY_DEFAULT)
			return;
		if (BIT(sig) & STOP_BY_DEFAULT) {
			kill(getpid(), SIGSTOP);
			return;
		}
		elh_die_by_signal(cpu->vm, sig);
	}

	/* Restart or fail the call the signal interrupted: a trapping one
	 * here, an exit-less one in the worker running it. */
	elh_exitless_interrupt(cpu, (ka.flags & SA_RESTART) != 0);
	if (cpu->restart_nr >= 0) {
		if ((ka.flags & SA_RESTART) && elh_call_restarts_after_handler(cpu->restart_nr)) {
			cpu->regs.rax = cpu->restart_nr;
			cpu->regs.rip -= 2; /* back onto the syscall instruction */
		}
		cpu->restart_nr = -1;
	}

	if (!(ka.flags & KSA_RESTORER) || setup_frame(cpu, sig, info, &ka, old_mask) < 0) {
		/* No way to run the handler: the kernel kills with SIGSEGV. */
		elh_die_by_signal(cpu->vm, SIGSEGV);
	}
	cpu->saved_mask_valid = 0;
	set_mask(cpu, old_mask | ka.mask | ((ka.flags & SA_NODEFER) ? 0 : BIT(sig)));
}

void elh_signal_deliver(struct elh_vcpu *cpu)
{
	siginfo_t info;
	int sig;

	route_process_signals(cpu);
	sig = dequeue(cpu, ~load_mask(cpu) | UNBLOCKABLE, &info);
	if (sig)
		handle_one(cpu, sig, &info);
	if (cpu->restart_nr >= 0) {
		/* Interrupted by a signal the guest does not see (one it
		 * ignores, which Linux discards before it interrupts anything,
		 * or a kick): the call restarts, whatever its class
		 * (elh-calls.h).  A mask the call installed for its duration
		 * goes back first; the call installs it again.  A relative
		 * timeout starts again from its full length, where Linux would
		 * have gone on to the first deadline. */
		if (cpu->saved_mask_valid) {
			set_mask(cpu, cpu->saved_mask);
			cpu->saved_mask_valid = 0;
		}
		cpu->regs.rax = cpu->restart_nr;
		cpu->regs.rip -= 2;
		cpu->restart_nr = -1;
	}
	if (cpu->saved_mask_valid && !sig) {
		set_mask(cpu, cpu->saved_mask);
		cpu->saved_mask_valid = 0;
	}
}

void elh_signal_fault(struct elh_vcpu *cpu, const siginfo_t *info)
{
	int sig = info->si_signo;
	uint64_t handler;

	pthread_mutex_lock(&signals.lock);
	handler = signals.action[sig].handler;
	pthread_mutex_unlock(&signals.lock);
	if ((load_mask(cpu) & BIT(sig)) || handler == (uint64_t)(uintptr_t)SIG_IGN ||
	    handler == (uint64_t)(uintptr_t)SIG_DFL)
		elh_die_by_signal(cpu->vm, sig);
	cpu->restart_nr = -1;
	handle_one(cpu, sig, info);
}

/* ---- the system calls ---- */

long elh_sys_rt_sigaction(struct elh_vcpu *cpu, const uint64_t a[6])
{
	int sig = (int)a[0];
	struct ksigaction act, old;

	if (a[3] != 8)
		return -EINVAL;
	if (sig < 1 || sig > 64 || ((sig == SIGKILL || sig == SIGSTOP) && a[1]))
		return -EINVAL;
	if (a[1] && elh_guest_read(&cpu->vm->arena, &act, a[1], sizeof(act)))
		return -EFAULT;
	pthread_mutex_lock(&signals.lock);
	old = signals.action[sig];
	if (a[1]) {
		act.mask &= ~UNBLOCKABLE;
		signals.action[sig] = act;
	}
	pthread_mutex_unlock(&signals.lock);
	if (a[1] && act.handler == (uint64_t)(uintptr_t)SIG_IGN) {
		/* Setting SIG_IGN discards what is pending (POSIX). */
		__atomic_fetch_and(&signals.pending, ~BIT(sig), __ATOMIC_ACQ_REL);
		__atomic_store_n(&signals.count[sig], 0, __ATOMIC_SEQ_CST);
	}
	if (a[2] && elh_guest_write(&cpu->vm->arena, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long elh_sys_rt_sigprocmask(struct elh_vcpu *cpu, const uint64_t a[6])
{
	uint64_t set, old = load_mask(cpu);

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		if (elh_guest_read(&cpu->vm->arena, &set, a[1], 8))
			return -EFAULT;
		switch (a[0]) {
		case SIG_BLOCK: set_mask(cpu, old | set); break;
		case SIG_UNBLOCK: set_mask(cpu, old & ~set); break;
		case SIG_SETMASK: set_mask(cpu, set); break;
		default: return -EINVAL;
		}
	}
	if (a[2] && elh_guest_write(&cpu->vm->arena, a[2], &old, 8))
		return -EFAULT;
	return 0;
}

long elh_sys_rt_sigpending(struct elh_vcpu *cpu, const uint64_t a[6])
{
	uint64_t p = (__atomic_load_n(&cpu->pending, __ATOMIC_ACQUIRE) |
		      __atomic_load_n(&signals.pending, __ATOMIC_ACQUIRE)) &
		     load_mask(cpu);

	if (a[1] != 8)
		return -EINVAL;
	return elh_guest_write(&cpu->vm->arena, a[0], &p, 8) ? -EFAULT : 0;
}

static uint64_t deliverable(struct elh_vcpu *cpu, uint64_t mask)
{
	return (__atomic_load_n(&cpu->pending, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&signals.pending, __ATOMIC_ACQUIRE)) &
	       (~mask | UNBLOCKABLE);
}

/* Sleep until a signal outside mask is pending, or the timeout (ns, or -1)
 * passes.  Returns 0 when one is pending, -EAGAIN on timeout, -EINTR when a
 * host signal interrupted the wait (the caller re-checks). */
static int wait_for_signal(struct elh_vcpu *cpu, uint64_t mask, const struct timespec *timeout)
{
	uint32_t seq = __atomic_load_n(&signals.seq, __ATOMIC_ACQUIRE);

	if (deliverable(cpu, mask))
		return 0;
	if (syscall(SYS_futex, &signals.seq, FUTEX_WAIT_PRIVATE, seq, timeout, NULL, 0) < 0 &&
	    errno == ETIMEDOUT)
		return -EAGAIN;
	return deliverable(cpu, mask) ? 0 : -EINTR;
}

long elh_sys_rt_sigsuspend(struct elh_vcpu *cpu, const uint64_t a[6])
{
	uint64_t mask;

	if (a[1] != 8)
		return -EINVAL;
	if (elh_guest_read(&cpu->vm->arena, &mask, a[0], 8))
		return -EFAULT;
	mask &= ~UNBLOCKABLE;
	while (wait_for_signal(cpu, mask, NULL) != 0)
		;
	/* Deliver with the temporary mask; the frame saves the old one. */
	cpu->saved_mask = load_mask(cpu);
	cpu->saved_mask_valid = 1;
	set_mask(cpu, mask);
	return -EINTR;
}

long elh_sys_pause(struct elh_vcpu *cpu, const uint64_t a[6])
{
	while (wait_for_signal(cpu, load_mask(cpu), NULL) != 0)
		;
	return -EINTR;
}

long elh_sys_rt_sigtimedwait(struct elh_vcpu *cpu, const uint64_t a[6])
{
	uint64_t set;
	struct timespec ts, *tsp = NULL;
	siginfo_t info;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (elh_guest_read(&cpu->vm->arena, &set, a[0], 8))
		return -EFAULT;
	if (a[2]) {
		if (elh_guest_read(&cpu->vm->arena, &ts, a[2], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		tsp = &ts;
	}
	set &= ~UNBLOCKABLE;
	for (;;) {
		int r;

		sig = dequeue(cpu, set, &info);
		if (sig)
			break;
		r = wait_for_signal(cpu, ~set, tsp);
		if (r == -EAGAIN)
			return -EAGAIN;
		if (r == -EINTR && deliverable(cpu, load_mask(cpu)))
			return -EINTR; /* a handled signal arrived instead */
	}
	if (a[1] && elh_guest_write(&cpu->vm->arena, a[1], &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

long elh_sys_rt_sigqueueinfo(struct elh_vcpu *cpu, const uint64_t a[6])
{
	siginfo_t info;

	if ((pid_t)a[0] != getpid())
		return -EPERM;
	if (elh_guest_read(&cpu->vm->arena, &info, a[2], sizeof(info)))
		return -EFAULT;
	if (info.si_code >= 0 || info.si_code == SI_TKILL)
		return -EPERM;
	info.si_signo = (int)a[1];
	return elh_signal_send(cpu->vm, NULL, (int)a[1], &info);
}

long elh_sys_sigaltstack(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_kstack ss, old = {
		.ss_sp = cpu->altstack_sp,
		.ss_size = cpu->altstack_size,
		.ss_flags = cpu->altstack_size ? (on_altstack(cpu, cpu->regs.rsp) ? SS_ONSTACK : 0)
					       : SS_DISABLE,
	};

	if (a[0]) {
		if (elh_guest_read(&cpu->vm->arena, &ss, a[0], sizeof(ss)))
			return -EFAULT;
		if (old.ss_flags == SS_ONSTACK)
			return -EPERM;
		if (ss.ss_flags & ~(SS_DISABLE | KERNEL_SS_AUTODISARM))
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			cpu->altstack_sp = cpu->altstack_size = 0;
		} else {
			if (ss.ss_size < KERNEL_MINSIGSTKSZ)
				return -ENOMEM;
			cpu->altstack_sp = ss.ss_sp;
			cpu->altstack_size = ss.ss_size;
		}
	}
	if (a[1] && elh_guest_write(&cpu->vm->arena, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long elh_sys_rt_sigreturn(struct elh_vcpu *cpu, const uint64_t a[6])
{
	struct elh_vm *vm = cpu->vm;
	struct elh_kucontext uc;
	struct elh_regs *r = &cpu->regs;
	const struct elh_ksigcontext *m = &uc.uc_mcontext;
	uint32_t sw[5];

	/* The restorer's `ret` popped pretcode: rsp points at uc. */
	if (elh_guest_read(&vm->arena, &uc, r->rsp, sizeof(uc)))
		goto bad;
	r->r8 = m->r8;
	r->r9 = m->r9;
	r->r10 = m->r10;
	r->r11 = m->r11;
	r->r12 = m->r12;
	r->r13 = m->r13;
	r->r14 = m->r14;
	r->r15 = m->r15;
	r->rdi = m->rdi;
	r->rsi = m->rsi;
	r->rbp = m->rbp;
	r->rbx = m->rbx;
	r->rdx = m->rdx;
	r->rax = m->rax;
	r->rcx = m->rcx;
	r->rsp = m->rsp;
	r->rip = m->rip;
	r->rflags = (r->rflags & ~(uint64_t)ELH_RFLAGS_USER) | (m->eflags & ELH_RFLAGS_USER);
	set_mask(cpu, uc.uc_sigmask);

	elh_vcpu_fpu_sync(cpu);
	if (m->fpstate) {
		uint32_t size = 512, magic2;
		uint32_t mxcsr;

		if (elh_guest_read(&vm->arena, sw, m->fpstate + 464, sizeof(sw)))
			goto bad_fp;
		if (sw[0] == ELH_FP_XSTATE_MAGIC1 && sw[4] >= 576 && sw[4] <= signals.xsave_size &&
		    !elh_guest_read(&vm->arena, &magic2, m->fpstate + sw[4], 4) &&
		    magic2 == ELH_FP_XSTATE_MAGIC2)
			size = sw[4];
		if (elh_guest_read(&vm->arena, cpu->fpu.area, m->fpstate, size))
			goto bad_fp;
		memcpy(&mxcsr, cpu->fpu.area + 24, 4);
		if (mxcsr & 0xffff0000u) /* reserved bits would make xrstor fault */
			goto bad_fp;
		if (size == 512) {
			memset(cpu->fpu.area + 512, 0, 64);
			cpu->fpu.area[512] = 3;
		} else {
			uint64_t bv;

			memcpy(&bv, cpu->fpu.area + 512, 8);
			bv &= signals.xcr0;
			memcpy(cpu->fpu.area + 512, &bv, 8);
			memset(cpu->fpu.area + 520, 0, 56); /* XCOMP_BV and reserved */
		}
	} else {
		elh_fpu_init(&cpu->fpu);
	}
	elh_vcpu_fpu_written(cpu);
	if (!(uc.uc_stack.ss_flags & SS_DISABLE) && uc.uc_stack.ss_size >= KERNEL_MINSIGSTKSZ &&
	    !on_altstack(cpu, r->rsp)) {
		cpu->altstack_sp = uc.uc_stack.ss_sp;
		cpu->altstack_size = uc.uc_stack.ss_size;
	}
	cpu->restart_nr = -1;
	return (long)r->rax;
bad_fp:
	/* As Linux: the registers and mask stay restored, the FPU state
	 * starts afresh, and a SIGSEGV is forced. */
	elh_fpu_init(&cpu->fpu);
	elh_vcpu_fpu_written(cpu);
bad:
	cpu->restart_nr = -1;
	{
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		info.si_signo = SIGSEGV;
		info.si_code = SI_KERNEL;
		elh_signal_fault(cpu, &info);
	}
	return (long)r->rax;
}

long elh_sys_kill(struct elh_vcpu *cpu, const uint64_t a[6])
{
	pid_t pid = (pid_t)a[0];
	int sig = (int)a[1];
	siginfo_t info;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	/* Another process, or another process group: the host's business
	 * (a child's elh turns the signal into its guest's). */
	if ((pid > 0 && pid != getpid()) || (pid < -1 && pid != -getpid()))
		return kill(pid, sig) < 0 ? -errno : 0;
	if (!sig)
		return 0;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_USER;
	info.si_pid = getpid();
	info.si_uid = getuid();
	return elh_signal_send(cpu->vm, NULL, sig, &info);
}

int elh_signal_inherit_ignored(struct elh_vm *vm)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &old) < 0)
			continue;
		if (old.sa_handler == SIG_IGN)
			signals.action[sig].handler = (uint64_t)(uintptr_t)SIG_IGN;
	}
	return 0;
}

void elh_signal_fork_lock(int hold)
{
	if (hold)
		pthread_mutex_lock(&signals.lock);
	else
		pthread_mutex_unlock(&signals.lock);
}

void elh_signal_after_fork(struct elh_vcpu *cpu)
{
	signals.pending = 0;
	memset(signals.count, 0, sizeof(signals.count));
	cpu->pending = 0;
	memset(cpu->pending_count, 0, sizeof(cpu->pending_count));
}

/* The faults, SIGSYS (the systrap platform's traps) and the kick stay the
 * monitor's until the exec, which resets them: setting them to SIG_IGN
 * would take them from the threads still running. */
static int exec_keeps_handler(int sig)
{
	return (BIT(sig) & (SYNCHRONOUS | UNBLOCKABLE)) || sig == ELH_SIGKICK ||
	       (sig >= 32 && sig < SIGRTMIN);
}

void elh_signal_exec_prepare(struct elh_vcpu *cpu, struct elh_exec_signals *save)
{
	const struct sigaction ign = { .sa_handler = SIG_IGN };
	uint64_t mask = load_mask(cpu), raise_again;
	pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid);
	sigset_t all, guest;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &save->mask);
	save->ignored = 0;
	pthread_mutex_lock(&signals.lock);
	for (int sig = 1; sig <= 64; sig++) {
		if (exec_keeps_handler(sig) ||
		    signals.action[sig].handler != (uint64_t)(uintptr_t)SIG_IGN)
			continue;
		if (sigaction(sig, &ign, &save->old[sig]) == 0)
			save->ignored |= BIT(sig);
	}
	pthread_mutex_unlock(&signals.lock);
	/* Pending and blocked: pending on this thread once the mask is set. */
	raise_again = (__atomic_fetch_and(&cpu->pending, ~mask, __ATOMIC_ACQ_REL) |
		       __atomic_fetch_and(&signals.pending, ~mask, __ATOMIC_ACQ_REL)) &
		      mask & ~save->ignored;
	for (int sig = 1; sig <= 64; sig++)
		if (raise_again & BIT(sig))
			syscall(SYS_tgkill, pid, tid, sig);
	sigemptyset(&guest);
	for (int sig = 1; sig <= 64; sig++)
		if ((mask & BIT(sig)) && !exec_keeps_handler(sig))
			sigaddset(&guest, sig);
	pthread_sigmask(SIG_SETMASK, &guest, NULL);
}

void elh_signal_exec_failed(struct elh_vcpu *cpu, struct elh_exec_signals *save)
{
	sigset_t all;

	(void)cpu;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (int sig = 1; sig <= 64; sig++)
		if (save->ignored & BIT(sig))
			sigaction(sig, &save->old[sig], NULL);
	/* The signals raised again come back through the host handler. */
	pthread_sigmask(SIG_SETMASK, &save->mask, NULL);
}

int elh_signal_is_fault(int sig, const siginfo_t *info)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
	case SIGSYS: return info->si_code > 0; /* raised by the kernel for an instruction */
	default: return 0;
	}
}

void elh_signal_monitor_crash(int sig, const siginfo_t *info, const void *vuc)
{
	const ucontext_t *uc = vuc;
	char msg[160];
	int n;

	n = snprintf(
	    msg, sizeof(msg),
	    "elh: internal error: signal %d (code %d, address %p) in the monitor at rip %#llx\n",
	    sig, info->si_code, info->si_addr, (unsigned long long)uc->uc_mcontext.gregs[REG_RIP]);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	signal(sig, SIG_DFL); /* returning re-executes the instruction: the process dies of sig */
}

int elh_signal_catch_host(void (*handler)(int, siginfo_t *, void *), int flags, char *err,
			  size_t errlen)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		/* 32 and 33 belong to the monitor's own libc. */
		if (sig == SIGKILL || sig == SIGSTOP || (sig >= 32 && sig < SIGRTMIN))
			continue;
		if (sigaction(sig, &sa, NULL) < 0)
			return elh_refuse(err, errlen, "cannot handle signal %d: %s", sig,
					  strerror(errno));
	}
	return 0;
}
