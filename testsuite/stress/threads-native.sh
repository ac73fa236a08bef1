#!/bin/sh
# User-level threads run directly on the host (ELH_VCPUS, the in-process
# pool): threads that spin without making calls, more of them than vCPUs
# (preemption), and fork (from a signal handler too), posix_spawn and
# system from a threaded program
# (testsuite/stress/threads-native.c).  Run with one kernel thread per
# thread, then over 2 vCPUs and over one: the outputs must be the same.
# A bad ELH_VCPUS is reported on stderr and leaves the threads 1:1.
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/threads-native.c" -o "$TMP/threads-native"
timeout -s KILL 120 "$TMP/threads-native" >"$TMP/native" || { cat "$TMP/native"; fail "native run failed"; }
cat "$TMP/native"
for v in 2 1; do
	timeout -s KILL 120 env ELH_VCPUS=$v "$TMP/threads-native" >"$TMP/mn$v" 2>"$TMP/mn$v.err" ||
		{ cat "$TMP/mn$v" "$TMP/mn$v.err"; fail "ELH_VCPUS=$v: failed (status $?)"; }
	diff -u "$TMP/native" "$TMP/mn$v" || fail "ELH_VCPUS=$v: output differs from the native run"
	echo "ok: ELH_VCPUS=$v printed what the native run printed"
done
# A count that is not one is reported, and the threads stay 1:1.
for bad in 0 65 two; do
	timeout -s KILL 120 env ELH_VCPUS=$bad "$TMP/threads-native" >"$TMP/bad" 2>"$TMP/bad.err" ||
		{ cat "$TMP/bad" "$TMP/bad.err"; fail "ELH_VCPUS=$bad: failed (status $?)"; }
	diff -u "$TMP/native" "$TMP/bad" || fail "ELH_VCPUS=$bad: output differs from the native run"
	grep -q "^elh-musl: ELH_VCPUS must be a number from 1 to 64; threads stay one per kernel thread$" \
		"$TMP/bad.err" || { cat "$TMP/bad.err"; fail "ELH_VCPUS=$bad: no message on stderr"; }
	echo "ok: ELH_VCPUS=$bad is reported, and the threads stay 1:1"
done
