#!/bin/sh
# Run musl's libc-test under elh in every mode, against Debian's stock musl
# run natively as the baseline, and check the result against the list of
# expected failures.
#
# Usage: run.sh [--report-only] [LIBC_TEST_SRC]
#
# --report-only      do not build or run: check the results of the last run
#                    in LIBC_TEST_WORK again (after editing the list)
#
# LIBC_TEST_SRC      a libc-test source tree (git://repo.or.cz/libc-test);
#                    it is copied, never modified
# LIBC_TEST_WORK     work directory (default: testsuite/work/libc-test in the
#                    build tree); holds both builds, every test's output,
#                    report.md and results.csv
# LIBC_TEST_TIMEOUT  per-test timeout in seconds, given to libc-test's
#                    runtest (default 20)
# LIBC_TEST_JOBS     tests run at once (default: the number of CPUs)
# LIBC_TEST_ELH_ARGS more options for `elh run` in the systrap and kvm modes
#                    (e.g. --mode=hypercall; default none)
# LIBC_TEST_EXPECTED the expected-failure list (default: expected-failures
#                    next to this script)
# ELH, ELH_MUSL_GCC, MUSL_GCC, top_builddir: as in the rest of the test
#                    suite; the defaults suit an in-tree build
#
# Two builds of the tree: "musl" with Debian's stock musl-gcc, "elh" with
# elh-musl-gcc, both static.  Six modes: BUILD-native runs the binary
# directly, BUILD-systrap under `elh run --platform=systrap`, BUILD-kvm under
# `elh run` (only where `elh check-kvm` succeeds; n/a otherwise).  Every test
# runs through libc-test's own runtest with a timeout; runtest's "FAIL ..."
# line classifies it: pass, fail ([status N]), timeout ([timed out]), crash
# ([signal ...]), or nobuild when the binary failed to build.
#
# Exit status: 0 when every failure is on the expected list and every entry
# of the list still fails; 1 otherwise (each mismatch is named); 2 when the
# run itself cannot happen.
set -eu

# Internal: run one group of tests (a test and its -static twin, one after
# the other, as libc-test's Makefile does).  Called through xargs.
if [ "${1:-}" = --one ]; then
	tree=$2 out=$3 wrap=$4 timeout=$5
	shift 5
	for t in "$@"; do
		mkdir -p "$out/$(dirname "$t")"
		if [ ! -x "$tree/src/$t.exe" ]; then
			echo nobuild 0 >"$out/$t.res"
			echo "not built" >"$out/$t.out"
			continue
		fi
		start=$(date +%s%N)
		set +e
		if [ -n "$wrap" ]; then
			(cd "$tree" && exec src/common/runtest.exe -t "$timeout" -w "$wrap" "src/$t.exe") \
				</dev/null >"$out/$t.out" 2>&1
		else
			(cd "$tree" && exec src/common/runtest.exe -t "$timeout" "src/$t.exe") \
				</dev/null >"$out/$t.out" 2>&1
		fi
		rc=$?
		set -e
		ms=$((($(date +%s%N) - start) / 1000000))
		line=$(grep -F "FAIL src/$t.exe [" "$out/$t.out" | tail -n 1)
		case $line in
		*"[timed out]") res=timeout ;;
		*"[signal "*) res=crash ;;
		?*) res=fail ;;
		*) [ $rc -eq 0 ] && res=pass || res=fail ;;
		esac
		echo "$res $ms" >"$out/$t.res"
	done
	exit 0
fi

