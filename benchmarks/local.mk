# Benchmarks: make bench (quick: 3 rounds of 3 repetitions of about 50 ms,
# micro benchmarks only; under 5 minutes on a 2-CPU host) and make
# bench-full (15 rounds, more repetitions, and the macro workloads).
# Never part of make check, apart from testsuite/bench/smoke.sh.  Results go
# to benchmarks/results/<UTC timestamp>/ in the build tree; run.sh builds the
# benchmark programs there itself, with each mode's compiler.

bench_env = \
	top_srcdir='$(abs_top_srcdir)' \
	top_builddir='$(abs_top_builddir)' \
	ELH='$(abs_top_builddir)/elh' \
	ELH_MUSL_GCC='$(ELH_MUSL_GCC)' \
	MUSL_GCC='$(MUSL_GCC)' \
	ELH_RUN_ARGS='$(ELH_RUN_ARGS)'

# Extra options for run.sh, e.g. make bench BENCH_ARGS=--modes=musl,elh-musl-native,
# and for every `elh run` it makes, e.g. make bench ELH_RUN_ARGS=--workers=2.
BENCH_ARGS =
ELH_RUN_ARGS =

bench: all
	$(bench_env) $(SHELL) $(abs_top_srcdir)/benchmarks/run.sh --rounds=3 --reps=3 --target-ms=50 $(BENCH_ARGS)

# More rounds and repetitions, and the macro workloads: the HTTP server under
# wrk, the file tree.
bench-full: all
	$(bench_env) $(SHELL) $(abs_top_srcdir)/benchmarks/run.sh --rounds=15 --reps=5 --macro=http,files \
		$(BENCH_ARGS)

# What an idle guest costs the monitor: CPU time while the guest sleeps 5 s.
# Without KVM: make bench-idle ELH_RUN_ARGS=--platform=systrap
bench-idle: all
	$(bench_env) $(SHELL) $(abs_top_srcdir)/benchmarks/idle.sh 5

.PHONY: bench bench-full bench-idle

EXTRA_DIST += benchmarks/run.sh benchmarks/bench.h \
	benchmarks/micro/syscall.c benchmarks/micro/pipe.c benchmarks/micro/thread.c \
	benchmarks/micro/scaling.c benchmarks/platform/platform.c \
	benchmarks/macro/httpd.c benchmarks/macro/filetree.c benchmarks/macro/wrk-report.lua \
	benchmarks/update-perf-doc.sh benchmarks/idle.sh benchmarks/idle/sleeper.c

distclean-local: distclean-bench
distclean-bench:
	rm -rf benchmarks/results
.PHONY: distclean-bench
