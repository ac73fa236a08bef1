# The test suite: Check unit tests and shell-driven integration tests.
# Every test runs with the environment below; a test that needs something
# this host lacks (KVM, the stock musl-gcc baseline) exits 77 after a loud
# SKIP line, which the harness reports as SKIP.

AM_TESTS_ENVIRONMENT = \
	ELH='$(abs_top_builddir)/elh'; \
	ELH_MUSL_GCC='$(ELH_MUSL_GCC)'; \
	MUSL_GCC='$(MUSL_GCC)'; \
	MUSL_ORIG='$(abs_top_builddir)/$(MUSL_ORIG)'; \
	MUSL_SHA256='$(MUSL_SHA256)'; \
	top_srcdir='$(abs_top_srcdir)'; \
	top_builddir='$(abs_top_builddir)'; \
	export ELH ELH_MUSL_GCC MUSL_GCC MUSL_ORIG MUSL_SHA256 top_srcdir top_builddir;

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)

# Unit tests (Check).
unit_cflags = $(ELH_CFLAGS) $(ELH_MONITOR_CFLAGS) $(CHECK_CFLAGS) -iquote $(srcdir)/monitor -iquote $(srcdir)/arch/x86_64
unit_ldadd = $(CHECK_LIBS) $(ELH_MONITOR_LDFLAGS)

check_PROGRAMS += testsuite/unit/test-guestmem testsuite/unit/test-elf \
	testsuite/unit/test-memory testsuite/unit/test-loader
testsuite_unit_test_guestmem_SOURCES = testsuite/unit/test-guestmem.c monitor/guestmem.c
testsuite_unit_test_guestmem_CFLAGS = $(unit_cflags)
testsuite_unit_test_guestmem_LDADD = $(unit_ldadd)
testsuite_unit_test_elf_SOURCES = testsuite/unit/test-elf.c monitor/loader.c monitor/errors.c \
	monitor/memory.c monitor/guestmem.c
testsuite_unit_test_elf_CFLAGS = $(unit_cflags)
testsuite_unit_test_elf_LDADD = $(unit_ldadd)
testsuite_unit_test_memory_SOURCES = testsuite/unit/test-memory.c monitor/memory.c monitor/errors.c \
	monitor/guestmem.c monitor/fault.c arch/x86_64/insn.c
testsuite_unit_test_memory_CFLAGS = $(unit_cflags) $(CAPSTONE_CFLAGS)
testsuite_unit_test_memory_LDADD = $(unit_ldadd) $(CAPSTONE_LIBS)
testsuite_unit_test_loader_SOURCES = testsuite/unit/test-loader.c monitor/loader.c monitor/errors.c \
	monitor/memory.c monitor/guestmem.c
testsuite_unit_test_loader_CFLAGS = $(unit_cflags)
testsuite_unit_test_loader_LDADD = $(unit_ldadd)

TESTS += testsuite/unit/test-guestmem testsuite/unit/test-elf \
	testsuite/unit/test-memory testsuite/unit/test-loader

# Integration tests.
TESTS += \
	testsuite/libc/checksum-mismatch.sh \
	testsuite/libc/patch-conflict.sh \
	testsuite/toolchain/static.sh \
	testsuite/toolchain/autotools-project.sh \
	testsuite/toolchain/install.sh \
	testsuite/monitor/cli-errors.sh \
	testsuite/monitor/async-signals.sh \
	testsuite/monitor/guest-clock.sh \
	testsuite/monitor/umip.sh \
	testsuite/hostile/systrap.sh \
	testsuite/hostile/kvm.sh \
	testsuite/stress/exitless.sh \
	testsuite/stress/threads.sh \
	testsuite/stress/threads-native.sh \
	testsuite/stress/handoff.sh \
	testsuite/stress/threads-poll.sh \
	testsuite/integration/native-static.sh \
	testsuite/integration/native-static-pie.sh \
	testsuite/integration/systrap-static.sh \
	testsuite/integration/systrap-static-pie.sh \
	testsuite/integration/kvm-static.sh \
	testsuite/integration/kvm-static-pie.sh \
	testsuite/integration/busybox-systrap.sh \
	testsuite/integration/busybox-kvm.sh \
	testsuite/integration/systrap-dynamic.sh \
	testsuite/integration/kvm-dynamic.sh \
	testsuite/integration/debian-systrap.sh \
	testsuite/integration/debian-kvm.sh \
	testsuite/integration/preload-systrap.sh \
	testsuite/integration/preload-kvm.sh \
	testsuite/bench/smoke.sh \
	testsuite/bench/httpd.sh

EXTRA_DIST += testsuite/README.md testsuite/lib.sh testsuite/integration/compare.sh \
	testsuite/integration/busybox.sh testsuite/integration/debian.sh \
	testsuite/integration/preload.sh testsuite/preload \
	testsuite/monitor/async-signals.c \
	testsuite/monitor/guest-clock.c testsuite/monitor/umip.c \
	testsuite/stress/exitless-stress.c testsuite/stress/threads.c \
	testsuite/stress/threads-native.c testsuite/stress/handoff.c \
	testsuite/stress/threads-poll.c \
	$(filter %.sh,$(TESTS)) testsuite/programs testsuite/vm/elh-vm testsuite/vm/init \
	testsuite/integration/kvm-emulated.sh testsuite/hostile

clean-local: clean-testsuite
clean-testsuite:
	rm -rf testsuite/work
.PHONY: clean-testsuite

# The systrap platform: guest code entered and left through seccomp traps.
check_PROGRAMS += testsuite/unit/test-systrap
testsuite_unit_test_systrap_SOURCES = testsuite/unit/test-systrap.c \
	monitor/platform-systrap.c monitor/signal.c monitor/guestmem.c monitor/errors.c \
	arch/x86_64/fpu.c arch/x86_64/systrap.S arch/x86_64/icall.S
