/*
 * Fuzz target: the system-call executor's argument decoding.  The input
 * gives the call number, the six argument registers, the fake kernel's
 * script (fake-host.h) and the contents of a small arena at a fixed
 * address, so that the pointers an input holds stay valid from one run to
 * the next: iovec arrays, message headers with their name, iovecs and
 * control data, socket addresses and their lengths, and the structures of
 * the table, all read from guest memory through the checked accessor.
 *
 * Every call of the table runs except those that name a path (they walk the
 * host's file system) and the special handlers (memory, threads, signals:
 * special-fakes.c answers them).  Beyond the fake kernel's checks, a
 * received message must leave the guest no fd at or above its limit, and a
 * new fd must lie below it.
 *
 * Input: u16 call number, u8 script length, 5 unused bytes, 6 x u64
 * registers, the script, then the arena's first bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fake-host.h"
#include "fuzz.h"
#include "syscall.h"
#include "vm.h"

#define FUZZ_ARENA_BASE 0x10000000ull
#define FUZZ_ARENA_SIZE (64ull << 10)

struct input {
	uint16_t nr;
	uint8_t script_len;
	uint8_t unused[5];
	uint64_t a[6];
};

static struct elh_vm vm;
static struct elh_vcpu cpu;
static unsigned char *mem;

static int fuzzed(long nr)
{
	const struct elh_sysdesc *d = &elh_systab[nr];

	if (!d->name || (d->flags & (ELH_SYS_RAW | ELH_SYS_NO_RETURN | ELH_SYS_UNSUPPORTED)))
		return 0;
	for (unsigned i = 0; i < d->nargs; i++) {
		unsigned k = ELH_ARG_KIND(d->arg[i]);

		if (k == ELH_ARG_PATH || k == ELH_ARG_STR || k == ELH_ARG_DIRFD)
			return 0;
	}
	return 1;
}

static void init(void)
{
	mem = mmap((void *)(uintptr_t)FUZZ_ARENA_BASE, FUZZ_ARENA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem != (void *)(uintptr_t)FUZZ_ARENA_BASE)
		fuzz_fail("cannot map the arena at %#llx", FUZZ_ARENA_BASE);
	vm.arena.base = FUZZ_ARENA_BASE;
	vm.arena.size = FUZZ_ARENA_SIZE;
	vm.guest_fd_limit = FUZZ_FD_LIMIT;
	vm.stats = 1;
	vm.trace_out = fopen("/dev/null", "w");
	if (elh_sys_stats_init(&vm) < 0 || !vm.trace_out)
		fuzz_fail("cannot set the VM up");
	cpu.vm = &vm;
	cpu.tid = gettid();
	cpu.restart_nr = -1;
	fuzz_host_init(&vm.arena);
}

/* The fds of the SCM_RIGHTS messages the guest finds in the header at
 * ghdr: each one the guest's. */
static void check_received(uint64_t ghdr)
{
	static unsigned char ctl[FUZZ_ARENA_SIZE];
	struct msghdr h;
	size_t off = 0;

	if (elh_guest_read(&vm.arena, &h, ghdr, sizeof(h)) || !h.msg_controllen)
		return;
	if (h.msg_controllen > sizeof(ctl) ||
	    elh_guest_read(&vm.arena, ctl, (uint64_t)(uintptr_t)h.msg_control, h.msg_controllen))
		fuzz_fail("recvmsg left msg_controllen %zu, beyond the guest's buffer",
			  (size_t)h.msg_controllen);
	while (h.msg_controllen - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;

		memcpy(&c, ctl + off, sizeof(c));
		if (c.cmsg_len < sizeof(c) || c.cmsg_len > h.msg_controllen - off)
			break;
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS) {
			for (size_t i = 0; i < (c.cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;

				memcpy(&fd, ctl + off + CMSG_LEN(i * sizeof(int)), sizeof(fd));
				if (fd < 0 || fd >= FUZZ_FD_LIMIT)
					fuzz_fail("the guest received fd %d, not below its limit",
						  fd);
			}
		}
		off += CMSG_ALIGN(c.cmsg_len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	size_t script_len;
	long nr, ret;

	if (!mem)
		init();
	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	data += sizeof(in);
	size -= sizeof(in);
	nr = in.nr;
	if ((unsigned long)nr >= elh_nsyscalls || !fuzzed(nr))
		return 0;
	script_len = in.script_len < size ? in.script_len : size;
	fuzz_host_script(data, script_len);
	data += script_len;
	size -= script_len;
	memset(mem, 0, FUZZ_ARENA_SIZE);
	memcpy(mem, data, size < FUZZ_ARENA_SIZE ? size : FUZZ_ARENA_SIZE);
	cpu.sigmask = 0;

	ret = elh_syscall(&cpu, nr, in.a);

	if (ret >= 0 && elh_systab[nr].result == ELH_RES_FD && ret >= FUZZ_FD_LIMIT)
		fuzz_fail("%s returned fd %ld to the guest", elh_systab[nr].name, ret);
	if (ret >= 0 && nr == SYS_recvmsg)
		check_received(in.a[1]);
	if (ret > 0 && nr == SYS_recvmmsg)
		for (long i = 0; i < ret && i < 1024; i++)
			check_received(in.a[1] + (uint64_t)i * sizeof(struct mmsghdr));
	return 0;
}
