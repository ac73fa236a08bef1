/* Checks that a file is an x86-64 executable elh can run, loads it and its interpreter, builds its
 * stack. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elh-abi.h"
#include "errors.h"
#include "memory.h"
#include "vm.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

#define PAGE_SIZE 4096ull

static int read_exact(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n == (ssize_t)len ? 0 : -1;
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_386: return "i386";
	case EM_ARM: return "32-bit ARM";
	case EM_AARCH64: return "AArch64";
	case EM_RISCV: return "RISC-V";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "s390";
	default: return NULL;
	}
}

static int check_segments(struct elh_elf_info *info, const struct stat *st, char *err,
			  size_t errlen)
{
	uint64_t lo = UINT64_MAX, hi = 0, prev_end = 0;
	int nload = 0;

	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		uint64_t end;

		if (ph->p_type == PT_INTERP) {
			if (ph->p_filesz < 2 || ph->p_filesz > PATH_MAX ||
			    __builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
			    end > (uint64_t)st->st_size)
				return elh_refuse(err, errlen, "has a malformed PT_INTERP");
			continue;
		}
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz ||
		    __builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
		    end > (uint64_t)st->st_size)
			return elh_refuse(err, errlen,
					  "has a PT_LOAD segment that lies outside the file");
		if (ph->p_align > 1 && (ph->p_vaddr - ph->p_offset) % PAGE_SIZE)
			return elh_refuse(err, errlen,
					  "has a PT_LOAD segment whose address and offset disagree "
					  "modulo the page size");
		if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) || end > (1ull << 47))
			return elh_refuse(
			    err, errlen,
			    "has a PT_LOAD segment beyond the 47-bit user address space");
		/* The ELF spec wants PT_LOADs sorted; overlapping ones would
		 * silently replace each other's bytes. */
		if (nload && ph->p_vaddr < prev_end)
			return elh_refuse(err, errlen,
					  "has overlapping or unsorted PT_LOAD segments");
		prev_end = end;
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (end > hi)
			hi = end;
		nload++;
	}
	if (!nload)
		return elh_refuse(err, errlen, "has no loadable segment");
	info->lo = lo & ~(PAGE_SIZE - 1);
	info->hi = (hi + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (info->entry < lo || info->entry >= hi)
		return elh_refuse(err, errlen, "has its entry point outside its loadable segments");
	return 0;
}

/* PT_INTERP's path, checked by check_segments to lie inside the file. */
static int read_interp(int fd, struct elh_elf_info *info, char *err, size_t errlen)
{
	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type != PT_INTERP)
			continue;
		free(info->interp);
		info->interp = malloc(ph->p_filesz + 1);
		if (!info->interp)
			return elh_refuse(err, errlen, "cannot be loaded: out of memory");
		if (read_exact(fd, info->interp, ph->p_filesz, (off_t)ph->p_offset))
			return elh_refuse(err, errlen, "is a truncated ELF file (PT_INTERP)");
		info->interp[ph->p_filesz] = 0;
		if (strlen(info->interp) != ph->p_filesz - 1 || !info->interp[0])
			return elh_refuse(err, errlen, "has a malformed PT_INTERP");
	}
	return 0;
}

int elh_setid_ignored;

/*
 * A set-user-ID or set-group-ID program expects the kernel to change its
 * credentials as it starts; elh, an ordinary process, cannot, and running
 * it without them would make it act on the wrong account.  One whose
 * owner is already the caller loses nothing.
 */
static int check_setid(const struct stat *st, char *err, size_t errlen)
{
	/* Linux ignores the bits under no_new_privs: so may elh. */
	if (elh_setid_ignored)
		return 0;
	if ((st->st_mode & S_ISUID) && st->st_uid != geteuid())
		return elh_refuse(err, errlen,
				  "is set-user-ID (to uid %u); elh cannot give a program other "
				  "credentials than its own",
				  (unsigned)st->st_uid);
	if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != getegid())
		return elh_refuse(err, errlen,
				  "is set-group-ID (to gid %u); elh cannot give a program other "
				  "credentials than its own",
				  (unsigned)st->st_gid);
	return 0;
}

