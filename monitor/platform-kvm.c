/*
 * The KVM platform: the guest at CPL 3 in a VM of its own.
 *
 * Design note.  Guest memory is two KVM memory slots: the arena, at a
 * guest-physical address equal to its host-virtual address, and a small
 * system area above it (page tables, IDT, stubs, one GDT + TSS + ring-0
 * stack per vCPU; arch/x86_64/kvmguest.h).  Page tables map both 1:1, so
 * guest-virtual == guest-physical == host-virtual.
 *
 * The guest enters the monitor through one-instruction stubs (`out` to a
 * port that names the event); the monitor reads the registers, handles the
 * event and returns the vCPU to CPL 3 by writing its registers and segment
 * state.  Where `syscall` stays at CPL 3 (PVM), a system call arrives as a
 * #GP at the syscall stub; a probe at start-up tells which entry this host
 * has (kvmguest.h).  A guest access to an arena page the host has
 * protected makes KVM_RUN fail with EFAULT (or KVM_EXIT_MEMORY_FAULT):
 * that is SIGSEGV too.
 *
 * vCPUs are kept for reuse when their thread ends: KVM cannot destroy one,
 * and each holds an fd of the monitor's.  So a program may start threads
 * without end, and as many at once as KVM and the monitor's fds allow.
 * A forked monitor makes a VM of its own over its copy of the arena.
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
#include <cpuid.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"
#include "allowlist.h"
#include "exitless.h"
#include "fault.h"
#include "guestmem.h"
#include "icall.h"
#include "insn.h"
#include "kvmguest.h"
#include "pagetable.h"
#include "platform.h"
#include "process.h"
#include "signal.h"
#include "vm.h"

#define MSR_EFER	   0xc0000080
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_CSTAR	   0xc0000083
#define MSR_SFMASK	   0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC	   0x10

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define CR0_PE	       (1u << 0)
#define CR0_MP	       (1u << 1)
#define CR0_ET	       (1u << 4)
#define CR0_NE	       (1u << 5)
#define CR0_WP	       (1u << 16)
#define CR0_PG	       (1u << 31)
#define CR4_PAE	       (1u << 5)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP       (1u << 11)
#define CR4_FSGSBASE   (1u << 16)
#define CR4_OSXSAVE    (1u << 18)

/* Linux 6.8; Debian bookworm's headers predate it. */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
/* Linux 5.16. */
#ifndef KVM_VCPU_TSC_CTRL
#define KVM_VCPU_TSC_CTRL   0
#define KVM_VCPU_TSC_OFFSET 0
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
	int sregs_synced;   /* run->s.regs.sregs holds its segment state */
	uint64_t io_rip;    /* the `out` of the last I/O exit, which KVM completes next run */
	struct kvm_vcpu_state *next_free;
};

/* Exits counted for --stats, by cause: the same on every KVM. */
enum {
	EXIT_SYSCALL,			   /* the syscall stub (either entry) */
	EXIT_VECTOR,			   /* + vector: an exception at CPL 3, 32 of them */
	EXIT_INTERRUPT = EXIT_VECTOR + 32, /* a host signal ended KVM_RUN */
	EXIT_MEMORY,			   /* an access the host mapping refused (EFAULT, MMIO) */
	EXIT_NCAUSES
};

static struct {
	int kvm, vm;
	uint8_t *sys;
	uint64_t sys_gpa;
	size_t sys_size;
	size_t run_size;
	uint64_t cr3;
	uint64_t arena_base, arena_size;
	struct kvm_cpuid2 *cpuid;
	uint64_t xcr0; /* the host's, less what KVM cannot give a guest */
	enum elh_kvm_entry entry;
	int fsgsbase;	    /* CR4.FSGSBASE is set in every vCPU */
	int umip;	    /* CR4.UMIP is set: sgdt & co trap, the monitor spoofs them */
	int fsgsbase_kvm;   /* KVM_GET_SUPPORTED_CPUID reported it */
	int tsc_host;	    /* every vCPU's TSC reads the host's */
	int sync_regs;	    /* registers through kvm_run (KVM_CAP_SYNC_REGS) */
	uint32_t exit_ns;   /* a trap into the monitor and back (probe_entry) */
	unsigned max_vcpus; /* KVM's limit and ours */

	pthread_mutex_t lock;			       /* the fields below */
	struct kvm_vcpu_state *all[ELH_KVM_MAX_VCPUS]; /* by index; NULL if its set-up failed */
	unsigned nvcpus;			       /* ids KVM has given out */
	struct kvm_vcpu_state *free;		       /* kept for reuse */