die() {
	echo "libc-test: $*" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
self=$here/$(basename "$0")
top=$(cd "$here/../.." && pwd)
builddir=${top_builddir:-$top}

report_only=0
if [ "${1:-}" = --report-only ]; then
	report_only=1
	shift
fi
src=${1:-${LIBC_TEST_SRC:-}}
[ -n "$src" ] || die "no libc-test tree: set LIBC_TEST_SRC (or pass it as the argument)"
if [ ! -f "$src/Makefile" ] || [ ! -f "$src/config.mak.def" ] || [ ! -f "$src/src/common/runtest.c" ]; then
	die "$src is not a libc-test tree (no Makefile, config.mak.def, src/common/runtest.c)"
fi
src=$(cd "$src" && pwd)
work=${LIBC_TEST_WORK:-$builddir/testsuite/work/libc-test}
timeout=${LIBC_TEST_TIMEOUT:-20}
jobs=${LIBC_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
expected=${LIBC_TEST_EXPECTED:-$here/expected-failures}
ELH=${ELH:-$builddir/elh}
ELH_MUSL_GCC=${ELH_MUSL_GCC:-$builddir/libc/elh-musl-gcc}
MUSL_GCC=${MUSL_GCC-$(command -v musl-gcc || true)}

[ -x "$ELH" ] || die "$ELH is missing: build elh first (make)"
[ -x "$ELH_MUSL_GCC" ] || die "$ELH_MUSL_GCC is missing: build elh-musl first (make)"
[ -f "$expected" ] || die "$expected is missing"
case $src/ in
"$work"/*) die "LIBC_TEST_SRC must not lie inside the work directory $work" ;;
esac

# From `make check-libc-test`: the outer make's flags and command-line
# variables (CC=..., -n, its jobserver) must not reach libc-test's make.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS

t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }
step() { printf '==> %s (%s)\n' "$*" "$(elapsed)"; }

if [ $report_only = 1 ]; then
	[ -f "$work/results.raw" ] || die "no earlier run in $work"
else
	rm -rf "$work"
fi
mkdir -p "$work/out"
work=$(cd "$work" && pwd)

# Which modes exist on this host, and why not the others.
na=''
rm -f "$work/na-musl" "$work/na-kvm"
if [ -z "$MUSL_GCC" ] || [ ! -x "$MUSL_GCC" ]; then
	na="$na musl-native musl-systrap musl-kvm"
	echo "Debian's musl-gcc (package musl-tools) is not installed" >"$work/na-musl"
fi
if ! kvm_why=$("$ELH" check-kvm 2>&1); then
	na="$na musl-kvm elh-kvm"
	printf '%s\n' "${kvm_why#elh: }" >"$work/na-kvm"
fi

# build NAME CC: copy the tree to $work/NAME and build every test binary;
# the list of tests libc-test would run lands in $work/NAME/TESTS.
build() {
	name=$1 cc=$2
	tree=$work/$name
	step "building libc-test with $cc ($name)"
	mkdir -p "$tree"
	cp -R "$src/." "$tree/"
	# Whatever was built in the source tree belongs to another compiler.
	find "$tree" \( -name '*.o' -o -name '*.lo' -o -name '*.so' -o -name '*.a' \
		-o -name '*.exe' -o -name '*.err' -o -name REPORT -o -name config.mak \) \
		-type f -exec rm -f {} +
	rm -f "$tree/src/common/options.h"
	# config.mak.def without -lcrypt (Debian's musl has no libcrypt; musl
	# keeps crypt in libc), statically linked.
	sed 's/^\(LDLIBS.*\) -lcrypt/\1/' "$tree/config.mak.def" >"$tree/config.mak"
	printf 'CC = %s\nLDFLAGS += -static\n' "$cc" >>"$tree/config.mak"
	# The test runner records the tests instead of running them.
	# shellcheck disable=SC2016 # $1 belongs to the generated script
	printf '#!/bin/sh\necho "$1" >>"%s/TESTS.raw"\n' "$tree" >"$tree/record-test"
	chmod +x "$tree/record-test"
	(
		cd "$tree"
		# runtest first: a parallel make races on it.
		make src/common/runtest.exe >build.log 2>&1
		make -j"$jobs" RUN_TEST="$tree/record-test" >>build.log 2>&1
	) || die "make failed in $tree (see $tree/build.log)"
	[ -x "$tree/src/common/runtest.exe" ] || die "runtest did not build in $tree (see $tree/build.log)"
	sed -n 's|^src/\(.*\)\.exe$|\1|p' "$tree/TESTS.raw" | sort -u >"$tree/TESTS"
	grep '^BUILDERROR' "$tree/build.log" | sed 's/^BUILDERROR src\///' >"$tree/BUILDERRORS" || true
	echo "    $(wc -l <"$tree/TESTS") tests, $(wc -l <"$tree/BUILDERRORS") build errors"
}

if [ $report_only = 0 ]; then
	[ -f "$work/na-musl" ] || build musl "$MUSL_GCC"
	build elh "$ELH_MUSL_GCC"
fi

modes=
for b in musl elh; do
	for m in native systrap kvm; do
		modes="$modes $b-$m"
		case " $na " in
		*" $b-$m "*) continue ;;
		esac
		[ $report_only = 1 ] && continue
		tree=$work/$b out=$work/out/$b-$m wrap=
		if [ $m != native ]; then
			wrap=$work/wrap-$m
			[ $m = kvm ] && platform=kvm || platform=systrap
			# shellcheck disable=SC2016 # "$@" belongs to the wrapper
			printf '#!/bin/sh\nexec "%s" run --platform=%s %s "$@"\n' "$ELH" "$platform" \
				"${LIBC_TEST_ELH_ARGS:-}" >"$wrap"
			chmod +x "$wrap"
		fi
		step "running $(wc -l <"$tree/TESTS") tests: $b-$m"
		mkdir -p "$out"
		# One line per test and its -static twin: they share IPC keys
		# and files, so libc-test never runs them at the same time.
		awk '{ b = $0; sub(/-static$/, "", b); if (!(b in g)) o[n++] = b; g[b] = g[b] " " $0 }
		     END { for (i = 0; i < n; i++) print substr(g[o[i]], 2) }' "$tree/TESTS" |
			xargs -L 1 -P "$jobs" sh "$self" --one "$tree" "$out" "$wrap" "$timeout"
	done
done

step "report"
# All tests of either build, in order.
cat "$work"/musl/TESTS "$work"/elh/TESTS 2>/dev/null | sort -u >"$work/TESTS"
{
	for m in $modes; do
		case " $na " in
		*" $m "*)
			why=$work/na-${m##*-}
			[ "${m%%-*}" = musl ] && [ -f "$work/na-musl" ] && why=$work/na-musl
			echo "NA $m $(cat "$why")"
			continue
			;;
		esac
		while read -r t; do
			if [ -f "$work/out/$m/$t.res" ]; then
				read -r res ms <"$work/out/$m/$t.res"
			else
				res=nobuild ms=0
			fi
			echo "R $m $t $res $ms"
		done <"$work/TESTS"
	done
} >"$work/results.raw"

uid=$(id -u)
set +e
awk -v modes="$modes" -v work="$work" -v uid="$uid" -v src="$src" -v timeout="$timeout" \
	-v elhver="$("$ELH" --version 2>/dev/null)" -v expected="$expected" \
	-f "$here/report.awk" "$work/results.raw"
status=$?
set -e
echo "report: $work/report.md, $work/results.csv ($(elapsed))"
if [ $status -eq 0 ]; then
	echo "libc-test: every result as expected"
else
	echo "libc-test: results differ from $expected (above)"
fi
exit $status