int elh_elf_inspect(int fd, struct elh_elf_info *info, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	struct stat st;
	const char *m;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) < 0)
		return elh_refuse(err, errlen, "cannot be examined: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return elh_refuse(err, errlen, "is not a regular file");
	if ((size_t)st.st_size < EI_NIDENT || read_exact(fd, eh.e_ident, EI_NIDENT, 0) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return elh_refuse(err, errlen, "is not an ELF executable");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return elh_refuse(err, errlen,
				  "is a 32-bit ELF file; elh runs x86-64 executables only");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return elh_refuse(err, errlen,
				  "is a big-endian ELF file; elh runs x86-64 executables only");
	if (read_exact(fd, &eh, sizeof(eh), 0))
		return elh_refuse(err, errlen, "is a truncated ELF file");
	if (eh.e_machine != EM_X86_64) {
		m = machine_name(eh.e_machine);
		if (m)
			return elh_refuse(err, errlen,
					  "is an ELF file for %s; elh runs x86-64 executables only",
					  m);
		return elh_refuse(err, errlen,
				  "is an ELF file for machine %u; elh runs x86-64 executables only",
				  eh.e_machine);
	}
	if (eh.e_type == ET_REL)
		return elh_refuse(err, errlen, "is a relocatable object (.o), not an executable");
	if (eh.e_type == ET_CORE)
		return elh_refuse(err, errlen, "is a core dump, not an executable");
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return elh_refuse(err, errlen, "is not an executable (ELF type %u)", eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum == PN_XNUM)
		return elh_refuse(err, errlen, "has no usable program headers");

	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	info->phdrs = calloc(eh.e_phnum, sizeof(Elf64_Phdr));
	if (!info->phdrs)
		return elh_refuse(err, errlen, "cannot be loaded: out of memory");
	if (read_exact(fd, info->phdrs, eh.e_phnum * sizeof(Elf64_Phdr), (off_t)eh.e_phoff)) {
		elh_elf_release(info);
		return elh_refuse(err, errlen, "is a truncated ELF file (program headers)");
	}
	if (eh.e_type == ET_DYN && eh.e_entry == 0) {
		elh_elf_release(info);
		return elh_refuse(err, errlen, "is a shared library, not an executable");
	}
	if (check_segments(info, &st, err, errlen) < 0) {
		elh_elf_release(info);
		return -1;
	}
	if (read_interp(fd, info, err, errlen) < 0 || check_setid(&st, err, errlen) < 0) {
		elh_elf_release(info);
		return -1;
	}
	info->kind = eh.e_type == ET_EXEC ? ELH_ELF_STATIC : ELH_ELF_STATIC_PIE;
	return 0;
}

void elh_elf_release(struct elh_elf_info *info)
{
	free(info->phdrs);
	free(info->interp);
	info->phdrs = NULL;
	info->interp = NULL;
}

int elh_interp_open(const struct elh_elf_info *prog, struct elh_elf_info *iinfo, char *err,
		    size_t errlen)
{
	char why[256];
	int fd = open(prog->interp, O_RDONLY | O_CLOEXEC);

	memset(iinfo, 0, sizeof(*iinfo));
	if (fd < 0) {
		int e = errno;

		elh_refuse(err, errlen,
			   "is dynamically linked, and its interpreter %s cannot be opened: %s",
			   prog->interp, strerror(e));
		errno = e == ENOENT ? ENOENT : ENOEXEC;
		return -1;
	}
	if (elh_elf_inspect(fd, iinfo, why, sizeof(why)) < 0) {
		elh_refuse(err, errlen, "is dynamically linked, and its interpreter %s %s",
			   prog->interp, why);
	} else if (iinfo->interp || iinfo->kind != ELH_ELF_STATIC_PIE) {
		elh_refuse(err, errlen,
			   "is dynamically linked, and its interpreter %s is not a self-contained "
			   "shared object (ld.so)",
			   prog->interp);
		elh_elf_release(iinfo);
	} else {
		return fd;
	}
	close(fd);
	errno = ENOEXEC;
	return -1;
}

/* ---- loading ---- */

static uint64_t page_down(uint64_t x)
{
	return x & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/*
 * One PT_LOAD, as Linux maps it: the file's pages privately, the rest of the
 * page after p_filesz zeroed, anonymous memory for the rest of p_memsz, then
 * the final protections.  Everything is mapped writable first so that the
 * zeroing works on read-only segments too.  A page shared with the previous
 * segment takes this one's contents and protections, as with Linux.
 */
static int map_segment(struct elh_vm *vm, int fd, const Elf64_Phdr *ph, uint64_t bias, char *err,
		       size_t errlen)
{
	static const char zeros[PAGE_SIZE];
	uint64_t va = ph->p_vaddr + bias, start = page_down(va);
	uint64_t fend = va + ph->p_filesz, mend = page_up(va + ph->p_memsz), fmap_end = start;
	long r;

	if (ph->p_filesz) {
		fmap_end = page_up(fend);
		r = elh_mm_mmap(vm, start, fmap_end - start, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_FIXED, fd, ph->p_offset - (va - start),
				ELH_VMA_IMAGE);
		if (r < 0)
			return elh_refuse(err, errlen, "cannot be mapped at %#llx: %s",
					  (unsigned long long)start, strerror((int)-r));
		if (ph->p_memsz > ph->p_filesz && fend < fmap_end &&
		    elh_guest_write(&vm->arena, fend, zeros, fmap_end - fend))
			return elh_refuse(err, errlen,
					  "cannot be loaded: zeroing the page at %#llx failed",
					  (unsigned long long)page_down(fend));
	}
	if (mend > fmap_end) {
		r = elh_mm_mmap(vm, fmap_end, mend - fmap_end, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, ELH_VMA_IMAGE);
		if (r < 0)
			return elh_refuse(err, errlen,
					  "cannot map its zero-filled memory at %#llx: %s",
					  (unsigned long long)fmap_end, strerror((int)-r));
	}
	r = elh_mm_mprotect(vm, start, mend - start, prot_of(ph->p_flags));
	if (r < 0)
		return elh_refuse(err, errlen, "cannot protect its segment at %#llx: %s",
				  (unsigned long long)start, strerror((int)-r));
	return 0;
}

/* AT_PHDR: PT_PHDR if present, else the PT_LOAD whose file bytes hold them. */
static uint64_t find_phdr(const struct elh_elf_info *info)
{
	uint64_t size = (uint64_t)info->phnum * sizeof(Elf64_Phdr);

	for (unsigned i = 0; i < info->phnum; i++)
		if (info->phdrs[i].p_type == PT_PHDR)
			return info->phdrs[i].p_vaddr;
	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type == PT_LOAD && info->phoff >= ph->p_offset &&
		    info->phoff - ph->p_offset <= ph->p_filesz &&
		    size <= ph->p_filesz - (info->phoff - ph->p_offset))
			return ph->p_vaddr + (info->phoff - ph->p_offset);
	}
	return 0;
}

