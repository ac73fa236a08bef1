/* ELF inspection and loading of x86-64 executables and their interpreters; the initial stack. */
#ifndef ELH_MONITOR_LOADER_H
#define ELH_MONITOR_LOADER_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

enum elh_elf_kind {
	ELH_ELF_STATIC,	    /* ET_EXEC (with or without an interpreter) */
	ELH_ELF_STATIC_PIE, /* ET_DYN, non-zero entry: a PIE, static or not */
};

struct elh_elf_info {
	enum elh_elf_kind kind;
	uint64_t entry; /* e_entry, relative to the load bias for a PIE */
	uint64_t phoff; /* file offset of the program headers */
	uint16_t phnum;
	uint64_t lo, hi;   /* page-aligned span of the PT_LOAD segments */
	Elf64_Phdr *phdrs; /* malloc'd copy, phnum entries */
	char *interp;	   /* PT_INTERP's path (malloc'd), NULL for a static program */
};

/*
 * Read and check the headers of the executable open on fd.  Everything elh
 * cannot run (not ELF, not 64-bit little-endian x86-64, a shared library,
 * overlapping or malformed segments, a malformed PT_INTERP, a set-user-ID
 * or set-group-ID program that would change the caller's credentials) is
 * refused with a one-line reason in err and -1.  A dynamically linked
 * program is accepted with info->interp set: elh_interp_open() checks its
 * interpreter.  On success info must be freed with elh_elf_release().
 */
int elh_elf_inspect(int fd, struct elh_elf_info *info, char *err, size_t errlen);
void elh_elf_release(struct elh_elf_info *info);

/* The guest has no_new_privs: set-ID bits are ignored, as Linux does,
 * instead of refused (the guest's flag, not the monitor's own). */
extern int elh_setid_ignored;

/*
 * Open and check the interpreter a dynamically linked program asks for
 * (prog->interp): an x86-64 ELF shared object with an entry point and no
 * interpreter of its own, such as ld-linux-x86-64.so.2 or musl's
 * ld-musl-x86_64.so.1.  Returns its fd (close-on-exec) with *iinfo filled
 * in, or -1 with a one-line reason in err and errno ENOENT (missing) or
 * ENOEXEC (anything else).
 */
int elh_interp_open(const struct elh_elf_info *prog, struct elh_elf_info *iinfo, char *err,
		    size_t errlen);

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
	uint64_t base;	 /* the interpreter's load address (AT_BASE), 0 if none */
	uint64_t start;	 /* the initial rip: the interpreter's entry, else entry */
};

/*
 * Map the PT_LOAD segments of the executable open on fd (checked by
 * elh_elf_inspect into info) into the arena with their final protections,
 * set the initial break, and describe the result in img.  A dynamically
 * linked program's interpreter is mapped too, just below the room kept
 * for the main stack, where Linux's top-down mmap would put it.  An image
 * that does not fit the arena below that room is refused.  0, or -1 with a
 * one-line reason in err.  Call once, before elh_build_stack() and before
 * the guest runs.
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
