#!/bin/sh
# The exit-less submission path under stress, on the systrap platform: 64
# threads making calls that identify their results, then idle/busy
# alternations that make the workers sleep and wake.  No lost, duplicated or
# crossed completion, no hang.  Scaled to run in make check.
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/exitless-stress.c" -o "$TMP/stress"
for mode in exitless hypercall; do
	"$ELH" run --platform=systrap --mode=$mode --stats "$TMP/stress" 64 2000 2000 \
		>"$TMP/$mode.out" 2>"$TMP/$mode.err" || { cat "$TMP/$mode.out" "$TMP/$mode.err"; fail "$mode run failed"; }
	cat "$TMP/$mode.out"
	grep -q "64 threads x 2000 calls: 0 wrong results" "$TMP/$mode.out" || fail "$mode: wrong results"
	grep -q "2000 idle/busy alternations: 0 wrong results in all" "$TMP/$mode.out" || fail "$mode: alternations"
done
echo "ok: no lost, duplicated or crossed completion, no hang"
