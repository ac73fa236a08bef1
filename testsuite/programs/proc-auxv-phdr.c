/* Process: auxv: AT_PAGESZ, AT_PHDR/AT_PHNUM vs the ELF header, AT_ENTRY, AT_RANDOM (booleans). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"

extern const ElfW(Ehdr) __ehdr_start;
extern void _start(void);

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	int *found = data;

	(void)size;
	if (info->dlpi_phdr == (const ElfW(Phdr) *)getauxval(AT_PHDR) &&
	    info->dlpi_phnum == getauxval(AT_PHNUM))
		*found = 1;
	return 0;
}

int main(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned long entry = getauxval(AT_ENTRY);
	int found = 0, has_load = 0;
	unsigned char copy[16];

	printf("AT_PAGESZ is 4096: %d\n", getauxval(AT_PAGESZ) == 4096);
	printf("ELF magic at __ehdr_start: %d\n", memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
	printf("AT_PHDR is the header's e_phoff: %d\n",
	       ph == (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff));
	printf("AT_PHNUM matches e_phnum: %d\n", getauxval(AT_PHNUM) == eh->e_phnum);
	printf("AT_PHENT matches: %d\n", getauxval(AT_PHENT) == sizeof(ElfW(Phdr)));
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			has_load = 1;
	printf("program headers include PT_LOAD: %d\n", has_load);
	CHECK(dl_iterate_phdr(phdr_cb, &found) == 0);
	printf("dl_iterate_phdr agrees: %d\n", found);
	printf("AT_ENTRY non-zero: %d\n", entry != 0);
	printf("AT_ENTRY is _start: %d\n", entry == (unsigned long)(uintptr_t)_start);
	CHECK(rnd != NULL);
	memcpy(copy, rnd, 16);
	printf("AT_RANDOM non-null, 16 bytes readable: %d\n",
	       copy[0] == rnd[0] && copy[15] == rnd[15]);
	printf("AT_UID matches getuid: %d\n", getauxval(AT_UID) == getuid());
	printf("AT_EUID matches geteuid: %d\n", getauxval(AT_EUID) == geteuid());
	printf("AT_GID matches getgid: %d\n", getauxval(AT_GID) == getgid());
	printf("AT_SECURE is 0: %d\n", getauxval(AT_SECURE) == 0);
	errno = 0;
	printf("unknown type gives 0 and ENOENT: %d\n", getauxval(9999) == 0 && errno == ENOENT);
	printf("ok\n");
	return 0;
}
