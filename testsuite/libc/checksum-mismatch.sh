#!/bin/sh
# A musl tarball whose SHA-256 is wrong stops the build with a clear message.
. "$top_srcdir/testsuite/lib.sh"
set -e

[ -f "$MUSL_ORIG" ] || fail "the build left no musl tarball at $MUSL_ORIG"

# The genuine tarball passes.
sh "$top_srcdir/libc/prepare-musl.sh" "$MUSL_ORIG" "$MUSL_SHA256" "$TMP/good" \
	"$top_srcdir/libc/patches" >"$TMP/good.log" 2>&1 || { cat "$TMP/good.log"; fail "genuine tarball refused"; }
grep -q "SHA-256 verified" "$TMP/good.log" || fail "no verification message"
grep -qx "1.2.3-elh" "$TMP/good/VERSION" || fail "patch series not applied"

# One flipped byte is refused, and nothing is left behind.
cp "$MUSL_ORIG" "$TMP/bad.tar.gz"
printf 'X' | dd of="$TMP/bad.tar.gz" bs=1 seek=1000 conv=notrunc 2>/dev/null
if sh "$top_srcdir/libc/prepare-musl.sh" "$TMP/bad.tar.gz" "$MUSL_SHA256" "$TMP/bad" \
	"$top_srcdir/libc/patches" >"$TMP/bad.log" 2>&1; then
	fail "a corrupted tarball was accepted"
fi
cat "$TMP/bad.log"
grep -q "checksum mismatch for $TMP/bad.tar.gz: expected SHA-256 $MUSL_SHA256" "$TMP/bad.log" ||
	fail "the message does not name the checksum problem"
[ ! -e "$TMP/bad" ] || fail "a source tree was left behind"
echo "ok: corrupted tarball refused"
