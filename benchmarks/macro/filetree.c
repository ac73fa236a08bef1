/*
 * File-tree macro benchmarks, one operation being one file of a tree of
 * small files on tmpfs, the way an archiver, a backup tool or a build
 * system meets them:
 *
 *   tree-create    mkdir the directories, then open, write, close each file
 *   tree-walk-sum  readdir every directory, fstatat every entry, open, read
 *                  to end-of-file and close every file, checksumming it
 *   tree-delete    readdir every directory, unlinkat every entry
 *
 * The tree: 32 files per leaf directory, 16 leaves per directory above
 * them; file sizes spread between 64 bytes and 8 KiB (4 KiB on average).
 * Each run builds what it needs outside its timed part (the deletion needs
 * a tree, the creation an empty place) and removes it afterwards; the walk
 * reads one tree for all its runs of one size, and checks its checksums
 * against the tree's contents.
 */
#include "../bench.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_PER_DIR	  32
#define DIRS_PER_DIR	  16
#define MIN_SIZE	  64
#define MAX_SIZE	  8192
#define BENCH_NS_PER_FILE "ns/file"

static char root[64]; /* a temporary directory; the tree is root/t */
static char tree[80];
static unsigned char content[2 * MAX_SIZE]; /* file i is a slice of it */
static unsigned char rbuf[4 * MAX_SIZE];

struct sum {
	long files;
	uint64_t bytes;
	uint64_t sum; /* of the files' checksums: the order of readdir does not matter */
};

/* A splitmix64 step: file sizes and offsets, the same in every run and mode. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static size_t file_size(long i)
{
	return MIN_SIZE + mix((uint64_t)i) % (MAX_SIZE - MIN_SIZE + 1);
}

static const unsigned char *file_data(long i)
{
	return content + mix((uint64_t)i ^ 0x5555) % MAX_SIZE;
}

/* FNV-1a over 64-bit words, then the tail byte by byte: cheap next to the calls. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

static int delete_tree(void);

/* At exit: what a failed run left behind, then the directory itself. */
static void remove_root(void)
{
	struct stat st;

	if (!lstat(tree, &st))
		delete_tree();
	rmdir(root);
}

/* The temporary directory, on tmpfs where there is one.  Created lazily: --list needs none. */
static int setup(void)
{
	struct stat st;
	uint64_t x = 1;

	if (root[0])
		return 0;
	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		strcpy(root, "/dev/shm/elh-bench-tree.XXXXXX");
	else
		strcpy(root, "/tmp/elh-bench-tree.XXXXXX");
	if (!mkdtemp(root)) {
		root[0] = '\0';
		return (int)bench_fail("mkdtemp");
	}
	snprintf(tree, sizeof(tree), "%s/t", root);
	atexit(remove_root);
	for (size_t i = 0; i < sizeof(content); i += 8) {
		x = mix(x);
		memcpy(content + i, &x, 8);
	}
	return 0;
}

static void leaf_path(char *buf, size_t len, long dir)
{
	snprintf(buf, len, "%s/%02lx/%02lx", tree, dir / DIRS_PER_DIR, dir % DIRS_PER_DIR);
}

/* Create the tree of n files: its directories, then each file written in one call. */
static int create_tree(long n)
{
	char path[128];
	size_t len;
	int fd;

	if (mkdir(tree, 0755))
		return (int)bench_fail(tree);
	for (long i = 0; i < n; i++) {
		long dir = i / FILES_PER_DIR;

		if (i % FILES_PER_DIR == 0) {
			if (dir % DIRS_PER_DIR == 0) {
				snprintf(path, sizeof(path), "%s/%02lx", tree, dir / DIRS_PER_DIR);
				if (mkdir(path, 0755))
					return (int)bench_fail(path);
			}
			leaf_path(path, sizeof(path), dir);
			if (mkdir(path, 0755))
				return (int)bench_fail(path);
		}
		leaf_path(path, sizeof(path), dir);
		len = strlen(path);
		snprintf(path + len, sizeof(path) - len, "/f%02lx", i % FILES_PER_DIR);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return (int)bench_fail(path);
		if (write(fd, file_data(i), file_size(i)) != (ssize_t)file_size(i)) {
			close(fd);
			return (int)bench_fail("write");
		}
		if (close(fd))
			return (int)bench_fail("close");
	}
	return 0;
}

