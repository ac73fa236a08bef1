/* Checks that a file is a static x86-64 executable elh can run. */
#include "loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SIZE 4096ull

static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

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

static int check_segments(struct elh_elf_info *info, const struct stat *st,
			  char *err, size_t errlen)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int nload = 0;

	for (unsigned i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		uint64_t end;

		if (ph->p_type == PT_INTERP)
			return refuse(err, errlen,
				      "is dynamically linked (it asks for an interpreter); elh runs static executables only: relink it with -static or with elh-musl-gcc");
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz ||
		    __builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
		    end > (uint64_t)st->st_size)
			return refuse(err, errlen, "has a PT_LOAD segment that lies outside the file");
		if (ph->p_align > 1 && (ph->p_vaddr - ph->p_offset) % PAGE_SIZE)
			return refuse(err, errlen, "has a PT_LOAD segment whose address and offset disagree modulo the page size");
		if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
		    end > (1ull << 47))
			return refuse(err, errlen, "has a PT_LOAD segment beyond the 47-bit user address space");
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (end > hi)
			hi = end;
		nload++;
	}
	if (!nload)
		return refuse(err, errlen, "has no loadable segment");
	info->lo = lo & ~(PAGE_SIZE - 1);
	info->hi = (hi + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (info->entry < lo || info->entry >= hi)
		return refuse(err, errlen, "has its entry point outside its loadable segments");
	return 0;
}

int elh_elf_inspect(int fd, struct elh_elf_info *info, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	struct stat st;
	const char *m;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) < 0)
		return refuse(err, errlen, "cannot be examined: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(err, errlen, "is not a regular file");
	if ((size_t)st.st_size < EI_NIDENT || read_exact(fd, eh.e_ident, EI_NIDENT, 0) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return refuse(err, errlen, "is not an ELF executable");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return refuse(err, errlen, "is a 32-bit ELF file; elh runs x86-64 executables only");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return refuse(err, errlen, "is a big-endian ELF file; elh runs x86-64 executables only");
	if (read_exact(fd, &eh, sizeof(eh), 0))
		return refuse(err, errlen, "is a truncated ELF file");
	if (eh.e_machine != EM_X86_64) {
		m = machine_name(eh.e_machine);
		if (m)
			return refuse(err, errlen, "is an ELF file for %s; elh runs x86-64 executables only", m);
		return refuse(err, errlen, "is an ELF file for machine %u; elh runs x86-64 executables only",
			      eh.e_machine);
	}
	if (eh.e_type == ET_REL)
		return refuse(err, errlen, "is a relocatable object (.o), not an executable");
	if (eh.e_type == ET_CORE)
		return refuse(err, errlen, "is a core dump, not an executable");
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return refuse(err, errlen, "is not an executable (ELF type %u)", eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum == PN_XNUM)
		return refuse(err, errlen, "has no usable program headers");

	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	info->phdrs = calloc(eh.e_phnum, sizeof(Elf64_Phdr));
	if (!info->phdrs)
		return refuse(err, errlen, "cannot be loaded: out of memory");
	if (read_exact(fd, info->phdrs, eh.e_phnum * sizeof(Elf64_Phdr), (off_t)eh.e_phoff)) {
		elh_elf_release(info);
		return refuse(err, errlen, "is a truncated ELF file (program headers)");
	}
	if (eh.e_type == ET_DYN && eh.e_entry == 0) {
		elh_elf_release(info);
		return refuse(err, errlen, "is a shared library, not an executable");
	}
	if (check_segments(info, &st, err, errlen) < 0) {
		elh_elf_release(info);
		return -1;
	}
	info->kind = eh.e_type == ET_EXEC ? ELH_ELF_STATIC : ELH_ELF_STATIC_PIE;
	return 0;
}

void elh_elf_release(struct elh_elf_info *info)
{
	free(info->phdrs);
	info->phdrs = NULL;
}
