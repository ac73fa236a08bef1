#!/bin/sh
# Run every program of testsuite/programs in two ways and require identical
# stdout, stderr and exit status (and the status in expected-status).
#
# Usage: compare.sh LINK MODE
#   LINK  -static or -static-pie; or -dynamic: the programs built with
#         Debian's musl-gcc and with Debian's gcc (glibc), both dynamically
#         linked, each run natively and under elh (MODE systrap or kvm),
#         the glibc build with elh's preload shim (the default) and without
#         it (--no-preload)
#   MODE  native   Debian's stock musl-gcc build vs the elh-musl build, both
#                  run directly on the host, the latter for the programs that
#                  create threads as user-level threads too (ELH_VCPUS=2)
#         systrap  the stock build run directly vs the stock and the elh-musl
#                  builds under `elh run --platform=systrap`, the elh-musl
#                  build in both modes (exit-less, the default, and
#                  --mode=hypercall); for the programs that create threads,
#                  also with each thread a vCPU of its own in exit-less mode
#                  (--vcpus=per-thread; by default they are user-level
#                  threads over the host's CPUs) and as user-level threads in
#                  hypercall mode (--vcpus=2)
#         kvm      the same as systrap, under `elh run` on KVM (skips
#                  without a usable /dev/kvm)
#         build    only build the programs, into $COMPARE_BUILT
#
# COMPARE_EXCLUDE names programs to leave out (static builds), each said
# so, with COMPARE_EXCLUDE_WHY.
#
# With COMPARE_BUILT set to a directory, the programs are taken from there
# (NAME.stock and NAME.elh) instead of being built: kvm-emulated.sh builds
# them on the host and compares inside an emulated VM.
#
# Debian's musl-tools has no rcrt1.o: its -static-pie output is a dynamically
# linked PIE, which elh refuses.  With -static-pie, only the elh-musl build
# runs under elh; the stock build is still the native reference.
. "$top_srcdir/testsuite/lib.sh"
set -e

link=$1
mode=$2
# No core files: timeout(1) would mention them on the run's stderr.
ulimit -c 0 2>/dev/null || true
built=${COMPARE_BUILT:-}
require_baseline
[ "$mode" = kvm ] && require_kvm
if [ "$mode" = build ]; then
	[ -n "$built" ] || fail "compare.sh build: COMPARE_BUILT names no directory"
	mkdir -p "$built"
fi

progs=$top_srcdir/testsuite/programs
[ -f "$progs/expected-status" ] || fail "no corpus in $progs"

# run_as WAY BIN PREFIX: run BIN natively or under elh, capturing.
run_as() {
	out=$3
	case $1 in
	native) set -- "$2" ;;
	native-mn) set -- ELH_VCPUS=2 "$2" ;;
	*-hypercall) set -- "$ELH" run --platform=${1%%-*} --mode=hypercall "$2" ;;
	*-per-thread) set -- "$ELH" run --platform=${1%%-*} --vcpus=per-thread "$2" ;;
	*-hypercall-mn) set -- "$ELH" run --platform=${1%%-*} --mode=hypercall --vcpus=2 "$2" ;;
	*-no-preload) set -- "$ELH" run --platform=${1%%-*} --no-preload "$2" ;;
	*) set -- "$ELH" run --platform="$1" "$2" ;;
	esac
	# A run that hangs fails as one, with its name, instead of holding up
	# the whole comparison (status 124, or SIGKILL 5 s after the TERM).
	run_capture "$out" timeout -k 5 "${COMPARE_TIMEOUT:-120}" \
		env -i PATH=/usr/bin:/bin ELH_TEST=1 "$@" alpha "beta gamma"
}

