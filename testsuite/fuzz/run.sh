# Run each fuzz target (testsuite/fuzz/fuzz-<target>.c) on a fresh copy of its seed corpus in
# testsuite/fuzz/work/<target>/, from the build directory.
#   run.sh SECONDS    fuzz each target for SECONDS (make fuzz)
#   run.sh -runs=N    the seeds, then N more inputs each (smoke.sh)
# A crash leaves its input in testsuite/fuzz/work/<target>/ (crash-*,
# leak-*, timeout-*, oom-*) and fails the run, naming the files.

set -u

case $1 in
-runs=*) limit=$1 ;;
*) limit=-max_total_time=$1 ;;
esac
st=0
for src in "$top_srcdir"/testsuite/fuzz/fuzz-*.c; do
	t=${src##*/fuzz-}
	t=${t%.c}
	work=testsuite/fuzz/work/$t
	rm -rf "$work"
	mkdir -p "$work/corpus"
	cp "$top_srcdir/testsuite/fuzz/corpus/$t"/* "$work/corpus/"
	echo "fuzz: $t ($limit)"
	./testsuite/fuzz/fuzz-"$t" "$limit" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	crashes=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | sort)
	if [ $rc -ne 0 ] || [ -n "$crashes" ]; then
		tail -n 40 "$work/log"
		echo "fuzz: $t FAILED (exit $rc) after ${execs:-?} executions; inputs:" $crashes
		st=1
	else
		echo "fuzz: $t: ${execs:-?} executions, no crash"
	fi
done
exit $st
