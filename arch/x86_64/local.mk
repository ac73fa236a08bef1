# Machine-specific code of the monitor: guest page tables, registers, the
# systrap platform's entry code, signal frame layout.

elh_arch_sources = \
	arch/x86_64/pagetable.c arch/x86_64/pagetable.h \
	arch/x86_64/fpu.c arch/x86_64/regs.h \
	arch/x86_64/systrap.S arch/x86_64/systrap.h \
	arch/x86_64/icall.S arch/x86_64/icall.h \
	arch/x86_64/sigframe.h \
	arch/x86_64/kvmguest.c arch/x86_64/kvmguest.h \
	arch/x86_64/insn.c arch/x86_64/insn.h \
	arch/x86_64/elh-abi.h arch/x86_64/elh-calls.h
elh_SOURCES += $(elh_arch_sources)

check_PROGRAMS += testsuite/unit/test-pagetable
testsuite_unit_test_pagetable_SOURCES = testsuite/unit/test-pagetable.c arch/x86_64/pagetable.c
testsuite_unit_test_pagetable_CFLAGS = $(unit_cflags)
testsuite_unit_test_pagetable_LDADD = $(unit_ldadd)
TESTS += testsuite/unit/test-pagetable

check_PROGRAMS += testsuite/unit/test-kvmguest
testsuite_unit_test_kvmguest_SOURCES = testsuite/unit/test-kvmguest.c arch/x86_64/kvmguest.c
testsuite_unit_test_kvmguest_CFLAGS = $(unit_cflags)
testsuite_unit_test_kvmguest_LDADD = $(unit_ldadd)
TESTS += testsuite/unit/test-kvmguest

check_PROGRAMS += testsuite/unit/test-insn
testsuite_unit_test_insn_SOURCES = testsuite/unit/test-insn.c arch/x86_64/insn.c
testsuite_unit_test_insn_CFLAGS = $(unit_cflags) $(CAPSTONE_CFLAGS)
testsuite_unit_test_insn_LDADD = $(unit_ldadd) $(CAPSTONE_LIBS)
TESTS += testsuite/unit/test-insn
