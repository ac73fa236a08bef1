/* Unit tests of loading executables into the arena and of the initial stack. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "loader.h"
#include "memory.h"
#include "vm.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

#define PG 4096ull

#include "arena-fixture.h"

/* Built by main() before the tests run; empty when no compiler is at hand. */
static char tmpdir[64], static_exe[128], pie_exe[128];

/* ---- a hand-made executable, so that most tests need no compiler ---- */

struct handmade {
	int pie;	/* ET_DYN linked at 0 instead of ET_EXEC at 0x400000 */
	int pt_phdr;	/* with a PT_PHDR entry */
	int exec_stack; /* PT_GNU_STACK asks for an executable stack */
	uint64_t bss;	/* p_memsz of the data segment */
	uint64_t vbase; /* link address, if not the default */
	int phoff_out;	/* program headers outside every PT_LOAD's file bytes */
};

/*
 * Three file pages: headers and text (R X), data (RW, 0x100 bytes of 'D'
 * then junk that must not show in the bss), read-only data (R, 0x80 bytes
 * of 'R' then junk, and a zero-filled tail of its own).
 */
#define DATA_OFF 0x1000
#define RO_OFF	 0x2000
#define FILE_LEN 0x3000

static uint64_t data_va(const struct handmade *h)
{
	return h->vbase + 0x1000;
}

static uint64_t ro_va(const struct handmade *h)
{
	return data_va(h) + ((h->bss + PG - 1) & ~(PG - 1)) + PG;
}

static int make_image(struct handmade *h)
{
	static unsigned char file[FILE_LEN + 0x200];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph = (Elf64_Phdr *)(file + sizeof(*eh)), *p = ph;
	char path[] = "/tmp/elh-load-XXXXXX";
	int fd, ro, n;

	if (!h->bss)
		h->bss = 0x3000;
	if (!h->vbase)
		h->vbase = h->pie ? 0 : 0x400000;
	memset(file, 0, sizeof(file));
	for (int i = 0x200; i < 0x1000; i++)
		file[i] = (unsigned char)(i * 7);
	memset(file + DATA_OFF, 0xaa, 0x1000);
	memset(file + DATA_OFF, 'D', 0x100);
	memset(file + RO_OFF, 0xbb, 0x1000);
	memset(file + RO_OFF, 'R', 0x80);

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = h->pie ? ET_DYN : ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = h->vbase + 0x200;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	if (h->pt_phdr)
		*p++ = (Elf64_Phdr){ .p_type = PT_PHDR,
				     .p_flags = PF_R,
				     .p_offset = sizeof(*eh),
				     .p_vaddr = h->vbase + sizeof(*eh),
				     .p_filesz = 5 * sizeof(*ph),
				     .p_memsz = 5 * sizeof(*ph),
				     .p_align = 8 };
	*p++ = (Elf64_Phdr){ .p_type = PT_LOAD,
			     .p_flags = PF_R | PF_X,
			     .p_offset = 0,
			     .p_vaddr = h->vbase,
			     .p_filesz = 0x1000,
			     .p_memsz = 0x1000,
			     .p_align = PG };
	*p++ = (Elf64_Phdr){ .p_type = PT_LOAD,
			     .p_flags = PF_R | PF_W,
			     .p_offset = DATA_OFF,
			     .p_vaddr = data_va(h),
			     .p_filesz = 0x100,
			     .p_memsz = h->bss,
			     .p_align = PG };
	*p++ = (Elf64_Phdr){ .p_type = PT_LOAD,
			     .p_flags = PF_R,
			     .p_offset = RO_OFF,
			     .p_vaddr = ro_va(h),
			     .p_filesz = 0x80,
			     .p_memsz = 0x2000,
			     .p_align = PG };
	*p++ = (Elf64_Phdr){ .p_type = PT_GNU_STACK,
			     .p_flags = PF_R | PF_W | (h->exec_stack ? PF_X : 0) };
	eh->e_phnum = (Elf64_Half)(p - ph);
	n = FILE_LEN;
	if (h->phoff_out) {
		/* A copy of the headers after the last segment's file bytes. */
		memcpy(file + FILE_LEN, ph, (size_t)(p - ph) * sizeof(*ph));
		eh->e_phoff = FILE_LEN;
		n += (int)((size_t)(p - ph) * sizeof(*ph));
	}

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, file, n), n);
	close(fd);
	ro = open(path, O_RDONLY);
	unlink(path);
	ck_assert_int_ge(ro, 0);
	return ro;
}

