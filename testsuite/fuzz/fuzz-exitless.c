/*
 * Fuzz target: the exit-less submission entries, as a worker reads them.
 * The shared area sits at the bottom of a small arena, where
 * elh_exitless_start() carves it; the input is a list of guest actions:
 * forge an entry (any bytes, any state) and let a worker scan the area,
 * write guest memory that a call's arguments may point to, interrupt a
 * slot (ELH_SYS_interrupt), end a thread.  A worker must answer every
 * submitted entry and only those, refuse what the monitor's own list does
 * not allow, and never run a call that needs the calling vCPU.  The calls
 * themselves go through the real executor to the fake kernel (fake-host.h).
 *
 * Input: u8 script length, the fake kernel's script, then actions of one
 * byte each followed by their operands.
 */
#include "../../monitor/exitless.c"

#include <sys/mman.h>

#include "fake-host.h"
#include "fuzz.h"

#define FUZZ_ARENA_BASE 0x10000000ull
#define FUZZ_ARENA_SIZE (128ull << 10)

/* What exitless.c needs of the rest of the monitor: the workers, the clock
 * and the arena's carving are elh_exitless_start()'s, which never runs. */
uint64_t elh_mm_carve(struct elh_vm *v, uint64_t len)
{
	return 0;
}

int elh_clock_start(struct elh_vm *v, struct elh_clock *pub, uint32_t *spin_tsc, uint32_t spin_ns,
		    char *err, size_t errlen)
{
	return 0;
}

void elh_clock_after_fork(void)
{
}

static struct elh_vm vm;
static struct elh_vcpu proxy, caller;
static struct worker w;
static unsigned char *mem;

/* The pool as elh_exitless_start() sets it up, with no thread started: the
 * pool counts many workers, so that a blocking call never starts one. */
static void init(void)
{
	mem = mmap((void *)(uintptr_t)FUZZ_ARENA_BASE, FUZZ_ARENA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem != (void *)(uintptr_t)FUZZ_ARENA_BASE)
		fuzz_fail("cannot map the arena at %#llx", FUZZ_ARENA_BASE);
	vm.arena.base = FUZZ_ARENA_BASE;
	vm.arena.size = FUZZ_ARENA_SIZE;
	vm.guest_fd_limit = FUZZ_FD_LIMIT;
	vm.trace_out = fopen("/dev/null", "w");
	if (elh_sys_stats_init(&vm) < 0 || !vm.trace_out)
		fuzz_fail("cannot set the VM up");
	proxy.vm = caller.vm = &vm;
	proxy.restart_nr = caller.restart_nr = -1;
	w.tid = gettid();
	w.spin_ns = WORKER_SPIN_MIN_NS;
	w.proxy = &proxy;
	fuzz_host_init(&vm.arena);

	/* elh_exitless_start()'s rule for the monitor's own list. */
	for (unsigned nr = 0; nr < ELH_NSYSCALLS && nr < elh_nsyscalls; nr++) {
		const struct elh_sysdesc *d = &elh_systab[nr];

		if (d->name && elh_call_any_thread(nr) &&
		    !(d->flags & (ELH_SYS_NO_RETURN | ELH_SYS_RAW | ELH_SYS_UNSUPPORTED)))
			pool.allowed[nr / 64] |= 1ull << (nr % 64);
	}
	pool.vm = &vm;
	pool.area = (struct elh_shared *)mem;
	pool.base = 1;
	pool.max = pool.total = 1 << 20;
}

static const uint8_t *in;
static size_t left;

static void take(void *dst, size_t n)
{
	size_t k = n < left ? n : left;

	memset(dst, 0, n);
	memcpy(dst, in, k);
	in += k;
	left -= k;
}

/* What the calls of one scan wrote into guest memory, through the checked
 * accessor (the fake kernel writes no guest buffer): a call may write
 * into the shared area itself, which lies in the guest's memory. */
static struct {
	uint64_t gva, len;
} wrote[64];
static int nwrote, wrote_lost;

int __real_elh_guest_write(const struct elh_arena *a, uint64_t gva, const void *src, size_t len);
int __wrap_elh_guest_write(const struct elh_arena *a, uint64_t gva, const void *src, size_t len);

int __wrap_elh_guest_write(const struct elh_arena *a, uint64_t gva, const void *src, size_t len)
{
	if (nwrote < (int)(sizeof(wrote) / sizeof(wrote[0])))
		wrote[nwrote++] = (typeof(wrote[0])){ gva, len };
	else
		wrote_lost = 1;
	return __real_elh_guest_write(a, gva, src, len);
}

