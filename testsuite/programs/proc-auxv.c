/* The auxiliary vector: page size, program headers, entry, AT_RANDOM,
 * AT_EXECFN, ids, AT_SECURE; only facts that hold everywhere are printed. */
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"

extern char __ehdr_start[];

int main(int argc, char **argv)
{
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	unsigned sum = 0;

	(void)argc;
	printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
	printf("AT_PHENT matches: %d\n", getauxval(AT_PHENT) == sizeof(ElfW(Phdr)));
	printf("AT_PHNUM matches the ELF header: %d\n", getauxval(AT_PHNUM) == eh->e_phnum);
	printf("AT_PHDR is the loaded program headers: %d\n",
	       ph == (const ElfW(Phdr) *)(__ehdr_start + eh->e_phoff));
	printf("AT_ENTRY inside the image: %d\n", getauxval(AT_ENTRY) > (unsigned long)__ehdr_start);
	CHECK(rnd != NULL);
	for (int i = 0; i < 16; i++)
		sum += rnd[i];
	printf("AT_RANDOM readable: %d\n", sum > 0);
	printf("AT_EXECFN is argv[0]'s file: %d\n", execfn && strlen(execfn) > 0 &&
						     strstr(argv[0], strrchr(execfn, '/') ? strrchr(execfn, '/') + 1 : execfn) != NULL);
	printf("AT_UID matches getuid: %d\n", getauxval(AT_UID) == getuid());
	printf("AT_EGID matches getegid: %d\n", getauxval(AT_EGID) == getegid());
	printf("AT_SECURE %lu\n", getauxval(AT_SECURE));
	printf("AT_HWCAP non-zero: %d\n", getauxval(AT_HWCAP) != 0);
	printf("AT_CLKTCK %lu\n", getauxval(AT_CLKTCK));
	return 0;
}
