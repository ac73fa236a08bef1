/* /proc/self is the guest's, not the monitor's: mem, the maps, the fds, the
 * environment and the rest of what would reach the monitor are missing
 * files under elh however the path gets there ("/proc/./self",
 * "/proc/<pid>/../self", thread-self, the tids, task/, symlinks, directory
 * fds, the current directory); exe is the program; fd/N and fdinfo/N
 * exist for the guest's own fds only. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

static const char *const secret[] = {
	"mem",	"smaps",   "smaps_rollup", "pagemap",	"environ",
	"auxv", "syscall", "stack",	   "numa_maps", "map_files/"
};

/* Under elh the open fails with ENOENT; natively it works, or fails
 * with something else than ENOENT (stack: EACCES without privileges). */
static void expect_hidden(const char *path, int line)
{
	int fd = open(path, O_RDONLY);
	int e = errno;
	struct stat st;

	if (under_elh) {
		if (fd >= 0 || e != ENOENT) {
			fprintf(stderr, "FAIL: line %d: open %s: %d (errno %s)\n", line, path, fd,
				errno_name(e));
			exit(1);
		}
		if (stat(path, &st) == 0 || errno != ENOENT) {
			fprintf(stderr, "FAIL: line %d: stat %s works\n", line, path);
			exit(1);
		}
	} else if (fd < 0 && e == ENOENT) {
		fprintf(stderr, "FAIL: line %d: natively %s is missing\n", line, path);
		exit(1);
	}
	if (fd >= 0)
		close(fd);
}
#define HIDDEN(p) expect_hidden(p, __LINE__)

/* mem opened read-write by any of these names must not be the monitor's. */
static void mem_paths(void)
{
	char p[PATH_MAX];
	int pid = getpid();

	HIDDEN("/proc/self/mem");
	HIDDEN("/proc/./self/mem");
	HIDDEN("/proc//self///mem");
	HIDDEN("/proc/self/../self/mem");
	HIDDEN("/proc/thread-self/mem");
	HIDDEN("/proc/thread-self/../../../self/mem");
	HIDDEN("/proc/self/root/proc/self/mem");
	HIDDEN("/proc/self/task/../mem");
	snprintf(p, sizeof(p), "/proc/%d/mem", pid);
	HIDDEN(p);
	snprintf(p, sizeof(p), "/proc/%d/../self/mem", pid);
	HIDDEN(p);
	snprintf(p, sizeof(p), "/proc/%d/task/%d/mem", pid, pid);
	HIDDEN(p);
	snprintf(p, sizeof(p), "/proc/self/task/%d/mem", pid);
	HIDDEN(p);
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		if (!strcmp(secret[i], "stack") || !strcmp(secret[i], "map_files/"))
			continue; /* natively: root only */
		snprintf(p, sizeof(p), "/proc/self/%s", secret[i]);
		HIDDEN(p);
		snprintf(p, sizeof(p), "/proc/thread-self/%s", secret[i]);
		HIDDEN(p);
	}
}

/* Every thread of the process has a /proc/<tid> and a task/<tid>: the
 * monitor's threads are listed there, and must lead nowhere either. */
static void each_task(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char p[PATH_MAX];
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/mem", e->d_name);
		HIDDEN(p);
		snprintf(p, sizeof(p), "/proc/self/task/%s/mem", e->d_name);
		HIDDEN(p);
		snprintf(p, sizeof(p), "/proc/self/task/%s/environ", e->d_name);
		HIDDEN(p);
		n++;
	}
	closedir(d);
	CHECK(n >= 1);
}

