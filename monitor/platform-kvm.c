/*
 * The KVM platform: the guest at CPL 3 in a VM of its own.
 *
 * Design note.  Guest memory is two KVM memory slots: the arena, at a
 * guest-physical address equal to its host-virtual address, and a small
 * system area above it (page tables, IDT, ring-0 stubs, one GDT + TSS +
 * ring-0 stack per vCPU; arch/x86_64/kvmguest.h).  Page tables map both
 * 1:1, so guest-virtual == guest-physical == host-virtual.
 *
 * The guest enters the monitor through one-instruction stubs (`out` to a
 * port that names the event); the monitor reads the registers, handles the
 * event and returns the vCPU to CPL 3 by writing its registers and segment
 * state.  A guest access to an arena page the host has protected makes
 * KVM_RUN fail with EFAULT (or KVM_EXIT_MEMORY_FAULT): that is SIGSEGV too.
 *
 * Host signals do not run in guest context here: the handler notes the
 * signal and sets the vCPU's immediate_exit, so that KVM_RUN returns EINTR
 * now or at its next call.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"
#include "icall.h"
#include "kvmguest.h"
#include "pagetable.h"
#include "platform.h"
#include "signal.h"
#include "vm.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_FSGSBASE (1u << 16)
#define CR4_OSXSAVE (1u << 18)

/* Linux 6.8; Debian bookworm's headers predate it. */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif

/* memory_fault.gpa: the second word of kvm_run's exit union. */
static uint64_t memory_fault_gpa(const struct kvm_run *run)
{
	uint64_t u[2];

	memcpy(u, &run->mmio, sizeof(u));
	return u[1];
}

struct kvm_vcpu_state {
	int fd;
	unsigned index;
	struct kvm_run *run;
	uint64_t stack_top; /* the ring-0 stack, where exceptions push their frame */
};

static struct {
	int kvm, vm;
	uint8_t *sys;
	uint64_t sys_gpa;
	size_t sys_size;
	size_t run_size;
	uint64_t cr3;
	struct kvm_cpuid2 *cpuid;
	uint64_t xcr0; /* the host's, less what KVM cannot give a guest */
	unsigned next_index;
} K;

static __thread struct kvm_vcpu_state *this_vcpu;
static __thread struct elh_vcpu *this_cpu;

static void on_host_signal(int sig, siginfo_t *info, void *uc)
{
	if (elh_signal_is_fault(sig, info)) {
		elh_signal_monitor_crash(sig, info, uc);
		return;
	}
	elh_icall_fixup(uc);
	elh_signal_note_host(this_cpu, sig, info);
	if (this_vcpu)
		__atomic_store_n(&this_vcpu->run->immediate_exit, 1, __ATOMIC_RELAXED);
}

static int fail(char *err, size_t errlen, const char *step)
{
	snprintf(err, errlen, "KVM: %s: %s", step, strerror(errno));
	return -1;
}

/* The monitor's fds live at guest_fd_limit and above, out of the guest's
 * reach (vm.h): move fd there.  The new fd, or -1 with errno. */
static int move_high(struct elh_vm *vm, int fd)
{
	int high;

	if (fd < 0 || fd >= vm->guest_fd_limit)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, vm->guest_fd_limit);
	close(fd);
	return high;
}

