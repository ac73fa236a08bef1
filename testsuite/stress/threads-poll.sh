#!/bin/sh
# Hundreds of user-level threads polling with usleep (threads-poll.c),
# built with elh-musl-gcc: every run under elh must print what the native
# run printed and exit 0.  Host signals then stop vCPUs everywhere on the
# entry paths, between `syscall` and the stub's exit among them.
#
# On each platform this host has (systrap; kvm where /dev/kvm works, the
# emulated VM of kvm-emulated.sh too): 500 threads over one vCPU,
# 2 000 in the default mode (user-level threads over a vCPU per host
# CPU), 500 in hypercall mode over 2 vCPUs.
# THREADS_POLL_BIN names a prebuilt program; THREADS_POLL_PLATFORMS the
# platforms to run (default: systrap, and kvm if usable).
. "$top_srcdir/testsuite/lib.sh"
set -e

bin=${THREADS_POLL_BIN:-}
if [ -z "$bin" ]; then
	bin=$TMP/threads-poll
	"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/threads-poll.c" -o "$bin"
fi
platforms=${THREADS_POLL_PLATFORMS:-}
if [ -z "$platforms" ]; then
	platforms=systrap
	if "$ELH" check-kvm >/dev/null 2>&1; then
		platforms="systrap kvm"
	else
		echo "************************************************************"
		echo "*** SKIP: the kvm runs: $("$ELH" check-kvm 2>&1 | head -1)"
		echo "************************************************************"
	fi
fi

ran=0
for threads in 500 2000; do
	"$bin" $threads 3 >"$TMP/native.$threads" 2>&1 ||
		{ cat "$TMP/native.$threads"; fail "native run of $threads threads failed"; }
done
for p in $platforms; do
	for args in "--vcpus=1 500" "2000" "--mode=hypercall --vcpus=2 500"; do
		threads=${args##* }
		opts=${args% *}
		[ "$opts" != "$args" ] || opts=
		st=0
		timeout -s KILL 600 "$ELH" run --platform=$p $opts "$bin" $threads 3 \
			>"$TMP/out" 2>"$TMP/err" || st=$?
		if [ $st -ne 0 ] || ! cmp -s "$TMP/native.$threads" "$TMP/out"; then
			cat "$TMP/out" "$TMP/err"
			fail "elh run --platform=$p${opts:+ $opts}: $threads threads: status $st, native printed: $(cat "$TMP/native.$threads")"
		fi
		echo "ok: elh run --platform=$p${opts:+ $opts} threads-poll $threads 3: $(cat "$TMP/out")"
		ran=$((ran + 1))
	done
done
[ $ran -gt 0 ] || fail "no platform to run on"
