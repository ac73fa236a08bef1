#!/bin/sh
# Verify musl's source tarball, unpack it and apply the ELH patch series.
#
# Usage: prepare-musl.sh TARBALL SHA256 SRCDIR PATCHDIR
#
# PATCHDIR/series lists the patches in the order they apply, one file name a
# line; blank lines and lines starting with '#' are ignored.  Any failure
# leaves SRCDIR absent, so a later make starts again from the tarball.
set -eu

tarball=$1
want=$2
srcdir=$3
patchdir=$4

die() { rm -rf "$srcdir.tmp"; echo "prepare-musl: $*" >&2; exit 1; }

[ -f "$tarball" ] || die "musl tarball $tarball not found"

got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
	die "checksum mismatch for $tarball: expected SHA-256 $want, got $got; refusing to build from it"
fi
echo "prepare-musl: $(basename "$tarball"): SHA-256 verified"

rm -rf "$srcdir" "$srcdir.tmp"
mkdir -p "$srcdir.tmp"
tar -xzf "$tarball" -C "$srcdir.tmp" --strip-components=1 ||
	die "cannot unpack $tarball"

[ -f "$patchdir/series" ] || die "no patch series at $patchdir/series"
n=0
while read -r p || [ -n "$p" ]; do
	case $p in '' | '#'*) continue ;; esac
	[ -f "$patchdir/$p" ] || die "patch $p is listed in the series but missing from $patchdir"
	if ! patch -d "$srcdir.tmp" -p1 --batch --forward --quiet --no-backup-if-mismatch \
		<"$patchdir/$p" >"$srcdir.tmp.log" 2>&1; then
		cat "$srcdir.tmp.log" >&2
		rm -f "$srcdir.tmp.log"
		die "patch $p does not apply to musl; the series needs rebasing"
	fi
	n=$((n + 1))
done <"$patchdir/series"
rm -f "$srcdir.tmp.log"

mv "$srcdir.tmp" "$srcdir"
echo "prepare-musl: applied $n patch(es) from $patchdir/series"
