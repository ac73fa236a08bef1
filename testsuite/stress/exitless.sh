#!/bin/sh
# The exit-less submission path under stress, on the systrap platform, in
# both modes: 64 threads x 100 000 calls that identify their results; 10 000
# alternations between short bursts and pauses long enough for the workers
# to sleep; 16 threads blocked for good in read() while 64 others make short
# calls, with a worker bound (--max-workers=8) below the number of blocked
# calls, so that some blocking calls must go back to the trapping path; and
# the same as user-level threads over 2 vCPUs (--vcpus=2).  The first
# runs give each thread a vCPU of its own (--vcpus=per-thread).  No lost,
# duplicated or crossed completion, no hang.  STRESS_CALLS and
# STRESS_ROUNDS scale it down (the defaults are the figures above).
. "$top_srcdir/testsuite/lib.sh"
set -e

calls=${STRESS_CALLS:-100000}
rounds=${STRESS_ROUNDS:-10000}
"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/exitless-stress.c" -o "$TMP/stress"
for mode in exitless hypercall; do
	"$ELH" run --platform=systrap --mode=$mode --vcpus=per-thread --max-workers=8 --stats "$TMP/stress" 64 "$calls" "$rounds" 16 \
		>"$TMP/$mode.out" 2>"$TMP/$mode.err" || { cat "$TMP/$mode.out" "$TMP/$mode.err"; fail "$mode run failed"; }
	cat "$TMP/$mode.out"
	grep -q "^64 threads x $calls calls: 0 wrong results" "$TMP/$mode.out" || fail "$mode: wrong results"
	grep -q "^$rounds idle/busy alternations: 0 wrong results in all" "$TMP/$mode.out" || fail "$mode: alternations"
	grep -q "^64 threads x $calls calls beside 16 blocked readers: 0 wrong" "$TMP/$mode.out" || fail "$mode: beside blocked readers"
	grep -q "^16 blocked readers released: 0 wrong" "$TMP/$mode.out" || fail "$mode: blocked readers"
done
# The same as user-level threads over 2 vCPUs, with the default worker bound:
# a blocked call must not hold up its vCPU (at a bound below the number of
# blocked readers, nptl-elh would trap them and block both vCPUs).
"$ELH" run --platform=systrap --vcpus=2 "$TMP/stress" 64 "$calls" "$rounds" 16 >"$TMP/mn.out" 2>"$TMP/mn.err" ||
	{ cat "$TMP/mn.out" "$TMP/mn.err"; fail "M:N run failed"; }
cat "$TMP/mn.out"
grep -q "^64 threads x $calls calls: 0 wrong results" "$TMP/mn.out" || fail "M:N: wrong results"
grep -q "^64 threads x $calls calls beside 16 blocked readers: 0 wrong" "$TMP/mn.out" || fail "M:N: beside blocked readers"
grep -q "^16 blocked readers released: 0 wrong" "$TMP/mn.out" || fail "M:N: blocked readers"
# In exit-less mode the pool served the calls, and the bound was reached.
grep "^exit-less:" "$TMP/exitless.err" || fail "no exit-less statistics"
grep -q "^exit-less: [1-9][0-9]* calls served" "$TMP/exitless.err" || fail "the workers served nothing"
grep -Eq "[1-9][0-9]* found all 8 workers blocked" "$TMP/exitless.err" || fail "the worker bound was never reached"
grep -q "8 workers at most" "$TMP/exitless.err" || fail "the pool did not grow to its bound"
echo "ok: no lost, duplicated or crossed completion, no hang"
