#!/bin/sh
# sgdt, sidt, smsw, sldt and str under elh store what they store natively:
# where the CPU has UMIP, Linux answers them with fixed values, and elh
# must too on KVM (CR4.UMIP and the monitor's spoofing), or the guest would
# learn where the system area is.  Compared with the native run on systrap
# and, where KVM works, on kvm.
. "$top_srcdir/testsuite/lib.sh"
set -e

grep -qw umip /proc/cpuinfo ||
	skip "this CPU has no UMIP: natively sgdt and sidt show the kernel's tables, and elh's differ"
require_baseline
"$MUSL_GCC" -static -O2 "$top_srcdir/testsuite/monitor/umip.c" -o "$TMP/umip"
"$TMP/umip" >"$TMP/native.out"
cat "$TMP/native.out"
platforms=systrap
"$ELH" check-kvm >/dev/null 2>&1 && platforms="systrap kvm"
for p in $platforms; do
	"$ELH" run --platform=$p "$TMP/umip" >"$TMP/$p.out" || fail "under elh on $p: status $?"
	cmp "$TMP/native.out" "$TMP/$p.out" || { cat "$TMP/$p.out"; fail "on $p: differs from the native run"; }
	echo "ok: $p"
done
"$ELH" check-kvm >/dev/null 2>&1 || echo "*** SKIP: no usable KVM here: only systrap compared"
