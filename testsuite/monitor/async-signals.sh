#!/bin/sh
# Signals sent to elh from outside (SIGHUP, SIGINT, SIGTERM, SIGPIPE,
# SIGALRM, SIGCHLD, SIGUSR1) reach the guest's handlers, as they reach the
# same program run natively.
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH_MUSL_GCC" -O2 "$top_srcdir/testsuite/monitor/async-signals.c" -o "$TMP/prog"

# run_and_signal WAY: start the program, wait until it is ready, send the
# signals one at a time (each after the previous was handled).
run_and_signal() {
	rm -f "$TMP/ready" "$TMP/$1.out"
	case $1 in
	native) "$TMP/prog" "$TMP/ready" >"$TMP/$1.out" 2>&1 & ;;
	systrap) "$ELH" run --platform=systrap "$TMP/prog" "$TMP/ready" >"$TMP/$1.out" 2>&1 & ;;
	esac
	pid=$!
	n=0
	while [ ! -e "$TMP/ready" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	[ -e "$TMP/ready" ] || fail "$1: the program never got ready"
	count=0
	for sig in HUP INT TERM PIPE ALRM CHLD USR1; do
		kill -s $sig $pid
		count=$((count + 1))
		n=0
		while [ "$(wc -l <"$TMP/$1.out")" -lt $count ] && [ $n -lt 100 ]; do
			sleep 0.05
			n=$((n + 1))
		done
	done
	wait $pid || fail "$1: exit status $?"
}

run_and_signal native
run_and_signal systrap
cat "$TMP/systrap.out"
cmp "$TMP/native.out" "$TMP/systrap.out" || fail "output differs from the native run"
[ "$(wc -l <"$TMP/systrap.out")" -eq 7 ] || fail "not every signal was handled"
echo "ok: every signal reached the guest's handler"