# The dynamic builds: each binary natively and under elh, compared.
if [ "$link" = -dynamic ]; then
	case $mode in
	systrap | kvm) ;;
	*) fail "compare.sh -dynamic: MODE must be systrap or kvm" ;;
	esac
	command -v gcc >/dev/null || skip "Debian's gcc is not installed: no glibc build"
	pass=0 failed=0 failures=
	for src in "$progs"/*.c; do
		name=$(basename "$src" .c)
		want=$(awk -v n="$name" '$1 == n { print $2 }' "$progs/expected-status")
		case $want in
		'') want="exit 0" ;;
		SIG*) want="signal $want" ;;
		*) want="exit $want" ;;
		esac
		if [ "$mode" = kvm ]; then
			why=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$progs/kvm-unsupported")
			if [ -n "$why" ]; then
				echo "--- $name: not run on KVM: $why"
				continue
			fi
		fi
		ok=1
		for cc in musl glibc; do
			[ $cc = musl ] && compiler=$MUSL_GCC || compiler=gcc
			bin=$TMP/$name.$cc-dyn
			if [ $cc = glibc ]; then
				why=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$progs/glibc-unsupported")
				if [ -n "$why" ]; then
					echo "--- $name: glibc build not run under elh: $why"
					continue
				fi
			fi
			if ! "$compiler" -O2 -pthread "$src" -o "$bin" 2>"$bin.cc"; then
				echo "--- $name: $cc dynamic build failed"
				cat "$bin.cc"
				ok=0
				continue
			fi
			run_as native "$bin" "$bin.base"
			if [ "$(cat "$bin.base.status")" != "$want" ]; then
				echo "--- $name ($cc): native run gave '$(cat "$bin.base.status")', expected '$want'"
				cat "$bin.base.err"
				ok=0
			fi
			run_as "$mode" "$bin" "$bin.elh"
			same "$bin.base" "$bin.elh" || ok=0
			if [ $cc = glibc ]; then
				run_as "$mode-no-preload" "$bin" "$bin.elh-no-preload"
				same "$bin.base" "$bin.elh-no-preload" || ok=0
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
	echo "$pass passed, $failed failed"
	[ $failed -eq 0 ] || fail "differences in:$failures"
	[ $pass -gt 0 ] || fail "no program in $progs"
	exit 0
fi

pass=0 failed=0 failures=
for src in "$progs"/*.c; do
	name=$(basename "$src" .c)
	case " ${COMPARE_EXCLUDE:-} " in
	*" $name "*)
		echo "--- $name: LEFT OUT: ${COMPARE_EXCLUDE_WHY:-COMPARE_EXCLUDE names it}"
		continue
		;;
	esac
	want=$(awk -v n="$name" '$1 == n { print $2 }' "$progs/expected-status")
	case $want in
	'') want="exit 0" ;;
	SIG*) want="signal $want" ;;
	*) want="exit $want" ;;
	esac

	ok=1
	for cc in stock elh; do
		[ $cc = stock ] && compiler=$MUSL_GCC || compiler=$ELH_MUSL_GCC
		if [ -n "$built" ] && [ "$mode" != build ]; then
			cp "$built/$name.$cc" "$TMP/$name.$cc" || ok=0
		elif ! "$compiler" $link -O2 -pthread "$src" -o "$TMP/$name.$cc" 2>"$TMP/$name.$cc.cc"; then
			echo "--- $name: $cc build failed"
			cat "$TMP/$name.$cc.cc"
			ok=0
		elif [ "$mode" = build ]; then
			cp "$TMP/$name.$cc" "$built/$name.$cc"
		fi
	done
	if [ "$mode" = build ]; then
		[ $ok = 1 ] || fail "$name: build failed"
		continue
	fi
	if [ "$mode" = kvm ]; then
		why=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$progs/kvm-unsupported")
		if [ -n "$why" ]; then
			echo "--- $name: not run on KVM: $why"
			continue
		fi
	fi
	if [ $ok = 1 ]; then
		run_as native "$TMP/$name.stock" "$TMP/$name.base"
		if [ "$(cat "$TMP/$name.base.status")" != "$want" ]; then
			echo "--- $name: native run gave '$(cat "$TMP/$name.base.status")', expected '$want'"
			cat "$TMP/$name.base.err"
			ok=0
		fi
		if [ "$mode" = native ]; then
			run_as native "$TMP/$name.elh" "$TMP/$name.elh-native"
			same "$TMP/$name.base" "$TMP/$name.elh-native" || ok=0
			if grep -q pthread_create "$src"; then
				run_as native-mn "$TMP/$name.elh" "$TMP/$name.elh-native-mn"
				same "$TMP/$name.base" "$TMP/$name.elh-native-mn" || ok=0
			fi
		else
			under=elh
			[ "$link" = -static ] && under="stock elh"
			for cc in $under; do
				run_as "$mode" "$TMP/$name.$cc" "$TMP/$name.$cc-$mode"
				same "$TMP/$name.base" "$TMP/$name.$cc-$mode" || ok=0
			done
			run_as $mode-hypercall "$TMP/$name.elh" "$TMP/$name.elh-hypercall"
			same "$TMP/$name.base" "$TMP/$name.elh-hypercall" || ok=0
			unsupported=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$progs/mn-unsupported")
			if [ -n "$unsupported" ]; then
				echo "--- $name: not run as user-level threads: $unsupported"
			elif grep -q pthread_create "$src"; then
				run_as $mode-per-thread "$TMP/$name.elh" "$TMP/$name.elh-per-thread"
				same "$TMP/$name.base" "$TMP/$name.elh-per-thread" || ok=0
				run_as $mode-hypercall-mn "$TMP/$name.elh" "$TMP/$name.elh-hypercall-mn"
				same "$TMP/$name.base" "$TMP/$name.elh-hypercall-mn" || ok=0
			fi
		fi
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
[ "$mode" != build ] || exit 0
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] || fail "differences in:$failures"
[ $pass -gt 0 ] || fail "no program in $progs"
