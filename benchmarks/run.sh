#!/bin/sh
# The benchmark driver: build every benchmark in every available mode, run them side by side, summarize.
#
# Usage: benchmarks/run.sh [OPTIONS]
#   --rounds=N      rounds per benchmark (default 5); medians are taken over them
#   --reps=N        timed repetitions per program run (default 3); a round's
#                   value is their median
#   --target-ms=MS  length of one repetition (default 100): iteration counts
#                   are calibrated per mode to reach it
#   --iters=N       fixed iteration count instead (tests; no calibration)
#   --modes=LIST    comma-separated modes (default: all fourteen below)
#   --benches=LIST  comma-separated benchmark names (default: all)
#   --out=DIR       results folder (default:
#                   $top_builddir/benchmarks/results/<UTC timestamp>)
#   --macro=LIST    macro workloads too: http, files, both (http,files) or
#                   none (the default); make bench-full runs both
#   --http-conns=LIST      wrk connection counts for the 13-byte body
#                          (default 1,4,16,64): benchmarks http-cN
#   --http-4k-conns=LIST   the same for the 4 KiB body (default 16): http-4k-cN
#   --http-seconds=N       length of one wrk run (default 1)
#   --files=N       files in the tree of the tree-* benchmarks (default 2048)
#
# In the KVM modes it also counts VM exits per operation (two runs with
# --stats), printed and in summary.md and exits.csv.
#
# Modes: glibc (gcc, dynamic), musl (Debian's musl-gcc -static), elh-musl-native
# (elh-musl-gcc, run directly), elh-musl-mn (the same with its threads as
# user-level threads over as many carriers as the host has cores, blocking
# calls made by the in-process pool: ELH_VCPUS), elh-hypercall (elh run --mode=hypercall),
# elh-exitless (elh run --vcpus=per-thread: each thread a vCPU of its own),
# and the same two with --platform=systrap (elh-systrap-hypercall,
# elh-systrap-exitless), which run on hosts without KVM; elh-mn and
# elh-systrap-mn are exit-less mode as `elh run` runs it by default, the
# threads as user-level threads over as many vCPUs as the host has cores.
# glibc-elh and glibc-systrap run the glibc build (dynamically linked)
# under `elh run` in exit-less mode, with libelh-preload.so preloaded (the
# default); glibc-elh-nopreload and glibc-systrap-nopreload the same with
# --no-preload, every call trapping.  A mode whose
# compiler is missing, or whose `elh run` of a trivial program fails, is
# listed with the reason and skipped.
#
# Macro workloads: http runs benchmarks/macro/httpd.c, a thread-per-connection
# server, in each mode, driven by wrk (Debian package wrk) running natively
# on loopback: one wrk run per round, a fresh server each time, stopped by a
# GET /quit; it gives requests/s and the p50 and p99 latencies.  files runs
# benchmarks/macro/filetree.c, a tree of small files created, walked and
# checksummed, deleted, in ns per file.
#
# Environment (make bench sets it): top_srcdir, top_builddir, ELH,
# ELH_MUSL_GCC, MUSL_GCC; also GLIBC_CC (gcc), GNUPLOT (gnuplot), WRK (wrk), ELH_RUN_ARGS
# (more options for every `elh run`, e.g. --workers=2) and
# BENCH_TIMEOUT (seconds one program run may take, default 120; a run takes
# a second or two, and after a timeout the benchmark's later rounds skip that mode).
set -eu

rounds=5
reps=3
target_ms=100
iters=
modes_wanted="glibc musl elh-musl-native elh-musl-mn elh-hypercall elh-exitless elh-mn elh-systrap-hypercall elh-systrap-exitless elh-systrap-mn glibc-elh glibc-elh-nopreload glibc-systrap glibc-systrap-nopreload"
benches_wanted=
out=
progs="micro/syscall micro/pipe micro/thread micro/scaling"
macro=
http_conns="1 4 16 64"
http_4k_conns=16
http_seconds=1
files=2048

die() {
	echo "run.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//'
}

posint() {
	case $2 in
	'' | *[!0-9]* | 0*) die "$1 wants a positive integer, not '$2'" ;;
	esac
}

options="$*"
for arg; do
	case $arg in
	--rounds=*) rounds=${arg#*=}; posint --rounds "$rounds" ;;
	--reps=*) reps=${arg#*=}; posint --reps "$reps" ;;
	--target-ms=*) target_ms=${arg#*=}; posint --target-ms "$target_ms" ;;
	--iters=*) iters=${arg#*=}; posint --iters "$iters" ;;
	--modes=*) modes_wanted=$(echo "${arg#*=}" | tr ',' ' ') ;;
	--benches=*) benches_wanted=$(echo "${arg#*=}" | tr ',' ' ') ;;
	--out=*) out=${arg#*=} ;;
	--macro=*) macro=$(echo "${arg#*=}" | tr ',' ' ') ;;
	--http-conns=*) http_conns=$(echo "${arg#*=}" | tr ',' ' ') ;;
	--http-4k-conns=*) http_4k_conns=$(echo "${arg#*=}" | tr ',' ' ') ;;
	--http-seconds=*) http_seconds=${arg#*=}; posint --http-seconds "$http_seconds" ;;
	--files=*) files=${arg#*=}; posint --files "$files" ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for m in $modes_wanted; do
	case $m in
	glibc | musl | elh-musl-native | elh-musl-mn | elh-hypercall | elh-exitless | elh-mn) ;;
	elh-systrap-hypercall | elh-systrap-exitless | elh-systrap-mn) ;;
	glibc-elh | glibc-elh-nopreload | glibc-systrap | glibc-systrap-nopreload) ;;
	*) die "unknown mode '$m'" ;;
	esac
done
[ -n "$modes_wanted" ] || die "--modes is empty"
for w in $macro; do
	case $w in
	http | files) ;;
	none) macro= ; break ;;
	*) die "unknown macro workload '$w' (http, files or none)" ;;
	esac
done
for c in $http_conns $http_4k_conns; do
	posint "--http-conns" "$c"
done

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$top_srcdir}
src=$top_srcdir/benchmarks
ELH=${ELH:-$top_builddir/elh}
ELH_MUSL_GCC=${ELH_MUSL_GCC:-$top_builddir/libc/elh-musl-gcc}
# Set but empty (configure found none) means missing; unset means look for it.
[ -n "${MUSL_GCC+set}" ] || MUSL_GCC=$(command -v musl-gcc || true)
GLIBC_CC=${GLIBC_CC:-gcc}
GNUPLOT=${GNUPLOT:-gnuplot}
WRK=${WRK:-wrk}
ELH_RUN_ARGS=${ELH_RUN_ARGS:-}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}
[ -f "$src/bench.h" ] || die "no benchmark sources in $src (set top_srcdir)"