static int kvm_init(struct elh_vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region slot;
	struct elh_pt_builder pt;
	uint64_t arena_end = vm->arena.base + vm->arena.size;
	size_t tables;
	unsigned lo, hi;
	int n;

	K.kvm = elh_kvm_open(err, errlen);
	if (K.kvm < 0)
		return -1;
	K.kvm = move_high(vm, K.kvm);
	if (K.kvm < 0)
		return fail(err, errlen, "moving the /dev/kvm fd above the guest's");
	K.vm = move_high(vm, ioctl(K.kvm, KVM_CREATE_VM, 0));
	if (K.vm < 0)
		return fail(err, errlen, "KVM_CREATE_VM");
	n = ioctl(K.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
	K.run_size = (size_t)n;

	memset(&slot, 0, sizeof(slot));
	slot.slot = 0;
	slot.guest_phys_addr = vm->arena.base;
	slot.memory_size = vm->arena.size;
	slot.userspace_addr = vm->arena.base;
	if (ioctl(K.vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION (arena)");

	/* The system area sits on the next GiB boundary above the arena. */
	tables = elh_pt_budget(vm->arena.size) + elh_pt_budget(ELH_KVM_TABLES);
	K.sys_size = (ELH_KVM_TABLES + tables + 0xfff) & ~(size_t)0xfff;
	K.sys_gpa = (arena_end + (1ull << 30) - 1) & ~((1ull << 30) - 1);
	K.sys = mmap(NULL, K.sys_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (K.sys == MAP_FAILED)
		return fail(err, errlen, "mmap of the system area");
	slot.slot = 1;
	slot.guest_phys_addr = K.sys_gpa;
	slot.memory_size = K.sys_size;
	slot.userspace_addr = (uintptr_t)K.sys;
	if (ioctl(K.vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION (system area)");

	if (elh_pt_init(&pt, K.sys + ELH_KVM_TABLES, K.sys_gpa + ELH_KVM_TABLES, tables) ||
	    elh_pt_map_identity(&pt, vm->arena.base, vm->arena.size, ELH_PTE_W | ELH_PTE_U) ||
	    elh_pt_map_identity(&pt, K.sys_gpa, ELH_KVM_TABLES, ELH_PTE_W)) {
		snprintf(err, errlen, "KVM: cannot build the guest page tables");
		return -1;
	}
	K.cr3 = pt.cr3;
	elh_kvm_build_idt(K.sys, K.sys_gpa);

	K.cpuid = calloc(1, sizeof(*K.cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	if (!K.cpuid)
		return fail(err, errlen, "calloc");
	K.cpuid->nent = 256;
	if (ioctl(K.kvm, KVM_GET_SUPPORTED_CPUID, K.cpuid) < 0)
		return fail(err, errlen, "KVM_GET_SUPPORTED_CPUID");
	/* FSGSBASE (CPUID.(7,0):EBX bit 0): nptl-elh switches threads with
	 * wrfsbase in ring 3, without an exit, when CR4 enables it. */
	/* XCR0: the host's state components (those the monitor saves in
	 * signal frames) that KVM supports, CPUID.(0xd,0):EDX:EAX. */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	K.xcr0 = ((uint64_t)hi << 32) | lo;
	for (uint32_t i = 0; i < K.cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &K.cpuid->entries[i];

		if (e->function == 7 && e->index == 0 && (e->ebx & 1))
			vm->fsgsbase = 1;
		if (e->function == 0xd && e->index == 0)
			K.xcr0 &= ((uint64_t)e->edx << 32) | e->eax;
	}

	if (elh_signal_catch_host(on_host_signal, 0, err, errlen) < 0)
		return -1;
	vm->kvm_fd = K.kvm;
	vm->vm_fd = K.vm;
	return 0;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = sel & 3;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/* CPL 3 code and stack segments: after every entry into ring 0. */
static void user_segments(struct kvm_sregs *sr, uint64_t fs_base, uint64_t gs_base)
{
	set_seg(&sr->cs, ELH_SEL_UCODE, 11, 1);
	set_seg(&sr->ss, ELH_SEL_UDATA, 3, 0);
	set_seg(&sr->ds, ELH_SEL_UDATA, 3, 0);
	set_seg(&sr->es, ELH_SEL_UDATA, 3, 0);
	set_seg(&sr->fs, 0, 3, 0);
	set_seg(&sr->gs, 0, 3, 0);
	sr->fs.base = fs_base;
	sr->gs.base = gs_base;
}

static int kvm_vcpu_init(struct elh_vcpu *cpu, char *err, size_t errlen)
{
	struct kvm_vcpu_state *v = calloc(1, sizeof(*v));
	struct kvm_sregs sr;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[4];
	} msrs;
	struct kvm_xcrs xcrs;

	if (!v)
		return fail(err, errlen, "calloc");
	v->index = __atomic_fetch_add(&K.next_index, 1, __ATOMIC_RELAXED);
	if (v->index >= ELH_KVM_MAX_VCPUS) {
		free(v);
		snprintf(err, errlen, "KVM: more than %d threads", ELH_KVM_MAX_VCPUS);
		return -1;
	}
	v->fd = move_high(cpu->vm, ioctl(K.vm, KVM_CREATE_VCPU, v->index));
	if (v->fd < 0)
		return fail(err, errlen, "KVM_CREATE_VCPU");
	v->run = mmap(NULL, K.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		return fail(err, errlen, "mmap of kvm_run");
	if (ioctl(v->fd, KVM_SET_CPUID2, K.cpuid) < 0)
		return fail(err, errlen, "KVM_SET_CPUID2");
	v->stack_top = elh_kvm_build_slice(K.sys, K.sys_gpa, v->index);

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return fail(err, errlen, "KVM_GET_SREGS");
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE |
		 (cpu->vm->fsgsbase ? CR4_FSGSBASE : 0);
	sr.cr3 = K.cr3;
	sr.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	user_segments(&sr, cpu->regs.fs_base, cpu->regs.gs_base);
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = ELH_SEL_TSS;
	sr.tr.base = elh_kvm_tss(K.sys_gpa, v->index);
	sr.tr.limit = ELH_KVM_TSS_LIMIT;
	sr.tr.type = 11; /* busy 64-bit TSS */
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.unusable = 1;
	sr.gdt.base = elh_kvm_gdt(K.sys_gpa, v->index);
	sr.gdt.limit = ELH_KVM_GDT_LIMIT;
	sr.idt.base = K.sys_gpa + ELH_KVM_IDT;
	sr.idt.limit = 32 * 16 - 1;
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return fail(err, errlen, "KVM_SET_SREGS");

	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 4;
	msrs.e[0].index = MSR_STAR;
	msrs.e[0].data = ((uint64_t)(ELH_SEL_KDATA | 3) << 48) | ((uint64_t)ELH_SEL_KCODE << 32);
	msrs.e[1].index = MSR_LSTAR;
	msrs.e[1].data = K.sys_gpa + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL;
	msrs.e[2].index = MSR_SFMASK;
	msrs.e[2].data = 0x47700; /* TF, IF, DF, IOPL, NT, AC: as Linux */
	msrs.e[3].index = MSR_KERNEL_GS_BASE;
	msrs.e[3].data = 0;
	if (ioctl(v->fd, KVM_SET_MSRS, &msrs) != 4)
		return fail(err, errlen, "KVM_SET_MSRS");

	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = K.xcr0;
	if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0)
		return fail(err, errlen, "KVM_SET_XCRS");

	cpu->fd = v->fd;
	cpu->plat = v;
	this_vcpu = v;
	this_cpu = cpu;
	return 0;
}

static void kvm_vcpu_fini(struct elh_vcpu *cpu)
{
	struct kvm_vcpu_state *v = cpu->plat;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	this_vcpu = NULL;
	munmap(v->run, K.run_size);
	close(v->fd);
	free(v);
	cpu->plat = NULL;
}

static void to_kvm_regs(const struct elh_regs *r, struct kvm_regs *k)
{
	*k = (struct kvm_regs){
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rsp = r->rsp, .rbp = r->rbp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip,
		.rflags = (r->rflags & ELH_RFLAGS_USER) | ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1,
	};
}

static void from_kvm_regs(struct elh_regs *r, const struct kvm_regs *k)
{
	r->rax = k->rax; r->rbx = k->rbx; r->rcx = k->rcx; r->rdx = k->rdx;
	r->rsi = k->rsi; r->rdi = k->rdi; r->rsp = k->rsp; r->rbp = k->rbp;
	r->r8 = k->r8; r->r9 = k->r9; r->r10 = k->r10; r->r11 = k->r11;
	r->r12 = k->r12; r->r13 = k->r13; r->r14 = k->r14; r->r15 = k->r15;
	r->rip = k->rip;
	r->rflags = k->rflags;
}

static void fatal(struct elh_vcpu *cpu, const char *what, unsigned long long detail)
{
	fprintf(cpu->vm->trace_out, "elh: KVM: %s (%#llx) at guest rip %#llx\n", what, detail,
		(unsigned long long)cpu->regs.rip);
	elh_die_by_signal(cpu->vm, SIGSEGV);
}

static void exception(struct elh_vcpu *cpu, struct kvm_vcpu_state *v, unsigned vec,
		      struct elh_exit *exit)
{
	uint64_t frame[6];
	int has_err = elh_vector_has_error(vec);
	uint64_t at = v->stack_top - (has_err ? 48 : 40);
	uint8_t *host = K.sys + (at - K.sys_gpa);
	siginfo_t *si = &exit->info;
	struct kvm_sregs sr;

	uint64_t error = 0;

	memcpy(frame, host, has_err ? 48 : 40);
	if (has_err) {
		error = frame[0];
		memmove(frame, frame + 1, 40);
	}
	cpu->regs.rip = frame[0];
	cpu->regs.rflags = frame[2];
	cpu->regs.rsp = frame[3];
	memset(si, 0, sizeof(*si));
	exit->reason = ELH_EXIT_FAULT;
	switch (vec) {
	case 0: si->si_signo = SIGFPE; si->si_code = FPE_INTDIV; si->si_addr = (void *)frame[0]; break;
	case 1: si->si_signo = SIGTRAP; si->si_code = TRAP_TRACE; break;
	case 3: si->si_signo = SIGTRAP; si->si_code = SI_KERNEL; break;
	case 6: si->si_signo = SIGILL; si->si_code = ILL_ILLOPN; si->si_addr = (void *)frame[0]; break;
	case 14:
		ioctl(v->fd, KVM_GET_SREGS, &sr);
		si->si_signo = SIGSEGV;
		si->si_code = (error & 1) ? SEGV_ACCERR : SEGV_MAPERR;
		si->si_addr = (void *)(uintptr_t)sr.cr2;
		break;
	case 16:
	case 19: si->si_signo = SIGFPE; si->si_code = 0; si->si_addr = (void *)frame[0]; break;
	case 17: si->si_signo = SIGBUS; si->si_code = BUS_ADRALN; break;
	default: si->si_signo = SIGSEGV; si->si_code = SI_KERNEL; break;
	}
}

static void kvm_run_vcpu(struct elh_vcpu *cpu, struct elh_exit *exit)
{
	struct kvm_vcpu_state *v = cpu->plat;
	struct kvm_regs kr;
	struct kvm_sregs sr;
	struct kvm_xsave xs;

	/* Back to CPL 3 with the monitor's view of the registers. */
	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		fatal(cpu, "KVM_GET_SREGS failed", errno);
	user_segments(&sr, cpu->regs.fs_base, cpu->regs.gs_base);
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		fatal(cpu, "KVM_SET_SREGS failed", errno);
	to_kvm_regs(&cpu->regs, &kr);
	if (ioctl(v->fd, KVM_SET_REGS, &kr) < 0)
		fatal(cpu, "KVM_SET_REGS failed", errno);
	memcpy(xs.region, cpu->fpu.area, sizeof(xs.region));
	if (ioctl(v->fd, KVM_SET_XSAVE, &xs) < 0)
		fatal(cpu, "KVM_SET_XSAVE failed", errno);

	for (;;) {
		int r = ioctl(v->fd, KVM_RUN, 0);
		int e = errno;

		if (ioctl(v->fd, KVM_GET_REGS, &kr) == 0)
			from_kvm_regs(&cpu->regs, &kr);
		if (ioctl(v->fd, KVM_GET_XSAVE, &xs) == 0)
			memcpy(cpu->fpu.area, xs.region, sizeof(xs.region));
		/* With FSGSBASE the guest moves its own TLS (nptl-elh switches
		 * threads with wrfsbase): what it left is the monitor's view. */
		if (cpu->vm->fsgsbase && ioctl(v->fd, KVM_GET_SREGS, &sr) == 0) {
			cpu->regs.fs_base = sr.fs.base;
			cpu->regs.gs_base = sr.gs.base;
		}
		if (r < 0 && e == EINTR) {
			__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
			exit->reason = ELH_EXIT_INTERRUPT;
			return;
		}
		if (r < 0 && e == EFAULT) {
			/* An arena page the host protects or has not mapped. */
			memset(&exit->info, 0, sizeof(exit->info));
			exit->reason = ELH_EXIT_FAULT;
			exit->info.si_signo = SIGSEGV;
			exit->info.si_code = SEGV_ACCERR;
			if (v->run->exit_reason == KVM_EXIT_MEMORY_FAULT)
				exit->info.si_addr = (void *)(uintptr_t)memory_fault_gpa(v->run);
			return;
		}
		if (r < 0)
			fatal(cpu, "KVM_RUN failed", e);

		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			if (v->run->io.port == ELH_PORT_SYSCALL) {
				/* syscall left the return rip in rcx and rflags in r11. */
				exit->reason = ELH_EXIT_SYSCALL;
				exit->nr = (long)cpu->regs.rax;
				cpu->regs.rip = cpu->regs.rcx;
				cpu->regs.rflags = cpu->regs.r11;
				return;
			}
			if (v->run->io.port >= ELH_PORT_EXCEPTION &&
			    v->run->io.port < ELH_PORT_EXCEPTION + 32) {
				exception(cpu, v, v->run->io.port - ELH_PORT_EXCEPTION, exit);
				return;
			}
			fatal(cpu, "I/O to an unknown port", v->run->io.port);
			break;
		case KVM_EXIT_INTR:
			exit->reason = ELH_EXIT_INTERRUPT;
			return;
		case KVM_EXIT_MEMORY_FAULT:
		case KVM_EXIT_MMIO:
			memset(&exit->info, 0, sizeof(exit->info));
			exit->reason = ELH_EXIT_FAULT;
			exit->info.si_signo = SIGSEGV;
			exit->info.si_code = SEGV_MAPERR;
			exit->info.si_addr = (void *)(uintptr_t)(v->run->exit_reason == KVM_EXIT_MMIO
									 ? v->run->mmio.phys_addr
									 : memory_fault_gpa(v->run));
			return;
		case KVM_EXIT_HLT:
			fatal(cpu, "a ring-0 stub was resumed (hlt)", 0);
			break;
		case KVM_EXIT_SHUTDOWN:
			fatal(cpu, "triple fault", 0);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			fatal(cpu, "VM entry failed",
			      v->run->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			fatal(cpu, "KVM internal error", v->run->internal.suberror);
			break;
		default:
			fatal(cpu, "unexpected exit reason", v->run->exit_reason);
			break;
		}
	}
}

static void kvm_kick(struct elh_vcpu *cpu)
{
	elh_signal_kick_thread(cpu);
}

/* The handler needs nothing per thread: this_cpu stays NULL. */
static int kvm_helper_init(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return 0;
}

static void kvm_helper_fini(void)
{
}

const struct elh_platform elh_platform_kvm = {
	.name = "kvm",
	.init = kvm_init,
	.vcpu_init = kvm_vcpu_init,
	.vcpu_fini = kvm_vcpu_fini,
	.run = kvm_run_vcpu,
	.kick = kvm_kick,
	.helper_init = kvm_helper_init,
	.helper_fini = kvm_helper_fini,
};
