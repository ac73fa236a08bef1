/* Memory: file mappings: MAP_SHARED reaches the file, MAP_PRIVATE copies, SIGBUS past EOF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define PG 4096

static sigjmp_buf env;
static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_code = si->si_code;
	siglongjmp(env, 1);
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], buf[64];
	struct sigaction sa;
	char *sh, *pv, *off;
	int fd;

	alarm(WATCHDOG_SECONDS);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/map", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	for (int i = 0; i < 3 * PG; i++) {
		buf[i % 64] = (char)('a' + i % 26);
		if (i % 64 == 63)
			CHECK(write(fd, buf, 64) == 64);
	}

	sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(sh != MAP_FAILED);
	pv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(pv != MAP_FAILED);
	printf("mapped file checksum %08x, private view %08x\n", fnv(sh, 3 * PG), fnv(pv, 3 * PG));

	/* Shared writes reach the file and other mappings. */
	memcpy(sh + 10, "SHARED", 6);
	CHECK(msync(sh, PG, MS_SYNC) == 0);
	CHECK(pread(fd, buf, 6, 10) == 6);
	printf("file after shared write: %.6s\n", buf);
	printf("private view before touching: %.6s\n", pv + 10);

	/* Private writes stay private; once copied, the page no longer follows the file. */
	memcpy(pv + 20, "PRIVATE", 7);
	CHECK(pread(fd, buf, 7, 20) == 7);
	printf("file after private write: %.7s, private view: %.7s\n", buf, pv + 20);
	CHECK(pwrite(fd, "FILE", 4, 30) == 4);
	printf("after pwrite, shared view: %.4s, copied private page: %.4s\n", sh + 30, pv + 30);

	/* A mapping at an offset. */
	off = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	CHECK(off != MAP_FAILED);
	CHECK(off[0] == sh[2 * PG] && memcmp(off, sh + 2 * PG, PG) == 0);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED && errno == EINVAL);
	printf("offset mapping matches\n");

	/* Shrink the file: touching the mapping beyond EOF raises SIGBUS. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
	CHECK(ftruncate(fd, PG) == 0);
	int faulted = 0;
	if (sigsetjmp(env, 1) == 0)
		(void)*(volatile char *)(sh + 2 * PG + 1);
	else
		faulted = 1;
	printf("read beyond EOF: SIGBUS %d, BUS_ADRERR %d\n", faulted, bus_code == BUS_ADRERR);
	/* Growing the file again makes the page readable, as zeros. */
	CHECK(ftruncate(fd, 3 * PG) == 0);
	CHECK(sh[2 * PG + 1] == 0 && off[1] == 0);
	printf("after growing again: zeros\n");

	/* A read-only descriptor cannot back a writable shared mapping. */
	int ro = open(path, O_RDONLY);
	CHECK(ro >= 0);
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
	      errno == EACCES);
	char *rp = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(rp != MAP_FAILED && memcmp(rp + 10, "SHARED", 6) == 0);
	CHECK(close(ro) == 0);
	/* The mapping outlives the descriptor. */
	CHECK(close(fd) == 0);
	memcpy(sh, "CLOSED", 6);
	CHECK(munmap(sh, 3 * PG) == 0 && munmap(pv, 3 * PG) == 0 && munmap(off, PG) == 0);
	CHECK(munmap(rp, PG) == 0);
	fd = open(path, O_RDONLY);
	CHECK(read(fd, buf, 16) == 16);
	printf("written after close, read back: %.16s\n", buf);
	CHECK(close(fd) == 0);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
