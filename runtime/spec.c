/*
 * The adjustments elh-runc makes to an OCI spec: the process becomes
 * `elh run [options] PROGRAM ARGS`, elh is bind-mounted read-only into the
 * root, and on the KVM platform the container gets /dev/kvm.  Everything
 * else in the spec is runc's, untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "elh-runc.h"
#include "errors.h"

json_t *elh_runc_load(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	if (!j)
		elh_refuse(err, errlen, "cannot read %s: %s (line %d)", path, jerr.text, jerr.line);
	else if (!json_is_object(j)) {
		elh_refuse(err, errlen, "%s is not a JSON object", path);
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Replace path with j, atomically: a reader sees the old file or the new. */
int elh_runc_store(json_t *j, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.elh-runc", path) >= (int)sizeof(tmp))
		return elh_refuse(err, errlen, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  stat(path, &st) == 0 ? st.st_mode & 07777 : 0644);
	if (fd < 0)
		return elh_refuse(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	if (json_dumpfd(j, fd, JSON_INDENT(2)) < 0 || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return elh_refuse(err, errlen, "cannot write %s", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return elh_refuse(err, errlen, "cannot replace %s: %s", path, strerror(e));
	}
	return 0;
}

static int vcpus_valid(const char *s)
{
	char *end;
	long n;

	if (!strcmp(s, "per-thread"))
		return 1;
	n = strtol(s, &end, 10);
	return end != s && !*end && n >= 1 && n <= 64;
}

int elh_runc_read_opts(json_t *spec, struct elh_runc_opts *o, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	memset(o, 0, sizeof(*o));
	o->platform = "kvm";
	json_object_foreach(json_object_get(spec, "annotations"), key, v)
	{
		const char *s = json_string_value(v);

		if (strncmp(key, "elh.", 4))
			continue;
		if (!s)
			return elh_refuse(err, errlen, "annotation %s is not a string", key);
		if (!strcmp(key, ELH_RUNC_ANN_PLATFORM)) {
			if (strcmp(s, "kvm") && strcmp(s, "systrap"))
				return elh_refuse(err, errlen,
						  "annotation %s=%s: use kvm or systrap", key, s);
			o->platform = s;
		} else if (!strcmp(key, ELH_RUNC_ANN_MODE)) {
			if (strcmp(s, "exitless") && strcmp(s, "hypercall"))
				return elh_refuse(err, errlen,
						  "annotation %s=%s: use exitless or hypercall",
						  key, s);
			o->mode = s;
		} else if (!strcmp(key, ELH_RUNC_ANN_VCPUS)) {
			if (!vcpus_valid(s))
				return elh_refuse(err, errlen,
						  "annotation %s=%s: use 1 to 64, or per-thread",
						  key, s);
			o->vcpus = s;
		} else {
			return elh_refuse(
			    err, errlen,
			    "unknown annotation %s (elh-runc knows " ELH_RUNC_ANN_PLATFORM
			    ", " ELH_RUNC_ANN_MODE " and " ELH_RUNC_ANN_VCPUS ")",
			    key);
		}
	}
	return 0;
}

int elh_runc_wrapped(json_t *process)
{
	const char *a0 = json_string_value(json_array_get(json_object_get(process, "args"), 0));

	return a0 && !strcmp(a0, ELH_RUNC_GUEST_ELH);
}

static int append_option(json_t *args, const char *name, const char *value)
{
	char buf[64];

	if (!value)
		return 0;
	snprintf(buf, sizeof(buf), "--%s=%s", name, value);
	return json_array_append_new(args, json_string(buf));
}

/*
 * args becomes: elh run OPTIONS [--argv0=ARG0] -- PROGRAM ARGS[1..], where
 * PROGRAM is the path found in the container, so that argv[0] stays what
 * the spec said.  A script runs as the kernel would run it:
 * INTERP [ARG] SCRIPT ARGS[1..].
 */
int elh_runc_wrap_process(json_t *process, const struct elh_runc_opts *o,
			  const struct elh_runc_program *prog, char *err, size_t errlen)
{
	json_t *old = json_object_get(process, "args"), *args = json_array(), *a;
	const char *a0 = json_string_value(json_array_get(old, 0));
	size_t i;
	int r = 0;

	if (!args)
		return elh_refuse(err, errlen, "out of memory");
	r |= json_array_append_new(args, json_string(ELH_RUNC_GUEST_ELH));
	r |= json_array_append_new(args, json_string("run"));
	r |= append_option(args, "platform", o->platform);
	r |= append_option(args, "mode", o->mode);
	r |= append_option(args, "vcpus", o->vcpus);
	if (prog->found && !prog->interp[0]) {
		char *argv0;

		if (asprintf(&argv0, "--argv0=%s", a0) < 0) {
			json_decref(args);
			return elh_refuse(err, errlen, "out of memory");
		}
		r |= json_array_append_new(args, json_string(argv0));
		free(argv0);
	}
	r |= json_array_append_new(args, json_string("--"));
	if (prog->interp[0]) {
		r |= json_array_append_new(args, json_string(prog->interp));
		if (prog->iarg[0])
			r |= json_array_append_new(args, json_string(prog->iarg));
	}
	r |= json_array_append_new(args, json_string(prog->found ? prog->path : a0));
	json_array_foreach(old, i, a)
	{
		if (i)
			r |= json_array_append(args, a);
	}
	r |= json_object_set_new(process, "args", args);
	return r ? elh_refuse(err, errlen, "out of memory") : 0;
}

static int has_destination(json_t *mounts, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i, m)
	{
		const char *d = json_string_value(json_object_get(m, "destination"));

		if (d && !strcmp(d, dest))
			return 1;
	}
	return 0;
}

/* The array at obj.key, made if missing. */
static json_t *array_at(json_t *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (json_is_array(a))
		return a;
	a = json_array();
	return json_object_set_new(obj, key, a) ? NULL : a;
}

static json_t *object_at(json_t *obj, const char *key)
{
	json_t *o = json_object_get(obj, key);

	if (json_is_object(o))
		return o;
	o = json_object();
	return json_object_set_new(obj, key, o) ? NULL : o;
}

/* /dev/kvm with the host's numbers, in the container's devices and in its
 * device cgroup's rules.  Whatever user the process runs as, it is elh that
 * opens the device: the container's node is open to all (mode 0666), as
 * the container's own /dev is its alone. */
static int add_kvm(json_t *spec, const struct stat *st, char *err, size_t errlen)
{
	json_t *linux_ = object_at(spec, "linux"), *devices, *rules, *e;
	int r = 0;
	size_t i;

	devices = linux_ ? array_at(linux_, "devices") : NULL;
	rules = linux_ ? array_at(object_at(linux_, "resources"), "devices") : NULL;
	if (!devices || !rules)
		return elh_refuse(err, errlen, "out of memory");
	json_array_foreach(devices, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "path"));

		if (p && !strcmp(p, "/dev/kvm"))
			return 0;
	}
	r |= json_array_append_new(devices, json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "path",
						      "/dev/kvm", "type", "c", "major",
						      (json_int_t)major(st->st_rdev), "minor",
						      (json_int_t)minor(st->st_rdev), "fileMode",
						      0666, "uid", 0, "gid", 0));
	r |= json_array_append_new(rules,
				   json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", "c",
					     "major", (json_int_t)major(st->st_rdev), "minor",
					     (json_int_t)minor(st->st_rdev), "access", "rwm"));
	return r ? elh_refuse(err, errlen, "out of memory") : 0;
}

int elh_runc_adjust_spec(json_t *spec, const char *elh, const struct elh_runc_opts *o, char *err,
			 size_t errlen)
{
	json_t *mounts = array_at(spec, "mounts");
	char real[PATH_MAX];
	struct stat st;

	if (!mounts)
		return elh_refuse(err, errlen, "out of memory");
	if (!realpath(elh, real))
		return elh_refuse(err, errlen, "cannot find elh at %s: %s", elh, strerror(errno));
	/* Last, so that no other mount hides it. */
	if (!has_destination(mounts, ELH_RUNC_GUEST_ELH) &&
	    json_array_append_new(mounts,
				  json_pack("{s:s, s:s, s:s, s:[s,s,s,s]}", "destination",
					    ELH_RUNC_GUEST_ELH, "type", "bind", "source", real,
					    "options", "bind", "ro", "nosuid", "nodev")))
		return elh_refuse(err, errlen, "out of memory");
	if (!strcmp(o->platform, "kvm") && stat("/dev/kvm", &st) == 0 && S_ISCHR(st.st_mode))
		return add_kvm(spec, &st, err, errlen);
	return 0;
}
