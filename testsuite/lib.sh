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
	_rc_prefix=$1
	shift
	set +e
	"$@" </dev/null >"$_rc_prefix.out" 2>"$_rc_prefix.err"
	_rc_st=$?
	set -e
	if [ $_rc_st -gt 128 ] && _rc_sig=$(kill -l $((_rc_st - 128)) 2>/dev/null); then
		echo "signal SIG$_rc_sig" >"$_rc_prefix.status"
	else
		echo "exit $_rc_st" >"$_rc_prefix.status"
	fi
}

# same PREFIX_A PREFIX_B: do two captured runs agree?  Prints a diff if not.
# (Shell functions share the caller's variables: these use a _same_ prefix.)
same() {
	_same_rc=0
	for _same_part in status out err; do
		if ! cmp -s "$1.$_same_part" "$2.$_same_part"; then
			echo "--- $_same_part differs: $(basename "$1") vs $(basename "$2")"
			diff -u "$1.$_same_part" "$2.$_same_part" | head -n 20
			_same_rc=1
		fi
	done
	return $_same_rc
}