# The results folder: a fresh one per run, never reused, so that runs can be compared.
if [ -z "$out" ]; then
	base=$top_builddir/benchmarks/results
	mkdir -p "$base"
	stamp=$(date -u +%Y%m%dT%H%M%SZ)
	out=$base/$stamp
	n=1
	while ! mkdir "$out" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 100 ] || die "cannot create a results folder in $base"
		out=$base/$stamp-$n
	done
	ln -sfn "$(basename "$out")" "$base/latest"
else
	mkdir -p "$out"
fi
out=$(cd "$out" && pwd)
mkdir -p "$out/bin" "$out/logs"
: >"$out/unavailable.txt"
: >"$out/failures.txt"
: >"$out/raw.txt"
echo "benchmark,mode,round,value,unit" >"$out/results.csv"
started=$(date +%s)
revision=$(git -C "$top_srcdir" describe --always --dirty 2>/dev/null || echo unknown)
loadavg=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

if [ -n "$iters" ]; then
	size_opt=--iters=$iters
else
	size_opt=--target-ms=$target_ms
fi
timeout_cmd=
if command -v timeout >/dev/null 2>&1; then
	timeout_cmd=timeout
fi

# The binaries a mode runs: every elh-musl mode shares one elh-musl build.
toolchain() {
	case $1 in
	glibc | musl) echo "$1" ;;
	glibc-*) echo glibc ;;
	*) echo elh-musl ;;
	esac
}

# compile TOOLCHAIN SRC OUT: the same flags everywhere but musl's -static
# (Debian's musl-gcc links dynamically by default; elh-musl-gcc is static only).
compile() {
	case $1 in
	glibc) set -- "$GLIBC_CC" -O2 -pthread "$2" -o "$3" ;;
	musl) set -- "$MUSL_GCC" -static -O2 -pthread "$2" -o "$3" ;;
	elh-musl) set -- "$ELH_MUSL_GCC" -O2 -pthread "$2" -o "$3" ;;
	esac
	"$@" -Wall -Wextra
}

compiler_of() {
	case $1 in
	glibc) echo "$GLIBC_CC -O2 -pthread (dynamic)" ;;
	musl) echo "$MUSL_GCC -static -O2 -pthread" ;;
	elh-musl) echo "$ELH_MUSL_GCC -O2 -pthread" ;;
	esac
}

MN_VCPUS=$(nproc 2>/dev/null || echo 2)
[ "$MN_VCPUS" -le 64 ] || MN_VCPUS=64

# elh_options MODE: the options of `elh run` for an elh mode (exit-less with a vCPU per thread
# for elh-*exitless: M:N, the default, is elh-*mn).
elh_options() {
	case $1 in
	elh-hypercall) echo "--mode=hypercall" ;;
	elh-systrap-hypercall) echo "--platform=systrap --mode=hypercall" ;;
	elh-exitless) echo "--vcpus=per-thread" ;;
	elh-systrap-exitless) echo "--platform=systrap --vcpus=per-thread" ;;
	elh-mn) echo "--vcpus=$MN_VCPUS" ;;
	elh-systrap-mn) echo "--platform=systrap --vcpus=$MN_VCPUS" ;;
	glibc-elh) echo "" ;;
	glibc-elh-nopreload) echo "--no-preload" ;;
	glibc-systrap) echo "--platform=systrap" ;;
	glibc-systrap-nopreload) echo "--platform=systrap --no-preload" ;;
	esac
}

# in_mode MODE CMD...: run CMD the way MODE runs programs, stdin closed, bounded in time.
in_mode() {
	_im_mode=$1
	shift
	case $_im_mode in
	elh-hypercall | elh-exitless | elh-mn | elh-systrap-* | glibc-elh* | glibc-systrap*)
		# shellcheck disable=SC2046,SC2086 # options are words by design
		set -- "$ELH" run $(elh_options "$_im_mode") $ELH_RUN_ARGS "$@"
		;;
	elh-musl-mn) set -- env ELH_VCPUS="$MN_VCPUS" "$@" ;;
	esac
	if [ -n "$timeout_cmd" ]; then
		set -- "$timeout_cmd" "$BENCH_TIMEOUT" "$@"
	fi
	"$@" </dev/null
}

# The last non-empty line of a file, for one-line reasons.
last_line() {
	awk 'NF { l = $0 } END { print l }' "$1"
}

unavailable() {
	printf '%s\t%s\n' "$1" "$2" >>"$out/unavailable.txt"
	echo "  $1: not available: $2"
}

# Build each toolchain a wanted mode needs; a failed build makes its modes unavailable.
echo "ELH benchmarks -> $out"
echo "building:"
toolchains_ok=
for tc in glibc musl elh-musl; do
	need=
	for m in $modes_wanted; do
		[ "$(toolchain "$m")" = "$tc" ] && need=1
	done
	[ -n "$need" ] || continue
	why=
	case $tc in
	glibc)
		command -v "$GLIBC_CC" >/dev/null 2>&1 || why="$GLIBC_CC not found"
		;;
	musl)
		if [ -z "$MUSL_GCC" ] || ! command -v "$MUSL_GCC" >/dev/null 2>&1; then
			why="Debian's musl-gcc (package musl-tools) is not installed"
		fi
		;;
	elh-musl)
		[ -x "$ELH_MUSL_GCC" ] || why="$ELH_MUSL_GCC does not exist: build ELH first (make)"
		;;
	esac
	if [ -n "$why" ]; then
		printf '%s\t%s\n' "$tc" "$why" >"$out/bin/$tc.why"
		continue
	fi
	mkdir -p "$out/bin/$tc"
	ok=1
	for p in $progs macro/filetree macro/httpd platform/platform; do
		name=$(basename "$p")
		if ! compile "$tc" "$src/$p.c" "$out/bin/$tc/$name" >"$out/logs/build-$tc-$name.log" 2>&1; then
			printf '%s\tbuilding %s.c failed: %s\n' "$tc" "$p" \
				"$(grep -m1 'error' "$out/logs/build-$tc-$name.log" || last_line "$out/logs/build-$tc-$name.log")" >"$out/bin/$tc.why"
			ok=
			break
		fi
	done
	if [ -n "$ok" ]; then
		toolchains_ok="$toolchains_ok $tc"
		echo "  $tc: $(compiler_of "$tc")"
	fi
