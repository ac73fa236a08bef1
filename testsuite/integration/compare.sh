#!/bin/sh
# Build every program of testsuite/programs with Debian's stock musl-gcc and
# with elh-musl-gcc, run both natively, and require identical stdout, stderr
# and exit status (and the status listed in expected-status).
#
# Usage: compare.sh LINK  (LINK is -static or -static-pie)
. "$top_srcdir/testsuite/lib.sh"
set -e

link=$1
require_baseline

progs=$top_srcdir/testsuite/programs
pass=0 failed=0 failures=
for src in "$progs"/*.c; do
	name=$(basename "$src" .c)
	want=$(awk -v n="$name" '$1 == n { print $2 }' "$progs/expected-status")
	case $want in
	'') want="exit 0" ;;
	SIG*) want="signal $want" ;;
	*) want="exit $want" ;;
	esac

	ok=1
	for cc in stock elh; do
		[ $cc = stock ] && compiler=$MUSL_GCC || compiler=$ELH_MUSL_GCC
		if ! "$compiler" $link -O2 -pthread "$src" -o "$TMP/$name.$cc" 2>"$TMP/$name.$cc.cc"; then
			echo "--- $name: $cc build failed"
			cat "$TMP/$name.$cc.cc"
			ok=0
			continue
		fi
		run_capture "$TMP/$name.$cc" env -i PATH=/usr/bin:/bin ELH_TEST=1 \
			"$TMP/$name.$cc" alpha "beta gamma"
	done
	if [ $ok = 1 ]; then
		if [ "$(cat "$TMP/$name.stock.status")" != "$want" ]; then
			echo "--- $name: stock musl run gave '$(cat "$TMP/$name.stock.status")', expected '$want'"
			cat "$TMP/$name.stock.err"
			ok=0
		fi
		same "$TMP/$name.stock" "$TMP/$name.elh" || ok=0
	fi
	if [ $ok = 1 ]; then
		echo "PASS: $name ($want)"
		pass=$((pass + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
		failures="$failures $name"
	fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] || fail "differences in:$failures"
[ $pass -gt 0 ] || fail "no program in $progs"
