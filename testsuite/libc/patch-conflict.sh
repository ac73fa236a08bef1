#!/bin/sh
# A patch of the series that does not apply stops the build and is named.
. "$top_srcdir/testsuite/lib.sh"
set -e

[ -f "$MUSL_ORIG" ] || fail "the build left no musl tarball at $MUSL_ORIG"

mkdir "$TMP/patches"
cp "$top_srcdir"/libc/patches/*.patch "$TMP/patches/"
cat >"$TMP/patches/9999-stale.patch" <<'PATCH'
Subject: a patch written against some other musl

--- a/src/string/strlen.c
+++ b/src/string/strlen.c
@@ -1,3 +1,3 @@
-#include <this-line-is-not-in-musl.h>
+#include <neither-is-this.h>
 #include <stdint.h>
 #include <limits.h>
PATCH
{ cat "$top_srcdir/libc/patches/series"; echo 9999-stale.patch; } >"$TMP/patches/series"

if sh "$top_srcdir/libc/prepare-musl.sh" "$MUSL_ORIG" "$MUSL_SHA256" "$TMP/src" \
	"$TMP/patches" >"$TMP/log" 2>&1; then
	fail "a stale patch was accepted"
fi
cat "$TMP/log"
grep -q "patch 9999-stale.patch does not apply to musl" "$TMP/log" ||
	fail "the message does not name the patch"
[ ! -e "$TMP/src" ] || fail "a half-patched tree was left behind"

# A patch listed in the series but missing is an error too.
echo 0000-missing.patch >>"$TMP/patches/series"
sed -i '/9999-stale/d' "$TMP/patches/series"
if sh "$top_srcdir/libc/prepare-musl.sh" "$MUSL_ORIG" "$MUSL_SHA256" "$TMP/src" \
	"$TMP/patches" >"$TMP/log2" 2>&1; then
	fail "a missing patch was accepted"
fi
grep -q "patch 0000-missing.patch is listed in the series but missing" "$TMP/log2" ||
	fail "the message does not name the missing patch"
echo "ok: stale and missing patches refused"
