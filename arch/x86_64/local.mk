# Machine-specific code of the monitor: guest page tables, descriptors.

elh_arch_sources = arch/x86_64/pagetable.c arch/x86_64/pagetable.h
elh_SOURCES += $(elh_arch_sources)
elh_CFLAGS += -I$(srcdir)/arch/x86_64

check_PROGRAMS += testsuite/unit/test-pagetable
testsuite_unit_test_pagetable_SOURCES = testsuite/unit/test-pagetable.c $(elh_arch_sources)
testsuite_unit_test_pagetable_CFLAGS = $(unit_cflags) -I$(srcdir)/arch/x86_64
testsuite_unit_test_pagetable_LDADD = $(unit_ldadd)
TESTS += testsuite/unit/test-pagetable