done

# Which modes can run: a compiler that built everything and, for elh modes,
# an `elh run` of a trivial program that does what it should.
printf '#include <stdio.h>\nint main(void)\n{\n\tputs("elh-bench-ok");\n\treturn 0;\n}\n' >"$out/bin/trivial.c"
echo "modes:"
modes=
for m in $modes_wanted; do
	tc=$(toolchain "$m")
	case " $toolchains_ok " in
	*" $tc "*) ;;
	*)
		unavailable "$m" "$(cut -f2- "$out/bin/$tc.why" 2>/dev/null || echo "no $tc build")"
		continue
		;;
	esac
	case $m in
	elh-hypercall | elh-exitless | elh-mn | elh-systrap-* | glibc-elh* | glibc-systrap*)
		if ! [ -x "$ELH" ]; then
			unavailable "$m" "$ELH does not exist: build ELH first (make)"
			continue
		fi
		if ! [ -x "$out/bin/trivial-$tc" ] &&
			! compile "$tc" "$out/bin/trivial.c" "$out/bin/trivial-$tc" >"$out/logs/build-trivial-$tc.log" 2>&1; then
			unavailable "$m" "$tc cannot build a trivial program: $(last_line "$out/logs/build-trivial-$tc.log")"
			continue
		fi
		set +e
		in_mode "$m" "$out/bin/trivial-$tc" >"$out/logs/trivial-$m.out" 2>"$out/logs/trivial-$m.err"
		st=$?
		set -e
		if [ $st -ne 0 ] || [ "$(cat "$out/logs/trivial-$m.out")" != elh-bench-ok ]; then
			why=$(last_line "$out/logs/trivial-$m.err")
			cmd=$(echo "elh run $(elh_options "$m") $ELH_RUN_ARGS" | sed 's/ *$//')
			unavailable "$m" "\`$cmd\` of a trivial program failed (status $st)${why:+: $why}"
			continue
		fi
		;;
	esac
	modes="$modes $m"
	echo "  $m: available"
done
modes=${modes# }
[ -n "$modes" ] || die "no mode is available (see $out/unavailable.txt)"

# The reference columns of the ratios: native stock musl, else native elh-musl;
# and hypercall mode (on systrap when that is the one measured).
ref=
case " $modes " in
*" musl "*) ref=musl ;;
*" elh-musl-native "*) ref=elh-musl-native ;;
esac
hyper=
case " $modes " in
*" elh-hypercall "*) hyper=elh-hypercall ;;
*" elh-systrap-hypercall "*) hyper=elh-systrap-hypercall ;;
esac

# The benchmark list comes from the programs themselves (--list).
first_tc=$(toolchain "${modes%% *}")
: >"$out/benches.txt"
: >"$out/notes.txt"
want_bench() {
	[ -z "$benches_wanted" ] || echo " $benches_wanted " | grep -q " $1 "
}
for p in $progs; do
	name=$(basename "$p")
	"$out/bin/$first_tc/$name" --list | while read -r b; do
		if want_bench "$b"; then
			echo "$name $b" >>"$out/benches.txt"
		fi
	done
done
case " $macro " in
*" files "*)
	"$out/bin/$first_tc/filetree" --list | while read -r b; do
		if want_bench "$b"; then
			echo "filetree $b" >>"$out/benches.txt"
		fi
	done
	;;
esac
case " $macro " in
*" http "*)
	if command -v "$WRK" >/dev/null 2>&1; then
		for b in $(for c in $http_conns; do echo "http-c$c"; done
			for c in $http_4k_conns; do echo "http-4k-c$c"; done); do
			if want_bench "$b"; then
				echo "httpd $b" >>"$out/benches.txt"
			fi
		done
	else
		no_wrk="the http workload did not run: $WRK not found (Debian package wrk)"
		echo "$no_wrk" >>"$out/notes.txt"
		echo "$no_wrk"
	fi
	;;
esac
for b in $benches_wanted; do
	if ! grep -q " $b\$" "$out/benches.txt"; then
		case $b in
		http-*) [ -z "${no_wrk:-}" ] || continue ;;
		esac
		case $b in
		http-* | tree-*) die "no benchmark named '$b' (macro workloads need --macro=http,files)" ;;
		*) die "no benchmark named '$b'" ;;
		esac
	fi
done
[ -s "$out/benches.txt" ] || die "no benchmark to run"
# The rows of the table: an http benchmark gives three (requests/s, p50, p99).
awk '{ print $2; if ($1 == "httpd") { print $2 "-p50"; print $2 "-p99" } }' "$out/benches.txt" >"$out/rows.txt"
nbench=$(wc -l <"$out/benches.txt")