uint64_t elh_stack_size(uint64_t arena_size)
{
	const uint64_t max = 256ull << 20;
	uint64_t size = 8ull << 20;
	struct rlimit rl;

	if (!getrlimit(RLIMIT_STACK, &rl))
		size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > max ? max : rl.rlim_cur;
	/* A small arena (tests, --arena-size) must still hold mmap and heap. */
	if (size > arena_size / 4)
		size = arena_size / 4;
	if (size < (128u << 10))
		size = 128u << 10;
	return page_down(size);
}

/* The largest power-of-two p_align of the PT_LOADs, at least a page. */
static uint64_t image_align(const struct elh_elf_info *info)
{
	uint64_t align = PAGE_SIZE;

	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_memsz && ph->p_align > align &&
		    !(ph->p_align & (ph->p_align - 1)))
			align = ph->p_align;
	}
	return align;
}

static int map_image(struct elh_vm *vm, int fd, const struct elh_elf_info *info, uint64_t bias,
		     char *err, size_t errlen)
{
	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_memsz &&
		    (ph->p_vaddr - ph->p_offset) % PAGE_SIZE)
			return elh_refuse(err, errlen,
					  "has a PT_LOAD segment whose address and offset disagree "
					  "modulo the page size");
	}
	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_memsz &&
		    map_segment(vm, fd, ph, bias, err, errlen) < 0) {
			elh_mm_munmap(vm, info->lo + bias, info->hi - info->lo);
			return -1;
		}
	}
	return 0;
}