/*
 * Walk the directory open as fd (which it closes).  With s, checksum every
 * regular file; without, delete every entry, as rm -r does.
 */
static int walk(int fd, struct sum *s)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int dfd, ret = 0;

	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return (int)bench_fail("fdopendir");
	}
	dfd = dirfd(d);
	while (!ret && (errno = 0, e = readdir(d))) {
		int is_dir;

		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (s || e->d_type == DT_UNKNOWN) {
			if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
				ret = (int)bench_fail(e->d_name);
				break;
			}
			is_dir = S_ISDIR(st.st_mode);
		} else {
			is_dir = e->d_type == DT_DIR;
		}
		if (is_dir) {
			fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				ret = (int)bench_fail(e->d_name);
			else
				ret = walk(fd, s);
			if (!ret && !s && unlinkat(dfd, e->d_name, AT_REMOVEDIR))
				ret = (int)bench_fail(e->d_name);
		} else if (s) {
			size_t have = 0;
			ssize_t r;

			fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				ret = (int)bench_fail(e->d_name);
				break;
			}
			/* To end-of-file, as a checksum tool reads. */
			while ((r = read(fd, rbuf + have, sizeof(rbuf) - have)) > 0)
				have += (size_t)r;
			if (r < 0)
				ret = (int)bench_fail("read");
			close(fd);
			s->files++;
			s->bytes += have;
			s->sum += checksum(rbuf, have);
		} else if (unlinkat(dfd, e->d_name, 0)) {
			ret = (int)bench_fail(e->d_name);
		}
	}
	if (!ret && errno)
		ret = (int)bench_fail("readdir");
	closedir(d);
	return ret;
}

static int delete_tree(void)
{
	int fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return (int)bench_fail(tree);
	if (walk(fd, NULL))
		return -1;
	if (rmdir(tree))
		return (int)bench_fail(tree);
	return 0;
}

/* The tree the walk reads, kept from one run to the next when its size is the same. */
static long walk_tree_files = -1;

/* Ready for a run that builds its own tree: the walk's, if any, is removed. */
static int fresh(void)
{
	if (setup())
		return -1;
	if (walk_tree_files >= 0) {
		walk_tree_files = -1;
		return delete_tree();
	}
	return 0;
}

static double run_create(long iters)
{
	uint64_t t0, t1;

	if (fresh())
		return -1;
	t0 = bench_now();
	if (create_tree(iters))
		return -1;
	t1 = bench_now();
	if (delete_tree())
		return -1;
	return (double)(t1 - t0);
}

static double run_walk(long iters)
{
	struct sum want = { 0 }, got = { 0 };
	uint64_t t0, t1;
	int fd;

	if (walk_tree_files != iters) {
		if (fresh() || create_tree(iters))
			return -1;
		walk_tree_files = iters;
	}
	for (long i = 0; i < iters; i++) {
		want.files++;
		want.bytes += file_size(i);
		want.sum += checksum(file_data(i), file_size(i));
	}
	t0 = bench_now();
	fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bench_fail(tree);
	if (walk(fd, &got))
		return -1;
	t1 = bench_now();
	if (got.files != want.files || got.bytes != want.bytes || got.sum != want.sum) {
		fprintf(stderr,
			"bench: tree-walk-sum: read %ld files, %llu bytes, checksum %016llx; "
			"the tree has %ld, %llu, %016llx\n",
			got.files, (unsigned long long)got.bytes, (unsigned long long)got.sum,
			want.files, (unsigned long long)want.bytes, (unsigned long long)want.sum);
		return -1;
	}
	return (double)(t1 - t0);
}

static double run_delete(long iters)
{
	uint64_t t0, t1;

	if (fresh() || create_tree(iters))
		return -1;
	t0 = bench_now();
	if (delete_tree())
		return -1;
	t1 = bench_now();
	return (double)(t1 - t0);
}

static const struct bench benches[] = {
	{ "tree-create", BENCH_NS_PER_FILE, run_create, 0 },
	{ "tree-walk-sum", BENCH_NS_PER_FILE, run_walk, 0 },
	{ "tree-delete", BENCH_NS_PER_FILE, run_delete, 0 },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, benches, sizeof(benches) / sizeof(benches[0]));
}
