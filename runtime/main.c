/*
 * elh-runc: an OCI runtime whose containers run their processes as ELH
 * virtualized processes.
 *
 * It is not a second runc.  For create and run it adjusts the bundle's
 * config.json (spec.c), for exec the process it is given, once it has
 * checked that elh can run the program (program.c); then, whatever the
 * command, it executes runc with the same command line.  Namespaces,
 * cgroups, mounts, seccomp, users, consoles, state, kill and delete are
 * runc's alone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "elh-runc.h"

/* The command line as runc reads it: GLOBALS COMMAND OPTIONS ARGS. */
struct cmdline {
	int argc;
	char **argv;
	int cmd;		      /* index of COMMAND, argc if none */
	const char *log, *log_format; /* runc's --log and --log-format */
};

static const char *runc_path(void)
{
	const char *p = getenv("ELH_RUNC_RUNC");

	return p && *p ? p : ELH_RUNC_DEFAULT_RUNC;
}

static const char *elh_path(void)
{
	const char *p = getenv("ELH_RUNC_ELH");

	return p && *p ? p : ELH_RUNC_DEFAULT_ELH;
}

/* One line on stderr and, as runc would log it, in runc's --log (where
 * containerd's shim reads the reason of a failed create); exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const struct cmdline *c, const char *fmt, ...)
{
	char msg[2048], when[64];
	va_list ap;
	time_t now = time(NULL);
	FILE *log;
	int n;

	if (c->cmd < c->argc)
		n = snprintf(msg, sizeof(msg), "elh-runc: %s: ", c->argv[c->cmd]);
	else
		n = snprintf(msg, sizeof(msg), "elh-runc: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", msg);
	if (c->log && (log = fopen(c->log, "ae"))) {
		json_t *s = json_string(msg + strlen("elh-runc: "));
		char *quoted = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		if (!quoted)
			;
		else if (c->log_format && !strcmp(c->log_format, "json"))
			fprintf(log, "{\"level\":\"error\",\"msg\":%s,\"time\":\"%s\"}\n", quoted,
				when);
		else
			fprintf(log, "time=\"%s\" level=error msg=%s\n", when, quoted);
		free(quoted);
		json_decref(s);
		fclose(log);
	}
	exit(1);
}

/*
 * The option at argv[*i], read as runc's command-line library reads it
 * (-x, --x, -x=V, --x=V, or -x V when x is a word of valued): its name
 * without dashes in name, its value in *value, and *i moved past it.  0 at
 * the first argument that is no option, or past "--".
 */
static int next_option(const struct cmdline *c, int *i, const char *valued, char *name,
		       size_t namelen, const char **value)
{
	const char *a = *i < c->argc ? c->argv[*i] : NULL, *eq;
	size_t len;

	if (!a || a[0] != '-' || !a[1])
		return 0;
	if (!strcmp(a, "--")) {
		(*i)++;
		return 0;
	}
	a += a[1] == '-' ? 2 : 1;
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a) : strlen(a);
	snprintf(name, namelen, "%.*s", (int)len, a);
	*value = eq ? eq + 1 : NULL;
	(*i)++;
	if (!eq) {
		char word[68];

		snprintf(word, sizeof(word), " %s ", name);
		if (strstr(valued, word)) {
			if (*i >= c->argc)
				fail(c, "option %s needs a value", c->argv[*i - 1]);
			*value = c->argv[(*i)++];
		}
	}
	return 1;
}

/* runc's options that take a value, global and per command, each between
 * spaces. */
static const char global_valued[] = " log log-format root criu rootless ";
static const char create_valued[] = " bundle b console-socket pid-file preserve-fds ";
static const char exec_valued[] = " console-socket cwd env e user u additional-gids g process p "
				  "process-label apparmor cap c pid-file preserve-fds cgroup ";

static void __attribute__((noreturn)) exec_runc(const struct cmdline *c, char **argv)
{
	argv[0] = (char *)runc_path();
	execvp(argv[0], argv);
	fail(c, "cannot run %s: %s", argv[0], strerror(errno));
}

/* Run argv, and return what it wrote on stdout (NUL-terminated, malloc'd)
 * and its exit status in *status; NULL if it could not run. */
