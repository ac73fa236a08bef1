#!/bin/sh
# The hostile-guest suite: every case of testsuite/hostile, built with
# elh-musl-gcc, run natively ("native" as its argument) and under elh on one
# platform ("elh"), in exit-less mode and with --mode=hypercall.  Each run
# must end with the status expected-status gives (exit 0 unless listed),
# with the native run's stdout (a case prints only what Linux defines, and
# checks what elh answers differently itself), within a timeout: elh must
# neither crash (a signal the case does not expect, or its own status 125)
# nor hang.
#
# Usage: run.sh systrap|kvm|build   (kvm skips without a usable /dev/kvm)
#   HOSTILE_CASES  names of the cases to run (default: all)
#   HOSTILE_BUILT  a directory of the cases already built (build puts them
#                  there, with their native runs on this host), as for a
#                  run inside testsuite/vm/elh-vm, whose own kernel is no
#                  reference: the native runs are then the host's
. "$top_srcdir/testsuite/lib.sh"
set -e

platform=$1
built=${HOSTILE_BUILT:-}
[ "$platform" = kvm ] && require_kvm
if [ "$platform" = build ]; then
	[ -n "$built" ] || fail "run.sh build: HOSTILE_BUILT names no directory"
	mkdir -p "$built"
fi
ulimit -c 0 2>/dev/null || true
dir=$top_srcdir/testsuite/hostile

# status_of NAME WAY: the status NAME must end with, run WAY (native, elh).
status_of() {
	s=$(awk -v n="$1" -v w="$2" '$1 == n && ($2 == w || $2 == "both") { print $3 }' \
		"$dir/expected-status")
	case $s in
	'') echo "exit 0" ;;
	SIG*) echo "signal $s" ;;
	*) echo "exit $s" ;;
	esac
}

# same_out NAME NATIVE ELH: the two stdouts agree, but for the lines that
# known-differences lists for NAME on this platform, which are left out of
# both, loudly.
same_out() {
	_known=$(awk -v n="$1" -v p="$platform" -v s="${ELH_SANITIZED:+sanitized}" -F '\t' \
		'$1 == n && ($2 == p || $2 == s) { print $3 }' "$dir/known-differences")
	if [ -z "$_known" ]; then
		cmp -s "$2" "$3"
		return
	fi
	echo "$_known" | while IFS= read -r _l; do
		echo "KNOWN DIFFERENCE: $1 on $platform: the line '$_l' is not compared (see known-differences)"
	done
	echo "$_known" | grep -v -F -f - "$2" >"$2.cmp" || true
	echo "$_known" | grep -v -F -f - "$3" >"$3.cmp" || true
	cmp -s "$2.cmp" "$3.cmp"
}

pass=0 failed=0 failures=
for src in "$dir"/*.c; do
	name=$(basename "$src" .c)
	if [ -n "${HOSTILE_CASES:-}" ]; then
		case " $HOSTILE_CASES " in *" $name "*) ;; *) continue ;; esac
	fi
	ok=1
	bin=$TMP/$name
	if [ -n "$built" ] && [ "$platform" != build ]; then
		cp "$built/$name" "$bin"
	elif ! "$ELH_MUSL_GCC" -static -O2 -pthread "$src" -o "$bin" 2>"$bin.cc"; then
		cat "$bin.cc"
		fail "$name: build failed"
	fi
	want=$(status_of "$name" native)
	if [ -n "$built" ] && [ "$platform" != build ]; then
		for f in out err status; do cp "$built/$name.native.$f" "$bin.native.$f"; done
	else
		run_capture "$bin.native" timeout -k 5 "${HOSTILE_TIMEOUT:-120}" "$bin" native
	fi
	if [ "$platform" = build ]; then
		cp "$bin" "$built/$name"
		for f in out err status; do cp "$bin.native.$f" "$built/$name.native.$f"; done
		continue
	fi
	if [ "$(cat "$bin.native.status")" != "$want" ]; then
		echo "--- $name: native run gave '$(cat "$bin.native.status")', expected '$want'"
		cat "$bin.native.err"
		ok=0
	fi
	want=$(status_of "$name" elh)
	for mode in exitless hypercall; do
		out=$bin.$mode
		run_capture "$out" timeout -k 5 "${HOSTILE_TIMEOUT:-120}" \
			"$ELH" run --platform="$platform" --mode="$mode" "$bin" elh
		got=$(cat "$out.status")
		if [ "$got" != "$want" ]; then
			echo "--- $name ($mode): gave '$got', expected '$want'"
			head -n 20 "$out.err"
			ok=0
		elif ! same_out "$name" "$bin.native.out" "$out.out"; then
			echo "--- $name ($mode): stdout differs from the native run"
			diff -u "$bin.native.out" "$out.out" | head -n 20
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		echo "PASS: $name ($want)"
		pass=$((pass + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
		failures="$failures $name"
	fi
done
[ "$platform" != build ] || exit 0
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] || fail "hostile cases failed:$failures"
[ $pass -gt 0 ] || fail "no case in $dir"
