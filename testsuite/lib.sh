# Shared helpers for ELH's shell tests.  Source it; the test harness sets
# ELH, ELH_MUSL_GCC, MUSL_GCC, top_srcdir and top_builddir.

set -u

# A private scratch directory, removed when the test ends.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/elh-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Exit 77 (SKIP to the harness) after a line nobody can miss.
skip() {
	echo "************************************************************"
	echo "*** SKIP: $*"
	echo "************************************************************"
	exit 77
}

require_kvm() {
	out=$("$ELH" check-kvm 2>&1) || skip "${out#elh: }"
}

require_baseline() {
	[ -n "$MUSL_GCC" ] || skip "Debian's musl-gcc (package musl-tools) is not installed: no baseline to compare with"
}

# run_capture PREFIX CMD...: run CMD with stdin from /dev/null, leaving
# PREFIX.out, PREFIX.err and PREFIX.status ("exit N" or "signal NAME").
run_capture() {
	prefix=$1
	shift
	set +e
	"$@" </dev/null >"$prefix.out" 2>"$prefix.err"
	st=$?
	set -e
	if [ $st -gt 128 ] && sig=$(kill -l $((st - 128)) 2>/dev/null); then
		echo "signal SIG$sig" >"$prefix.status"
	else
		echo "exit $st" >"$prefix.status"
	fi
}

# same PREFIX_A PREFIX_B: do two captured runs agree?  Prints a diff if not.
same() {
	ok=0
	for part in status out err; do
		if ! cmp -s "$1.$part" "$2.$part"; then
			echo "--- $part differs: $(basename "$1") vs $(basename "$2")"
			diff -u "$1.$part" "$2.$part" | head -n 20
			ok=1
		fi
	done
	return $ok
}
