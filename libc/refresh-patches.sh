#!/bin/sh
# Maintainer tool: after editing the prepared tree (libc/musl-src), rewrite
# the series' patches from it.  Each patch keeps its description (the lines
# before its first "--- a/") and covers the same files as before; a file new
# to the series must first be named in a patch by hand.
#
# Usage: libc/refresh-patches.sh MUSL_ORIG_TARBALL PREPARED_TREE PATCH_DIR
set -eu

[ $# -eq 3 ] || { echo "usage: $0 MUSL_ORIG_TARBALL PREPARED_TREE PATCH_DIR" >&2; exit 2; }
orig=$1 tree=$2 patchdir=$3
pristine=$(mktemp -d)
trap 'rm -rf "$pristine"' EXIT
tar -xzf "$orig" -C "$pristine"
base=$(echo "$pristine"/musl-*)

for p in $(sed -e '/^#/d' -e '/^$/d' "$patchdir/series"); do
	f=$patchdir/$p
	files=$(sed -n 's|^--- a/||p' "$f")
	{
		sed '/^--- a\//,$d' "$f"
		for file in $files; do
			if [ -f "$base/$file" ]; then
				diff -u --label "a/$file" --label "b/$file" "$base/$file" "$tree/$file" || :
			else
				diff -u --label "a/$file" --label "b/$file" /dev/null "$tree/$file" || :
			fi
		done
	} >"$f.new"
	mv "$f.new" "$f"
done