# rotate K WORDS...: the words, rotated left by K-1, so every mode gets every slot in turn.
rotate() {
	_rot_k=$1
	shift
	_rot_k=$(((_rot_k - 1) % $#))
	while [ "$_rot_k" -gt 0 ]; do
		_rot_w=$1
		shift
		set -- "$@" "$_rot_w"
		_rot_k=$((_rot_k - 1))
	done
	echo "$@"
}

# Numbers in files: at least four significant digits, never an exponent.
awk_num='function num(v) { return sprintf(v >= 100 ? "%.1f" : v >= 1 ? "%.3f" : "%.6f", v) }'

# parse BENCH < output: "median unit count" of the repetitions, or "ERR reason".
parse() {
	awk -v b="$1" "$awk_num"'
	/^bench=[^ ]+ unit=[^ ]+ rep=[0-9]+ iters=[0-9]+ value=[0-9]+(\.[0-9]+)?$/ {
		split($1, kv, "=")
		if (kv[2] != b) { bad = "output for another benchmark: " $0; exit }
		split($2, kv, "="); unit = kv[2]
		split($5, kv, "="); v[++n] = kv[2] + 0
		next
	}
	{ bad = "malformed line: " $0; exit }
	END {
		if (bad != "") { print "ERR " bad; exit }
		if (n == 0) { print "ERR no output"; exit }
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		if (!(m > 0)) { print "ERR non-positive value"; exit }
		printf "%s %s %d\n", num(m), unit, n
	}'
}

# measure MODE PROGRAM BENCH ROUND: one program run; its median goes to results.csv.
measure() {
	_ms_bin=$out/bin/$(toolchain "$1")/$2
	_ms_size=$size_opt
	# The file tree has the same size in every mode: the same work, compared.
	[ "$2" != filetree ] || _ms_size=--iters=$files
	set +e
	in_mode "$1" "$_ms_bin" --bench "$3" --reps "$reps" "$_ms_size" >"$out/run.out" 2>"$out/run.err"
	_ms_st=$?
	set -e
	{
		echo "== round $4"
		cat "$out/run.err"
	} >>"$out/logs/$3.$1.stderr"
	sed -e "s/^/mode=$1 round=$4 /" "$out/run.out" >>"$out/raw.txt"
	_ms_res=$(parse "$3" <"$out/run.out")
	if [ $_ms_st -ne 0 ]; then
		_ms_why="status $_ms_st: $(last_line "$out/run.err")"
		if [ $_ms_st -eq 124 ] && [ -n "$timeout_cmd" ]; then
			_ms_why="timed out after ${BENCH_TIMEOUT}s; later rounds skip this mode"
			given_up="$given_up $3:$1"
		fi
		printf '%s\t%s\t%s\t%s\n' "$3" "$1" "$4" "$_ms_why" >>"$out/failures.txt"
		printf ' %s:FAIL' "$1"
		return 0
	fi
	case $_ms_res in
	ERR*)
		printf '%s\t%s\t%s\t%s\n' "$3" "$1" "$4" "${_ms_res#ERR }" >>"$out/failures.txt"
		printf ' %s:FAIL' "$1"
		return 0
		;;
	esac
	# shellcheck disable=SC2086 # "median unit count", split on purpose
	set -- "$@" $_ms_res
	echo "$3,$1,$4,$5,$6" >>"$out/results.csv"
}

# The http workload.  The server runs in the mode measured, in the
# background, bounded by BENCH_TIMEOUT like every run; wrk runs natively.
# server_pid is the process to signal: with timeout(1), the leader of a
# process group holding the server, so that the group can be killed whole.
server_pid=
server_group=

# kill_server SIGNAL: signal the server (its whole group when it has one).
kill_server() {
	[ -n "$server_pid" ] || return 0
	if [ -n "$server_group" ]; then
		kill -s "$1" -- "-$server_pid" 2>/dev/null || true
	else
		kill -s "$1" "$server_pid" 2>/dev/null || true
	fi
}

# A server is never left behind, whatever ends this script.
trap 'kill_server KILL' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# wait_exit TENTHS: wait up to TENTHS tenths of a second for the server to
# exit; true if it did (the shell reaps it while running sleep).
wait_exit() {
	_we_n=0
	while kill -0 "$server_pid" 2>/dev/null; do
		[ $_we_n -lt "$1" ] || return 1
		sleep 0.1
		_we_n=$((_we_n + 1))
	done
	return 0
}

# start_server MODE: start httpd in MODE, wait for the port it prints.
# Sets server_pid and server_port; on failure, server_why and false.
start_server() {
	_ss_mode=$1
	set -- "$out/bin/$(toolchain "$_ss_mode")/httpd" --port 0
	case $_ss_mode in
	elh-hypercall | elh-exitless | elh-mn | elh-systrap-* | glibc-elh* | glibc-systrap*)
		# shellcheck disable=SC2046,SC2086 # options are words by design
		set -- "$ELH" run $(elh_options "$_ss_mode") $ELH_RUN_ARGS "$@"
		;;
	elh-musl-mn) set -- env ELH_VCPUS="$MN_VCPUS" "$@" ;;
	esac
	server_group=
	if [ -n "$timeout_cmd" ]; then
		set -- "$timeout_cmd" "$BENCH_TIMEOUT" "$@"
		server_group=1
	fi
	# Gone before the server starts: the port of the last one must not be read.
	rm -f "$out/server.out"
	"$@" </dev/null >"$out/server.out" 2>"$out/server.err" &
	server_pid=$!
	server_port=
	server_why=
	_ss_n=0
	while :; do
		server_port=$(sed -n 's/^port=\([0-9][0-9]*\)$/\1/p' "$out/server.out" 2>/dev/null)
		[ -z "$server_port" ] || return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			set +e
			wait "$server_pid"
			_ss_st=$?
			set -e
			server_pid=
			server_why="the server exited (status $_ss_st) before listening: $(last_line "$out/server.err")"
			return 1
		fi
		if [ $_ss_n -ge 100 ]; then
			kill_server KILL
			server_pid=
			server_why="the server did not print its port within 10 s; later rounds skip this mode"
			return 1
		fi
		sleep 0.1
		_ss_n=$((_ss_n + 1))
	done
}

# stop_server: GET /quit, then wait for a clean exit; after 10 s, TERM, then KILL.
# On failure, server_why and false.
stop_server() {
	server_why=
	"$out/bin/$first_tc/httpd" --get /quit --port "$server_port" </dev/null >/dev/null 2>"$out/quit.err" ||
		server_why="GET /quit failed: $(last_line "$out/quit.err")"
	if ! wait_exit 100; then
		server_why="the server did not exit within 10 s of GET /quit${server_why:+ ($server_why)}"
		kill_server TERM
		wait_exit 20 || kill_server KILL
	fi
	set +e
	wait "$server_pid"
	_st_st=$?
	set -e
	server_pid=
	if [ -z "$server_why" ] && [ $_st_st -ne 0 ]; then
		server_why="the server exited with status $_st_st: $(last_line "$out/server.err")"
	fi
	[ -z "$server_why" ]
}

# http_failed BENCH MODE ROUND WHY [giveup]: record a failed round.
http_failed() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$out/failures.txt"
	[ -z "${5:-}" ] || given_up="$given_up $1:$2"
	printf ' %s:FAIL' "$2"
}

