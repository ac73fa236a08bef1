/*
 * The guest's view of /proc/self: the host's /proc/<pid> describes elh, and
 * some of its entries reach into the monitor (mem writes its memory, fd/N
 * reopens its fds, environ and auxv are its own).
 *
 * Design note.  A path may reach /proc/<pid> in many ways: "self",
 * "thread-self", the pid or any thread's tid, "task/<tid>", "." and ".."
 * anywhere, symlinks the guest made, a directory fd opened inside /proc,
 * the current directory.  So every path argument is walked here the way
 * the kernel walks it, one component at a time from the directory it
 * starts in (the dirfd's or the current directory's name, read back from
 * the host), each symlink read with readlink and expanded in place; every
 * name the walk reaches is classified before it is followed.  A walk that
 * meets what the guest may not see ends with the errno Linux gives for a
 * missing file.  /proc/<pid>/exe (of the process or one of its threads) is
 * taken as a link to the guest's program.
 *
 * The walk is a check made before the call; the host then walks the path
 * again, so a guest that swaps a symlink between the two could slip past
 * it.  Opening is what gives access, so an open is checked once more
 * after the fact, on the fd itself: its name, read from the host, is
 * classified again, and an fd the guest may not hold is closed
 * (elh_proc_opened).  /proc/<pid>/maps opens as the guest's own maps: the
 * host's lines cut to the guest's mappings (memory.c), in a memfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guestmem.h"
#include "memory.h"
#include "procfs.h"
#include "syscall.h"
#include "vm.h"

/* Symlinks followed in one walk before ELOOP, as Linux's MAXSYMLINKS. */
#define MAX_LINKS 40

/* The walk's own host calls are the monitor's, made straight (not through
 * elh_host): a worker's stop request must not cut a check short. */
static long link_of(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(AT_FDCWD, path, buf, size);

	return n < 0 ? -errno : n;
}

/* What a name under /proc is to the guest. */
enum kind {
	K_PLAIN,  /* nothing of the monitor's: as the host has it */
	K_HIDDEN, /* the monitor's: ENOENT */
	K_DENIED, /* another process's entry that reaches its monitor: EACCES */
	K_EXE,	  /* the link to the program */
	K_MAPS,	  /* the address space: the guest's part of it */
};

/* Entries of /proc/<pid> (and of task/<tid>) that would expose or reach
 * the monitor, and have no guest view. */
static const char *const hidden[] = {
	"mem",	       "smaps", "smaps_rollup", "pagemap",  "numa_maps",	 "map_files",
	"environ",     "auxv",	"syscall",	"stack",    "clear_refs",	 "timerslack_ns",
	"personality", "wchan", "patch_state",	"ksm_stat", "ksm_merging_pages",
};

static bool is_hidden(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (strlen(hidden[i]) == len && !memcmp(hidden[i], name, len))
			return true;
	return false;
}

static bool name_is(const char *name, size_t len, const char *what)
{
	return strlen(what) == len && !memcmp(name, what, len);
}

