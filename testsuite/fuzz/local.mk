# Fuzzing with libFuzzer (testsuite/README.md, "Fuzzing").  The targets are
# built with clang and its sanitizers, apart from the rest of the build:
# `make fuzz` runs each for FUZZ_SECONDS on a copy of its seed corpus;
# testsuite/fuzz/smoke.sh, part of `make check`, runs each briefly.

FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined

fuzz_targets = loader syscall exitless insn
fuzz_bins = $(fuzz_targets:%=testsuite/fuzz/fuzz-%)
# clang, unlike gcc, counts the table's rows without a handler as missing
# initializers.
fuzz_flags = $(ELH_CFLAGS) -Wno-missing-field-initializers $(FUZZ_CFLAGS) -iquote $(srcdir)/monitor -iquote $(srcdir)/arch/x86_64 \
	-iquote $(srcdir)/testsuite/fuzz
fuzz_headers = $(wildcard $(srcdir)/monitor/*.h $(srcdir)/arch/x86_64/*.h $(srcdir)/testsuite/fuzz/*.h)

# The executor and its handlers, as the unit tests link them, with the fake
# kernel in place of the host's (fake-host.h).
fuzz_executor = testsuite/fuzz/host-syscall.c testsuite/fuzz/fake-host.c \
	testsuite/unit/special-fakes.c monitor/trace.c monitor/stats.c \
	monitor/sys_file.c monitor/sys_ioctl.c monitor/sys_net.c monitor/sys_poll.c \
	monitor/sys_proc.c monitor/sys_ipc.c monitor/procfs.c monitor/guestmem.c

fuzz_loader_sources = testsuite/fuzz/fuzz-loader.c monitor/loader.c monitor/errors.c \
	monitor/memory.c monitor/guestmem.c
fuzz_syscall_sources = testsuite/fuzz/fuzz-syscall.c $(fuzz_executor)
fuzz_exitless_sources = testsuite/fuzz/fuzz-exitless.c monitor/errors.c $(fuzz_executor)
fuzz_insn_sources = testsuite/fuzz/fuzz-insn.c arch/x86_64/insn.c

# $(call fuzz_build,sources): the recipe of a target.
fuzz_build = @mkdir -p testsuite/fuzz && echo "  FUZZCC   $@" && \
	$(FUZZ_CC) $(fuzz_flags) -o $@ $(1:%=$(srcdir)/%)

testsuite/fuzz/fuzz-loader: $(fuzz_loader_sources:%=$(srcdir)/%) $(srcdir)/monitor/sys_exec.c \
		$(fuzz_headers)
	$(call fuzz_build,$(fuzz_loader_sources))
testsuite/fuzz/fuzz-syscall: $(fuzz_syscall_sources:%=$(srcdir)/%) $(srcdir)/monitor/syscall.c \
		$(fuzz_headers)
	$(call fuzz_build,$(fuzz_syscall_sources)) -lpthread
testsuite/fuzz/fuzz-exitless: $(fuzz_exitless_sources:%=$(srcdir)/%) $(srcdir)/monitor/syscall.c \
		$(srcdir)/monitor/exitless.c $(fuzz_headers)
	$(call fuzz_build,$(fuzz_exitless_sources)) -lpthread -Wl,--wrap=elh_guest_write
testsuite/fuzz/fuzz-insn: $(fuzz_insn_sources:%=$(srcdir)/%) $(fuzz_headers)
	$(call fuzz_build,$(fuzz_insn_sources)) $(CAPSTONE_CFLAGS) $(CAPSTONE_LIBS)

fuzz-build: $(fuzz_bins)

fuzz: fuzz-build
	@top_srcdir='$(abs_top_srcdir)' \
		$(SHELL) $(srcdir)/testsuite/fuzz/run.sh $(FUZZ_SECONDS)

clean-fuzz:
	rm -rf $(fuzz_bins) testsuite/fuzz/work
clean-local: clean-fuzz

TESTS += testsuite/fuzz/smoke.sh
EXTRA_DIST += testsuite/fuzz
.PHONY: fuzz fuzz-build clean-fuzz
