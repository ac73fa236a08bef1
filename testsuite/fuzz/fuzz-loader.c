/*
 * Fuzz target: what the monitor makes of an executable file.  The input is
 * a file image: elh_elf_inspect() checks its headers, program headers and
 * PT_INTERP; what it accepts elh_load() maps into a fresh arena with its
 * interpreter, and elh_build_stack() gives it a stack.  A file starting
 * with "#!" goes to execve's script check instead (sys_exec.c's inspect(),
 * reached by including that file).
 *
 * The interpreter a program names is never looked up on the host: when the
 * input holds the marker INTERP_MARK, the bytes after it are the
 * interpreter's image, and PT_INTERP is pointed at them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "loader.h"
#include "memory.h"
#include "process.h"
#include "signal.h"
#include "syscall.h"
#include "vm.h"

#include "../../monitor/sys_exec.c"

#define INTERP_MARK "ELHINTERP"
#define ARENA_SIZE  (256ull << 20)

/* What sys_exec.c needs of the rest of the monitor, never reached from
 * inspect(). */
const char *elh_exe_link(const struct elh_vm *v, const char *path)
{
	return NULL;
}

int elh_sys_fd_bound(struct elh_vm *v)
{
	return v->guest_fd_limit;
}

void elh_sys_nofile_get(struct elh_vm *v, struct rlimit *r)
{
	r->rlim_cur = r->rlim_max = (rlim_t)v->guest_fd_limit;
}

void elh_process_ending(struct elh_vm *v)
{
}

void elh_signal_exec_prepare(struct elh_vcpu *c, struct elh_exec_signals *save)
{
}

void elh_signal_exec_failed(struct elh_vcpu *c, struct elh_exec_signals *save)
{
}

static int prog_fd = -1, interp_fd = -1;
static char prog_path[64], interp_path[64];
static FILE *devnull;

static void put(int fd, const uint8_t *p, size_t n)
{
	if (ftruncate(fd, 0) < 0 || (n && pwrite(fd, p, n, 0) != (ssize_t)n))
		fuzz_fail("cannot write the input to a memfd: %s", strerror(errno));
}

/* "#!" lines: the interpreter and its argument, or a refusal. */
static void script(struct elh_vm *v)
{
	char interp[SHEBANG_MAX], arg[SHEBANG_MAX];
	long r = inspect(v, "execve", prog_path, interp, sizeof(interp), arg, sizeof(arg));

	if (r == 1 && (!interp[0] || strlen(interp) >= SHEBANG_MAX || strchr(interp, '\n') ||
		       strpbrk(interp, " \t")))
		fuzz_fail("a \"#!\" line gave the interpreter \"%s\"", interp);
	if (r != 1 && r != -ENOEXEC)
		fuzz_fail("a \"#!\" line gave %ld", r);
}

static void load(struct elh_vm *v)
{
	static char *const argv[] = { "prog", "arg", NULL }, *const envp[] = { "A=1", NULL };
	struct elh_elf_info info;
	struct elh_image img;
	char err[512];
	uint64_t rsp, argc;

	if (elh_elf_inspect(prog_fd, &info, err, sizeof(err)) < 0)
		return;
	if (info.kind == ELH_ELF_STATIC && (info.entry < info.lo || info.entry >= info.hi))
		fuzz_fail("inspect accepted an entry point outside the image");
	if (info.interp) {
		free(info.interp);
		info.interp = strdup(interp_path);
	}
	if (elh_load(v, prog_fd, &info, &img, err, sizeof(err)) == 0) {
		if (img.entry < img.lo || img.entry >= img.hi || img.brk != img.hi ||
		    img.lo < v->arena.base || img.hi > v->arena.base + v->arena.size)
			fuzz_fail("a loaded image is not where it says");
		if (elh_build_stack(v, &img, 2, argv, envp, NULL, &rsp, err, sizeof(err)) == 0) {
			if (rsp % 16 || elh_guest_read(&v->arena, &argc, rsp, sizeof(argc)) ||
			    argc != 2)
				fuzz_fail("the initial stack at %#llx is not as built",
					  (unsigned long long)rsp);
		}
	}
	elh_elf_release(&info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *mark = memmem(data, size, INTERP_MARK, strlen(INTERP_MARK));
	size_t prog_len = mark ? (size_t)(mark - data) : size;
	struct elh_vm v;
	char err[256];

	if (prog_fd < 0) {
		prog_fd = memfd_create("prog", MFD_CLOEXEC);
		interp_fd = memfd_create("interp", MFD_CLOEXEC);
		devnull = fopen("/dev/null", "w");
		if (prog_fd < 0 || interp_fd < 0 || !devnull)
			fuzz_fail("cannot make the memfds");
		snprintf(prog_path, sizeof(prog_path), "/proc/self/fd/%d", prog_fd);
		snprintf(interp_path, sizeof(interp_path), "/proc/self/fd/%d", interp_fd);
	}
	put(prog_fd, data, prog_len);
	if (mark)
		put(interp_fd, mark + strlen(INTERP_MARK), size - prog_len - strlen(INTERP_MARK));
	else
		put(interp_fd, NULL, 0);

	memset(&v, 0, sizeof(v));
	v.guest_fd_limit = 1024;
	v.trace_out = devnull;
	if (prog_len >= 2 && data[0] == '#' && data[1] == '!') {
		script(&v);
		return 0;
	}
	if (elh_mm_init(&v, ARENA_SIZE, err, sizeof(err)) < 0)
		fuzz_fail("%s", err);
	load(&v);
	elh_mm_destroy(&v);
	return 0;
}