/* A decimal number as procfs spells one (no sign, no leading zero); -1 if not. */
static long proc_number(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Is pid this process, or one of its threads (whose /proc/<tid> the
 * kernel serves though it does not list it)? */
static bool own_pid(long pid)
{
	char p[64];

	if (pid == getpid())
		return true;
	snprintf(p, sizeof(p), "/proc/self/task/%ld", pid);
	return faccessat(AT_FDCWD, p, F_OK, 0) == 0;
}

/* The next component of s (after any slashes): its start and length. */
static const char *component(const char *s, size_t *len)
{
	while (*s == '/')
		s++;
	*len = strcspn(s, "/");
	return s;
}

/* Classify an absolute path without "." or ".." or symlinks before its
 * last component. */
static enum kind classify(const struct elh_vm *vm, const char *path)
{
	const char *c, *rest;
	size_t len, rlen;
	long pid;
	bool own;

	if (strncmp(path, "/proc/", 6))
		return K_PLAIN;
	c = component(path + 6, &len);
	pid = proc_number(c, len);
	if (pid < 0)
		return K_PLAIN;
	own = own_pid(pid);
	c = component(c + len, &len);
	if (own && name_is(c, len, "task")) {
		c = component(c + len, &len);
		if (len == 0 || proc_number(c, len) < 0)
			return K_PLAIN;
		c = component(c + len, &len);
	}
	if (len == 0)
		return K_PLAIN;
	rest = component(c + len, &rlen);
	if (!own) {
		/* Another process may be another elh: its monitor's memory
		 * and fds stay out of reach. */
		if (name_is(c, len, "mem") ||
		    ((name_is(c, len, "fd") || name_is(c, len, "map_files")) && rlen))
			return K_DENIED;
		return K_PLAIN;
	}
	if (is_hidden(c, len))
		return K_HIDDEN;
	if (name_is(c, len, "fd") || name_is(c, len, "fdinfo")) {
		long fd;

		if (rlen == 0)
			return K_PLAIN;
		fd = proc_number(rest, rlen);
		if (fd < 0)
			return K_PLAIN; /* no such entry: the host says ENOENT */
		if (fd >= vm->guest_fd_limit)
			return K_HIDDEN;
		return K_PLAIN;
	}
	if (name_is(c, len, "exe") && rlen == 0)
		return K_EXE;
	if (name_is(c, len, "maps") && rlen == 0)
		return K_MAPS;
	return K_PLAIN;
}

/* The name of the directory a relative path starts in: dirfd's, or the
 * current directory.  false if it has none the walk can follow (not a
 * directory, deleted, not a guest fd): the host then answers alone. */
static bool start_dir(const struct elh_vm *vm, int dirfd, char *out)
{
	char link[64];
	long n;

	if (dirfd == AT_FDCWD) {
		return getcwd(out, PATH_MAX) && out[0] == '/';
	}
	if (!elh_fd_ok(vm, dirfd))
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = link_of(link, out, PATH_MAX - 1);
	if (n <= 0 || out[0] != '/')
		return false;
	out[n] = 0;
	return !strstr(out, " (deleted)");
}

struct walk {
	char cur[PATH_MAX]; /* where the walk stands: absolute, resolved */
	size_t len;
	char rest[2 * PATH_MAX + 2]; /* what is left to walk */
};

/* Put text in front of what is left to walk. */
static int push_front(struct walk *w, const char *text, size_t n)
{
	size_t have = strlen(w->rest);

	if (n + 1 + have + 1 > sizeof(w->rest))
		return -ENAMETOOLONG;
	memmove(w->rest + n + 1, w->rest, have + 1);
	memcpy(w->rest, text, n);
	w->rest[n] = '/';
	return 0;
}

static void go_up(struct walk *w)
{
	while (w->len > 1 && w->cur[w->len - 1] != '/')
		w->len--;
	if (w->len > 1)
		w->len--;
	w->cur[w->len] = 0;
}

long elh_proc_walk(const struct elh_vm *vm, int dirfd, const char *path, bool follow_last,
		   char *out)
{
	struct walk w;
	bool rewritten = false;
	int links = 0;
	size_t n;

	if (path[0] == 0)
		return ELH_PROC_ASIS; /* AT_EMPTY_PATH: the fd itself, checked when opened */
	if (path[0] == '/') {
		strcpy(w.cur, "/");
	} else if (!start_dir(vm, dirfd, w.cur)) {
		return ELH_PROC_ASIS;
	}
	w.len = strlen(w.cur);
	if (strlen(path) >= sizeof(w.rest))
		return -ENAMETOOLONG;
	strcpy(w.rest, path);

	for (;;) {
		char name[PATH_MAX], cand[PATH_MAX], target[PATH_MAX];
		const char *c = component(w.rest, &n);
		size_t after;
		bool last;
		long r;

		if (n == 0)
			break;
		if (n >= NAME_MAX + 1)
			return ELH_PROC_ASIS; /* the host says ENAMETOOLONG */
		memcpy(name, c, n);
		name[n] = 0;
		after = (size_t)(c - w.rest) + n;
		memmove(w.rest, w.rest + after, strlen(w.rest + after) + 1);
		last = component(w.rest, &after)[0] == 0;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			go_up(&w);
			continue;
		}
		if (snprintf(cand, sizeof(cand), "%s%s%s", w.cur, w.len > 1 ? "/" : "", name) >=
		    (int)sizeof(cand))
			return ELH_PROC_ASIS;

		switch (classify(vm, cand)) {
		case K_HIDDEN: return -ENOENT;
		case K_DENIED: return -EACCES;
		case K_EXE:
			if (last && !follow_last)
				return ELH_PROC_EXE;
			if (++links > MAX_LINKS)
				return -ELOOP;
			/* Follow it to the program instead of to elh. */
			snprintf(w.cur, sizeof(w.cur), "%s", vm->exe_path);
			w.len = strlen(w.cur);
			rewritten = true;
			continue;
		case K_PLAIN:
		case K_MAPS: break;
		}
		if (last && !follow_last)
			break;
		r = link_of(cand, target, sizeof(target) - 1);
		if (r == -EINVAL) { /* not a symlink */
			snprintf(w.cur, sizeof(w.cur), "%s", cand);
			w.len = strlen(w.cur);
			continue;
		}
		if (r < 0) {
			/* Missing, not a directory, not searchable: the host
			 * gives the error, or creates the last name. */
			if (rewritten && push_front(&w, name, strlen(name)) < 0)
				return -ENAMETOOLONG;
			goto stop;
		}
		target[r] = 0;
		if (++links > MAX_LINKS)
			return -ELOOP;
		if (!strncmp(cand, "/proc/", 6) && target[0] != '/' && strchr(target, ':'))
			goto stop; /* "pipe:[...]", "anon_inode:...": an object */
		if (push_front(&w, target, (size_t)r) < 0)
			return -ENAMETOOLONG;
		if (target[0] == '/') {
			strcpy(w.cur, "/");
			w.len = 1;
		}
	}
	if (!rewritten)
		return ELH_PROC_ASIS;
	snprintf(out, PATH_MAX, "%s", w.cur);
	return ELH_PROC_REWRITTEN;
stop:
	if (!rewritten)
		return ELH_PROC_ASIS;
	if (snprintf(out, PATH_MAX, "%s/%s", w.cur, w.rest) >= PATH_MAX)
		return -ENAMETOOLONG;
	return ELH_PROC_REWRITTEN;
}

