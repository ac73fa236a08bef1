#!/bin/sh
# POSIX threads under stress (testsuite/stress/threads.c: 10 000 threads
# created and joined, mutex/condition-variable rings of 2 to 32 threads, a
# chain of 8 relay threads passing values through pipes, barriers,
# cancellation of threads blocked in read, nanosleep and
# pthread_cond_wait, pthread_kill to specific threads), built with
# elh-musl-gcc and run natively with one kernel thread per thread, then as
# user-level threads: natively (ELH_VCPUS, the in-process pool) and under
# elh on the systrap platform in exit-less and hypercall modes, each over
# 2 vCPUs and over a single one (where a call that held up its vCPU would
# deadlock the pipe chain), and under elh with one vCPU per thread in
# exit-less and hypercall modes (--vcpus=per-thread; by default exit-less
# mode runs them as user-level threads over the host's CPUs, which --stats
# must report).
# Every run must print what the native run printed.  THREADS_SCALE divides
# the iteration counts of the runs (default 1).
. "$top_srcdir/testsuite/lib.sh"
set -e

scale=${THREADS_SCALE:-1}
"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/threads.c" -o "$TMP/threads"
"$TMP/threads" "$scale" >"$TMP/native.$scale" || { cat "$TMP/native.$scale"; fail "native run failed"; }
cat "$TMP/native.$scale"

run() {
	name=$1 s=$2
	shift 2
	timeout -s KILL 600 "$ELH" run --platform=systrap "$@" "$TMP/threads" "$s" >"$TMP/$name" 2>"$TMP/$name.err" ||
		{ cat "$TMP/$name" "$TMP/$name.err"; fail "$name: elh run $* failed (status $?)"; }
	diff -u "$TMP/native.$s" "$TMP/$name" || fail "$name: output differs from the native run"
	echo "ok: $name ($*, scale 1/$s) printed what the native run printed"
}
run_native() {
	name=$1 s=$2
	shift 2
	timeout -s KILL 600 env "$@" "$TMP/threads" "$s" >"$TMP/$name" 2>"$TMP/$name.err" ||
		{ cat "$TMP/$name" "$TMP/$name.err"; fail "$name: $* failed (status $?)"; }
	diff -u "$TMP/native.$s" "$TMP/$name" || fail "$name: output differs from the native run"
	echo "ok: $name ($*, scale 1/$s) printed what the native run printed"
}
run_native native-mn2 "$scale" ELH_VCPUS=2
run_native native-mn1 "$scale" ELH_VCPUS=1
run mn2 "$scale" --vcpus=2
run mn1 "$scale" --vcpus=1
run hypercall-mn2 "$scale" --mode=hypercall --vcpus=2
run hypercall-mn1 "$scale" --mode=hypercall --vcpus=1
run exitless "$scale" --mode=exitless --vcpus=per-thread
run hypercall "$scale" --mode=hypercall

# The default: exit-less mode makes user-level threads over a vCPU per host
# CPU; hypercall mode, one vCPU per thread.
cpus=$(nproc)
[ "$cpus" -le 64 ] || cpus=64
check_default() {
	want=$1
	shift
	"$ELH" run --platform=systrap --stats "$@" "$TMP/threads" 1000 >"$TMP/default.out" 2>"$TMP/default.err" ||
		{ cat "$TMP/default.err"; fail "elh run $* --stats failed"; }
	grep -q "^vcpus: .*$want\$" "$TMP/default.err" || { grep "^vcpus" "$TMP/default.err"; fail "elh run $*: expected '$want'"; }
	echo "ok: elh run $*: $(grep "^vcpus" "$TMP/default.err")"
}
check_default "user-level threads over $cpus"
check_default "one per thread" --mode=hypercall
check_default "user-level threads over 1" --vcpus=1
check_default "one per thread" --vcpus=per-thread
