/* ELF inspection and loading of static x86-64 executables; the initial stack. */
#ifndef ELH_MONITOR_LOADER_H
#define ELH_MONITOR_LOADER_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

enum elh_elf_kind {
	ELH_ELF_STATIC,	    /* ET_EXEC, no interpreter */
	ELH_ELF_STATIC_PIE, /* ET_DYN, no interpreter, non-zero entry */
};

struct elh_elf_info {
	enum elh_elf_kind kind;
	uint64_t entry; /* e_entry, relative to the load bias for a PIE */
	uint64_t phoff; /* file offset of the program headers */
	uint16_t phnum;
	uint64_t lo, hi;   /* page-aligned span of the PT_LOAD segments */
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

struct elh_vm;

/* A static PIE's lowest segment goes here (rounded up to its p_align). */
#define ELH_PIE_BASE 0x400000ull

/* What the initial stack and the vCPU need to know about a loaded image. */
struct elh_image {
	uint64_t bias;	 /* load bias: 0 for ET_EXEC */
	uint64_t entry;	 /* the biased entry point (AT_ENTRY, initial rip) */
	uint64_t phdr;	 /* the program headers in guest memory (AT_PHDR) */
	uint16_t phnum;	 /* AT_PHNUM */
	uint64_t lo, hi; /* page-aligned span of the loaded segments, biased */
	uint64_t brk;	 /* the initial program break (== hi) */
	int stack_prot;	 /* of the main stack: PROT_EXEC only if PT_GNU_STACK says so */
};

/*
 * Map the PT_LOAD segments of the executable open on fd (checked by
 * elh_elf_inspect into info) into the arena with their final protections,
 * set the initial break, and describe the result in img.  An image that does
 * not fit the arena below the room kept for the main stack is refused.
 * 0, or -1 with a one-line reason in err.  Call once, before
 * elh_build_stack() and before the guest runs.
 */
int elh_load(struct elh_vm *vm, int fd, const struct elh_elf_info *info, struct elh_image *img,
	     char *err, size_t errlen);

/*
 * The size of the main stack in an arena of arena_size bytes: RLIMIT_STACK's
 * soft limit (8 MiB if it cannot be read), at most 256 MiB and a quarter of
 * the arena, at least 128 KiB.
 */
uint64_t elh_stack_size(uint64_t arena_size);

/*
 * Map the main stack at the top of the arena and write the System V x86-64
 * initial process stack: argc, argv, envp (NULL-terminated; envp may be
 * NULL), the auxiliary vector, and the strings they point to.  execfn is
 * AT_EXECFN (argv[0] if NULL).  *rsp_out is the initial rsp, 16-byte aligned,
 * pointing at argc.  0, or -1 with a one-line reason in err (arguments and
 * environment larger than a quarter of the stack are refused, like E2BIG).
 */
int elh_build_stack(struct elh_vm *vm, const struct elh_image *img, int argc, char *const argv[],
		    char *const envp[], const char *execfn, uint64_t *rsp_out, char *err,
		    size_t errlen);

#endif
