/*
 * Finding a container's program in its root file system, and checking that
 * elh can run it, before runc creates anything.
 *
 * The rules are elh's own: a static x86-64 executable (the monitor's
 * elh_elf_inspect decides), or a script whose "#!" line names one, read as
 * elh's execve reads it.  Paths are resolved inside the root (openat2 with
 * RESOLVE_IN_ROOT), so that an absolute symbolic link such as
 * /bin/sh -> /bin/busybox means what it means in the container.  A program
 * that is not in the root but could lie on one of the spec's mounts is left
 * to elh, which looks for it when the container starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elh-runc.h"
#include "errors.h"
#include "loader.h"

#define SHEBANG_MAX 256 /* as elh and Linux read it */

static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Does path lie on (or under) the destination of one of the spec's mounts? */
static int on_mount(json_t *spec, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(spec, "mounts"), i, m)
	{
		const char *d = json_string_value(json_object_get(m, "destination"));
		size_t n;

		if (!d)
			continue;
		n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			n--;
		if (!strncmp(path, d, n) && (n == 1 || path[n] == '/' || !path[n]))
			return 1;
	}
	return 0;
}

static const char *env_value(json_t *process, const char *name)
{
	size_t len = strlen(name), i;
	json_t *e;

	json_array_foreach(json_object_get(process, "env"), i, e)
	{
		const char *s = json_string_value(e);

		if (s && !strncmp(s, name, len) && s[len] == '=')
			return s + len + 1;
	}
	return NULL;
}