/* Directory fds, the current directory and symlinks of the guest's own. */
static void indirect(void)
{
	char *dir = scratch_dir(), link[PATH_MAX], p[PATH_MAX];
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	int fd;

	CHECK(proc >= 0 && self >= 0);
	fd = openat(proc, "self/mem", O_RDWR);
	CHECK(under_elh ? REFUSED(fd, ENOENT) : fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = openat(self, "mem", O_RDWR);
	CHECK(under_elh ? REFUSED(fd, ENOENT) : fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = openat(self, "./task/../environ", O_RDONLY);
	CHECK(under_elh ? REFUSED(fd, ENOENT) : fd >= 0);
	if (fd >= 0)
		close(fd);
	/* The guest's own fd of /proc/self, reached through fd/N. */
	snprintf(p, sizeof(p), "/proc/self/fd/%d/mem", self);
	HIDDEN(p);

	CHECK(fchdir(self) == 0);
	fd = open("mem", O_RDWR);
	CHECK(under_elh ? REFUSED(fd, ENOENT) : fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(chdir("/proc") == 0);
	fd = open("thread-self/../../mem", O_RDWR);
	CHECK(under_elh ? REFUSED(fd, ENOENT) : fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(chdir("/") == 0);

	snprintf(link, sizeof(link), "%s/mem", dir);
	CHECK(symlink("/proc/self/mem", link) == 0);
	HIDDEN(link);
	snprintf(link, sizeof(link), "%s/self", dir);
	CHECK(symlink("/proc/self", link) == 0);
	snprintf(p, sizeof(p), "%s/self/mem", dir);
	HIDDEN(p);
	snprintf(link, sizeof(link), "%s/rel", dir);
	CHECK(symlink("../../proc/self/./environ", link) == 0);
	HIDDEN(link);
	/* A chain of links, and the symlink itself is still the guest's. */
	snprintf(link, sizeof(link), "%s/chain", dir);
	snprintf(p, sizeof(p), "%s/self", dir);
	CHECK(symlink(p, link) == 0);
	snprintf(p, sizeof(p), "%s/chain/mem", dir);
	HIDDEN(p);
	snprintf(p, sizeof(p), "%s/mem", dir);
	{
		struct stat st;
		char buf[64];
		ssize_t n;

		CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
		n = readlink(p, buf, sizeof(buf) - 1);
		CHECK(n == 14 && !memcmp(buf, "/proc/self/mem", 14));
		CHECK(unlink(p) == 0);
	}
	snprintf(p, sizeof(p), "%s/self", dir);
	CHECK(unlink(p) == 0);
	snprintf(p, sizeof(p), "%s/rel", dir);
	CHECK(unlink(p) == 0);
	snprintf(p, sizeof(p), "%s/chain", dir);
	CHECK(unlink(p) == 0);
	CHECK(rmdir(dir) == 0);
	close(proc);
	close(self);
}

/* fd/N, fdinfo/N: the guest's fds only.  Above the guest's limit there is
 * nothing, as natively nothing can be there. */
static void fds(void)
{
	struct rlimit rl;
	char p[PATH_MAX], buf[PATH_MAX];
	unsigned long n;
	int fd;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (n = rl.rlim_max; n < rl.rlim_max + 2048; n++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%lu", n);
		CHECK(readlink(p, buf, sizeof(buf)) < 0 && errno == ENOENT);
		CHECK(open(p, O_RDONLY) < 0 && errno == ENOENT);
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%lu", n);
		CHECK(open(p, O_RDONLY) < 0 && errno == ENOENT);
		snprintf(p, sizeof(p), "/dev/fd/%lu", n);
		CHECK(open(p, O_RDONLY) < 0 && errno == ENOENT);
	}
	/* Listings show no fd above the limit either. */
	{
		static const char *const dirs[] = { "/proc/self/fd", "/proc/self/fdinfo",
						    "/proc/thread-self/fd", "/dev/fd" };

		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			DIR *d = opendir(dirs[i]);
			struct dirent *e;
			int seen = 0;

			CHECK(d != NULL);
			while ((e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				CHECK(strtoul(e->d_name, NULL, 10) < rl.rlim_max);
				seen++;
			}
			closedir(d);
			CHECK(seen >= 3);
		}
	}
	/* The guest's own: reopened and named as natively. */
	fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = (unsigned long)readlink(p, buf, sizeof(buf) - 1);
	CHECK(n == 9 && !memcmp(buf, "/dev/null", 9));
	n = (unsigned long)open(p, O_WRONLY);
	CHECK((long)n >= 0);
	close((int)n);
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	n = (unsigned long)open(p, O_RDONLY);
	CHECK((long)n >= 0);
	close((int)n);
	close(fd);
}

/* exe is the program; maps names the program and not elh. */
static void exe_and_maps(const char *argv0)
{
	char want[PATH_MAX], got[PATH_MAX], line[PATH_MAX + 128];
	int seen = 0, stack = 0;
	ssize_t n;
	FILE *f;

	CHECK(realpath(argv0, want) != NULL);
	n = readlink("/proc/self/exe", got, sizeof(got) - 1);
	CHECK(n > 0);
	got[n] = 0;
	CHECK(!strcmp(got, want));
	n = readlink("/proc/./thread-self/exe", got, sizeof(got) - 1);
	CHECK(n > 0);
	got[n] = 0;
	CHECK(!strcmp(got, want));
	{
		struct stat a, b;

		CHECK(stat("/proc/self/exe", &a) == 0 && stat(want, &b) == 0);
		CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	}
	f = fopen("/proc/self/maps", "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '/');

		line[strcspn(line, "\n")] = 0;
		if (strstr(line, "[stack]"))
			stack = 1;
		if (!name)
			continue;
		if (!strcmp(name, want))
			seen = 1;
		else if (under_elh && strlen(name) >= 4 &&
			 !strcmp(name + strlen(name) - 4, "/elh")) {
			fprintf(stderr, "FAIL: maps names the monitor: %s\n", line);
			exit(1);
		}
	}
	fclose(f);
	CHECK(seen && stack);
}

int main(int argc, char **argv)
{
	hostile_init(argc, argv);
	mem_paths();
	each_task();
	indirect();
	fds();
	exe_and_maps(argv[0]);
	puts("proc-self: ok");
	return 0;
}