/* The guest's maps: each host line cut to the guest mappings it holds. */
static long maps_fd(struct elh_vm *vm, int flags)
{
	struct elh_vma *vmas;
	size_t nvmas;
	char line[PATH_MAX + 256];
	FILE *in, *out;
	long fd;

	if (elh_mm_snapshot(vm, &vmas, &nvmas) < 0)
		return -ENOENT;
	fd = memfd_create("maps", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0)
		fd = -errno;
	in = fopen("/proc/self/maps", "re");
	if (fd < 0 || !in) {
		free(vmas);
		if (in)
			fclose(in);
		if (fd >= 0)
			close((int)fd);
		return fd < 0 ? fd : -ENOENT;
	}
	out = fdopen(dup((int)fd), "w");
	while (out && fgets(line, sizeof(line), in)) {
		unsigned long s, e, off;
		char perms[8], dev[16];
		unsigned long ino;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &s, &e, perms, &off, dev, &ino,
			   &pos) < 6)
			continue;
		for (size_t i = 0; i < nvmas; i++) {
			const char *name = line + pos;
			uint64_t a = vmas[i].start > s ? vmas[i].start : s;
			uint64_t b = vmas[i].end < e ? vmas[i].end : e;

			if (a >= b)
				continue;
			if (vmas[i].kind == ELH_VMA_HEAP)
				name = "[heap]\n";
			else if (vmas[i].kind == ELH_VMA_STACK)
				name = "[stack]\n";
			else if (*name == '[' || *name == 0)
				name = "\n";
			fprintf(out, "%08lx-%08lx %s %08lx %s %lu%s%s", (unsigned long)a,
				(unsigned long)b, perms, off + (a - s), dev, ino,
				*name == '\n' ? "" : "                          ", name);
		}
	}
	free(vmas);
	fclose(in);
	if (!out || fclose(out)) {
		close((int)fd);
		return -ENOMEM;
	}
	lseek((int)fd, 0, SEEK_SET);
	return fd;
}

