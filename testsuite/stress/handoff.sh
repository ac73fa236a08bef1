#!/bin/sh
# The hand-off of a vCPU around a call that blocks on it
# (testsuite/stress/handoff.c): more readers blocked in read than workers
# to make their calls, over one vCPU.  Natively the in-process pool has
# 128 workers at most, as in hypercall mode under elh; in exit-less mode,
# --max-workers=4.  The output must be the 1:1 run's, and --stats must
# show the spare vCPUs.
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/handoff.c" -o "$TMP/handoff"

check() {
	name=$1
	shift
	timeout -s KILL 120 "$@" >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/out" "$TMP/err"; fail "$name: failed (status $?)"; }
	[ "$(cat "$TMP/out")" = "$want" ] || { cat "$TMP/out" "$TMP/err"; fail "$name: printed something else"; }
	echo "ok: $name: $want"
}

want=$("$TMP/handoff" 136)
[ "$want" = "136 of 136 readers read their byte" ] || fail "1:1 run: $want"
check "natively, 136 readers over 1 vCPU" env ELH_VCPUS=1 "$TMP/handoff" 136
check "natively, 136 readers over 2 vCPUs" env ELH_VCPUS=2 "$TMP/handoff" 136

want=$("$TMP/handoff" 10)
check "elh, exit-less, --vcpus=1 --max-workers=4, 10 readers" \
	"$ELH" run --platform=systrap --vcpus=1 --max-workers=4 --stats "$TMP/handoff" 10
n=$(sed -n 's/^vcpus: \([0-9]*\) at most at once.*/\1/p' "$TMP/err")
# The same with one reader, which no worker refuses: no spare.
"$ELH" run --platform=systrap --vcpus=1 --max-workers=4 --stats "$TMP/handoff" 1 >/dev/null 2>"$TMP/err1" ||
	{ cat "$TMP/err1"; fail "one reader: failed"; }
n1=$(sed -n 's/^vcpus: \([0-9]*\) at most at once.*/\1/p' "$TMP/err1")
[ -n "$n" ] && [ -n "$n1" ] && [ "$n" -gt "$n1" ] ||
	{ cat "$TMP/err"; fail "no spare vCPU started (vcpus: $n with 10 readers, $n1 with one)"; }
echo "ok: $n vCPUs at most with 10 readers, $n1 with one: spares ran while vCPUs were held"
# Hypercall mode: the guest's own pool, 128 workers at most.
want=$("$TMP/handoff" 136)
check "elh, hypercall, --vcpus=1, 136 readers" \
	"$ELH" run --platform=systrap --mode=hypercall --vcpus=1 "$TMP/handoff" 136