/*
 * The interpreter goes just below the main stack's room (stack and guard),
 * aligned down to its p_align, above the program's image and a heap of
 * ELH_INTERP_HEAP_MIN: the guest's mmap then places below it, top down.
 */
#define ELH_INTERP_HEAP_MIN (64ull << 20)

static int load_interp(struct elh_vm *vm, const struct elh_elf_info *prog, uint64_t limit,
		       uint64_t prog_hi, struct elh_image *img, char *err, size_t errlen)
{
	struct elh_elf_info ii;
	uint64_t align, span, base;
	int fd = elh_interp_open(prog, &ii, err, errlen);

	if (fd < 0)
		return -1;
	align = image_align(&ii);
	span = ii.hi - ii.lo;
	base = limit > span ? (limit - span) & ~(align - 1) : 0;
	if (base < vm->arena.base || base < prog_hi + ELH_INTERP_HEAP_MIN) {
		elh_refuse(err, errlen,
			   "does not fit the guest arena with its interpreter %s (%llu KiB) and a "
			   "heap: choose a larger --arena-size",
			   prog->interp, (unsigned long long)(span >> 10));
		goto fail;
	}
	if (map_image(vm, fd, &ii, base - ii.lo, err, errlen) < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		elh_refuse(err, errlen, "cannot load its interpreter %s: it %s", prog->interp, why);
		goto fail;
	}
	img->base = base - ii.lo;
	img->start = ii.entry + img->base;
	close(fd);
	elh_elf_release(&ii);
	return 0;
fail:
	close(fd);
	elh_elf_release(&ii);
	return -1;
}

int elh_load(struct elh_vm *vm, int fd, const struct elh_elf_info *info, struct elh_image *img,
	     char *err, size_t errlen)
{
	uint64_t align = image_align(info), phdr, lo, hi, stack, limit;
	uint64_t arena_end = vm->arena.base + vm->arena.size;

	memset(img, 0, sizeof(*img));
	img->stack_prot = PROT_READ | PROT_WRITE;
	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];

		if (ph->p_type == PT_GNU_STACK && (ph->p_flags & PF_X))
			img->stack_prot |= PROT_EXEC;
	}
	phdr = find_phdr(info);
	if (!phdr)
		return elh_refuse(err, errlen,
				  "has no program headers in its loadable segments (its C library "
				  "needs them through AT_PHDR)");

	/* Deterministic placement: the same PIE always lands at the same
	 * address, which keeps traces and core dumps comparable. */
	if (info->kind == ELH_ELF_STATIC_PIE)
		img->bias = ((ELH_PIE_BASE + align - 1) & ~(align - 1)) - (info->lo & ~(align - 1));
	lo = info->lo + img->bias;
	hi = info->hi + img->bias;
	stack = elh_stack_size(vm->arena.size) + ELH_STACK_GUARD;
	limit = vm->arena.size > stack ? arena_end - stack : vm->arena.base;
	if (lo < vm->arena.base || hi > limit || hi < lo)
		return elh_refuse(
		    err, errlen,
		    "does not fit the guest arena: it needs [%#llx, %#llx), the arena is [%#llx, "
		    "%#llx) with its top %llu KiB kept for the stack",
		    (unsigned long long)lo, (unsigned long long)hi,
		    (unsigned long long)vm->arena.base, (unsigned long long)arena_end,
		    (unsigned long long)(stack >> 10));

	if (map_image(vm, fd, info, img->bias, err, errlen) < 0)
		return -1;
	img->entry = info->entry + img->bias;
	img->start = img->entry;
	img->phdr = phdr + img->bias;
	img->phnum = info->phnum;
	img->lo = lo;
	img->hi = hi;
	img->brk = hi;
	if (info->interp && load_interp(vm, info, limit, hi, img, err, errlen) < 0) {
		elh_mm_munmap(vm, lo, hi - lo);
		return -1;
	}
	if (elh_mm_set_brk(vm, hi) < 0) {
		elh_mm_munmap(vm, lo, hi - lo);
		return elh_refuse(err, errlen, "leaves no room for its heap in the guest arena");
	}
	return 0;
}

