# musl's libc-test under elh, in every mode, against Debian's stock musl run
# natively.  Not part of `make check`: it needs a libc-test tree.
#
#   make check-libc-test LIBC_TEST_SRC=/path/to/libc-test
#
# Work directory, report.md and results.csv: testsuite/work/libc-test.

EXTRA_DIST += testsuite/libc-test/README.md testsuite/libc-test/run.sh \
	testsuite/libc-test/report.awk testsuite/libc-test/expected-failures

check-libc-test:
	@if test -z "$(LIBC_TEST_SRC)"; then \
		echo "check-libc-test: skipped: LIBC_TEST_SRC is not set; run"; \
		echo "  make check-libc-test LIBC_TEST_SRC=/path/to/libc-test"; \
		echo "with a libc-test tree (git://repo.or.cz/libc-test, or its GitHub copy Boeing/libc-test)"; \
	else \
		$(MAKE) $(AM_MAKEFLAGS) all && \
		ELH='$(abs_top_builddir)/elh' ELH_MUSL_GCC='$(ELH_MUSL_GCC)' MUSL_GCC='$(MUSL_GCC)' \
		top_builddir='$(abs_top_builddir)' \
		LIBC_TEST_WORK='$(abs_top_builddir)/testsuite/work/libc-test' \
		$(SHELL) $(srcdir)/testsuite/libc-test/run.sh "$(LIBC_TEST_SRC)"; \
	fi

.PHONY: check-libc-test
