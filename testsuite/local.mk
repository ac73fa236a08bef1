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
unit_cflags = $(ELH_CFLAGS) $(CHECK_CFLAGS) -iquote $(srcdir)/monitor -iquote $(srcdir)/arch/x86_64
unit_ldadd = $(CHECK_LIBS)

check_PROGRAMS += testsuite/unit/test-guestmem testsuite/unit/test-elf
testsuite_unit_test_guestmem_SOURCES = testsuite/unit/test-guestmem.c monitor/guestmem.c
testsuite_unit_test_guestmem_CFLAGS = $(unit_cflags)
testsuite_unit_test_guestmem_LDADD = $(unit_ldadd)
testsuite_unit_test_elf_SOURCES = testsuite/unit/test-elf.c monitor/loader.c
testsuite_unit_test_elf_CFLAGS = $(unit_cflags)
testsuite_unit_test_elf_LDADD = $(unit_ldadd)

TESTS += testsuite/unit/test-guestmem testsuite/unit/test-elf

# Integration tests.
TESTS += \
	testsuite/libc/checksum-mismatch.sh \
	testsuite/libc/patch-conflict.sh \
	testsuite/toolchain/static.sh \
	testsuite/toolchain/autotools-project.sh \
	testsuite/toolchain/install.sh \
	testsuite/monitor/cli-errors.sh \
	testsuite/integration/native-static.sh \
	testsuite/integration/native-static-pie.sh

EXTRA_DIST += testsuite/README.md testsuite/lib.sh testsuite/integration/compare.sh \
	$(filter %.sh,$(TESTS)) testsuite/programs

clean-local: clean-testsuite
clean-testsuite:
	rm -rf testsuite/work
.PHONY: clean-testsuite

# The systrap platform: guest code entered and left through seccomp traps.
check_PROGRAMS += testsuite/unit/test-systrap
testsuite_unit_test_systrap_SOURCES = testsuite/unit/test-systrap.c \
	monitor/platform-systrap.c monitor/signal.c monitor/guestmem.c \
	arch/x86_64/fpu.c arch/x86_64/systrap.S
testsuite_unit_test_systrap_CFLAGS = $(unit_cflags)
testsuite_unit_test_systrap_LDADD = $(unit_ldadd) -lpthread
TESTS += testsuite/unit/test-systrap