# measure_http MODE BENCH ROUND: a fresh server, one wrk run, three values.
measure_http() {
	_mh_mode=$1
	_mh_bench=$2
	_mh_round=$3
	_mh_log=$out/logs/$2.$1.stderr
	_mh_conns=${2##*-c}
	case $2 in
	http-4k-*) _mh_path=/4k ;;
	*) _mh_path=/ ;;
	esac
	echo "== round $3" >>"$_mh_log"
	if ! start_server "$1"; then
		cat "$out/server.err" >>"$_mh_log"
		case $server_why in
		*"later rounds skip"*) http_failed "$2" "$1" "$3" "$server_why" giveup ;;
		*) http_failed "$2" "$1" "$3" "$server_why" ;;
		esac
		return 0
	fi
	set +e
	if [ -n "$timeout_cmd" ]; then
		"$timeout_cmd" $((http_seconds + 30)) "$WRK" -t1 -c"$_mh_conns" -d"${http_seconds}s" \
			--timeout 5s -s "$src/macro/wrk-report.lua" "http://127.0.0.1:$server_port$_mh_path" \
			>"$out/wrk.out" 2>"$out/wrk.err" </dev/null
	else
		"$WRK" -t1 -c"$_mh_conns" -d"${http_seconds}s" --timeout 5s \
			-s "$src/macro/wrk-report.lua" "http://127.0.0.1:$server_port$_mh_path" \
			>"$out/wrk.out" 2>"$out/wrk.err" </dev/null
	fi
	_mh_st=$?
	set -e
	_mh_stop=
	stop_server || _mh_stop=$server_why
	{
		cat "$out/wrk.out" "$out/wrk.err"
		echo "-- server:"
		cat "$out/server.out" "$out/server.err"
	} >>"$_mh_log"
	if [ $_mh_st -ne 0 ]; then
		if [ $_mh_st -eq 124 ] && [ -n "$timeout_cmd" ]; then
			http_failed "$2" "$1" "$3" "wrk timed out; later rounds skip this mode" giveup
		else
			http_failed "$2" "$1" "$3" "wrk: status $_mh_st: $(last_line "$out/wrk.err")"
		fi
		return 0
	fi
	# "requests/s p50 p99 requests", or "ERR reason".
	_mh_res=$(awk '
	$1 == "wrk-report" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		found = 1
	}
	END {
		if (!found) { print "ERR no report from wrk"; exit }
		err = v["errors_connect"] + v["errors_read"] + v["errors_write"] + v["errors_status"] + v["errors_timeout"]
		if (err > 0) {
			printf "ERR wrk saw %d errors (connect %d, read %d, write %d, HTTP status %d, timeout %d)\n", err,
				v["errors_connect"], v["errors_read"], v["errors_write"], v["errors_status"], v["errors_timeout"]
			exit
		}
		if (!(v["requests"] > 0) || !(v["duration_us"] > 0)) { print "ERR no request completed"; exit }
		printf "%.1f %d %d %d\n", v["requests"] * 1e6 / v["duration_us"], v["p50_us"], v["p99_us"], v["requests"]
	}' "$out/wrk.out")
	case $_mh_res in
	ERR*)
		http_failed "$2" "$1" "$3" "${_mh_res#ERR }"
		return 0
		;;
	esac
	if [ -n "$_mh_stop" ]; then
		http_failed "$2" "$1" "$3" "$_mh_stop"
		return 0
	fi
	# shellcheck disable=SC2086 # "rate p50 p99 requests", split on purpose
	set -- $_mh_res
	{
		echo "mode=$_mh_mode round=$_mh_round bench=$_mh_bench unit=req/s rep=1 iters=$4 value=$1"
		echo "mode=$_mh_mode round=$_mh_round bench=$_mh_bench-p50 unit=us rep=1 iters=$4 value=$2"
		echo "mode=$_mh_mode round=$_mh_round bench=$_mh_bench-p99 unit=us rep=1 iters=$4 value=$3"
	} >>"$out/raw.txt"
	{
		echo "$_mh_bench,$_mh_mode,$_mh_round,$1,req/s"
		echo "$_mh_bench-p50,$_mh_mode,$_mh_round,$2,us"
		echo "$_mh_bench-p99,$_mh_mode,$_mh_round,$3,us"
	} >>"$out/results.csv"
}

echo "running $nbench benchmarks in $(echo "$modes" | wc -w) modes, $rounds rounds, $reps repetitions of ${iters:+$iters iterations}${iters:-about $target_ms ms} each:"
i=0
given_up=
while read -r prog bench; do
	i=$((i + 1))
	printf '  [%d/%d] %-20s round' "$i" "$nbench" "$bench"
	r=1
	while [ $r -le "$rounds" ]; do
		printf ' %d' $r
		# shellcheck disable=SC2086 # the mode list is words by design
		for m in $(rotate $r $modes); do
			case " $given_up " in
			*" $bench:$m "*) continue ;;
			esac
			case $prog in
			httpd) measure_http "$m" "$bench" $r ;;
			*) measure "$m" "$prog" "$bench" $r ;;
			esac
		done
		r=$((r + 1))
	done
	# The medians so far, to follow the run; the summary has them all.
	names=$bench
	[ "$prog" != httpd ] || names="$bench $bench-p50 $bench-p99"
	for b in $names; do
		[ "$b" = "$bench" ] || printf '  %28s' "$b"
		awk -F, -v b="$b" -v modes="$modes" "$awk_num"'
		$1 == b { v[$2] = v[$2] " " $4; u = $5 }
		END {
			n = split(modes, M, " "); line = ""
			for (j = 1; j <= n; j++) {
				c = split(v[M[j]], a, " ")
				for (i = 2; i <= c; i++)
					for (k = i; k > 1 && a[k - 1] + 0 > a[k] + 0; k--) { t = a[k]; a[k] = a[k - 1]; a[k - 1] = t }
				m = c == 0 ? "-" : c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
				line = line sprintf("  %s %s", M[j], m == "-" ? m : num(m))
			}
			print " ->" line " (" u ")"
		}' "$out/results.csv"
	done
done <"$out/benches.txt"
rm -f "$out/run.out" "$out/run.err" "$out/wrk.out" "$out/wrk.err" "$out/server.out" \
	"$out/server.err" "$out/quit.err"

# VM exits per operation in the KVM modes, from `elh run --stats`: two runs
# of one repetition, of N and 2N iterations, so that start-up and exit
# cancel; the count is the same on every KVM, emulated ones included.
exits_n=${iters:-2000}
: >"$out/exits.csv"
# kvm_exits MODE PROG BENCH N: the "kvm exits:" total of one run, or nothing.
kvm_exits() {
	set +e
	ELH_RUN_ARGS="$ELH_RUN_ARGS --stats" in_mode "$1" "$out/bin/$(toolchain "$1")/$2" --bench "$3" \
		--reps 1 --iters="$4" >/dev/null 2>"$out/exits.err"
	set -e
	sed -n 's/^kvm exits: \([0-9][0-9]*\);.*/\1/p' "$out/exits.err" | tail -n 1
}
kvm_modes=
for m in $modes; do
	case $m in
	elh-hypercall | elh-exitless | elh-mn | glibc-elh | glibc-elh-nopreload) kvm_modes="$kvm_modes $m" ;;
	esac
