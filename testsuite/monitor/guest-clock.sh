#!/bin/sh
# clock_gettime answered inside the guest (elh-musl under elh, exit-less
# mode): correct against the host's clock and never going back, across
# threads and across the monitor's map updates, and actually served without
# reaching the monitor for almost every reading.  Natively, the same program
# checks the host's own clock.
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/monitor/guest-clock.c" -o "$TMP/clock"
"$TMP/clock" 200 >"$TMP/native.out" 2>/dev/null || { cat "$TMP/native.out"; fail "natively: clock checks failed"; }
"$ELH" run --platform=systrap --stats "$TMP/clock" 600 >"$TMP/elh.out" 2>"$TMP/elh.err" ||
	{ cat "$TMP/elh.out" "$TMP/elh.err"; fail "under elh: clock checks failed"; }
cat "$TMP/elh.out"
cmp "$TMP/native.out" "$TMP/elh.out" || fail "output differs from the native run"
# Only the host readings the program makes on purpose (a pair every 2 ms)
# and the readings before the first map may reach the monitor: a small
# fraction of all.
reads=$(sed -n 's/^readings: //p' "$TMP/elh.err")
calls=$(awk '$1 == "clock_gettime" { print $2 }' "$TMP/elh.err")
echo "clock readings: $reads, of which reached the monitor: ${calls:-0}"
[ -n "$reads" ] && [ "${calls:-0}" -lt $((reads / 10)) ] || fail "clock_gettime is not answered inside the guest"
echo "ok"
