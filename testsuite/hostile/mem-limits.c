/* The memory calls at and past the limits of the address space, at
 * addresses outside elh's arena (where its system area lies with the
 * default arena; nothing is mapped there natively) and with absurd lengths:
 * each answers as Linux does, and the guest goes on running.  Under elh, a
 * mapping outside the arena is refused, and the system area is still there
 * afterwards (a jump to it still faults). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

#define SYSAREA 0x140000000ul /* above a 4 GiB arena at 0x10000 */
#define FAR	0x200000000000ul
#define TOP	(1ul << 47)

static void show(const char *what, long r)
{
	printf("%-44s %s\n", what, r == -1 ? errno_name(errno) : r == 0 ? "0" : "addr");
}

#define TRY(call) show(#call, (long)(call))

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

int main(int argc, char **argv)
{
	char *p;

	hostile_init(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0); /* what was printed before a crash */
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 'x';

	TRY(munmap((void *)0, TOP));
	TRY(munmap((void *)0, TOP + 4096));
	TRY(munmap((void *)0, -4096ul));
	TRY(munmap((void *)0, -1ul));
	TRY(munmap((void *)TOP, 4096));
	TRY(munmap((void *)(TOP - 4096), 4096));
	TRY(munmap((void *)(TOP - 4096), 8192));
	TRY(munmap((void *)-4096ul, 4096));
	TRY(munmap((void *)SYSAREA, 4096));
	TRY(munmap((void *)SYSAREA, 1ul << 30));
	TRY(munmap((void *)FAR, 1ul << 40));
	TRY(munmap((void *)(SYSAREA + 1), 4096));
	TRY(munmap((void *)SYSAREA, 0));

	TRY(mprotect((void *)SYSAREA, 4096, PROT_READ | PROT_WRITE));
	TRY(mprotect((void *)SYSAREA, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
	TRY(mprotect((void *)0, TOP, PROT_READ));
	TRY(mprotect(p, -4096ul, PROT_READ));
	TRY(mprotect(p, -1ul, PROT_READ));
	TRY(mprotect((void *)-4096ul, 4096, PROT_READ));
	TRY(mprotect((void *)TOP, 4096, PROT_READ));
	TRY(mprotect(p + 1, 4096, PROT_READ));
	TRY(mprotect(p, 0, PROT_READ));

	TRY(madvise((void *)SYSAREA, 4096, MADV_DONTNEED));
	TRY(madvise((void *)SYSAREA, 4096, MADV_NORMAL));
	TRY(madvise((void *)0, TOP, MADV_NORMAL));
	TRY(madvise(p, -4096ul, MADV_NORMAL));
	TRY(madvise((void *)-4096ul, 4096, MADV_NORMAL));
	TRY(madvise((void *)TOP, 4096, MADV_NORMAL));
	TRY(madvise(p + 1, 4096, MADV_NORMAL));

	TRY(mremap((void *)SYSAREA, 4096, 8192, MREMAP_MAYMOVE));
	TRY(mremap((void *)SYSAREA, 4096, 4096, 0));
	TRY(mremap(p, 4096, TOP, MREMAP_MAYMOVE));
	TRY(mremap(p, 4096, -4096ul, MREMAP_MAYMOVE));
	TRY(mremap(p, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)SYSAREA + 1));
	TRY(mremap(p, -4096ul, 4096, 0));

	TRY(msync((void *)SYSAREA, 4096, MS_SYNC));
	TRY(msync((void *)0, TOP, MS_ASYNC));

	CHECK(p[0] == 'x');
	if (under_elh) {
		/* The system area is not the guest's to map over or take. */
		void *q = mmap((void *)SYSAREA, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		CHECK(q == MAP_FAILED);
		q = mremap(p, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)SYSAREA);
		CHECK(q == MAP_FAILED);
		/* Still there: a jump to it is SIGSEGV, not a run of anything. */
		signal(SIGSEGV, on_segv);
		if (sigsetjmp(env, 1) == 0) {
			((void (*)(void))(SYSAREA + 0x1100))();
			CHECK(!"came back from the system area");
		}
	}
	puts("alive");
	return 0;
}
