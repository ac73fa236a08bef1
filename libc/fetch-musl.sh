#!/bin/sh
# Download musl's upstream source tarball from Debian's source archive.
#
# Usage: fetch-musl.sh WORKDIR DEST
#
# The deb-src entries are derived from the machine's own apt sources (the
# same archive hosts, suites and keyrings), written into a private apt
# configuration under WORKDIR, so the system's apt state is neither read for
# writing nor changed.  The orig tarball lands at DEST; checksum
# verification is the job of prepare-musl.sh.
set -eu

MUSL_VERSION=${MUSL_VERSION:-1.2.3}
workdir=$1
dest=$2
orig=musl_${MUSL_VERSION}.orig.tar.gz

die() { echo "fetch-musl: $*" >&2; exit 1; }

command -v apt-get >/dev/null 2>&1 ||
	die "apt-get not found: cannot fetch musl $MUSL_VERSION from Debian's archive; pass --with-musl-tarball=PATH to configure"

etc=${APT_ETC:-/etc/apt}
rm -rf "$workdir"
mkdir -p "$workdir/sources.list.d" "$workdir/lists/partial" \
	"$workdir/cache/archives/partial" "$workdir/download"
workdir=$(cd "$workdir" && pwd) # apt reads relative paths against /etc/apt

# One-line format: every "deb" line gets a "deb-src" twin.
: >"$workdir/sources.list"
for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$workdir/sources.list"
done

# deb822 format: keep each stanza whose Types has "deb", as deb-src.
for f in "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk '
	function flush() {
		if (keep) printf "%s\n", stanza
		stanza = ""; keep = 0
	}
	/^[[:space:]]*$/ { flush(); next }
	/^[[:space:]]*#/ { next }
	/^Types:/ {
		for (i = 2; i <= NF; i++) if ($i == "deb") keep = 1
		stanza = stanza "Types: deb-src\n"
		next
	}
	{ stanza = stanza $0 "\n" }
	END { flush() }
	' "$f" >"$workdir/sources.list.d/$(basename "$f")"
done

if ! grep -qs . "$workdir/sources.list" "$workdir"/sources.list.d/*.sources; then
	die "no Debian archive found in $etc/sources.list or $etc/sources.list.d; pass --with-musl-tarball=PATH to configure"
fi

aptopts="-o Dir::Etc::SourceList=$workdir/sources.list
 -o Dir::Etc::SourceParts=$workdir/sources.list.d
 -o Dir::State::Lists=$workdir/lists
 -o Dir::Cache=$workdir/cache
 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
 -o Debug::NoLocking=1
 -o APT::Sandbox::User=$(id -un)
 -o Acquire::Languages=none -o APT::Get::List-Cleanup=0"

echo "fetch-musl: reading Debian source indexes (private apt state in $workdir)"
# shellcheck disable=SC2086
apt-get -q $aptopts update >"$workdir/update.log" 2>&1 ||
	{ cat "$workdir/update.log" >&2; die "apt-get update of the source indexes failed"; }

echo "fetch-musl: downloading the source package of musl $MUSL_VERSION"
# shellcheck disable=SC2086
(cd "$workdir/download" && apt-get -q $aptopts source --download-only "musl=${MUSL_VERSION}-*") \
	>"$workdir/source.log" 2>&1 ||
	(cd "$workdir/download" && apt-get -q $aptopts source --download-only musl) \
	>>"$workdir/source.log" 2>&1 ||
	{ cat "$workdir/source.log" >&2; die "apt-get source musl failed"; }

[ -f "$workdir/download/$orig" ] ||
	die "Debian's musl source package has no $orig (the archive serves another musl version)"
cp "$workdir/download/$orig" "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "fetch-musl: got $orig"