/* name made absolute in the container: relative names are relative to cwd. */
static int container_path(char *out, size_t outlen, const char *cwd, const char *dir, size_t dirlen,
			  const char *name)
{
	int n;

	if (dir && dirlen && dir[0] == '/')
		n = snprintf(out, outlen, "%.*s/%s", (int)dirlen, dir, name);
	else if (dir && dirlen)
		n = snprintf(out, outlen, "%s/%.*s/%s", cwd, (int)dirlen, dir, name);
	else if (!dir && name[0] == '/')
		n = snprintf(out, outlen, "%s", name);
	else
		n = snprintf(out, outlen, "%s/%s", cwd, name);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Is the file open on fd a static x86-64 executable?  0, or -1 with the
 * reason ("is dynamically linked ...") in err. */
static int check_elf(int fd, char *err, size_t errlen)
{
	struct elh_elf_info info;

	if (elh_elf_inspect(fd, &info, err, errlen) < 0)
		return -1;
	/* Inside a container, the interpreter would have to be looked up in
	 * the container's root, which elh-runc does not do yet. */
	if (info.interp) {
		elh_elf_release(&info);
		return elh_refuse(err, errlen,
				  "is dynamically linked; elh-runc runs static executables only: "
				  "relink it with -static or with elh-musl-gcc");
	}
	elh_elf_release(&info);
	return 0;
}

/* Read a "#!" line as elh does: 1 with interp and arg set, 0 if head is
 * no script, -1 with the reason in err. */
static int parse_shebang(char *head, char *interp, size_t interplen, char *arg, size_t arglen,
			 char *err, size_t errlen)
{
	char *p = head + 2, *end, *name;

	if (head[0] != '#' || head[1] != '!')
		return 0;
	end = strchr(head, '\n');
	if (!end)
		return elh_refuse(err, errlen, "has a \"#!\" line longer than 255 bytes");
	*end = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	name = p;
	p += strcspn(p, " \t");
	if (*p)
		*p++ = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (char *e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = 0;
	if (!*name)
		return elh_refuse(err, errlen, "has a \"#!\" line that names no interpreter");
	snprintf(interp, interplen, "%s", name);
	snprintf(arg, arglen, "%s", p);
	return 1;
}

/* Open the regular, executable file at path in the root: an fd, or -1
 * with errno (EACCES for what is no executable file). */
static int open_program(int rootfd, const char *path)
{
	struct stat st;
	int fd = open_in_root(rootfd, path);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

/* Check a script's interpreter: it must be a static executable itself. */
static int check_interpreter(json_t *spec, int rootfd, const char *cwd,
			     const struct elh_runc_program *prog, char *err, size_t errlen)
{
	char ipath[PATH_MAX], why[512];
	int fd, r;

	if (container_path(ipath, sizeof(ipath), cwd, NULL, 0, prog->interp) < 0)
		return elh_refuse(err, errlen, "%s: its interpreter's path is too long",
				  prog->path);
	fd = open_program(rootfd, ipath);
	if (fd < 0) {
		if (errno == ENOENT && on_mount(spec, ipath))
			return 0;
		return elh_refuse(err, errlen, "%s: its interpreter %s %s", prog->path,
				  prog->interp,
				  errno == ENOENT ? "does not exist in the container"
						  : "is not an executable file");
	}
	r = check_elf(fd, why, sizeof(why));
	close(fd);
	if (r < 0)
		return elh_refuse(err, errlen, "%s: its interpreter %s %s", prog->path,
				  prog->interp, why);
	return 0;
}

/* Check the program open on fd (found at prog->path). */
static int check_program(json_t *spec, int rootfd, const char *cwd, int fd,
			 struct elh_runc_program *prog, char *err, size_t errlen)
{
	char head[SHEBANG_MAX + 1], why[512];
	ssize_t n = pread(fd, head, SHEBANG_MAX, 0);
	int r;

	if (n < 0)
		return elh_refuse(err, errlen, "%s cannot be read: %s", prog->path,
				  strerror(errno));
	head[n] = 0;
	r = n >= 2 ? parse_shebang(head, prog->interp, sizeof(prog->interp), prog->iarg,
				   sizeof(prog->iarg), why, sizeof(why))
		   : 0;
	if (r < 0)
		return elh_refuse(err, errlen, "%s %s", prog->path, why);
	if (r > 0)
		return check_interpreter(spec, rootfd, cwd, prog, err, errlen);
	if (check_elf(fd, why, sizeof(why)) < 0)
		return elh_refuse(err, errlen, "%s %s", prog->path, why);
	return 0;
}

int elh_runc_find_program(json_t *spec, const char *bundle, json_t *process,
			  struct elh_runc_program *prog, char *err, size_t errlen)
{
	const char *root =
	    json_string_value(json_object_get(json_object_get(spec, "root"), "path"));
	const char *name = json_string_value(json_array_get(json_object_get(process, "args"), 0));
	const char *cwd = json_string_value(json_object_get(process, "cwd"));
	const char *path = NULL, *dir = NULL;
	char rootfs[PATH_MAX];
	int rootfd, fd = -1, maybe_on_mount = 0, r;

	memset(prog, 0, sizeof(*prog));
	if (!name || !*name)
		return elh_refuse(err, errlen, "the process has no args: nothing to run");
	if (!root)
		return elh_refuse(err, errlen, "the spec names no root.path");
	if (!cwd || cwd[0] != '/')
		cwd = "/";
	if (snprintf(rootfs, sizeof(rootfs), "%s%s%s", root[0] == '/' ? "" : bundle,
		     root[0] == '/' ? "" : "/", root) >= (int)sizeof(rootfs))
		return elh_refuse(err, errlen, "the root file system's path is too long");
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return elh_refuse(err, errlen, "cannot open the root file system %s: %s", rootfs,
				  strerror(errno));

	/* As runc's init looks it up: a name without a slash in the PATH of
	 * the process's own environment, anything else as it is. */
	if (!strchr(name, '/')) {
		path = env_value(process, "PATH");
		dir = path ? path : "";
	}
	for (;;) {
		size_t len = dir ? strcspn(dir, ":") : 0;

		if (dir && !*dir)
			break;
		if (container_path(prog->path, sizeof(prog->path), cwd, dir, len, name) == 0) {
			fd = open_program(rootfd, prog->path);
			if (fd >= 0)
				break;
			if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) {
				r = errno;
				close(rootfd);
				return elh_refuse(err, errlen, "%s cannot be opened: %s",
						  prog->path, strerror(r));
			}
			if (!dir && errno == EACCES) {
				close(rootfd);
				return elh_refuse(err, errlen, "%s is not an executable file",
						  prog->path);
			}
			maybe_on_mount |= on_mount(spec, prog->path);
		}
		if (!dir || !dir[len])
			break;
		dir += len + 1;
	}
	if (fd < 0) {
		close(rootfd);
		if (maybe_on_mount)
			return 0; /* prog->found == 0: elh's to find */
		if (!dir)
			return elh_refuse(err, errlen, "%s does not exist in the container", name);
		return elh_refuse(err, errlen, "%s: not found in the container's PATH (%s)", name,
				  path ? path : "not set");
	}
	prog->found = 1;
	r = check_program(spec, rootfd, cwd, fd, prog, err, errlen);
	close(fd);
	close(rootfd);
	return r;
}