/* Inspect and load the executable on fd into the fixture's arena. */
static void load_fd(int fd, struct elh_elf_info *info, struct elh_image *img)
{
	char err[256] = "";

	ck_assert_msg(elh_elf_inspect(fd, info, err, sizeof(err)) == 0, "inspect: %s", err);
	ck_assert_msg(elh_load(&vm, fd, info, img, err, sizeof(err)) == 0, "load: %s", err);
}

/* elh_load refuses it; returns the message. */
static const char *refused(int fd, struct elh_vm *v)
{
	static char err[256];
	struct elh_elf_info info;
	struct elh_image img;

	err[0] = 0;
	ck_assert_msg(elh_elf_inspect(fd, &info, err, sizeof(err)) == 0, "inspect: %s", err);
	ck_assert_int_eq(elh_load(v, fd, &info, &img, err, sizeof(err)), -1);
	elh_elf_release(&info);
	ck_assert_str_ne(err, "");
	return err;
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/*
 * What every loaded image must look like: each segment's file bytes at its
 * biased address, zeros from p_filesz to the end of its last page if it has
 * a bss (otherwise the file's next bytes are there, as on Linux), the
 * protections of p_flags (checked by writing), the program headers where
 * AT_PHDR says, the break right after the image.
 */
static void check_image(int fd, const struct elh_elf_info *info, const struct elh_image *img)
{
	Elf64_Phdr *copy = calloc(info->phnum, sizeof(*copy));
	uint64_t hi = 0;

	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		uint64_t va = ph->p_vaddr + img->bias, zend;
		unsigned char *want, *got;
		struct elh_vma v;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		zend = (va + ph->p_memsz + PG - 1) & ~(PG - 1);
		if (zend > hi)
			hi = zend;
		if (ph->p_memsz == ph->p_filesz)
			zend = va + ph->p_filesz;
		want = malloc(zend - va);
		got = malloc(zend - va);
		memset(want, 0, zend - va);
		ck_assert_int_eq(pread(fd, want, ph->p_filesz, (off_t)ph->p_offset),
				 (ssize_t)ph->p_filesz);
		ck_assert_int_eq(elh_guest_read(&vm.arena, got, va, zend - va), 0);
		ck_assert_msg(!memcmp(want, got, zend - va), "segment %u at %#llx differs", i,
			      (unsigned long long)va);
		zend = (va + ph->p_memsz + PG - 1) & ~(PG - 1);
		free(want);
		free(got);

		ck_assert_int_eq(elh_mm_lookup(&vm, va, &v), 0);
		ck_assert_int_eq(v.kind, ELH_VMA_IMAGE);
		ck_assert_int_eq(v.prot, prot_of(ph->p_flags));
		ck_assert_int_eq(elh_mm_lookup(&vm, zend - 1, &v), 0);
		ck_assert_int_eq(v.prot, prot_of(ph->p_flags));
		if (ph->p_flags & PF_W)
			ck_assert_int_eq(elh_guest_write(&vm.arena, zend - 1, "", 1), 0);
		else
			ck_assert_int_eq(elh_guest_write(&vm.arena, va, "", 1), -EFAULT);
	}
	ck_assert_uint_eq(img->hi, hi);
	ck_assert_uint_eq(img->lo, info->lo + img->bias);
	ck_assert_uint_eq(img->brk, hi);
	ck_assert_int_eq(elh_sys_brk(&cpu, (const uint64_t[6]){ 0 }), (long)hi);
	ck_assert_uint_eq(img->entry, info->entry + img->bias);
	ck_assert_uint_eq(img->phnum, info->phnum);
	ck_assert_int_eq(elh_guest_read(&vm.arena, copy, img->phdr, info->phnum * sizeof(*copy)),
			 0);
	ck_assert_int_eq(memcmp(copy, info->phdrs, info->phnum * sizeof(*copy)), 0);
	free(copy);
}