done
if [ -n "$kvm_modes" ]; then
	echo "VM exits per operation ($exits_n and $((2 * exits_n)) iterations, --stats):"
	while read -r prog bench; do
		case $prog in
		httpd | filetree) continue ;;
		esac
		printf '  %-20s' "$bench"
		for m in $kvm_modes; do
			e1=$(kvm_exits "$m" "$prog" "$bench" "$exits_n")
			e2=$(kvm_exits "$m" "$prog" "$bench" $((2 * exits_n)))
			if [ -n "$e1" ] && [ -n "$e2" ]; then
				per=$(echo "$e1 $e2 $exits_n" | awk '{ v = ($2 - $1) / $3; printf "%.3f", v < 0 ? 0 : v }')
				echo "$bench,$m,$per" >>"$out/exits.csv"
				printf '  %s %s' "$m" "$per"
			else
				printf '  %s -' "$m"
			fi
		done
		echo
	done <"$out/benches.txt"
	rm -f "$out/exits.err"
fi

# Medians over the rounds: one line per benchmark and mode, "bench mode unit median count".
awk -F, "$awk_num"'
NR > 1 {
	k = $1 " " $2
	if (!(k in n)) order[++nk] = k
	v[k, ++n[k]] = $4; unit[k] = $5
}
END {
	for (o = 1; o <= nk; o++) {
		k = order[o]; c = n[k]
		for (i = 1; i <= c; i++) a[i] = v[k, i] + 0
		for (i = 2; i <= c; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		m = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
		printf "%s %s %s %d\n", k, unit[k], num(m), c
	}
}' "$out/results.csv" >"$out/medians.txt"

# median_of BENCH MODE: the median over the rounds, empty when there is none.
median_of() {
	awk -v b="$1" -v m="$2" '$1 == b && $2 == m { print $4 }' "$out/medians.txt"
}

# Platform figures, measured natively on this host by platform.c.
plat_tc=
for tc in glibc musl elh-musl; do
	case " $toolchains_ok " in
	*" $tc "*) plat_tc=$tc; break ;;
	esac
done
# platform_figure BENCH: "value ns" (median of one run's repetitions) or "n/a: reason".
platform_figure() {
	[ -n "$plat_tc" ] || { echo "n/a: no native build"; return; }
	set +e
	"$out/bin/$plat_tc/platform" --bench "$1" --reps "$rounds" "$size_opt" >"$out/run.out" 2>"$out/logs/platform-$1.stderr"
	_pf_st=$?
	set -e
	_pf_res=$(parse "$1" <"$out/run.out")
	rm -f "$out/run.out"
	if [ $_pf_st -ne 0 ]; then
		echo "n/a: $(last_line "$out/logs/platform-$1.stderr")"
	else
		case $_pf_res in
		ERR*) echo "n/a: ${_pf_res#ERR }" ;;
		*) echo "$_pf_res" | awk '{ printf "%.0f ns\n", $1 }' ;;
		esac
	fi
}

# The VM exit round trip: `elh check-kvm` measures it (a syscall at CPL 3
# into the monitor and back, the fastest of a few), or says why KVM is
# unusable here.
exit_figure() {
	if ! [ -x "$ELH" ]; then
		echo "n/a: $ELH does not exist"
	elif _ef_out=$("$ELH" check-kvm 2>&1); then
		echo "$_ef_out" | awk '/^exit: / { printf "%.0f ns\n", $2 * 1000; found = 1 }
			END { if (!found) print "n/a: elh check-kvm printed no exit figure" }'
	else
		echo "n/a: $(echo "$_ef_out" | awk 'NF { l = $0 } END { print l }' | sed 's/^elh: //')"
	fi
}

echo "platform figures:"
fig_null=$(platform_figure null-syscall)
echo "  native null system call (getppid): $fig_null"
fig_shm=$(platform_figure cacheline-rtt)
echo "  shared-memory round trip between two threads (cache-line ping-pong): $fig_shm"
fig_exit=$(exit_figure)
echo "  VM exit round trip: $fig_exit"
case $fig_exit$fig_shm in
*n/a*) fig_ratio="n/a (needs both figures)" ;;
*) fig_ratio=$(echo "${fig_exit% ns} ${fig_shm% ns}" | awk '{ printf "%.0f", $1 / $2 }') ;;
esac
# Once a hypercall mode runs, its null call minus the native one is a trap into
# elh and back (a VM exit, under KVM) plus the monitor's work.
fig_hyper=
if [ -n "$hyper" ] && [ -n "$ref" ]; then
	h=$(median_of getppid "$hyper")
	n=$(median_of getppid "$ref")
	if [ -n "$h" ] && [ -n "$n" ]; then
		fig_hyper=$(echo "$h $n" | awk '{ printf "%.0f ns", $1 - $2 }')
	fi
fi