/* Did a call of the last scan write the byte at guest address gva? */
static int written(uint64_t gva)
{
	for (int i = 0; i < nwrote; i++)
		if (gva - wrote[i].gva < wrote[i].len)
			return 1;
	return wrote_lost;
}

/* Entry q differs from its copy f in a byte no call wrote. */
static int changed(const struct elh_sqe *q, const struct elh_sqe *f)
{
	const uint8_t *a = (const uint8_t *)q, *b = (const uint8_t *)f;

	for (size_t i = 0; i < sizeof(*q); i++)
		if (a[i] != b[i] && !written((uint64_t)(uintptr_t)(a + i)))
			return 1;
	return 0;
}

static int allowed(int64_t nr)
{
	return nr >= 0 && nr < ELH_NSYSCALLS && (pool.allowed[nr / 64] >> (nr % 64) & 1);
}

/* Forge entry `slot` and let the worker scan. */
static void submit(void)
{
	struct elh_shared *area = pool.area;
	uint32_t before[ELH_NSLOTS];
	struct elh_sqe forged[ELH_NSLOTS];
	uint8_t slot;

	take(&slot, 1);
	take(&area->sqe[slot], sizeof(area->sqe[slot]));
	for (int i = 0; i < ELH_NSLOTS; i++) {
		before[i] = area->sqe[i].state;
		forged[i] = area->sqe[i];
	}
	nwrote = wrote_lost = 0;
	scan(&w);
	for (int i = 0; i < ELH_NSLOTS; i++) {
		const struct elh_sqe *q = &area->sqe[i], *f = &forged[i];

		if (before[i] != ELH_SQE_SUBMITTED) {
			if (changed(q, f))
				fuzz_fail("entry %d, not submitted (state %u), was changed", i,
					  before[i]);
			continue;
		}
		if (q->state != ELH_SQE_DONE)
			fuzz_fail("entry %d was submitted and is left in state %u", i, q->state);
		if (q->flags & ~(ELH_SQE_RESTART | ELH_SQE_RETRAP | ELH_SQE_BUSY))
			fuzz_fail("entry %d completed with flags %#x", i, q->flags);
		if (!allowed(f->nr) && (q->result != -ENOSYS || q->flags))
			fuzz_fail("entry %d: call %lld is not the exit-less kind, yet it gave %lld",
				  i, (long long)f->nr, (long long)q->result);
		if (allowed(f->nr) && needs_vcpu(f->nr, f->args) && !(q->flags & ELH_SQE_RETRAP))
			fuzz_fail("entry %d: call %lld needs its vCPU and was not sent back", i,
				  (long long)f->nr);
	}
}

/* Guest memory past the area, where a call's arguments may point. */
static void poke(void)
{
	uint16_t off;
	size_t at;

	take(&off, sizeof(off));
	at = sizeof(struct elh_shared) + off % (FUZZ_ARENA_SIZE - sizeof(struct elh_shared) - 64);
	take(mem + at, 64);
}

static void interrupt(void)
{
	uint64_t slot;
	uint8_t restart;
	long r;

	take(&slot, sizeof(slot));
	take(&restart, 1);
	r = elh_exitless_interrupt_slot(slot, restart & 1);
	if (r != (slot < ELH_NSLOTS ? 0 : -EINVAL))
		fuzz_fail("ELH_SYS_interrupt(%llu) gave %ld", (unsigned long long)slot, r);
}

static void thread_exit(void)
{
	uint32_t tid;

	take(&tid, sizeof(tid));
	elh_exitless_thread_exit(&vm, (pid_t)tid);
	for (int i = 0; tid && i < ELH_NSLOTS; i++) /* owner 0: a free entry */
		if (pool.area->sqe[i].owner == tid)
			fuzz_fail("entry %d still belongs to thread %u, which ended", i, tid);
}

static void signal_handler(void)
{
	uint32_t tid;
	uint8_t restart;

	take(&tid, sizeof(tid));
	take(&restart, 1);
	caller.tid = (pid_t)tid;
	elh_exitless_interrupt(&caller, restart & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t script_len;

	if (!mem)
		init();
	if (!size)
		return 0;
	script_len = data[0];
	in = data + 1;
	left = size - 1;
	if (script_len > left)
		script_len = (uint8_t)left;
	fuzz_host_script(in, script_len);
	in += script_len;
	left -= script_len;
	memset(mem, 0, FUZZ_ARENA_SIZE);
	while (left) {
		uint8_t op;

		take(&op, 1);
		switch (op % 5) {
		case 0: submit(); break;
		case 1: poke(); break;
		case 2: interrupt(); break;
		case 3: thread_exit(); break;
		case 4: signal_handler(); break;
		}
	}
	return 0;
}