long elh_proc_opened(struct elh_vm *vm, long fd, int flags)
{
	char link[64], name[PATH_MAX];
	long n, ret;

	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
	n = link_of(link, name, sizeof(name) - 1);
	if (n <= 0 || strncmp(name, "/proc/", 6))
		return fd;
	name[n] = 0;
	switch (classify(vm, name)) {
	case K_HIDDEN: ret = -ENOENT; break;
	case K_DENIED: ret = -EACCES; break;
	case K_MAPS:
		ret = maps_fd(vm, flags);
		if (ret < 0)
			break;
		/* In the slot the guest was given, so fd bounds hold. */
		n = dup3((int)ret, (int)fd, (flags & O_CLOEXEC) ? O_CLOEXEC : 0);
		close((int)ret);
		if (n >= 0)
			return fd;
		ret = -errno;
		break;
	default: return fd;
	}
	close((int)fd);
	return ret;
}

/* Is path /proc/<pid>/fd or fdinfo (or task/<tid>/fd...) of this process? */
static bool own_fd_dir(const char *path)
{
	const char *c;
	size_t len;

	if (strncmp(path, "/proc/", 6))
		return false;
	c = component(path + 6, &len);
	if (proc_number(c, len) < 0 || !own_pid(proc_number(c, len)))
		return false;
	c = component(c + len, &len);
	if (name_is(c, len, "task")) {
		c = component(c + len, &len);
		if (proc_number(c, len) < 0)
			return false;
		c = component(c + len, &len);
	}
	if (!name_is(c, len, "fd") && !name_is(c, len, "fdinfo"))
		return false;
	return component(c + len, &len)[0] == 0;
}

long elh_proc_getdents(struct elh_vm *vm, long nr, int fd, uint64_t buf, unsigned len,
		       size_t name_off)
{
	char link[64], name[PATH_MAX];
	unsigned char *copy;
	long n, kept;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = link_of(link, name, sizeof(name) - 1);
	if (n <= 0)
		return elh_host3(nr, fd, buf, len);
	name[n] = 0;
	if (!own_fd_dir(name))
		return elh_host3(nr, fd, buf, len);
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	do {
		n = elh_host3(nr, fd, buf, len);
		if (n <= 0)
			break;
		if (elh_guest_read(&vm->arena, copy, buf, (size_t)n)) {
			n = -EFAULT;
			break;
		}
		kept = 0;
		for (long at = 0; at < n;) {
			uint16_t reclen;
			long num;

			memcpy(&reclen, copy + at + 16, sizeof(reclen));
			if (reclen <= name_off || reclen > n - at)
				break; /* not the kernel's: keep nothing after it */
			num = proc_number((char *)copy + at + name_off,
					  strnlen((char *)copy + at + name_off, reclen - name_off));
			if (num < 0 || num < vm->guest_fd_limit) {
				memmove(copy + kept, copy + at, reclen);
				kept += reclen;
			}
			at += reclen;
		}
		/* A batch of the monitor's fds only: read on, 0 is the end. */
		if (kept && elh_guest_write(&vm->arena, buf, copy, (size_t)kept))
			kept = -EFAULT;
		n = kept;
	} while (n == 0);
	free(copy);
	return n;
}