/* ---- the initial stack ---- */

/* Linux's MAX_ARG_STRLEN: no single argument or variable may be longer. */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define PLATFORM       "x86_64"
#define NAUXV	       23 /* room for this many auxv pairs */

/*
 * The stack, from the top of the arena down:
 *
 *   8 zero bytes               end marker, as Linux leaves it
 *   argv strings, envp strings, execfn
 *   "x86_64"                   AT_PLATFORM
 *   16 random bytes            AT_RANDOM
 *   padding                    so that rsp ends up 16-byte aligned
 *   auxv pairs, AT_NULL last
 *   envp[0..envc-1], NULL
 *   argv[0..argc-1], NULL
 *   argc                       <- rsp
 *
 * It is assembled in a host buffer and written with one checked copy.
 */
int elh_build_stack(struct elh_vm *vm, const struct elh_image *img, int argc, char *const argv[],
		    char *const envp[], const char *execfn, uint64_t *rsp_out, char *err,
		    size_t errlen)
{
	uint64_t size = elh_stack_size(vm->arena.size), top = vm->arena.base + vm->arena.size;
	uint64_t strings = 8 + sizeof(PLATFORM) + 16, words, at, rsp, u_str, u_rand, u_plat, u_exec;
	uint64_t aux[2 * NAUXV], *w;
	unsigned long minsig = getauxval(AT_MINSIGSTKSZ);
	size_t envc = 0, len, naux = 0;
	unsigned char *buf;
	long lo;
	int i, r;

	if (argc < 0)
		return elh_refuse(err, errlen, "cannot build the stack: negative argc");
	if (!execfn)
		execfn = argc > 0 ? argv[0] : "";
	while (envp && envp[envc])
		envc++;
	for (i = 0; i < argc + (int)envc + 1; i++) {
		const char *s = i < argc ? argv[i] : i < argc + (int)envc ? envp[i - argc] : execfn;

		len = strlen(s) + 1;
		if (len > MAX_ARG_STRLEN)
			return elh_refuse(err, errlen,
					  "argument list too long (E2BIG): one string has %zu "
					  "bytes, at most %llu are allowed",
					  len - 1, (unsigned long long)MAX_ARG_STRLEN - 1);
		strings += len;
	}
	words = 1 + (uint64_t)argc + 1 + envc + 1 + 2 * NAUXV;
	/* Linux's limit for exec: a quarter of the stack. */
	if (strings + 8 * words > size / 4)
		return elh_refuse(err, errlen,
				  "argument list and environment too long (E2BIG): %llu bytes, at "
				  "most %llu fit a %llu KiB stack",
				  (unsigned long long)(strings + 8 * words),
				  (unsigned long long)size / 4, (unsigned long long)size >> 10);

	lo = elh_mm_map_stack(vm, size, img->stack_prot);
	if (lo == -EEXIST)
		return elh_refuse(err, errlen,
				  "cannot map the main stack at the top of the guest arena: "
				  "something is mapped there already");
	if (lo < 0)
		return elh_refuse(
		    err, errlen,
		    "cannot map a %llu KiB main stack at the top of the guest arena: %s",
		    (unsigned long long)size >> 10, strerror((int)-lo));

	/* Where everything goes in the guest: the strings first, from the
	 * top down, then the auxiliary vector can be filled in. */
	u_exec = top - 8 - (strlen(execfn) + 1);
	u_str = top - 8 - (strings - 8 - sizeof(PLATFORM) - 16);
	u_plat = u_str - sizeof(PLATFORM);
	u_rand = u_plat - 16;

	/* In the order Linux gives them; no AT_SYSINFO_EHDR: there is no vDSO. */
#define AUX(k, v) (aux[naux++] = (k), aux[naux++] = (uint64_t)(v))
	if (minsig)
		AUX(AT_MINSIGSTKSZ, minsig);
	AUX(AT_HWCAP, getauxval(AT_HWCAP));
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, sysconf(_SC_CLK_TCK));
	AUX(AT_PHDR, img->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_BASE, img->base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry);
	AUX(AT_UID, getuid());
	AUX(AT_EUID, geteuid());
	AUX(AT_GID, getgid());
	AUX(AT_EGID, getegid());
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, u_rand);
	/* HWCAP2_FSGSBASE (bit 1) is the guest's: the platform enabled it. */
	AUX(AT_HWCAP2, (getauxval(AT_HWCAP2) & ~2ul) | (vm->fsgsbase ? 2 : 0));
	AUX(AT_EXECFN, u_exec);
	AUX(AT_PLATFORM, u_plat);
	if (vm->exitless_area)
		AUX(AT_ELH_SHARED, vm->exitless_area);
	else if (vm->mn)
		AUX(AT_ELH_VCPUS, vm->mn); /* M:N with the guest's own pool */
	AUX(AT_NULL, 0);
