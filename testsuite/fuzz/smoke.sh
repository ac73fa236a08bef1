# The fuzz targets, briefly: built with clang's libFuzzer, each run over its
# seed corpus and a few thousand more inputs; a crash fails the test.
# Without clang or libFuzzer (libclang-rt-14-dev) the test is skipped.
. "$top_srcdir/testsuite/lib.sh"

cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || skip "no $cc: the fuzz targets need clang (package clang)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$TMP/t.c"
"$cc" -fsanitize=fuzzer,address,undefined -o "$TMP/t" "$TMP/t.c" >"$TMP/cc.log" 2>&1 ||
	skip "$cc cannot build a libFuzzer target (package libclang-rt-14-dev): $(head -n 1 "$TMP/cc.log")"

cd "$top_builddir" || fail "no build directory"
make -s fuzz-build FUZZ_CC="$cc" >"$TMP/build.log" 2>&1 || {
	cat "$TMP/build.log"
	fail "the fuzz targets do not build"
}
$SHELL "$top_srcdir/testsuite/fuzz/run.sh" -runs=3000 || fail "a fuzz target crashed"
