/* ELF inspection and loading of static x86-64 executables. */
#ifndef ELH_MONITOR_LOADER_H
#define ELH_MONITOR_LOADER_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

enum elh_elf_kind {
	ELH_ELF_STATIC,     /* ET_EXEC, no interpreter */
	ELH_ELF_STATIC_PIE, /* ET_DYN, no interpreter, non-zero entry */
};

struct elh_elf_info {
	enum elh_elf_kind kind;
	uint64_t entry;  /* e_entry, relative to the load bias for a PIE */
	uint64_t phoff;  /* file offset of the program headers */
	uint16_t phnum;
	uint64_t lo, hi; /* page-aligned span of the PT_LOAD segments */
	Elf64_Phdr *phdrs; /* malloc'd copy, phnum entries */
};

/*
 * Read and check the headers of the executable open on fd.  Everything elh
 * cannot run (not ELF, not 64-bit little-endian x86-64, dynamically linked,
 * a shared library, overlapping or malformed segments) is refused with a
 * one-line reason in err and -1.  On success info->phdrs must be freed with
 * elh_elf_release().
 */
int elh_elf_inspect(int fd, struct elh_elf_info *info, char *err, size_t errlen);
void elh_elf_release(struct elh_elf_info *info);

#endif