#undef AUX

	words = 1 + (uint64_t)argc + 1 + envc + 1 + naux;
	rsp = (u_rand - 8 * words) & ~15ull;
	buf = calloc(1, top - rsp);
	if (!buf) {
		elh_mm_munmap(vm, (uint64_t)lo, size);
		return elh_refuse(err, errlen, "cannot build the stack: out of memory");
	}
#define HOST(gva) (buf + ((gva)-rsp))
	w = (uint64_t *)HOST(rsp);
	*w++ = (uint64_t)argc;
	at = u_str;
	for (i = 0; i < argc + (int)envc + 1; i++) {
		const char *s = i < argc ? argv[i] : i < argc + (int)envc ? envp[i - argc] : execfn;

		if (i == argc)
			*w++ = 0; /* end of argv */
		if (i < argc + (int)envc)
			*w++ = at;
		len = strlen(s) + 1;
		memcpy(HOST(at), s, len);
		at += len;
	}
	*w++ = 0; /* end of envp */
	memcpy(w, aux, naux * sizeof(aux[0]));
	memcpy(HOST(u_plat), PLATFORM, sizeof(PLATFORM));
	do {
		r = (int)getrandom(HOST(u_rand), 16, 0);
	} while (r < 0 && errno == EINTR);
#undef HOST
	if (r != 16) {
		free(buf);
		elh_mm_munmap(vm, (uint64_t)lo, size);
		return elh_refuse(err, errlen,
				  "cannot build the stack: no random bytes for AT_RANDOM");
	}

	r = elh_guest_write(&vm->arena, rsp, buf, top - rsp);
	free(buf);
	if (r) {
		elh_mm_munmap(vm, (uint64_t)lo, size);
		return elh_refuse(err, errlen, "cannot write the initial stack into guest memory");
	}
	*rsp_out = rsp;
	return 0;
}