static char *capture(char *const argv[], int *status)
{
	size_t len = 0, size = 4096;
	char *out = malloc(size);
	int fd[2], st;
	ssize_t n;
	pid_t pid;

	if (!out || pipe2(fd, O_CLOEXEC) < 0) {
		free(out);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && (n = read(fd[0], out + len, size - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (size - len < 2) {
			char *bigger = realloc(out, size *= 2);

			if (!bigger)
				break;
			out = bigger;
		}
	}
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		free(out);
		return NULL;
	}
	out[len] = 0;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return out;
}

/* On the KVM platform, fail now if elh could not open KVM at start. */
static void check_kvm(const struct cmdline *c, const struct elh_runc_opts *o)
{
	char *argv[] = { (char *)elh_path(), "check-kvm", NULL };
	char *out;
	int st;

	if (strcmp(o->platform, "kvm"))
		return;
	out = capture(argv, &st);
	if (!out)
		fail(c, "cannot run %s check-kvm", argv[0]);
	if (st) {
		const char *why = strstr(out, "unusable: ");

		out[strcspn(out, "\n")] = 0;
		fail(c,
		     ELH_RUNC_ANN_PLATFORM
		     " is kvm, but this host's KVM is unusable: %s (annotate " ELH_RUNC_ANN_PLATFORM
		     "=systrap to run without KVM, and without a VM's isolation)",
		     why ? why + strlen("unusable: ") : out);
	}
	free(out);
}

/* Check the program of process and make it an elh process. */
static void wrap(const struct cmdline *c, json_t *spec, const char *bundle, json_t *process,
		 const struct elh_runc_opts *o)
{
	struct elh_runc_program prog;
	char err[1024];

	if (elh_runc_find_program(spec, bundle, process, &prog, err, sizeof(err)) < 0 ||
	    elh_runc_wrap_process(process, o, &prog, err, sizeof(err)) < 0)
		fail(c, "%s", err);
}

/* create and run: adjust the bundle's config.json in place. */
static void adjust_bundle(const struct cmdline *c)
{
	const char *bundle = ".", *value;
	struct elh_runc_opts o;
	char config[PATH_MAX], name[64], err[1024];
	json_t *spec, *process;
	int i = c->cmd + 1;

	while (next_option(c, &i, create_valued, name, sizeof(name), &value))
		if (!strcmp(name, "bundle") || !strcmp(name, "b"))
			bundle = value;
	if (snprintf(config, sizeof(config), "%s/config.json", bundle) >= (int)sizeof(config))
		fail(c, "bundle path too long");
	spec = elh_runc_load(config, err, sizeof(err));
	if (!spec)
		fail(c, "%s", err);
	process = json_object_get(spec, "process");
	if (!json_is_object(process))
		fail(c, "%s has no process", config);
	if (!elh_runc_wrapped(process)) {
		if (elh_runc_read_opts(spec, &o, err, sizeof(err)) < 0)
			fail(c, "%s", err);
		check_kvm(c, &o);
		wrap(c, spec, bundle, process, &o);
		if (elh_runc_adjust_spec(spec, elh_path(), &o, err, sizeof(err)) < 0 ||
		    elh_runc_store(spec, config, err, sizeof(err)) < 0)
			fail(c, "%s", err);
	}
	json_decref(spec);
}

/* The spec a running container was created from, through runc state. */
static json_t *container_spec(const struct cmdline *c, const char *id, char *bundle,
			      size_t bundlelen)
{
	char **argv = calloc((size_t)c->cmd + 3, sizeof(*argv)), *out, config[PATH_MAX + 16],
	     err[1024];
	json_t *state, *spec;
	const char *b;
	int st;

	if (!argv)
		fail(c, "out of memory");
	argv[0] = (char *)runc_path();
	for (int i = 1; i < c->cmd; i++)
		argv[i] = c->argv[i];
	argv[c->cmd] = "state";
	argv[c->cmd + 1] = (char *)id;
	out = capture(argv, &st);
	free(argv);
	if (!out)
		fail(c, "cannot run %s state", runc_path());
	if (st)
		exit(st); /* runc said why on stderr */
	state = json_loads(out, 0, NULL);
	free(out);
	b = json_string_value(json_object_get(state, "bundle"));
	if (!b)
		fail(c, "runc state %s names no bundle", id);
	snprintf(bundle, bundlelen, "%s", b);
	json_decref(state);
	snprintf(config, sizeof(config), "%s/config.json", bundle);
	spec = elh_runc_load(config, err, sizeof(err));
	if (!spec)
		fail(c, "%s", err);
	return spec;
}

/*
 * exec: the new process, in a --process file (as containerd's shim gives
 * it) or on the command line after the container's id, becomes an elh
 * process with the container's options.  Returns the command line for
 * runc.
 */
static char **adjust_exec(const struct cmdline *c)
{
	const char *file = NULL, *cwd = NULL, *value;
	char name[64], err[1024], bundle[PATH_MAX];
	struct elh_runc_opts o;
	json_t *spec, *process, *env;
	char **argv = c->argv;
	int i = c->cmd + 1, id;

	env = json_array();
	while (next_option(c, &i, exec_valued, name, sizeof(name), &value)) {
		if (!strcmp(name, "process") || !strcmp(name, "p"))
			file = value;
		else if (!strcmp(name, "cwd"))
			cwd = value;
		else if (!strcmp(name, "env") || !strcmp(name, "e"))
			json_array_append_new(env, json_string(value));
	}
	id = i;
	if (id >= c->argc || (!file && id + 1 >= c->argc))
		return argv; /* runc will say what is missing */
	spec = container_spec(c, c->argv[id], bundle, sizeof(bundle));
	if (!elh_runc_wrapped(json_object_get(spec, "process"))) {
		/* Not made by elh-runc: no elh in it, so runc's alone. */
		json_decref(spec);
		json_decref(env);
		return argv;
	}
	if (elh_runc_read_opts(spec, &o, err, sizeof(err)) < 0)
		fail(c, "%s", err);
	if (file) {
		process = elh_runc_load(file, err, sizeof(err));
		if (!process)
			fail(c, "%s", err);
		if (!elh_runc_wrapped(process)) {
			wrap(c, spec, bundle, process, &o);
			if (elh_runc_store(process, file, err, sizeof(err)) < 0)
				fail(c, "%s", err);
		}
	} else {
		json_t *base = json_object_get(spec, "process"), *args = json_array(), *a;
		size_t k;

		for (int j = id + 1; j < c->argc; j++)
			json_array_append_new(args, json_string(c->argv[j]));
		json_t *all = json_array();

		/* The variables of --env come after the container's, and win. */
		json_array_extend(all, json_object_get(base, "env"));
		json_array_extend(all, env);
		process = json_pack("{s:o, s:o, s:s}", "args", args, "env", all, "cwd",
				    cwd ? cwd : json_string_value(json_object_get(base, "cwd")) ?: "/");
		if (!process)
			fail(c, "out of memory");
		if (!elh_runc_wrapped(process))
			wrap(c, spec, bundle, process, &o);
		args = json_object_get(process, "args");
		argv = calloc((size_t)id + json_array_size(args) + 2, sizeof(*argv));
		if (!argv)
			fail(c, "out of memory");
		memcpy(argv, c->argv, (size_t)(id + 1) * sizeof(*argv));
		json_array_foreach(args, k, a) argv[id + 1 + k] = strdup(json_string_value(a));
	}
	json_decref(spec);
	json_decref(env);
	return argv;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: elh-runc [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n"
		"\n"
		"An OCI runtime that runs a container's processes as ELH virtualized processes\n"
		"(elh run), and hands every command to runc: create, start, state, kill, delete,\n"
		"run, exec, features... take runc's options.  create, run and exec first check\n"
		"that elh can run the process, and make it `elh run [OPTIONS] PROGRAM ARGS`.\n"
		"\n"
		"Annotations choose elh's options for a container:\n"
		"  " ELH_RUNC_ANN_PLATFORM "=kvm|systrap    (default kvm)\n"
		"  " ELH_RUNC_ANN_MODE "=exitless|hypercall\n"
		"  " ELH_RUNC_ANN_VCPUS "=N|per-thread\n"
		"\n"
		"Environment: ELH_RUNC_RUNC names runc (default %s), ELH_RUNC_ELH the static\n"
		"elh that containers run (default %s).\n",
		ELH_RUNC_DEFAULT_RUNC, ELH_RUNC_DEFAULT_ELH);
}

int main(int argc, char **argv)
{
	struct cmdline c = { .argc = argc, .argv = argv, .cmd = argc };
	const char *value, *cmd;
	char name[64];
	int i = 1;

	while (next_option(&c, &i, global_valued, name, sizeof(name), &value)) {
		if (!strcmp(name, "log"))
			c.log = value;
		else if (!strcmp(name, "log-format"))
			c.log_format = value;
		else if (!strcmp(name, "version") || !strcmp(name, "v")) {
			printf("elh-runc version %s\n", PACKAGE_VERSION);
			fflush(stdout);
			exec_runc(&c, (char *[]){ NULL, "--version", NULL });
		} else if (!strcmp(name, "help") || !strcmp(name, "h")) {
			usage(stdout);
			return 0;
		}
	}
	c.cmd = i;
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[i];
	if (!strcmp(cmd, "create") || !strcmp(cmd, "run"))
		adjust_bundle(&c);
	else if (!strcmp(cmd, "exec"))
		argv = adjust_exec(&c);
	exec_runc(&c, argv);
}
