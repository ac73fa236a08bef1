#!/bin/sh
# make install lays out elh, elh-musl-gcc and elh-musl under the prefix, and
# the installed wrapper points at the installed library, not the build tree.
. "$top_srcdir/testsuite/lib.sh"
set -e

dest=$TMP/dest
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$dest" \
	>"$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "make install failed"; }

# The directories, as the Makefile expands them.
eval "$(printf 'elh-print-dirs:\n\t@echo prefix=$(prefix) bindir=$(bindir) libdir=$(libdir)\n' |
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$top_builddir" \
		-f Makefile -f - elh-print-dirs)"
echo "prefix=$prefix bindir=$bindir libdir=$libdir"

for f in "$bindir/elh" "$bindir/elh-musl-gcc" "$libdir/elh-musl/lib/libc.a" \
	"$libdir/elh-musl/lib/crt1.o" "$libdir/elh-musl/lib/rcrt1.o" \
	"$libdir/elh-musl/lib/elh-musl-gcc.specs" "$libdir/elh-musl/include/stdio.h" \
	"$libdir/elh/libelh-preload.so"; do
	[ -e "$dest$f" ] || fail "not installed: $f"
done
[ -x "$dest$bindir/elh-musl-gcc" ] || fail "installed wrapper is not executable"
grep -q "'$libdir/elh-musl/lib/elh-musl-gcc.specs'" "$dest$bindir/elh-musl-gcc" ||
	fail "installed wrapper does not use the installed specs"
grep -q "$top_builddir" "$dest$bindir/elh-musl-gcc" "$dest$libdir/elh-musl/lib/elh-musl-gcc.specs" &&
	fail "installed files refer to the build tree"

# The installed library works: relocate the installed specs into DESTDIR.
sed "s|$libdir/elh-musl|$dest$libdir/elh-musl|g" "$dest$libdir/elh-musl/lib/elh-musl-gcc.specs" >"$TMP/specs"
printf '#include <stdio.h>\nconst char *__elh_musl_version(void);\nint main(void){puts(__elh_musl_version());return 0;}\n' >"$TMP/v.c"
gcc -static "$TMP/v.c" -o "$TMP/v" -specs "$TMP/specs"
[ "$("$TMP/v")" = "1.2.3-elh" ] || fail "installed library is not elh-musl"
"$dest$bindir/elh" --version

# And uninstall removes it all again.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" uninstall DESTDIR="$dest" >/dev/null 2>&1
left=$(find "$dest" -type f | head -n 5)
[ -z "$left" ] || fail "uninstall left files: $left"
echo "ok: install and uninstall"