	uint64_t exits[EXIT_NCAUSES]; /* atomic */
} K = { .kvm = -1, .vm = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static __thread struct kvm_vcpu_state *this_vcpu;
static __thread struct elh_vcpu *this_cpu;

static void on_host_signal(int sig, siginfo_t *info, void *uc)
{
	if (sig == SIGSYS)
		elh_allowlist_violation(info); /* returns if it is not the allowlist's */
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

static void count_exit(unsigned cause)
{
	__atomic_fetch_add(&K.exits[cause], 1, __ATOMIC_RELAXED);
}

/* The VM and its two memory slots, over the arena and system area that
 * K describes (a forked monitor calls this again for its own VM). */
static int create_vm(struct elh_vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region slot;

	K.vm = move_high(vm, ioctl(K.kvm, KVM_CREATE_VM, 0));
	if (K.vm < 0)
		return fail(err, errlen, "KVM_CREATE_VM");
	memset(&slot, 0, sizeof(slot));
	if (K.arena_size) {
		slot.slot = 0;
		slot.guest_phys_addr = K.arena_base;
		slot.memory_size = K.arena_size;
		slot.userspace_addr = K.arena_base;
		if (ioctl(K.vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION (arena)");
	}
	slot.slot = 1;
	slot.guest_phys_addr = K.sys_gpa;
	slot.memory_size = K.sys_size;
	slot.userspace_addr = (uintptr_t)K.sys;
	if (ioctl(K.vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION (system area)");
	return 0;
}

/* The system area: page tables, IDT, stubs, slices.  Only the stub page is
 * user-accessible, read and execute (PVM fetches the syscall stub at
 * CPL 3). */
static int build_system_area(char *err, size_t errlen)
{
	struct elh_pt_builder pt;
	uint64_t arena_end = K.arena_base + K.arena_size;
	size_t tables = elh_pt_budget(K.arena_size) + elh_pt_budget(ELH_KVM_TABLES);

	K.sys_size = (ELH_KVM_TABLES + tables + 0xfff) & ~(size_t)0xfff;
	/* On the next GiB boundary above the arena. */
	K.sys_gpa = (arena_end + (1ull << 30) - 1) & ~((1ull << 30) - 1);
	if (!K.sys_gpa)
		K.sys_gpa = 1ull << 32;
	K.sys = mmap(NULL, K.sys_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (K.sys == MAP_FAILED)
		return fail(err, errlen, "mmap of the system area");
	if (elh_pt_init(&pt, K.sys + ELH_KVM_TABLES, K.sys_gpa + ELH_KVM_TABLES, tables) ||
	    (K.arena_size &&
	     elh_pt_map_identity(&pt, K.arena_base, K.arena_size, ELH_PTE_W | ELH_PTE_U)) ||
	    elh_pt_map_identity(&pt, K.sys_gpa + ELH_KVM_IDT, ELH_KVM_STUBS - ELH_KVM_IDT,
				ELH_PTE_W | ELH_PTE_NX) ||
	    elh_pt_map_identity(&pt, K.sys_gpa + ELH_KVM_STUBS, 4096, ELH_PTE_U) ||
	    elh_pt_map_identity(&pt, K.sys_gpa + ELH_KVM_SLICES, ELH_KVM_TABLES - ELH_KVM_SLICES,
				ELH_PTE_W | ELH_PTE_NX)) {
		snprintf(err, errlen, "KVM: cannot build the guest page tables");
		return -1;
	}
	K.cr3 = pt.cr3;
	elh_kvm_build_idt(K.sys, K.sys_gpa);
	return 0;
}

static int get_cpuid(char *err, size_t errlen)
{
	unsigned lo, hi, a, b, c, d;

	K.cpuid = calloc(1, sizeof(*K.cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	if (!K.cpuid)
		return fail(err, errlen, "calloc");
	K.cpuid->nent = 256;
	if (ioctl(K.kvm, KVM_GET_SUPPORTED_CPUID, K.cpuid) < 0)
		return fail(err, errlen, "KVM_GET_SUPPORTED_CPUID");
	/* FSGSBASE (CPUID.(7,0):EBX bit 0): nptl-elh switches threads with
	 * wrfsbase at CPL 3, without an exit, when CR4 enables it.  PVM
	 * supports it but does not report it: the host CPU's bit decides,
	 * and the first vCPU's trial of CR4 confirms it (create_vcpu). */
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		b = c = 0;
	K.fsgsbase = elh_kvm_fsgsbase_usable(b, 1);
	/* UMIP (CPUID.(7,0):ECX bit 2): sgdt, sidt, sldt, str and smsw at
	 * CPL 3 would tell the program where the system area is; with
	 * CR4.UMIP they raise #GP, and the monitor answers as Linux does. */
	K.umip = (c >> 2) & 1;
	/* XCR0: the host's state components (those the monitor saves in
	 * signal frames) that KVM supports, CPUID.(0xd,0):EDX:EAX. */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	K.xcr0 = ((uint64_t)hi << 32) | lo;
	for (uint32_t i = 0; i < K.cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &K.cpuid->entries[i];

		if (e->function == 7 && e->index == 0) {
			K.fsgsbase_kvm = e->ebx & 1;
			if (K.fsgsbase)
				e->ebx |= 1;
			if (K.umip)
				e->ecx |= 1u << 2;
		}
		if (e->function == 0xd && e->index == 0)
			K.xcr0 &= ((uint64_t)e->edx << 32) | e->eax;
	}
	return 0;
}

/* What the guest's CR4 adds to the fixed bits: the features in use. */
static uint64_t cr4_features(void)
{
	return (K.fsgsbase ? CR4_FSGSBASE : 0) | (K.umip ? CR4_UMIP : 0);
}

/* Drop the features KVM refused from the guest's CPUID too. */
static void cpuid_features(void)
{
	for (uint32_t i = 0; i < K.cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &K.cpuid->entries[i];

		if (e->function == 7 && e->index == 0) {
			e->ebx = K.fsgsbase ? e->ebx : e->ebx & ~1u;
			e->ecx = K.umip ? e->ecx : e->ecx & ~(1u << 2);
		}
	}
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

static int set_sregs(struct kvm_vcpu_state *v, uint64_t features)
{
	struct kvm_sregs sr;

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE | features;
	sr.cr3 = K.cr3;
	sr.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	user_segments(&sr, 0, 0);
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
		return -1;
	if (!features)
		return 0;
	/* A KVM that cannot give a feature may take its bit and drop it. */
	return ioctl(v->fd, KVM_GET_SREGS, &sr) == 0 && (sr.cr4 & features) == features ? 0 : -1;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Does v's TSC read the host's?  Its IA32_TSC must fall between two host
 * readings taken around the ioctl. */
static int tsc_is_host(struct kvm_vcpu_state *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m;

	for (int i = 0; i < 3; i++) {
		uint64_t before, after;

		memset(&m, 0, sizeof(m));
		m.hdr.nmsrs = 1;
		m.e.index = MSR_IA32_TSC;
		before = rdtsc_ordered();
		if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
			return 0;
		after = rdtsc_ordered();
		if (m.e.data >= before && m.e.data <= after)
			return 1;
	}
	return 0;
}

/* Make v's TSC the host's: it is on PVM; elsewhere KVM gives each VM an
 * offset of its own, which Linux 5.16 and later let the monitor set to 0. */
static int align_tsc(struct kvm_vcpu_state *v)
{
	uint64_t zero = 0;
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uintptr_t)&zero,
	};

	if (tsc_is_host(v))
		return 1;
	return ioctl(v->fd, KVM_SET_DEVICE_ATTR, &attr) == 0 && tsc_is_host(v);
}

/* A new vCPU, set up to run at CPL 3: K.lock held. */
static struct kvm_vcpu_state *create_vcpu(struct elh_vm *vm, char *err, size_t errlen)
{
	struct kvm_vcpu_state *v;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[4];
	} msrs;
	struct kvm_xcrs xcrs;

	if (K.nvcpus >= K.max_vcpus) {
		errno = EAGAIN;
		snprintf(err, errlen, "KVM: more than %u threads at once (KVM's limit)",
			 K.max_vcpus);
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		fail(err, errlen, "calloc");
		return NULL;
	}
	v->index = K.nvcpus;
	v->fd = ioctl(K.vm, KVM_CREATE_VCPU, v->index);
	if (v->fd >= 0)
		K.nvcpus++; /* the id is KVM's now, whatever fails below */
	v->fd = move_high(vm, v->fd);
	if (v->fd < 0) {
		if (errno == EMFILE) {
			struct rlimit rl = { 0, 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			snprintf(err, errlen,
				 "KVM: KVM_CREATE_VCPU: the monitor is out of fds for vCPUs "
				 "(RLIMIT_NOFILE hard limit %llu, the guest's fds below %d)",
				 (unsigned long long)rl.rlim_max, vm->guest_fd_limit);
		} else {
			fail(err, errlen, "KVM_CREATE_VCPU");
		}
		free(v);
		errno = EAGAIN;
		return NULL;
	}
	v->run = mmap(NULL, K.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		fail(err, errlen, "mmap of kvm_run");
		goto undo;
	}
	/* The parent's vCPUs mean nothing in a forked monitor. */
	madvise(v->run, K.run_size, MADV_DONTFORK);
	if (K.sync_regs)
		v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if (ioctl(v->fd, KVM_SET_CPUID2, K.cpuid) < 0) {
		fail(err, errlen, "KVM_SET_CPUID2");
		goto undo;
	}
	v->stack_top = elh_kvm_build_slice(K.sys, K.sys_gpa, v->index);
	/* The first vCPU tries the features: what KVM refuses, the guest
	 * goes without, UMIP first (KVM takes a new CPUID until the vCPU
	 * first runs).  Later vCPUs get what the first one got. */
	while (set_sregs(v, cr4_features()) < 0) {
		if (v->index || !cr4_features()) {
			fail(err, errlen, "KVM_SET_SREGS");
			goto undo;
		}
		if (K.umip)
			K.umip = 0;
		else
			K.fsgsbase = 0;
		cpuid_features();
		if (ioctl(v->fd, KVM_SET_CPUID2, K.cpuid) < 0) {
			fail(err, errlen, "KVM_SET_CPUID2");
			goto undo;
		}
	}

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
	if (ioctl(v->fd, KVM_SET_MSRS, &msrs) != 4) {
		fail(err, errlen, "KVM_SET_MSRS");
		goto undo;
	}

	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = K.xcr0;
	if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0) {
		fail(err, errlen, "KVM_SET_XCRS");
		goto undo;
	}
	if (!align_tsc(v) && K.tsc_host) {
		/* The guest's clock map is the host's TSC: not on this vCPU. */
		K.tsc_host = 0;
		elh_clock_disable();
	}
	K.all[v->index] = v;
	return v;

undo:
	if (v->run != MAP_FAILED && v->run)
		munmap(v->run, K.run_size);
	close(v->fd);
	free(v);
	errno = EAGAIN;
	return NULL;
}

static void kvm_fatal(struct elh_vcpu *cpu, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* elh's own failure, not the program's: one line, status 125. */
static void kvm_fatal(struct elh_vcpu *cpu, const char *fmt, ...)
{
	FILE *out = cpu->vm->trace_out ? cpu->vm->trace_out : stderr;
	va_list ap;

	flockfile(out);
	fputs("elh: KVM: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, " (guest rip %#llx)\n", (unsigned long long)cpu->regs.rip);
	funlockfile(out);
	elh_process_ending(cpu->vm);
	fflush(out);
	_exit(125);
}

static void to_kvm_regs(const struct elh_regs *r, struct kvm_regs *k)
{
	*k = (struct kvm_regs){
		.rax = r->rax,
		.rbx = r->rbx,
		.rcx = r->rcx,
		.rdx = r->rdx,
		.rsi = r->rsi,
		.rdi = r->rdi,
		.rsp = r->rsp,
		.rbp = r->rbp,
		.r8 = r->r8,
		.r9 = r->r9,
		.r10 = r->r10,
		.r11 = r->r11,
		.r12 = r->r12,
		.r13 = r->r13,
		.r14 = r->r14,
		.r15 = r->r15,
		.rip = r->rip,
		.rflags = (r->rflags & ELH_RFLAGS_USER) | ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1,
	};
}

static void from_kvm_regs(struct elh_regs *r, const struct kvm_regs *k)
{
	r->rax = k->rax;
	r->rbx = k->rbx;
	r->rcx = k->rcx;
	r->rdx = k->rdx;
	r->rsi = k->rsi;
	r->rdi = k->rdi;
	r->rsp = k->rsp;
	r->rbp = k->rbp;
	r->r8 = k->r8;
	r->r9 = k->r9;
	r->r10 = k->r10;
	r->r11 = k->r11;
	r->r12 = k->r12;
	r->r13 = k->r13;
	r->r14 = k->r14;
	r->r15 = k->r15;
	r->rip = k->rip;
	r->rflags = k->rflags;
}

/* The frame exception vector vec pushed on v's ring-0 stack. */
static void read_frame(const struct kvm_vcpu_state *v, unsigned vec, struct elh_kvm_frame *f)
{
	int has_err = elh_vector_has_error(vec);
	uint64_t w[6] = { 0 };

	memcpy(has_err ? w : w + 1, K.sys + (v->stack_top - (has_err ? 48 : 40) - K.sys_gpa),
	       has_err ? 48 : 40);
	*f = (struct elh_kvm_frame){ w[0], w[1], w[2], w[3], w[4], w[5] };
}

static void segv(struct elh_exit *exit, int code, uint64_t addr)
{
	memset(&exit->info, 0, sizeof(exit->info));
	exit->reason = ELH_EXIT_FAULT;
	exit->info.si_signo = SIGSEGV;
	exit->info.si_code = code;
	exit->info.si_addr = (void *)(uintptr_t)addr;
}

/*
 * A #GP at CPL 3 under CR4.UMIP: if it is sgdt, sidt, sldt, str or smsw,
 * answer as Linux does for them (its UMIP emulation: a GDT and an IDT at
 * fixed kernel addresses with limit 0, no LDT, the TSS selector 0x40, and
 * CR0 as Linux sets it) and step over it.  1 if it was one of them (exit
 * then says what the guest sees), 0 if not.
 */
static int umip_spoof(struct elh_vcpu *cpu, struct elh_exit *exit)
{
	static const uint64_t gdt_base = 0xfffffffffffe0000ull, idt_base = 0xffffffffffff0000ull;
	struct elh_vm *vm = cpu->vm;
	uint8_t code[ELH_INSN_MAX], val[10] = { 0 };
	size_t len = sizeof(code);
	struct elh_umip u;
	uint64_t word = 0;

	while (len && elh_guest_read(&vm->arena, code, cpu->regs.rip, len) < 0)
		len--;
	elh_insn_umip(code, len, &cpu->regs, &u);
	switch (u.insn) {
	case ELH_UMIP_NONE: return 0;
	case ELH_UMIP_SGDT: memcpy(val + 2, &gdt_base, 8); break;
	case ELH_UMIP_SIDT: memcpy(val + 2, &idt_base, 8); break;
	case ELH_UMIP_SLDT: word = 0; break;
	case ELH_UMIP_STR: word = 0x40; break;
	case ELH_UMIP_SMSW: word = 0x80050033; break; /* PE MP ET NE WP AM PG */
	}
	if (u.insn == ELH_UMIP_SLDT || u.insn == ELH_UMIP_STR || u.insn == ELH_UMIP_SMSW)
		memcpy(val, &word, 2);
	if (u.to_memory && elh_guest_write(&vm->arena, u.addr, val, u.size) < 0) {
		/* Where and why the store faults, as for any other. */
		exit->reason = ELH_EXIT_FAULT;
		elh_fault_explain(vm, &cpu->regs, &exit->info, u.addr);
		return 1;
	}
	if (!u.to_memory) {
		uint64_t *reg = (uint64_t *)((char *)&cpu->regs + u.reg_offset);

		/* A 32-bit destination clears the upper half; a 16-bit one
		 * keeps it. */
		*reg = u.size == 2 ? (*reg & ~0xffffull) | (word & 0xffff) : word;
	}
	cpu->regs.rip += u.len;
	exit->reason = ELH_EXIT_INTERRUPT; /* nothing for the monitor to do */
	return 1;
}

/* An exception reached the stubs: a system call (PVM), the program's own
 * fault, or elh's failure. */
static void exception(struct elh_vcpu *cpu, struct kvm_vcpu_state *v, unsigned vec,
		      struct elh_exit *exit)
{
	siginfo_t *si = &exit->info;
	struct elh_kvm_frame f;
	struct kvm_sregs sr;
	uint64_t cr2 = 0;

	read_frame(v, vec, &f);
	if (vec == 14 && K.sync_regs) {
		cr2 = v->run->s.regs.sregs.cr2;
	} else if (vec == 14) {
		if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
			kvm_fatal(cpu, "KVM_GET_SREGS failed: %s", strerror(errno));
		cr2 = sr.cr2;
	}
	switch (elh_kvm_decode(K.sys_gpa, K.entry, vec, &f, cpu->regs.rcx)) {
	case ELH_KVM_EV_SYSCALL:
		count_exit(EXIT_SYSCALL);
		exit->reason = ELH_EXIT_SYSCALL;
		exit->nr = (long)cpu->regs.rax;
		cpu->regs.rip = cpu->regs.rcx;
		cpu->regs.rflags = cpu->regs.r11;
		cpu->regs.rsp = f.rsp;
		return;
	case ELH_KVM_EV_MONITOR_FAULT:
		cpu->regs.rip = f.rip;
		kvm_fatal(cpu,
			  "exception %u at CPL 0, in the system area (error %#llx, address %#llx)",
			  vec, (unsigned long long)f.error, (unsigned long long)cr2);
	case ELH_KVM_EV_SYSTEM_JUMP:
		count_exit(EXIT_VECTOR + vec);
		cpu->regs.rip = f.rip;
		cpu->regs.rflags = f.rflags;
		cpu->regs.rsp = f.rsp;
		/* As Linux for a jump to an unmapped address. */
		segv(exit, SEGV_MAPERR, f.rip);
		return;
	case ELH_KVM_EV_FAULT: break;
	}
	count_exit(EXIT_VECTOR + vec);
	cpu->regs.rip = f.rip;
	cpu->regs.rflags = f.rflags;
	cpu->regs.rsp = f.rsp;
	if (vec == 13 && K.umip && umip_spoof(cpu, exit))
		return;
	memset(si, 0, sizeof(*si));
	exit->reason = ELH_EXIT_FAULT;
	switch (vec) {
	case 0:
		si->si_signo = SIGFPE;
		si->si_code = FPE_INTDIV;
		si->si_addr = (void *)f.rip;
		break;
	case 1:
		si->si_signo = SIGTRAP;
		si->si_code = TRAP_TRACE;
		break;
	case 3:
		si->si_signo = SIGTRAP;
		si->si_code = SI_KERNEL;
		break;
	case 6:
		si->si_signo = SIGILL;
		si->si_code = ILL_ILLOPN;
		si->si_addr = (void *)f.rip;
		break;
	case 14:
		/* The system area is no memory of the program's. */
		segv(exit,
		     (f.error & 1) && !elh_kvm_in_system(K.sys_gpa, cr2) ? SEGV_ACCERR
									 : SEGV_MAPERR,
		     cr2);
		break;
	case 16:
	case 19:
		si->si_signo = SIGFPE;
		si->si_code = 0;
		si->si_addr = (void *)f.rip;
		break;
	case 17:
		si->si_signo = SIGBUS;
		si->si_code = BUS_ADRALN;
		break;
	default:
		si->si_signo = SIGSEGV;
		si->si_code = SI_KERNEL;
		break;
	}
}

/* One KVM_RUN and the registers after it; -1 with errno if it failed. */
static int run_once(struct elh_vcpu *cpu, struct kvm_vcpu_state *v)
{
	struct kvm_sync_regs *sync = &v->run->s.regs;
	struct kvm_regs kr;
	struct kvm_sregs sr;
	int r = ioctl(v->fd, KVM_RUN, 0);
	int e = errno;

	/* The FPU state stays in the vCPU (elh_vcpu_fpu_sync). */
	cpu->fpu_stale = 1;
	if (K.sync_regs) {
		from_kvm_regs(&cpu->regs, &sync->regs);
		v->sregs_synced = 1;
	} else if (ioctl(v->fd, KVM_GET_REGS, &kr) == 0) {
		from_kvm_regs(&cpu->regs, &kr);
	}
	/* With FSGSBASE the guest moves its own TLS (nptl-elh switches
	 * threads with wrfsbase): what it left is the monitor's view. */
	if (K.fsgsbase && K.sync_regs) {
		cpu->regs.fs_base = sync->sregs.fs.base;
		cpu->regs.gs_base = sync->sregs.gs.base;
	} else if (K.fsgsbase && ioctl(v->fd, KVM_GET_SREGS, &sr) == 0) {
		cpu->regs.fs_base = sr.fs.base;
		cpu->regs.gs_base = sr.gs.base;
	}
	errno = e;
	return r;
}

/*
 * KVM completes an I/O exit's `out` at the start of the next KVM_RUN by
 * stepping over it, unless rip has moved since (complete_fast_pio_out).
 * Where the program's rip goes back to that very stub (a sigreturn onto
 * it), the vCPU would resume 2 bytes past it, not where the program said.
 * One KVM_RUN that returns at once takes that step first; host signals wait
 * meanwhile, so that the immediate_exit of one is not taken for ours.
 */
static void complete_io(struct elh_vcpu *cpu, struct kvm_vcpu_state *v)
{
	sigset_t all, old;
	int r, e;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
	r = ioctl(v->fd, KVM_RUN, 0);
	e = errno;
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == 0 || e != EINTR)
		kvm_fatal(cpu, "completing an I/O exit: KVM_RUN %s",
			  r == 0 ? "entered the guest" : strerror(e));
}

/* Load cpu's registers, CPL 3 segments and, if the monitor changed it,
 * FPU state into v: through kvm_run's synchronized registers where KVM
 * has them (no ioctl: on PVM each costs about as much as a system call
 * made by trapping), else one ioctl each. */
static void load_vcpu(struct elh_vcpu *cpu, struct kvm_vcpu_state *v)
{
	struct kvm_sync_regs *sync = &v->run->s.regs;
	struct kvm_regs kr;
	struct kvm_sregs sr;
	struct kvm_xsave xs;

	if (v->io_rip && cpu->regs.rip == v->io_rip)
		complete_io(cpu, v);
	v->io_rip = 0;
	if (K.sync_regs && !v->sregs_synced) {
		/* Not run yet: kvm_run holds no segment state to start from. */
		if (ioctl(v->fd, KVM_GET_SREGS, &sync->sregs) < 0)
			kvm_fatal(cpu, "KVM_GET_SREGS failed: %s", strerror(errno));
		v->sregs_synced = 1;
	}
	if (K.sync_regs) {
		user_segments(&sync->sregs, cpu->regs.fs_base, cpu->regs.gs_base);
		to_kvm_regs(&cpu->regs, &sync->regs);
		v->run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	} else {
		if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
			kvm_fatal(cpu, "KVM_GET_SREGS failed: %s", strerror(errno));
		user_segments(&sr, cpu->regs.fs_base, cpu->regs.gs_base);
		if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
			kvm_fatal(cpu, "KVM_SET_SREGS failed: %s", strerror(errno));
		to_kvm_regs(&cpu->regs, &kr);
		if (ioctl(v->fd, KVM_SET_REGS, &kr) < 0)
			kvm_fatal(cpu, "KVM_SET_REGS failed: %s", strerror(errno));
	}
	if (cpu->fpu_dirty) {
		memcpy(xs.region, cpu->fpu.area, sizeof(xs.region));
		if (ioctl(v->fd, KVM_SET_XSAVE, &xs) < 0)
			kvm_fatal(cpu, "KVM_SET_XSAVE failed: %s", strerror(errno));
		cpu->fpu_dirty = 0;
	}
}

static void kvm_fpu_fetch(struct elh_vcpu *cpu)
{
	struct kvm_vcpu_state *v = cpu->plat;
	struct kvm_xsave xs;

	if (ioctl(v->fd, KVM_GET_XSAVE, &xs) < 0)
		kvm_fatal(cpu, "KVM_GET_XSAVE failed: %s", strerror(errno));
	memcpy(cpu->fpu.area, xs.region, sizeof(xs.region));
}

/* The event a stub's `out` to port names: 0, or -1 if no stub uses it. */
static int stub_event(struct elh_vcpu *cpu, struct kvm_vcpu_state *v, unsigned port,
		      struct elh_exit *exit)
{
	if (port == ELH_PORT_SYSCALL) {
		/* syscall left the return rip in rcx and rflags in r11. */
		count_exit(EXIT_SYSCALL);
		exit->reason = ELH_EXIT_SYSCALL;
		exit->nr = (long)cpu->regs.rax;
		cpu->regs.rip = cpu->regs.rcx;
		cpu->regs.rflags = cpu->regs.r11;
		return 0;
	}
	if (port >= ELH_PORT_EXCEPTION && port < ELH_PORT_EXCEPTION + 32) {
		exception(cpu, v, port - ELH_PORT_EXCEPTION, exit);
		return 0;
	}
	return -1;
}

/*
 * A host signal ended KVM_RUN.  If the vCPU stopped at a stub in ring 0,
 * the event that brought it there is complete but for the stub's `out`
 * (elh_kvm_stub_port): it is that event.  Resumed as it is, the vCPU would
 * go back to CPL 3 with rip at the stub and die of the program's SIGSEGV.
 */
static void interrupted(struct elh_vcpu *cpu, struct kvm_vcpu_state *v, struct elh_exit *exit)
{
	struct kvm_sregs sr;
	uint16_t cs;
	unsigned port;

	exit->reason = ELH_EXIT_INTERRUPT;
	if (!elh_kvm_in_system(K.sys_gpa, cpu->regs.rip)) {
		count_exit(EXIT_INTERRUPT);
		return;
	}
	if (K.sync_regs) {
		cs = v->run->s.regs.sregs.cs.selector;
	} else {
		if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
			kvm_fatal(cpu, "KVM_GET_SREGS failed: %s", strerror(errno));
		cs = sr.cs.selector;
	}
	/* Counted as that event: the one exit it would have taken. */
	port = elh_kvm_stub_port(K.sys_gpa, cpu->regs.rip, cs);
	if (port) {
		stub_event(cpu, v, port, exit);
		return;
	}
	if (!(cs & 3))
		kvm_fatal(cpu, "stopped at CPL 0 outside a stub's entry");
	count_exit(EXIT_INTERRUPT);
}

static void kvm_run_vcpu(struct elh_vcpu *cpu, struct elh_exit *exit)
{
	struct kvm_vcpu_state *v = cpu->plat;

	/* Back to CPL 3 with the monitor's view of the registers. */
	load_vcpu(cpu, v);
	for (;;) {
		int r = run_once(cpu, v);
		int e = errno;

		if (r < 0 && e == EINTR) {
			__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
			interrupted(cpu, v, exit);
			return;
		}
		if (r < 0 && e == EFAULT) {
			/* An arena page the host protects or has not mapped. */
			count_exit(EXIT_MEMORY);
			exit->reason = ELH_EXIT_FAULT;
			elh_fault_explain(cpu->vm, &cpu->regs, &exit->info,
					  v->run->exit_reason == KVM_EXIT_MEMORY_FAULT
					      ? memory_fault_gpa(v->run)
					      : 0);
			return;
		}
		if (r < 0)
			kvm_fatal(cpu, "KVM_RUN failed: %s", strerror(e));

		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			v->io_rip = cpu->regs.rip;
			if (stub_event(cpu, v, v->run->io.port, exit) < 0)
				kvm_fatal(cpu, "I/O exit to port %#x, which no stub uses",
					  v->run->io.port);
			return;
		case KVM_EXIT_INTR: interrupted(cpu, v, exit); return;
		case KVM_EXIT_MEMORY_FAULT:
		case KVM_EXIT_MMIO:
			count_exit(EXIT_MEMORY);
			segv(exit, SEGV_MAPERR,
			     v->run->exit_reason == KVM_EXIT_MMIO ? v->run->mmio.phys_addr
								  : memory_fault_gpa(v->run));
			return;
		case KVM_EXIT_HLT: kvm_fatal(cpu, "a stub was resumed past its end (hlt exit)");
		case KVM_EXIT_SHUTDOWN: kvm_fatal(cpu, "triple fault (shutdown exit)");
		case KVM_EXIT_FAIL_ENTRY:
			kvm_fatal(
			    cpu, "VM entry failed (reason %#llx)",
			    (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			kvm_fatal(cpu, "internal error (suberror %u)", v->run->internal.suberror);
		default: kvm_fatal(cpu, "unexpected exit reason %u", v->run->exit_reason);
		}
	}
}

/*
 * Which entry this host has: run `syscall` at CPL 3 on v (the first vCPU,
 * not yet used) and see how it reaches the syscall stub.
 */
static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* How `syscall` at CPL 3 reached the stubs in the run that just ended:
 * 0 and K.entry, or -1. */
static int probe_result(struct kvm_vcpu_state *v)
{
	unsigned port = v->run->exit_reason == KVM_EXIT_IO ? v->run->io.port : 0;
	struct elh_kvm_frame f;

	if (port == ELH_PORT_SYSCALL) {
		K.entry = ELH_KVM_ENTRY_RING0;
		return 0;
	}
	if (port == ELH_PORT_EXCEPTION + 13) {
		read_frame(v, 13, &f);
		if (f.rip == K.sys_gpa + ELH_KVM_STUBS + ELH_KVM_STUB_SYSCALL && (f.cs & 3) == 3) {
			K.entry = ELH_KVM_ENTRY_RING3;
			return 0;
		}
	}
	return -1;
}

#define PROBE_RUNS 5

/*
 * Which entry this host has: run `syscall` at CPL 3 on v (the first vCPU,
 * not yet used) and see how it reaches the syscall stub.  The fastest of
 * PROBE_RUNS such runs is what a trap into the monitor costs here
 * (K.exit_ns): the guest's spin budgets follow from it.
 */
static int probe_entry(struct kvm_vcpu_state *v, char *err, size_t errlen)
{
	struct kvm_regs kr = {
		.rip = K.sys_gpa + ELH_KVM_STUBS + ELH_KVM_STUB_PROBE,
		.rflags = ELH_RFLAGS_IF | ELH_RFLAGS_RESERVED1,
	};
	struct kvm_sregs sr;
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < PROBE_RUNS; i++) {
		uint64_t t;

		if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
			return fail(err, errlen, "KVM_GET_SREGS (entry probe)");
		user_segments(&sr, 0, 0);
		if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0 || ioctl(v->fd, KVM_SET_REGS, &kr) < 0)
			return fail(err, errlen, "setting up the entry probe");
		t = now_ns();
		if (ioctl(v->fd, KVM_RUN, 0) < 0)
			return fail(err, errlen, "KVM_RUN (entry probe)");
		t = now_ns() - t;
		if (t < best)
			best = t;
		if (probe_result(v) < 0) {
			snprintf(err, errlen,
				 "KVM: `syscall` at CPL 3 reached neither entry this monitor knows "
				 "(exit reason %u)",
				 v->run->exit_reason);
			return -1;
		}
	}
	K.exit_ns = best > UINT32_MAX ? UINT32_MAX : (uint32_t)best;
	/* The program must find no `syscall` in the system area: from now
	 * on a jump to the probe stops at hlt, like one anywhere else. */
	memset(K.sys + ELH_KVM_STUBS + ELH_KVM_STUB_PROBE, 0xf4, 2);
	return 0;
}

/* Everything but the host signal handler: for `elh run` and check-kvm. */
static int kvm_setup(struct elh_vm *vm, char *err, size_t errlen)
{
	struct kvm_vcpu_state *v;
	int n;

	K.kvm = elh_kvm_open(err, errlen);
	if (K.kvm < 0)
		return -1;
	K.kvm = move_high(vm, K.kvm);
	if (K.kvm < 0)
		return fail(err, errlen, "moving the /dev/kvm fd above the guest's");
	n = ioctl(K.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
	K.run_size = (size_t)n;
	n = ioctl(K.kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	K.max_vcpus = n > 0 && n < ELH_KVM_MAX_VCPUS ? (unsigned)n : ELH_KVM_MAX_VCPUS;
	n = ioctl(K.kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	K.sync_regs = n > 0 && (n & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
				   (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	K.arena_base = vm->arena.base;
	K.arena_size = vm->arena.size;
	if (build_system_area(err, errlen) < 0 || create_vm(vm, err, errlen) < 0 ||
	    get_cpuid(err, errlen) < 0)
		return -1;

	K.tsc_host = 1;
	pthread_mutex_lock(&K.lock);
	v = create_vcpu(vm, err, errlen);
	pthread_mutex_unlock(&K.lock);
	if (!v)
		return -1;
	K.tsc_host = tsc_is_host(v);
	if (probe_entry(v, err, errlen) < 0)
		return -1;
	/* The first thread takes it. */
	K.free = v;
	vm->fsgsbase = K.fsgsbase;
	vm->tsc_host = K.tsc_host;
	vm->exit_ns = K.exit_ns;
	return 0;
}

static int kvm_init(struct elh_vm *vm, char *err, size_t errlen)
{
	if (kvm_setup(vm, err, errlen) < 0)
		return -1;
	if (elh_signal_catch_host(on_host_signal, 0, err, errlen) < 0)
		return -1;
	return 0;
}

/* The monitor's calls confined to the allowlist (allowlist.c), unless the
 * monitor that executed this one for the guest's execve had it. */
static int kvm_confine(struct elh_vm *vm, char *err, size_t errlen)
{
	if (vm->confined) {
		elh_allowlist_report_to(elh_systab, elh_nsyscalls, fileno(vm->trace_out));
		return 0;
	}
	if (elh_allowlist_install(elh_systab, elh_nsyscalls, fileno(vm->trace_out), err, errlen) <
	    0)
		return -1;
	vm->confined = 1;
	return 0;
}

static int kvm_vcpu_init(struct elh_vcpu *cpu, char *err, size_t errlen)
{
	struct kvm_vcpu_state *v;

	pthread_mutex_lock(&K.lock);
	v = K.free;
	if (v)
		K.free = v->next_free;
	else
		v = create_vcpu(cpu->vm, err, errlen);
	pthread_mutex_unlock(&K.lock);
	if (!v)
		return -1;
	v->next_free = NULL;
	cpu->plat = v;
	this_vcpu = v;
	this_cpu = cpu;
	return 0;
}

/* Kept for the next thread: its registers are all set before it runs. */
static void kvm_vcpu_fini(struct elh_vcpu *cpu)
{
	struct kvm_vcpu_state *v = cpu->plat;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	this_vcpu = NULL;
	cpu->plat = NULL;
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&K.lock);
	v->next_free = K.free;
	K.free = v;
	pthread_mutex_unlock(&K.lock);
}

/*
 * In a forked monitor, on cpu's thread: the parent's VM belongs to the
 * parent's address space, so the child makes one of its own over its copy
 * of the arena and system area, with one vCPU for cpu.
 */
static void kvm_fork_child(struct elh_vcpu *cpu)
{
	struct elh_vm *vm = cpu->vm;
	char err[256];

	pthread_mutex_init(&K.lock, NULL);
	for (unsigned i = 0; i < K.nvcpus; i++) {
		if (!K.all[i])
			continue;    /* its set-up failed */
		close(K.all[i]->fd); /* kvm_run is not mapped here (MADV_DONTFORK) */
		free(K.all[i]);
		K.all[i] = NULL;
	}
	K.nvcpus = 0;
	K.free = NULL;
	this_vcpu = NULL;
	close(K.vm);
	memset(K.exits, 0, sizeof(K.exits));
	/* A new vCPU: it starts from the FPU state the parent left in cpu. */
	cpu->fpu_stale = 0;
	cpu->fpu_dirty = 1;
	if (create_vm(vm, err, sizeof(err)) < 0 || kvm_vcpu_init(cpu, err, sizeof(err)) < 0) {
		fprintf(vm->trace_out, "elh: a forked process cannot make its VM: %s\n", err);
		fflush(vm->trace_out);
		_exit(125);
	}
}

static void kvm_stats_print(FILE *out)
{
	static const char *const names[32] = {
		[0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [6] = "#UD",	[7] = "#NM",
		[13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [19] = "#XM",
	};
	uint64_t total = 0, n;

	for (unsigned i = 0; i < EXIT_NCAUSES; i++)
		total += __atomic_load_n(&K.exits[i], __ATOMIC_RELAXED);
	fprintf(out, "kvm exits: %llu; syscall %llu", (unsigned long long)total,
		(unsigned long long)__atomic_load_n(&K.exits[EXIT_SYSCALL], __ATOMIC_RELAXED));
	for (unsigned vec = 0; vec < 32; vec++) {
		n = __atomic_load_n(&K.exits[EXIT_VECTOR + vec], __ATOMIC_RELAXED);
		if (!n)
			continue;
		if (names[vec])
			fprintf(out, ", %s %llu", names[vec], (unsigned long long)n);
		else
			fprintf(out, ", vector %u %llu", vec, (unsigned long long)n);
	}
	fprintf(out, ", interrupted %llu, memory %llu\n",
		(unsigned long long)__atomic_load_n(&K.exits[EXIT_INTERRUPT], __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&K.exits[EXIT_MEMORY], __ATOMIC_RELAXED));
}

static int have_module(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* The flavour of KVM, as far as the monitor can tell: the entry probe
 * tells PVM's from the others, the loaded module names them. */
static const char *flavour(void)
{
	if (K.entry == ELH_KVM_ENTRY_RING3)
		return have_module("kvm_pvm") ? "PVM (kvm_pvm)"
					      : "unknown (syscall stays at CPL 3, as on PVM)";
	if (have_module("kvm_intel"))
		return "VT-x (kvm_intel)";
	if (have_module("kvm_amd"))
		return "SVM (kvm_amd)";
	return "unknown (syscall enters CPL 0, as on VT-x and SVM)";
}

int elh_kvm_describe(FILE *out, char *err, size_t errlen)
{
	static struct elh_vm probe_vm; /* no arena: the probe runs in the stub page */

	probe_vm.guest_fd_limit = 0;
	if (kvm_setup(&probe_vm, err, errlen) < 0)
		return -1;
	fprintf(out, "elh: KVM usable\n");
	fprintf(out, "flavour: %s\n", flavour());
	fprintf(out, "entry: %s\n",
		K.entry == ELH_KVM_ENTRY_RING3
		    ? "syscall stays at CPL 3; the stub's #GP enters the monitor: one exit per "
		      "trapped call"
		    : "syscall enters CPL 0 at the stub: one exit per trapped call");
	fprintf(out, "fsgsbase: %s; KVM's CPUID %s it\n",
		K.fsgsbase ? "on: threads switch TLS in the guest, without an exit"
			   : "off (the host CPU lacks it or KVM refused CR4.FSGSBASE): each TLS "
			     "switch is a call",
		K.fsgsbase_kvm ? "reports" : "does not report");
	fprintf(
	    out, "umip: %s\n",
	    K.umip
		? "on: sgdt, sidt, sldt, str and smsw answer as on Linux, not with the system area"
		: "off (the host CPU lacks it or KVM refused CR4.UMIP): sgdt and sidt show the "
		  "system area");
	fprintf(out, "exit: %.1f us for a trap into the monitor and back (the fastest of %d)\n",
		K.exit_ns / 1000.0, PROBE_RUNS);
	fprintf(out, "clock: %s\n",
		K.tsc_host ? "the guest's TSC is the host's: clock_gettime is answered in the guest"
			   : "the guest's TSC is not the host's: clock_gettime is a call");
	fprintf(out, "vcpus: at most %u at once\n", K.max_vcpus);
	return 0;
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
	.fork_child = kvm_fork_child,
	.stats_print = kvm_stats_print,
	.fpu_fetch = kvm_fpu_fetch,
	.confine = kvm_confine,
};