# Plots, when gnuplot is there: micro medians (ns/op), cost ratios, the
# scaling curve; for the macro workloads, cost ratios, the http curves
# against the number of connections and the file-tree phases.  A plot
# whose data is empty is left out.
plots=
plot_note=
write_plot_data() {
	# shellcheck disable=SC2016 # awk program
	awk -v modes="$modes" -v ref="$ref" -v dir="$out" '
	function out(file, line) {
		if (!(file in rows)) print hdr_of[file] > (dir "/plots/" file)
		print line > (dir "/plots/" file)
		rows[file]++
	}
	{ med[$1, $2] = $4; unit[$1] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++nb] = $1 } }
	END {
		nm = split(modes, M, " ")
		hdr = "benchmark"; for (j = 1; j <= nm; j++) hdr = hdr " " M[j]
		rh = "benchmark"; for (j = 1; j <= nm; j++) if (M[j] != ref) rh = rh " " M[j]
		hdr_of["medians.dat"] = hdr; hdr_of["scaling.dat"] = hdr; hdr_of["files.dat"] = hdr
		hdr_of["http.dat"] = hdr; hdr_of["http-p99.dat"] = hdr
		hdr_of["ratios.dat"] = rh; hdr_of["macro-ratios.dat"] = rh
		for (o = 1; o <= nb; o++) {
			b = order[o]
			micro = unit[b] == "ns/op" || unit[b] == "Mcalls/s"
			rl = b; vals = ""
			for (j = 1; j <= nm; j++) {
				v = ((b, M[j]) in med) ? med[b, M[j]] : "?"
				vals = vals " " v
				if (M[j] == ref) continue
				r = "?"
				if (v != "?" && ref != "" && ((b, ref) in med))
					r = unit[b] ~ /\/s$/ ? med[b, ref] / v : v / med[b, ref]
				rl = rl " " r
			}
			if (b ~ /^getppid-t[0-9]+$/) {
				t = b; sub(/^getppid-t/, "", t)
				out("scaling.dat", t vals)
			} else if (b ~ /^http-c[0-9]+$/) {
				t = b; sub(/^http-c/, "", t)
				out("http.dat", t vals)
			} else if (b ~ /^http-c[0-9]+-p99$/) {
				t = b; sub(/^http-c/, "", t); sub(/-p99$/, "", t)
				out("http-p99.dat", t vals)
			} else if (unit[b] == "ns/file") {
				# in microseconds per file
				fl = b; n2 = split(vals, f, " ")
				for (j = 1; j <= n2; j++) fl = fl " " (f[j] == "?" ? "?" : f[j] / 1000)
				out("files.dat", fl)
			} else if (unit[b] == "ns/op") {
				out("medians.dat", b vals)
			}
			out(micro ? "ratios.dat" : "macro-ratios.dat", rl)
		}
		for (fn in rows)
			print fn > (dir "/plots/have.txt")
	}' "$out/medians.txt"
}
# have_data FILE: did write_plot_data write rows to plots/FILE?
have_data() {
	grep -qx "$1" "$out/plots/have.txt"
}
if ! command -v "$GNUPLOT" >/dev/null 2>&1; then
	plot_note="gnuplot not found (Debian package gnuplot-nox): no plots"
else
	mkdir -p "$out/plots"
	: >"$out/plots/have.txt"
	write_plot_data
	nmodes=$(echo "$modes" | wc -w)
	term="pngcairo noenhanced size 1280,640"
	"$GNUPLOT" -e "set terminal $term" </dev/null >/dev/null 2>&1 || term="png noenhanced size 1280,640"
	cat >"$out/plots/plots.gp" <<EOF
# Generated by benchmarks/run.sh: gnuplot plots.gp, in this folder.
set terminal $term
set datafile missing '?'
set key outside right top
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -30 nomirror
set logscale y

EOF
	if have_data medians.dat; then
		cat >>"$out/plots/plots.gp" <<EOF
set output 'medians.png'
set title 'Median ns per operation, by mode (log scale; lower is better)'
set ylabel 'ns/op'
plot for [i=2:$((nmodes + 1))] 'medians.dat' using i:xtic(1) title columnheader(i)

EOF
	fi
	if have_data files.dat; then
		cat >>"$out/plots/plots.gp" <<EOF
set output 'files.png'
set title 'A tree of $files small files on tmpfs: median time per file, by phase and mode (log scale; lower is better)'
set ylabel 'microseconds per file'
plot for [i=2:$((nmodes + 1))] 'files.dat' using i:xtic(1) title columnheader(i)

EOF
	fi
	for f in ratios macro-ratios; do
		if [ -n "$ref" ] && [ "$nmodes" -gt 1 ] && have_data $f.dat; then
			what=
			[ $f = ratios ] || what=', macro workloads'
			cat >>"$out/plots/plots.gp" <<EOF
set output '$f.png'
set title 'Cost relative to $ref$what (log scale; above 1 is slower)'
set ylabel 'cost ratio'
plot for [i=2:$nmodes] '$f.dat' using i:xtic(1) title columnheader(i), 1 with lines lc rgb 'black' notitle

EOF
		fi
	done
	cat >>"$out/plots/plots.gp" <<EOF
unset style
set style data linespoints
set xtics norotate
set logscale x 2
unset logscale y
set yrange [0:*]
EOF
	if have_data scaling.dat; then
		cat >>"$out/plots/plots.gp" <<EOF
set output 'scaling.png'
set title 'getppid from N threads at once: aggregate rate (higher is better)'
set xlabel 'threads'
set ylabel 'Mcalls/s'
plot for [i=2:$((nmodes + 1))] 'scaling.dat' using 1:i title columnheader(i) lw 2 pt 7

EOF
	fi
	if have_data http.dat; then
		cat >>"$out/plots/plots.gp" <<EOF