START_TEST(handmade_exec)
{
	struct handmade h = { 0 };
	struct elh_elf_info info;
	struct elh_image img;
	unsigned char buf[16];
	int fd = make_image(&h);

	load_fd(fd, &info, &img);
	check_image(fd, &info, &img);
	ck_assert_uint_eq(img.bias, 0);
	ck_assert_uint_eq(img.entry, 0x400200);
	ck_assert_uint_eq(img.phdr, 0x400000 + sizeof(Elf64_Ehdr));
	ck_assert_int_eq(img.stack_prot, PROT_READ | PROT_WRITE);
	/* The junk after p_filesz in the file's page is not in the bss. */
	ck_assert_int_eq(elh_guest_read(&vm.arena, buf, data_va(&h) + 0x100, 16), 0);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(elh_guest_read(&vm.arena, buf, ro_va(&h) + 0x80, 16), 0);
	ck_assert_int_eq(buf[0], 0);
	/* The gap page between the segments stays unmapped. */
	ck_assert_int_eq(elh_guest_read(&vm.arena, buf, ro_va(&h) - PG, 1), -EFAULT);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

START_TEST(handmade_pie)
{
	struct handmade h = { .pie = 1, .pt_phdr = 1, .exec_stack = 1, .bss = 0x20000 };
	struct elh_elf_info info;
	struct elh_image img;
	int fd = make_image(&h);

	load_fd(fd, &info, &img);
	ck_assert_int_eq(info.kind, ELH_ELF_STATIC_PIE);
	check_image(fd, &info, &img);
	ck_assert_uint_eq(img.bias, ELH_PIE_BASE);
	ck_assert_uint_eq(img.entry, ELH_PIE_BASE + 0x200);
	ck_assert_uint_eq(img.phdr, ELH_PIE_BASE + sizeof(Elf64_Ehdr));
	ck_assert_int_eq(img.stack_prot, PROT_READ | PROT_WRITE | PROT_EXEC);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

/* A 2 MiB p_align moves the PIE's bias to a 2 MiB boundary. */
START_TEST(pie_alignment)
{
	struct handmade h = { .pie = 1 };
	struct elh_elf_info info;
	struct elh_image img;
	char err[256];
	int fd = make_image(&h);

	ck_assert_int_eq(elh_elf_inspect(fd, &info, err, sizeof(err)), 0);
	for (unsigned i = 0; i < info.phnum; i++)
		if (info.phdrs[i].p_type == PT_LOAD)
			info.phdrs[i].p_align = 2u << 20;
	ck_assert_msg(elh_load(&vm, fd, &info, &img, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(img.bias % (2u << 20), 0);
	ck_assert_uint_ge(img.bias, ELH_PIE_BASE);
	for (unsigned i = 0; i < info.phnum; i++)
		if (info.phdrs[i].p_type == PT_LOAD)
			info.phdrs[i].p_align = PG; /* as in the file, for check_image */
	check_image(fd, &info, &img);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

/* ---- the initial stack ---- */

static uint64_t word(uint64_t gva)
{
	uint64_t w;

	ck_assert_int_eq(elh_guest_read(&vm.arena, &w, gva, 8), 0);
	return w;
}

static const char *string_at(uint64_t gva)
{
	static char buf[8][256];
	static int next;
	char *b = buf[next++ % 8];

	ck_assert_int_ge(elh_guest_read_string(&vm.arena, b, 256, gva), 0);
	return b;
}

struct parsed {
	uint64_t rsp;
	long argc;
	const char *argv[8];
	const char *envp[8];
	int envc;
	uint64_t aux[64];
	int have[64];
	int naux;
};

static void parse_stack(uint64_t rsp, struct parsed *p)
{
	uint64_t at = rsp, w;

	memset(p, 0, sizeof(*p));
	p->rsp = rsp;
	p->argc = (long)word(at);
	at += 8;
	ck_assert_int_le(p->argc, 8);
	for (int i = 0; i < p->argc; i++, at += 8)
		p->argv[i] = string_at(word(at));
	ck_assert_uint_eq(word(at), 0);
	for (at += 8; (w = word(at)); at += 8) {
		ck_assert_int_lt(p->envc, 8);
		p->envp[p->envc++] = string_at(w);
	}
	for (at += 8;; at += 16) {
		uint64_t k = word(at);

		ck_assert_uint_lt(k, 64);
		ck_assert_msg(!p->have[k], "auxv entry %llu twice", (unsigned long long)k);
		p->have[k] = 1;
		p->aux[k] = word(at + 8);
		p->naux++;
		if (k == AT_NULL)
			break;
	}
}

START_TEST(stack_layout)
{
	struct handmade h = { 0 };
	struct elh_elf_info info;
	struct elh_image img;
	char *const argv[] = { "prog-name", "alpha", "beta gamma", "", NULL };
	char *const envp[] = { "ELH_A=1", "ELH_B=two words", NULL };
	uint64_t rsp, stack = elh_stack_size(ARENA), zero = 1;
	unsigned char rnd[16], none[16] = { 0 };
	struct parsed p;
	struct elh_vma v;
	char err[256];
	int fd = make_image(&h);

	load_fd(fd, &info, &img);
	ck_assert_msg(elh_build_stack(&vm, &img, 4, argv, envp, "/some/path/prog", &rsp, err,
				      sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(rsp % 16, 0);
	ck_assert(rsp > end - stack && rsp < end);
	ck_assert_int_eq(elh_mm_lookup(&vm, end - 1, &v), 0);
	ck_assert_int_eq(v.kind, ELH_VMA_STACK);
	ck_assert_uint_eq(v.start, end - stack);
	ck_assert_uint_eq(v.end, end);
	ck_assert_int_eq(v.prot, PROT_READ | PROT_WRITE);
	ck_assert_int_eq(elh_guest_write(&vm.arena, end - stack, "", 1), 0);
	ck_assert_int_eq(elh_guest_read(&vm.arena, &zero, end - 8, 8), 0);
	ck_assert_uint_eq(zero, 0);

	parse_stack(rsp, &p);
	ck_assert_int_eq(p.argc, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(p.argv[i], argv[i]);
	ck_assert_int_eq(p.envc, 2);
	ck_assert_str_eq(p.envp[0], envp[0]);
	ck_assert_str_eq(p.envp[1], envp[1]);

	ck_assert(p.have[AT_NULL]);
	ck_assert_uint_eq(p.aux[AT_PHDR], img.phdr);
	ck_assert_uint_eq(p.aux[AT_PHENT], sizeof(Elf64_Phdr));
	ck_assert_uint_eq(p.aux[AT_PHNUM], img.phnum);
	ck_assert_uint_eq(p.aux[AT_PAGESZ], 4096);
	ck_assert(p.have[AT_BASE] && p.aux[AT_BASE] == 0);
	ck_assert(p.have[AT_FLAGS] && p.aux[AT_FLAGS] == 0);
	ck_assert_uint_eq(p.aux[AT_ENTRY], img.entry);
	ck_assert_uint_eq(p.aux[AT_UID], getuid());
	ck_assert_uint_eq(p.aux[AT_EUID], geteuid());
	ck_assert_uint_eq(p.aux[AT_GID], getgid());
	ck_assert_uint_eq(p.aux[AT_EGID], getegid());
	ck_assert(p.have[AT_SECURE] && p.aux[AT_SECURE] == 0);
	ck_assert(p.have[AT_HWCAP] && p.aux[AT_HWCAP] == getauxval(AT_HWCAP));
	/* The host's, but HWCAP2_FSGSBASE (bit 1) is the platform's decision. */
	ck_assert(p.have[AT_HWCAP2] &&
		  p.aux[AT_HWCAP2] == ((getauxval(AT_HWCAP2) & ~2ul) | (vm.fsgsbase ? 2 : 0)));
	ck_assert_uint_eq(p.aux[AT_CLKTCK], (uint64_t)sysconf(_SC_CLK_TCK));
	ck_assert_str_eq(string_at(p.aux[AT_PLATFORM]), "x86_64");
	ck_assert_str_eq(string_at(p.aux[AT_EXECFN]), "/some/path/prog");
	if (getauxval(AT_MINSIGSTKSZ))
		ck_assert_uint_eq(p.aux[AT_MINSIGSTKSZ], getauxval(AT_MINSIGSTKSZ));
	else
		ck_assert(!p.have[AT_MINSIGSTKSZ]);
	/* No vDSO in the guest. */
	ck_assert(!p.have[AT_SYSINFO_EHDR]);
	ck_assert_int_eq(p.naux, 18 + (getauxval(AT_MINSIGSTKSZ) != 0) + 1);

	/* AT_RANDOM: 16 bytes inside the stack, above the tables. */
	ck_assert(p.aux[AT_RANDOM] > rsp && p.aux[AT_RANDOM] + 16 <= end);
	ck_assert_int_eq(elh_guest_read(&vm.arena, rnd, p.aux[AT_RANDOM], 16), 0);
	ck_assert(memcmp(rnd, none, 16));
	/* All strings live in the stack too. */
	ck_assert(p.aux[AT_EXECFN] > rsp && p.aux[AT_EXECFN] < end);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

START_TEST(stack_minimal)
{
	struct handmade h = { .exec_stack = 1 };
	struct elh_elf_info info;
	struct elh_image img;
	struct parsed p;
	struct elh_vma v;
	uint64_t rsp;
	char err[256];
	int fd = make_image(&h);

	load_fd(fd, &info, &img);
	ck_assert_msg(elh_build_stack(&vm, &img, 0, NULL, NULL, NULL, &rsp, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(rsp % 16, 0);
	parse_stack(rsp, &p);
	ck_assert_int_eq(p.argc, 0);
	ck_assert_int_eq(p.envc, 0);
	ck_assert_str_eq(string_at(p.aux[AT_EXECFN]), "");
	ck_assert_int_eq(elh_mm_lookup(&vm, end - 1, &v), 0);
	ck_assert_int_eq(v.prot, PROT_READ | PROT_WRITE | PROT_EXEC);
	/* Only once: the top of the arena is taken now. */
	ck_assert_int_eq(elh_build_stack(&vm, &img, 0, NULL, NULL, NULL, &rsp, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "mapped there already"), "got '%s'", err);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

/* Every possible misalignment of the strings still gives an aligned rsp. */
START_TEST(stack_alignment)
{
	struct handmade h = { 0 };
	struct elh_elf_info info;
	struct elh_image img;
	char arg[40], *argv[] = { arg, NULL };
	struct parsed p;
	uint64_t rsp, size = elh_stack_size(ARENA);
	char err[256];
	int fd = make_image(&h);

	load_fd(fd, &info, &img);
	for (int n = 0; n < 33; n++) {
		memset(arg, 'a', sizeof(arg));
		arg[n] = 0;
		if (n)
			ck_assert_int_eq(elh_mm_munmap(&vm, end - size, size), 0);
		ck_assert_msg(
		    elh_build_stack(&vm, &img, 1, argv, NULL, "x", &rsp, err, sizeof(err)) == 0,
		    "%s", err);
		ck_assert_uint_eq(rsp % 16, 0);
		parse_stack(rsp, &p);
		ck_assert_str_eq(p.argv[0], arg);
	}
	elh_elf_release(&info);
	close(fd);
}
END_TEST

START_TEST(stack_too_big)
{
	struct handmade h = { 0 };
	struct elh_elf_info info;
	struct elh_image img;
	static char big[100 << 10], huge[200 << 10];
	char *envp[64], *argv[] = { "p", huge, NULL };
	uint64_t rsp, n = elh_stack_size(ARENA) / 4 / sizeof(big) + 1;
	struct elh_vma v;
	char err[256];
	int fd = make_image(&h);

	ck_assert_uint_lt(n, 64);
	memset(big, 'e', sizeof(big) - 1);
	memset(huge, 'h', sizeof(huge) - 1);
	for (uint64_t i = 0; i < n; i++)
		envp[i] = big;
	envp[n] = NULL;
	load_fd(fd, &info, &img);
	ck_assert_int_eq(elh_build_stack(&vm, &img, 1, argv, envp, NULL, &rsp, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "E2BIG") && strstr(err, "too long"), "got '%s'", err);
	ck_assert_int_eq(elh_build_stack(&vm, &img, 2, argv, NULL, NULL, &rsp, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "E2BIG"), "got '%s'", err);
	/* Nothing was mapped by the refusals. */
	ck_assert_int_eq(elh_mm_lookup(&vm, end - 1, &v), -ENOENT);
	envp[n - 1] = NULL;
	ck_assert_msg(elh_build_stack(&vm, &img, 1, argv, envp, NULL, &rsp, err, sizeof(err)) == 0,
		      "%s", err);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

/* ---- refusals (each makes its own arena) ---- */

START_TEST(refused_tiny_arena)
{
	struct handmade h = { 0 }, pie = { .pie = 1 }, fat = { .bss = 12u << 20 };
	struct handmade low = { .vbase = 0x1000 };
	struct elh_vm v = { 0 };
	const char *why;
	char err[256];
	int fd;

	ck_assert_msg(elh_mm_init(&v, 1u << 20, err, sizeof(err)) == 0, "%s", err);
	fd = make_image(&h);
	why = refused(fd, &v);
	ck_assert_msg(strstr(why, "does not fit the guest arena"), "got '%s'", why);
	close(fd);
	fd = make_image(&pie);
	why = refused(fd, &v);
	ck_assert_msg(strstr(why, "does not fit"), "got '%s'", why);
	close(fd);
	elh_mm_destroy(&v);

	/* Fits the arena, but not below the room kept for the stack. */
	ck_assert_msg(elh_mm_init(&v, 16u << 20, err, sizeof(err)) == 0, "%s", err);
	fd = make_image(&fat);
	why = refused(fd, &v);
	ck_assert_msg(strstr(why, "kept for the stack"), "got '%s'", why);
	close(fd);
	/* Linked below the arena. */
	fd = make_image(&low);
	why = refused(fd, &v);
	ck_assert_msg(strstr(why, "does not fit"), "got '%s'", why);
	close(fd);
	/* Nothing was left behind. */
	ck_assert_int_eq(elh_guest_read(&v.arena, err, 0x400000, 1), -EFAULT);
	elh_mm_destroy(&v);
}
END_TEST

START_TEST(refused_bad_headers)
{
	struct handmade h = { .phoff_out = 1 };
	struct elh_elf_info info;
	struct elh_vm v = { 0 };
	const char *why;
	char err[256];
	int fd;

	ck_assert_msg(elh_mm_init(&v, ARENA, err, sizeof(err)) == 0, "%s", err);
	/* The C library finds PT_TLS through AT_PHDR: it must point somewhere. */
	fd = make_image(&h);
	why = refused(fd, &v);
	ck_assert_msg(strstr(why, "program headers"), "got '%s'", why);
	close(fd);

	/* Address and offset that disagree modulo the page (p_align 0). */
	h = (struct handmade){ 0 };
	fd = make_image(&h);
	ck_assert_int_eq(elh_elf_inspect(fd, &info, err, sizeof(err)), 0);
	for (unsigned i = 0; i < info.phnum; i++)
		if (info.phdrs[i].p_type == PT_LOAD && info.phdrs[i].p_offset == RO_OFF) {
			info.phdrs[i].p_vaddr += 0x10;
			info.phdrs[i].p_align = 0;
		}
	ck_assert_int_eq(elh_load(&v, fd, &info, &(struct elh_image){ 0 }, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "disagree"), "got '%s'", err);
	elh_elf_release(&info);
	close(fd);
	elh_mm_destroy(&v);
}
END_TEST

START_TEST(inspect_refuses_overlap)
{
	struct handmade h = { 0 };
	struct elh_elf_info info;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[5];
	char path[] = "/tmp/elh-load-XXXXXX", err[256] = "";
	unsigned char file[FILE_LEN];
	int fd = make_image(&h), out;

	/* Make the data segment start inside the text segment. */
	ck_assert_int_eq(pread(fd, file, FILE_LEN, 0), FILE_LEN);
	memcpy(&eh, file, sizeof(eh));
	memcpy(ph, file + eh.e_phoff, eh.e_phnum * sizeof(*ph));
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == DATA_OFF)
			ph[i].p_vaddr = 0x400800, ph[i].p_offset = 0x800;
	memcpy(file + eh.e_phoff, ph, eh.e_phnum * sizeof(*ph));
	out = mkstemp(path);
	ck_assert_int_ge(out, 0);
	unlink(path);
	ck_assert_int_eq(write(out, file, FILE_LEN), FILE_LEN);
	ck_assert_int_eq(elh_elf_inspect(out, &info, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "overlapping"), "got '%s'", err);
	close(out);
	close(fd);
}
END_TEST

/* ---- real programs, built at test time ---- */

static const char program[] =
    "#include <stdio.h>\n"
    "#include <sys/auxv.h>\n"
    "extern char **environ;\n"
    "static char zeros[300000];\n"
    "int data = 0x5eed;\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "\tchar local;\n"
    "\tfor (unsigned i = 0; i < sizeof(zeros); i++)\n"
    "\t\tif (zeros[i])\n"
    "\t\t\treturn 3;\n"
    "\tprintf(\"argc=%d\\n\", argc);\n"
    "\tfor (int i = 0; i < argc; i++)\n"
    "\t\tprintf(\"argv[%d]=%s\\n\", i, argv[i]);\n"
    "\tfor (int i = 0; environ[i]; i++)\n"
    "\t\tprintf(\"env=%s\\n\", environ[i]);\n"
    "\tprintf(\"data=%x\\n\", data);\n"
    "\tprintf(\"phdr=%lx entry=%lx pagesz=%lu execfn=%s platform=%s\\n\",\n"
    "\t       getauxval(AT_PHDR), getauxval(AT_ENTRY), getauxval(AT_PAGESZ),\n"
    "\t       (char *)getauxval(AT_EXECFN), (char *)getauxval(AT_PLATFORM));\n"
    "\tprintf(\"stack=%lx main=%lx\\n\", (unsigned long)&local, (unsigned long)&main);\n"
    "\treturn 0;\n"
    "}\n";

/* Run cc args... -o out src; 0 if it built. */
static int build(const char *cc, const char *mode, const char *out, const char *src)
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		execlp(cc, cc, mode, "-O1", "-o", out, src, (char *)NULL);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void check_compiled(const char *path, int pie)
{
	struct elh_elf_info info;
	struct elh_image img;
	unsigned char want[64], got[64];
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;

	ck_assert_int_ge(fd, 0);
	load_fd(fd, &info, &img);
	ck_assert_int_eq(info.kind, pie ? ELH_ELF_STATIC_PIE : ELH_ELF_STATIC);
	check_image(fd, &info, &img);
	if (pie) {
		ck_assert_uint_ne(img.bias, 0);
		ck_assert_uint_eq(img.bias % PG, 0);
		ck_assert_uint_eq(img.entry, info.entry + img.bias);
	} else {
		ck_assert_uint_eq(img.bias, 0);
		ck_assert_uint_eq(img.entry, info.entry);
	}
	/* The bytes at the entry point are the file's. */
	for (unsigned i = 0; i < info.phnum; i++) {
		const Elf64_Phdr *ph = &info.phdrs[i];

		if (ph->p_type == PT_LOAD && info.entry >= ph->p_vaddr &&
		    info.entry + sizeof(want) <= ph->p_vaddr + ph->p_filesz) {
			off = ph->p_offset + (info.entry - ph->p_vaddr);
			ck_assert(ph->p_flags & PF_X);
		}
	}
	ck_assert_uint_ne(off, 0);
	ck_assert_int_eq(pread(fd, want, sizeof(want), (off_t)off), sizeof(want));
	ck_assert_int_eq(elh_guest_read(&vm.arena, got, img.entry, sizeof(got)), 0);
	ck_assert_int_eq(memcmp(want, got, sizeof(want)), 0);
	ck_assert_int_eq(elh_guest_write(&vm.arena, img.entry, "", 1), -EFAULT);
	elh_elf_release(&info);
	close(fd);
}

START_TEST(compiled_static)
{
	check_compiled(static_exe, 0);
}
END_TEST

START_TEST(compiled_static_pie)
{
	check_compiled(pie_exe, 1);
}
END_TEST

/* Start the loaded program on this host thread: our arena is its memory. */
static __attribute__((noreturn)) void jump(uint64_t rip, uint64_t rsp)
{
	/* The ABI's entry state: rsp at argc, rdx (an atexit function for
	 * dynamically linked programs) zero, rbp zero as a frame marker. */
	__asm__ volatile("mov %%rcx, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "xor %%edx, %%edx\n\t"
			 "jmp *%%rax"
			 :
			 : "a"(rip), "c"(rsp)
			 : "memory");
	__builtin_unreachable();
}

/*
 * The strongest check of load and stack together: the program itself, run
 * natively in a child from the arena with the stack we built, reports what
 * its C library found there (argv, environ, auxv, bss, data).
 */
static void run_compiled(const char *path)
{
	char *const argv[] = { "prog-name", "alpha", "beta gamma", "", NULL };
	char *const envp[] = { "ELH_A=1", "ELH_B=two words", NULL };
	struct elh_elf_info info;
	struct elh_image img;
	char out[4096], want[1024], err[256];
	unsigned long phdr, entry, pagesz, stack, mainp;
	char execfn[64], platform[16];
	int fd = open(path, O_RDONLY), pipefd[2], st;
	uint64_t rsp, size = elh_stack_size(ARENA);
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	char *last;

	ck_assert_int_ge(fd, 0);
	load_fd(fd, &info, &img);
	close(fd);
	ck_assert_msg(elh_build_stack(&vm, &img, 4, argv, envp, "/some/path/prog", &rsp, err,
				      sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(pipe(pipefd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		alarm(20);
		jump(img.entry, rsp);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x, output:\n%s", st, out);

	snprintf(want, sizeof(want),
		 "argc=4\nargv[0]=prog-name\nargv[1]=alpha\nargv[2]=beta gamma\nargv[3]=\n"
		 "env=ELH_A=1\nenv=ELH_B=two words\ndata=5eed\n");
	ck_assert_msg(!strncmp(out, want, strlen(want)), "output:\n%s", out);
	last = out + strlen(want);
	ck_assert_int_eq(
	    sscanf(last,
		   "phdr=%lx entry=%lx pagesz=%lu execfn=%63s platform=%15s\nstack=%lx main=%lx",
		   &phdr, &entry, &pagesz, execfn, platform, &stack, &mainp),
	    7);
	ck_assert_uint_eq(phdr, img.phdr);
	ck_assert_uint_eq(entry, img.entry);
	ck_assert_uint_eq(pagesz, 4096);
	ck_assert_str_eq(execfn, "/some/path/prog");
	ck_assert_str_eq(platform, "x86_64");
	ck_assert(stack >= end - size && stack < rsp);
	ck_assert(mainp >= img.lo && mainp < img.hi);
	elh_elf_release(&info);
}

START_TEST(runs_static)
{
	run_compiled(static_exe);
}
END_TEST

START_TEST(runs_static_pie)
{
	run_compiled(pie_exe);
}
END_TEST

static void cleanup(void)
{
	char path[128];

	if (!tmpdir[0])
		return;
	unlink(static_exe);
	unlink(pie_exe);
	snprintf(path, sizeof(path), "%s/prog.c", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

/* Build the test programs; returns a reason for what could not be built. */
static const char *prepare_programs(void)
{
	const char *elh_cc = getenv("ELH_MUSL_GCC"), *musl_cc = getenv("MUSL_GCC");
	char src[128];
	FILE *f;

	strcpy(tmpdir, "/tmp/elh-loader-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = 0;
		return "cannot make a temporary directory";
	}
	snprintf(src, sizeof(src), "%s/prog.c", tmpdir);
	f = fopen(src, "w");
	if (!f || fputs(program, f) < 0 || fclose(f))
		return "cannot write the test program";
	snprintf(static_exe, sizeof(static_exe), "%s/static", tmpdir);
	snprintf(pie_exe, sizeof(pie_exe), "%s/static-pie", tmpdir);

	if (elh_cc && *elh_cc) {
		if (build(elh_cc, "-static", static_exe, src))
			static_exe[0] = 0;
		/* Debian's stock musl has no rcrt1.o: only elh-musl makes static PIEs. */
		if (build(elh_cc, "-static-pie", pie_exe, src))
			pie_exe[0] = 0;
		if (!static_exe[0] || !pie_exe[0])
			return "$ELH_MUSL_GCC failed to build the test program";
		return NULL;
	}
	pie_exe[0] = 0;
	if (musl_cc && *musl_cc && !build(musl_cc, "-static", static_exe, src))
		return "$ELH_MUSL_GCC is not set (run through make check): no static PIE to test";
	static_exe[0] = 0;
	return "neither $ELH_MUSL_GCC nor $MUSL_GCC is set (run through make check): no compiled "
	       "programs to test";
}

int main(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("load"), *tr = tcase_create("refusals");
	const char *skipped;

	skipped = prepare_programs();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, handmade_exec);
	tcase_add_test(tc, handmade_pie);
	tcase_add_test(tc, pie_alignment);
	tcase_add_test(tc, stack_layout);
	tcase_add_test(tc, stack_minimal);
	tcase_add_test(tc, stack_alignment);
	tcase_add_test(tc, stack_too_big);
	tcase_add_test(tc, inspect_refuses_overlap);
	if (static_exe[0]) {
		tcase_add_test(tc, compiled_static);
		tcase_add_test(tc, runs_static);
	}
	if (pie_exe[0]) {
		tcase_add_test(tc, compiled_static_pie);
		tcase_add_test(tc, runs_static_pie);
	}
	tcase_add_test(tr, refused_tiny_arena);
	tcase_add_test(tr, refused_bad_headers);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tr);
	if (elh_unit_run(s)) {
		cleanup();
		return 1;
	}
	cleanup();
	if (skipped) {
		printf("************************************************************\n"
		       "*** SKIP: %s\n"
		       "************************************************************\n",
		       skipped);
		return 77;
	}
	return 0;
}
