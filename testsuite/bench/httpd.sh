#!/bin/sh
# The HTTP server of the macro benchmarks builds cleanly in every native
# mode, answers what it should, and exits 0 on GET /quit; run.sh drives it
# with wrk (when installed) and records well-formed rows.  Nothing here
# looks at how fast anything is.
# shellcheck disable=SC1091,SC2154 # the test harness sets top_srcdir and friends
. "$top_srcdir/testsuite/lib.sh"
set -e

require_baseline
command -v gcc >/dev/null 2>&1 || skip "gcc not found: no glibc baseline to build the server with"
[ -x "$ELH_MUSL_GCC" ] || fail "$ELH_MUSL_GCC is not built"

src=$top_srcdir/benchmarks

# A server is never left behind: bounded in time, and killed if the test stops early.
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout 60"
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT

# get BIN PORT PATH WANT_STATUS: fetch PATH with the server's own client.
get() {
	run_capture "$TMP/get" "$1" --get "$3" --port "$2"
	if [ "$(cat "$TMP/get.status")" != "exit $4" ]; then
		echo "--- GET $3: $(cat "$TMP/get.status"), expected exit $4"
		cat "$TMP/get.err"
		return 1
	fi
}

status=0
for cc in glibc musl elh-musl; do
	case $cc in
	glibc) set -- gcc ;;
	musl) set -- "$MUSL_GCC" -static ;;
	elh-musl) set -- "$ELH_MUSL_GCC" ;;
	esac
	bin=$TMP/httpd.$cc
	if ! "$@" -O2 -pthread -Wall -Wextra -Werror "$src/macro/httpd.c" -o "$bin" 2>"$bin.cc"; then
		echo "--- httpd: $cc build failed"
		cat "$bin.cc"
		status=1
		continue
	fi
	# shellcheck disable=SC2086 # "timeout 60", or nothing
	$bound "$bin" --port 0 </dev/null >"$bin.out" 2>"$bin.err" &
	pid=$!
	port=
	n=0
	while [ -z "$port" ] && [ $n -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		port=$(sed -n 's/^port=\([0-9][0-9]*\)$/\1/p' "$bin.out")
		n=$((n + 1))
	done
	if [ -z "$port" ]; then
		echo "--- httpd.$cc: no port=N line within 10 s"
		cat "$bin.out" "$bin.err"
		kill "$pid" 2>/dev/null || true
		pid=
		status=1
		continue
	fi
	ok=1
	{ get "$bin" "$port" / 0 && [ "$(cat "$TMP/get.out")" = "Hello, world" ]; } ||
		{ echo "--- httpd.$cc: GET / answered '$(head -c 100 "$TMP/get.out")'"; ok=; }
	{ get "$bin" "$port" /4k 0 && [ "$(wc -c <"$TMP/get.out")" -eq 4096 ]; } ||
		{ echo "--- httpd.$cc: GET /4k: $(wc -c <"$TMP/get.out") bytes, expected 4096"; ok=; }
	{ get "$bin" "$port" /missing 1 && [ "$(cat "$TMP/get.out")" = "not found" ]; } ||
		{ echo "--- httpd.$cc: GET /missing answered '$(head -c 100 "$TMP/get.out")'"; ok=; }
	get "$bin" "$port" /quit 0 || ok=
	set +e
	wait "$pid"
	st=$?
	set -e
	pid=
	# Four requests on four connections, and nothing else on stdout.
	want=$(printf 'port=%s\nserved requests=4 connections=4' "$port")
	if [ $st -ne 0 ] || [ "$(cat "$bin.out")" != "$want" ]; then
		echo "--- httpd.$cc: after GET /quit: exit $st, stdout:"
		cat "$bin.out" "$bin.err"
		ok=
	fi
	if [ -n "$ok" ]; then
		echo "ok: httpd.$cc: served /, /4k, a 404, and stopped on /quit"
	else
		status=1
	fi
done
[ $status = 0 ] || fail "httpd"

# The driver, on the native modes only, with one short wrk run each.
command -v wrk >/dev/null 2>&1 || {
	echo "note: wrk (Debian package wrk) is not installed: run.sh's http workload not checked"
	exit 0
}
run_capture "$TMP/driver" env top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
	ELH="$ELH" ELH_MUSL_GCC="$ELH_MUSL_GCC" MUSL_GCC="$MUSL_GCC" \
	sh "$src/run.sh" --modes=glibc,musl,elh-musl-native --rounds=1 --macro=http \
	--benches=http-c2 --http-conns=2 --http-4k-conns= --http-seconds=1 --out="$TMP/results"
if [ "$(cat "$TMP/driver.status")" != "exit 0" ]; then
	cat "$TMP/driver.out" "$TMP/driver.err"
	fail "run.sh: $(cat "$TMP/driver.status")"
fi
r=$TMP/results
[ ! -s "$r/failures.txt" ] || { cat "$r/failures.txt"; fail "run.sh: failed runs"; }
# Three rows (requests/s, p50, p99) per mode, values positive.
awk -F, '
NR == 1 { next }
$1 !~ /^http-c2(-p50|-p99)?$/ || $3 != 1 || !($4 + 0 > 0) || $5 !~ /^(req\/s|us)$/ { print "--- bad row: " $0; bad = 1 }
{ n++ }
END { if (n != 9) { print "--- " n " rows in results.csv, expected 9"; bad = 1 }; exit bad }' \
	"$r/results.csv" || fail "run.sh: results.csv"
for b in http-c2 http-c2-p50 http-c2-p99; do
	grep -q "^| $b | " "$r/summary.md" || fail "summary.md has no row for $b"
done
# Each server stopped on GET /quit, saying what it served.
for m in glibc musl elh-musl-native; do
	grep -q '^served requests=[1-9][0-9]* connections=' "$r/logs/http-c2.$m.stderr" ||
		fail "run.sh: the $m server did not report its requests on /quit"
done
echo "ok: run.sh: http-c2 in 3 modes, 9 rows, servers stopped on /quit"