set output 'http.png'
set multiplot layout 1,2 title 'HTTP server, a thread per connection, 13-byte body, wrk on loopback for ${http_seconds}s'
set key below
set xlabel 'connections'
set title 'throughput (higher is better)'
set ylabel 'requests/s'
plot for [i=2:$((nmodes + 1))] 'http.dat' using 1:i title columnheader(i) lw 2 pt 7
set title '99th percentile latency (log scale; lower is better)'
set ylabel 'microseconds'
set logscale y
set yrange [*:*]
plot for [i=2:$((nmodes + 1))] 'http-p99.dat' using 1:i title columnheader(i) lw 2 pt 7
unset multiplot
EOF
	fi
	if (cd "$out/plots" && "$GNUPLOT" plots.gp) >"$out/logs/gnuplot.log" 2>&1; then
		for f in "$out"/plots/*.png; do
			[ -f "$f" ] && plots="$plots plots/$(basename "$f")"
		done
		plots=${plots# }
	else
		plot_note="gnuplot failed: $(last_line "$out/logs/gnuplot.log") (see logs/gnuplot.log)"
	fi
	rm -f "$out/plots/have.txt"
fi

# summary.md
elapsed=$(($(date +%s) - started))
{
	echo "# ELH benchmarks, $(basename "$out")"
	echo
	echo "- host: $(uname -sr) $(uname -m), $(nproc 2>/dev/null || echo '?') CPUs" \
		"($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)), load average at start $loadavg"
	echo "- run.sh options: \`${options:-(none)}\`; source: $revision"
	echo "- **$rounds rounds**: in each round every mode runs each benchmark once, modes side by side, their order rotated every round"
	if [ -n "$iters" ]; then
		echo "- a round's value: the median of $reps repetitions of $iters iterations each (fixed count)"
	else
		echo "- a round's value: the median of $reps repetitions of about $target_ms ms each (iterations calibrated per mode, after a warm-up)"
	fi
	if grep -q '^filetree ' "$out/benches.txt"; then
		echo "- tree-*: a tree of $files small files (4 KiB on average, 32 to a directory) on tmpfs," \
			"created, walked and checksummed, deleted (benchmarks/macro/filetree.c); a round's value:" \
			"the median of $reps repetitions over the same $files files in every mode"
	fi
	if grep -q '^httpd ' "$out/benches.txt"; then
		echo "- http-cN: benchmarks/macro/httpd.c, a thread-per-connection HTTP/1.1 server with" \
			"keep-alive, run in the mode measured on 127.0.0.1, serving a 13-byte body (http-4k-cN:" \
			"4 KiB); \`$WRK -t1 -cN -d${http_seconds}s\` runs natively; a round's value: one wrk run" \
			"against a freshly started server: requests/s, and wrk's median (-p50) and 99th" \
			"percentile (-p99) latency in µs"
	fi
	echo "- table: **median over the rounds**; ratios are costs relative to a reference mode" \
		"(value ÷ reference for times: ns/op, ns/file, us; reference ÷ value for rates: Mcalls/s," \
		"req/s): **above 1 is slower**"
	echo "- the run took ${elapsed} s"
	echo
	# shellcheck disable=SC2016 # awk program
	awk -v modes="$modes" -v ref="$ref" -v hyper="$hyper" -v rounds="$rounds" -v benches="$(tr '\n' ' ' <"$out/rows.txt")" '
	function fmt(v) {
		if (v >= 1000) return sprintf("%.0f", v)
		if (v >= 100) return sprintf("%.1f", v)
		if (v >= 10) return sprintf("%.2f", v)
		return sprintf("%.3g", v)
	}
	function ratio(b, m, r) {
		if (!((b, m) in med) || !((b, r) in med)) return "–"
		return sprintf("%.2f", unit[b] ~ /\/s$/ ? med[b, r] / med[b, m] : med[b, m] / med[b, r])
	}
	{ med[$1, $2] = $4; cnt[$1, $2] = $5; unit[$1] = $3 }
	END {
		nm = split(modes, M, " "); nb = split(benches, B, " ")
		h = "| benchmark | unit |"; s = "| --- | --- |"
		for (j = 1; j <= nm; j++) { h = h " " M[j] " |"; s = s " ---: |" }
		for (j = 1; j <= nm; j++) if (ref != "" && M[j] != ref) { h = h " " M[j] " ÷ " ref " |"; s = s " ---: |" }
		for (j = 1; j <= nm; j++) if (hyper != "" && M[j] != hyper) { h = h " " M[j] " ÷ " hyper " |"; s = s " ---: |" }
		print h; print s
		for (i = 1; i <= nb; i++) {
			b = B[i]
			line = "| " b " | " (b in unit ? unit[b] : "") " |"
			for (j = 1; j <= nm; j++) {
				c = "fail"
				if ((b, M[j]) in med) {
					c = fmt(med[b, M[j]])
					if (cnt[b, M[j]] < rounds) c = c " (" cnt[b, M[j]] " of " rounds ")"
				}
				line = line " " c " |"
			}
			for (j = 1; j <= nm; j++) if (ref != "" && M[j] != ref) line = line " " ratio(b, M[j], ref) " |"
			for (j = 1; j <= nm; j++) if (hyper != "" && M[j] != hyper) line = line " " ratio(b, M[j], hyper) " |"
			print line
		}
	}' "$out/medians.txt"
	echo
	if [ -s "$out/exits.csv" ]; then
		echo "VM exits per operation in the KVM modes (\`elh run --stats\`, runs of $exits_n and" \
			"$((2 * exits_n)) iterations; the same on every KVM, at about 25–45 µs an exit on PVM and" \
			"1 µs on VT-x):"
		echo
		# shellcheck disable=SC2016 # awk program
		awk -F, -v modes="$kvm_modes" '
		{ v[$1, $2] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		END {
			nm = split(modes, M, " ")
			h = "| benchmark |"; s = "| --- |"
			for (j = 1; j <= nm; j++) { h = h " " M[j] " |"; s = s " ---: |" }
			print h; print s
			for (i = 1; i <= n; i++) {
				line = "| " order[i] " |"
				for (j = 1; j <= nm; j++) line = line " " ((order[i], M[j]) in v ? v[order[i], M[j]] : "–") " |"
				print line
			}
		}' "$out/exits.csv"
		echo
	fi
	if [ -s "$out/unavailable.txt" ]; then
		echo "Modes not measured:"
		echo
		awk -F'\t' '{ printf "- `%s`: %s\n", $1, $2 }' "$out/unavailable.txt"
		echo
	fi
	if [ -s "$out/failures.txt" ]; then
		echo "Failed runs (no value recorded; see logs/):"
		echo
		awk -F'\t' '{ printf "- %s, %s, round %s: %s\n", $1, $2, $3, $4 }' "$out/failures.txt"
		echo
	fi
	if [ -s "$out/notes.txt" ]; then
		sed 's/^/- /' "$out/notes.txt"
		echo
	fi
	echo "## Platform figures (this host, measured natively, medians of $rounds repetitions)"
	echo
	echo "- native null system call (getppid through the bare \`syscall\` instruction): $fig_null"
	echo "- shared-memory round trip between two threads on two CPUs (cache-line ping-pong): $fig_shm"
	echo "- VM exit round trip (guest ring 3 → elh → guest): $fig_exit"
	echo "- exit ÷ shared-memory round trip: $fig_ratio"
	if [ -n "$fig_hyper" ]; then
		echo "- getppid under $hyper minus under $ref: $fig_hyper (a trap into elh and back plus the monitor's work)"
	fi
	echo
	echo "## Builds and files"
	echo
	for tc in $toolchains_ok; do
		echo "- $tc: \`$(compiler_of "$tc")\`"
	done
	for m in $modes; do
		case $m in
		elh-hypercall | elh-exitless | elh-mn | elh-systrap-* | glibc-elh* | glibc-systrap*) echo "- $m: \`$(echo "elh run $(elh_options "$m") $ELH_RUN_ARGS" | sed 's/ *$//') BIN\`" ;;
		esac
	done
	if grep -q '^httpd ' "$out/benches.txt"; then
		echo "- load generator: \`$("$WRK" -v 2>&1 | awk 'NR == 1 { print $1, $2; exit }')\`, natively, on loopback"
	fi
	echo "- plots: ${plots:-none}${plot_note:+ — $plot_note}"
	echo "- results.csv: every round's value; raw.txt: every repetition; logs/: stderr of every run and build"
} >"$out/summary.md"

echo
cat "$out/summary.md"
