#!/bin/sh
# The benchmark programs build cleanly in every native mode and print
# well-formed lines for every benchmark; run.sh turns them into a summary.
# Nothing here looks at how fast anything is.
# shellcheck disable=SC1091,SC2154 # the test harness sets top_srcdir and friends
. "$top_srcdir/testsuite/lib.sh"
set -e

require_baseline
command -v gcc >/dev/null 2>&1 || skip "gcc not found: no glibc baseline to build the benchmarks with"
[ -x "$ELH_MUSL_GCC" ] || fail "$ELH_MUSL_GCC is not built"

src=$top_srcdir/benchmarks
progs="micro/syscall micro/pipe micro/thread micro/scaling macro/filetree platform/platform"
# What each program must offer (it may offer more: --list is the reference).
required="getppid read-4k write-4k open-close stat clock_gettime pipe-pingpong
pthread-create-join sched-yield mutex-handoff getppid-t1 getppid-t4 getppid-t16
getppid-t64 tree-create tree-walk-sum tree-delete null-syscall cacheline-rtt"
reps=2

# check_output PROG OUT LIST: every line well-formed, each benchmark of LIST
# present with reps 1..$reps in order, values positive and finite.
check_output() {
	awk -v prog="$1" -v list="$(tr '\n' ' ' <"$3")" -v reps=$reps '
	function bad(why) { print "--- " prog ": " why; err = 1 }
	BEGIN { nb = split(list, want, " "); b = 1; r = 1 }
	{
		if ($0 !~ /^bench=[a-z0-9_-]+ unit=(ns\/op|ns\/file|Mcalls\/s) rep=[0-9]+ iters=[1-9][0-9]* value=[0-9]+(\.[0-9]+)?$/) {
			bad("malformed line: " $0); next
		}
		split($1, n, "="); split($3, k, "="); split($5, v, "=")
		if (b > nb || n[2] != want[b] || k[2] != r) {
			bad("expected rep " r " of " want[b] ", got: " $0); next
		}
		if (!(v[2] + 0 > 0) || v[2] + 0 > 1e15)
			bad("value not positive and finite: " $0)
		if (++r > reps) { b++; r = 1 }
	}
	END {
		if (b <= nb) bad("missing output from " want[b] " on")
		exit err
	}' "$2"
}

status=0
for cc in glibc musl elh-musl; do
	case $cc in
	glibc) set -- gcc ;;
	musl) set -- "$MUSL_GCC" -static ;;
	elh-musl) set -- "$ELH_MUSL_GCC" ;;
	esac
	for p in $progs; do
		name=$(basename "$p")
		bin=$TMP/$name.$cc
		# -Werror: the sources must build cleanly with each libc's headers.
		if ! "$@" -O2 -pthread -Wall -Wextra -Werror "$src/$p.c" -o "$bin" 2>"$bin.cc"; then
			echo "--- $name: $cc build failed"
			cat "$bin.cc"
			status=1
			continue
		fi
		"$bin" --list >"$bin.list" || { echo "--- $name.$cc: --list failed"; status=1; continue; }
		[ -s "$bin.list" ] || { echo "--- $name.$cc: --list is empty"; status=1; continue; }
		run_capture "$bin.run" "$bin" --iters 50 --reps $reps
		if [ "$(cat "$bin.run.status")" != "exit 0" ]; then
			# Only one reason to fail is accepted: a ping-pong between two CPUs on a host with one.
			if [ "$name" = platform ] && grep -q "needs two CPUs" "$bin.run.err"; then
				echo "note: $name.$cc: $(cat "$bin.run.err")"
				grep -v cacheline-rtt "$bin.list" >"$bin.list2" && mv "$bin.list2" "$bin.list"
			else
				echo "--- $name.$cc: $(cat "$bin.run.status")"
				cat "$bin.run.err"
				status=1
				continue
			fi
		fi
		if check_output "$name.$cc" "$bin.run.out" "$bin.list"; then
			echo "ok: $name.$cc: $(wc -l <"$bin.run.out") lines, benchmarks: $(tr '\n' ' ' <"$bin.list")"
		else
			status=1
		fi
		cat "$bin.list" >>"$TMP/all.list"
	done
done
for b in $required; do
	grep -qx "$b" "$TMP/all.list" || { echo "--- no program offers the benchmark $b"; status=1; }
done
[ $status = 0 ] || fail "benchmark programs"

# The driver, on the native modes only, with tiny fixed counts and a tree of
# 32 files: does it produce a row per benchmark, mode and round, and a
# summary table?
run_capture "$TMP/driver" env top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
	ELH="$ELH" ELH_MUSL_GCC="$ELH_MUSL_GCC" MUSL_GCC="$MUSL_GCC" \
	sh "$src/run.sh" --modes=glibc,musl,elh-musl-native,elh-musl-mn --rounds=2 --reps=1 --iters=50 \
	--macro=files --files=32 --out="$TMP/results"
if [ "$(cat "$TMP/driver.status")" != "exit 0" ]; then
	cat "$TMP/driver.out" "$TMP/driver.err"
	fail "run.sh: $(cat "$TMP/driver.status")"
fi
nbench=$(sort -u "$TMP/all.list" | grep -cvE '^(null-syscall|cacheline-rtt)$')
rows=$(($(wc -l <"$TMP/results/results.csv") - 1))
fails=$(wc -l <"$TMP/results/failures.txt")
[ $((rows + fails)) -eq $((nbench * 4 * 2)) ] ||
	fail "run.sh: $rows rows and $fails failures in results.csv, expected $((nbench * 4 * 2)) in all"
[ "$fails" -eq 0 ] || { cat "$TMP/results/failures.txt"; fail "run.sh: failed runs"; }
sort -u "$TMP/all.list" | while read -r b; do
	case $b in null-syscall | cacheline-rtt) continue ;; esac
	grep -q "^| $b | " "$TMP/results/summary.md" || fail "summary.md has no row for $b"
done
grep -q "^## Platform figures" "$TMP/results/summary.md" || fail "summary.md has no platform figures"
echo "ok: run.sh: $rows rows, summary.md with $nbench benchmarks"
