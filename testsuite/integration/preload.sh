#!/bin/sh
# libelh-preload.so: a dynamically linked glibc program doing file and
# socket I/O, threads, signals and cancellation gives the same output and
# status natively, under elh with the shim (the default in exit-less mode)
# and without it (--no-preload); --stats shows the share of calls that went
# exit-less; a program's own LD_PRELOAD library is kept.
#
# Usage: preload.sh PLATFORM   (systrap or kvm)
. "$top_srcdir/testsuite/lib.sh"
set -e

platform=$1
[ "$platform" = kvm ] && require_kvm
command -v gcc >/dev/null || skip "Debian's gcc is not installed: no glibc program to run"
[ -f "$top_builddir/preload/libelh-preload.so" ] || fail "preload/libelh-preload.so is not built"

src=$top_srcdir/testsuite/preload
gcc -O2 -pthread "$src/io.c" -o "$TMP/io"
gcc -O2 -shared -fPIC "$src/own-preload.c" -o "$TMP/own.so"
cd "$TMP"


pass=0
check() {
	echo "PASS: $1"
	pass=$((pass + 1))
}

run_capture native timeout 60 env -i PATH=/usr/bin:/bin ./io
[ "$(cat native.status)" = "exit 0" ] || { cat native.err; fail "io natively: $(cat native.status)"; }
run_capture shim timeout -k 5 120 env -i PATH=/usr/bin:/bin "$ELH" run --platform="$platform" ./io
same native shim || fail "io: with the shim, not as natively"
check "io: with the shim, as natively"
run_capture noshim timeout -k 5 120 env -i PATH=/usr/bin:/bin "$ELH" run --platform="$platform" \
	--no-preload ./io
same native noshim || fail "io: without the shim, not as natively"
check "io: without the shim (--no-preload), as natively"

# --stats: the share that went exit-less, with and without.
"$ELH" run --platform="$platform" --stats ./io >/dev/null 2>stats-shim
"$ELH" run --platform="$platform" --stats --no-preload ./io >/dev/null 2>stats-noshim
line=$(grep '^calls: ' stats-shim) || { cat stats-shim; fail "--stats: no calls line"; }
echo "with the shim:    $line"
echo "without the shim: $(grep '^calls: ' stats-noshim)"
el=$(echo "$line" | sed 's/^calls: [0-9]*, \([0-9]*\) exit-less.*/\1/')
[ "$el" -gt 100 ] || fail "--stats: only $el calls exit-less with the shim"
grep -q '^calls: [0-9]*, 0 exit-less' stats-noshim || { cat stats-noshim; fail "--no-preload: calls went exit-less"; }
check "--stats: $el calls exit-less with the shim, none without"

# The program's own LD_PRELOAD is kept, and comes first.
run_capture own-native env -i PATH=/usr/bin:/bin LD_PRELOAD="$TMP/own.so" ./io
grep -q "own preload: write interposed" own-native.err || fail "own.so did not interpose natively"
run_capture own-shim env -i PATH=/usr/bin:/bin LD_PRELOAD="$TMP/own.so" \
	"$ELH" run --platform="$platform" ./io
same own-native own-shim || fail "io with its own LD_PRELOAD: not as natively"
check "io with its own LD_PRELOAD, and the shim too: as natively"

# A hypercall-mode run has no queue: no shim, the same output.
run_capture hyper env -i PATH=/usr/bin:/bin "$ELH" run --platform="$platform" --mode=hypercall ./io
same native hyper || fail "io in hypercall mode: not as natively"
check "io in hypercall mode, as natively"

echo "$pass passed"
