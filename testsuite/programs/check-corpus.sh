#!/bin/sh
# Check that the corpus is a usable oracle: every program in this directory
# builds with musl-gcc -static and -static-pie, and two runs of each build
# give byte-identical stdout, stderr and exit status, the same in both link
# modes, and the status listed in expected-status (exit 0 when unlisted).
#
# Usage: check-corpus.sh [NAME...]   (default: every *.c here)
# Environment: MUSL_GCC (default musl-gcc), CFLAGS (default below),
#              TIMEOUT seconds per run (default 30).
set -u

here=$(cd "$(dirname "$0")" && pwd)
cc=${MUSL_GCC:-musl-gcc}
cflags=${CFLAGS:--O2 -Wall -Wextra -Werror -pthread}
limit=${TIMEOUT:-30}

command -v "$cc" >/dev/null 2>&1 || {
	echo "check-corpus.sh: $cc not found (Debian package musl-tools)" >&2
	exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/elh-corpus.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/static" "$tmp/pie" "$tmp/cwd"

wrap=
command -v timeout >/dev/null 2>&1 && wrap="timeout $limit"

# expected NAME: the status NAME should end with, as "exit N" or "signal SIGX".
expected() {
	want=$(awk -v n="$1" '$1 == n { print $2 }' "$here/expected-status" 2>/dev/null)
	case $want in
	'') echo "exit 0" ;;
	SIG*) echo "signal $want" ;;
	*) echo "exit $want" ;;
	esac
}

# run BIN PREFIX: run BIN in an empty directory with a fixed environment and
# arguments, stdin from /dev/null; leaves PREFIX.out, .err and .status.
# (The shell's own "Terminated"/"Aborted" notices are sent to /dev/null.)
run() {
	st=$(
		cd "$tmp/cwd" || exit
		env -i PATH=/usr/bin:/bin ELH_TEST=1 $wrap "$1" alpha "beta gamma" \
			</dev/null >"$2.out" 2>"$2.err"
		echo $?
	) 2>/dev/null
	if [ -n "$wrap" ] && [ $st -eq 124 ]; then
		echo "timeout after ${limit}s" >"$2.status"
	elif [ $st -gt 128 ] && sig=$(kill -l $((st - 128)) 2>/dev/null); then
		echo "signal SIG$sig" >"$2.status"
	else
		echo "exit $st" >"$2.status"
	fi
}

# differ A B: compare two captured runs; describe the first difference.
differ() {
	for part in status out err; do
		if ! cmp -s "$1.$part" "$2.$part"; then
			why="$part differs between $(basename "$1") and $(basename "$2")"
			diff "$1.$part" "$2.$part" | head -n 6 | sed 's/^/	/' >"$tmp/why"
			return 0
		fi
	done
	return 1
}

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(cd "$here" && ls -- *.c 2>/dev/null | sed 's/\.c$//')
fi

pass=0 failed=0
for name in $names; do
	name=${name%.c}
	src=$here/$name.c
	why=
	: >"$tmp/why"
	if [ ! -f "$src" ]; then
		why="no such program"
	elif ! $cc -static $cflags "$src" -o "$tmp/static/$name" 2>"$tmp/why"; then
		why="build with -static failed"
	elif ! $cc -static-pie $cflags "$src" -o "$tmp/pie/$name" 2>"$tmp/why"; then
		why="build with -static-pie failed"
	else
		rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
		run "$tmp/static/$name" "$tmp/static/$name.run1"
		run "$tmp/static/$name" "$tmp/static/$name.run2"
		run "$tmp/pie/$name" "$tmp/pie/$name.run1"
		run "$tmp/pie/$name" "$tmp/pie/$name.run2"
		want=$(expected "$name")
		got=$(cat "$tmp/static/$name.run1.status")
		if [ -n "$(ls -A "$tmp/cwd")" ]; then
			why="left files in its working directory"
		elif differ "$tmp/static/$name.run1" "$tmp/static/$name.run2"; then
			:
		elif differ "$tmp/pie/$name.run1" "$tmp/pie/$name.run2"; then
			:
		elif differ "$tmp/static/$name.run1" "$tmp/pie/$name.run1"; then
			:
		elif [ "$got" != "$want" ]; then
			why="status is '$got', expected '$want'"
			head -n 5 "$tmp/static/$name.run1.err" | sed 's/^/	/' >"$tmp/why"
		fi
	fi
	if [ -z "$why" ]; then
		echo "PASS: $name ($got)"
		pass=$((pass + 1))
	else
		echo "FAIL: $name: $why"
		cat "$tmp/why"
		failed=$((failed + 1))
	fi
done

echo "$pass passed, $failed failed"
[ $failed -eq 0 ] && [ $pass -gt 0 ]