testsuite_unit_test_systrap_CFLAGS = $(unit_cflags)
testsuite_unit_test_systrap_LDADD = $(unit_ldadd) -lpthread
TESTS += testsuite/unit/test-systrap

# The table of what each system call is (elh-calls.h), against signal(7).
check_PROGRAMS += testsuite/unit/test-calls
testsuite_unit_test_calls_SOURCES = testsuite/unit/test-calls.c arch/x86_64/elh-calls.h
testsuite_unit_test_calls_CFLAGS = $(unit_cflags)
testsuite_unit_test_calls_LDADD = $(unit_ldadd)
TESTS += testsuite/unit/test-calls

# Interruptible host calls: a stop request is never lost, whatever its timing.
check_PROGRAMS += testsuite/unit/test-icall
testsuite_unit_test_icall_SOURCES = testsuite/unit/test-icall.c arch/x86_64/icall.S
testsuite_unit_test_icall_CFLAGS = $(unit_cflags)
testsuite_unit_test_icall_LDADD = $(unit_ldadd) -lpthread
TESTS += testsuite/unit/test-icall

# nptl-elh's schedulers and futexes, run natively: its sources as they are,
# with the host's C library and a stand-in for the guest
# (testsuite/unit/ult-shim/README.md).
ult_unit_sources = testsuite/unit/ult-shim/shim.c testsuite/unit/ult-shim/ult-shim.h \
	testsuite/unit/ult-shim/musl/pthread_impl.h testsuite/unit/ult-shim/musl/syscall.h \
	testsuite/unit/ult-shim/musl/futex.h testsuite/unit/ult-shim/musl/ksigaction.h \
	testsuite/unit/ult-shim/elh/elh.h testsuite/unit/ult-shim/elh/elh-abi.h \
	testsuite/unit/ult-shim/elh/elh-calls.h \
	nptl-elh/ult-internal.h nptl-elh/ult.h nptl-elh/sched.c nptl-elh/futex.c nptl-elh/signals.c \
	arch/x86_64/ult_switch.s
# nptl-elh defines _GNU_SOURCE itself, and casts its signal handlers as
# musl's own code does.
ult_unit_cflags = $(filter-out -D_GNU_SOURCE,$(ELH_CFLAGS)) -Wno-cast-function-type $(CHECK_CFLAGS) \
	-iquote $(srcdir)/testsuite/unit/ult-shim/musl -I$(srcdir)/arch/x86_64
check_PROGRAMS += testsuite/unit/test-ult-sched testsuite/unit/test-ult-futex
testsuite_unit_test_ult_sched_SOURCES = testsuite/unit/test-ult-sched.c $(ult_unit_sources)
testsuite_unit_test_ult_sched_CFLAGS = $(ult_unit_cflags)
testsuite_unit_test_ult_sched_LDADD = $(unit_ldadd) -lpthread
testsuite_unit_test_ult_futex_SOURCES = testsuite/unit/test-ult-futex.c $(ult_unit_sources)
testsuite_unit_test_ult_futex_CFLAGS = $(ult_unit_cflags)
testsuite_unit_test_ult_futex_LDADD = $(unit_ldadd) -lpthread
EXTRA_DIST += testsuite/unit/ult-shim/README.md
TESTS += testsuite/unit/test-ult-sched testsuite/unit/test-ult-futex

# The system-call executor, run against the host kernel in the test process;
# special-fakes.c stands in for the special handlers (memory, threads, signals).
check_PROGRAMS += testsuite/unit/test-syscall
testsuite_unit_test_syscall_SOURCES = testsuite/unit/test-syscall.c \
	testsuite/unit/syscall-fixture.h testsuite/unit/test-sys-files.c \
	testsuite/unit/test-sys-net.c testsuite/unit/test-sys-poll.c \
	testsuite/unit/special-fakes.c monitor/syscall.c monitor/syscall.h monitor/executor.h \
	monitor/trace.c monitor/stats.c \
	monitor/sys_file.c monitor/sys_ioctl.c monitor/sys_net.c monitor/sys_poll.c \
	monitor/sys_proc.c monitor/sys_ipc.c monitor/procfs.c monitor/guestmem.c arch/x86_64/icall.S \
	monitor/allowlist.c
testsuite_unit_test_syscall_CFLAGS = $(unit_cflags) $(SECCOMP_CFLAGS)
testsuite_unit_test_syscall_LDADD = $(unit_ldadd) $(SECCOMP_LIBS) -lpthread
TESTS += testsuite/unit/test-syscall

# The monitor's seccomp allowlist, made from a small table.
check_PROGRAMS += testsuite/unit/test-allowlist
testsuite_unit_test_allowlist_SOURCES = testsuite/unit/test-allowlist.c monitor/allowlist.c
testsuite_unit_test_allowlist_CFLAGS = $(unit_cflags) $(SECCOMP_CFLAGS)
testsuite_unit_test_allowlist_LDADD = $(unit_ldadd) $(SECCOMP_LIBS)
TESTS += testsuite/unit/test-allowlist

# The KVM platform inside a VM that qemu emulates, for hosts without KVM
# (testsuite/README.md, "KVM without KVM").  Not part of `make check`: it
# takes a quarter of an hour on two cores.
check-kvm-emulated: all
	@$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/testsuite/integration/kvm-emulated.sh; \
	st=$$?; test $$st -ne 77 || st=0; exit $$st

.PHONY: check-kvm-emulated

include $(srcdir)/testsuite/fuzz/local.mk
