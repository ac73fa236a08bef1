/* System-call micro benchmarks: getppid, 4 KiB read/write on tmpfs, open+close, stat, clock. */
#include "../bench.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK  4096
#define BLOCKS 256 /* a 1 MiB file: reads and writes walk it, then seek back */

static char dir[64];
static char path[96];
static int fd = -1;
static char buf[BLOCK];

static void cleanup(void)
{
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
}

/*
 * The file lives on tmpfs so that read and write measure the system-call
 * path and the page cache, not a disk.  Created lazily: --list needs none.
 */
static int file_setup(void)
{
	struct stat st;

	if (fd >= 0)
		return 0;
	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		strcpy(dir, "/dev/shm/elh-bench.XXXXXX");
	else
		strcpy(dir, "/tmp/elh-bench.XXXXXX");
	if (!mkdtemp(dir))
		return (int)bench_fail("mkdtemp");
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		rmdir(dir);
		return (int)bench_fail("open");
	}
	atexit(cleanup);
	memset(buf, 'x', sizeof(buf));
	/* Written once in full, so that later writes overwrite pages that exist. */
	for (int i = 0; i < BLOCKS; i++)
		if (write(fd, buf, BLOCK) != BLOCK)
			return (int)bench_fail("write");
	return 0;
}

static double run_getppid(long iters)
{
	uint64_t t0 = bench_now();

	for (long i = 0; i < iters; i++)
		getppid();
	return (double)(bench_now() - t0);
}

/* Sequential 4 KiB reads; one lseek per 256 reads rewinds, a 0.4% extra. */
static double run_read(long iters)
{
	uint64_t t0;
	int blk = 0;

	if (file_setup() || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	t0 = bench_now();
	for (long i = 0; i < iters; i++) {
		if (blk == BLOCKS) {
			lseek(fd, 0, SEEK_SET);
			blk = 0;
		}
		if (read(fd, buf, BLOCK) != BLOCK)
			return bench_fail("read");
		blk++;
	}
	return (double)(bench_now() - t0);
}

/* Same walk, overwriting: the file never grows, so no page is allocated while timed. */
static double run_write(long iters)
{
	uint64_t t0;
	int blk = 0;

	if (file_setup() || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	t0 = bench_now();
	for (long i = 0; i < iters; i++) {
		if (blk == BLOCKS) {
			lseek(fd, 0, SEEK_SET);
			blk = 0;
		}
		if (write(fd, buf, BLOCK) != BLOCK)
			return bench_fail("write");
		blk++;
	}
	return (double)(bench_now() - t0);
}

static double run_open_close(long iters)
{
	uint64_t t0;
	int f;

	if (file_setup())
		return -1;
	t0 = bench_now();
	for (long i = 0; i < iters; i++) {
		f = open(path, O_RDONLY);
		if (f < 0)
			return bench_fail("open");
		close(f);
	}
	return (double)(bench_now() - t0);
}

static double run_stat(long iters)
{
	struct stat st;
	uint64_t t0;

	if (file_setup())
		return -1;
	t0 = bench_now();
	for (long i = 0; i < iters; i++)
		if (stat(path, &st))
			return bench_fail("stat");
	return (double)(bench_now() - t0);
}

/* Natively a vDSO call, no kernel entry: the floor any mode can reach. */
static double run_clock_gettime(long iters)
{
	struct timespec ts;
	uint64_t t0 = bench_now();

	for (long i = 0; i < iters; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(bench_now() - t0);
}

static const struct bench benches[] = {
	{ "getppid", BENCH_NS_PER_OP, run_getppid, 0 },
	{ "read-4k", BENCH_NS_PER_OP, run_read, 0 },
	{ "write-4k", BENCH_NS_PER_OP, run_write, 0 },
	{ "open-close", BENCH_NS_PER_OP, run_open_close, 0 },
	{ "stat", BENCH_NS_PER_OP, run_stat, 0 },
	{ "clock_gettime", BENCH_NS_PER_OP, run_clock_gettime, 0 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
