#!/bin/sh
# Unmodified static binaries built by others: Debian's busybox-static
# applets on a test tree, natively and under elh, must agree.
#
# Usage: busybox.sh PLATFORM   (systrap or kvm)
. "$top_srcdir/testsuite/lib.sh"
set -e

platform=$1
bb=${BUSYBOX:-/bin/busybox}
[ -x "$bb" ] || skip "$bb not found (apt-get install busybox-static)"
file -L "$bb" | grep -q "statically linked" || skip "$bb is not statically linked (install busybox-static)"
[ "$platform" = kvm ] && require_kvm

# A small tree with files of several sizes, a symlink and an empty dir.
cd "$TMP"
mkdir -p tree/docs/sub tree/empty tree/data
printf 'alpha\nbeta\ngamma\ndelta\nalpha\n' >tree/docs/words.txt
printf 'b 2\na 10\nc 1\n' >tree/docs/sub/table.txt
i=0
while [ $i -lt 2000 ]; do echo "line $i of a longer file"; i=$((i + 1)); done >tree/data/long.txt
head -c 100000 /dev/zero | tr '\0' 'z' >tree/data/zeds.bin
ln -s ../docs/words.txt tree/data/link
touch -d '2020-01-02 03:04:05' tree/docs/words.txt tree/docs/sub/table.txt \
	tree/data/long.txt tree/data/zeds.bin tree/docs/sub tree/docs tree/data tree/empty tree

# One applet invocation a line; run in $TMP, compared on stdout, stderr and status.
cat >applets <<'LIST'
ls -l tree/docs
ls -R tree
cat tree/docs/words.txt
sort tree/docs/words.txt
sort -k2 -n tree/docs/sub/table.txt
uniq -c tree/docs/words.txt
sha256sum tree/data/long.txt tree/data/zeds.bin
md5sum tree/docs/words.txt
wc tree/data/long.txt
find tree -name *.txt
find tree -type d
head -n 3 tree/data/long.txt
tail -n 2 tree/data/long.txt
grep -n alpha tree/docs/words.txt
awk {s+=$2}END{print(s)} tree/docs/sub/table.txt
sed s/a/A/g tree/docs/words.txt
tac tree/docs/words.txt
cut -c1-3 tree/docs/sub/table.txt
du -s tree/data
stat -c %s_%n tree/data/zeds.bin
readlink tree/data/link
basename /a/b/c.txt .txt
expr 6 * 7
seq 1 5
printf %05d 42
od -c tree/docs/sub/table.txt
cat tree/missing
ls /nonexistent-dir
LIST

pass=0 failed=0

# tally WHAT OK: count and report one comparison (OK: 0 when they agree).
tally() {
	if [ "$2" -eq 0 ]; then
		echo "PASS: busybox $1"
		pass=$((pass + 1))
	else
		echo "FAIL: busybox $1"
		failed=$((failed + 1))
	fi
}

# compare WHAT ARGS...: busybox ARGS natively and under elh, in $TMP.
compare() {
	what=$1
	shift
	run_capture "$TMP/native" "$bb" "$@"
	case $platform in
	systrap) run_capture "$TMP/elh" "$ELH" run --platform=systrap "$bb" "$@" ;;
	kvm) run_capture "$TMP/elh" "$ELH" run "$bb" "$@" ;;
	esac
	ok=0
	same "$TMP/native" "$TMP/elh" || ok=1
	tally "$what" $ok
}

while IFS= read -r line; do
	# shellcheck disable=SC2086
	set -f
	set -- $line
	set +f
	compare "$line" "$@"
done <applets

# Archives: tar and gzip write files; compare the results.
for way in native elh; do
	mkdir -p "$way"
	if [ $way = native ]; then run=""; else run="$ELH run --platform=systrap"; fi
	[ "$platform" = kvm ] && [ $way = elh ] && run="$ELH run"
	$run "$bb" tar -cf "$way/t.tar" tree
	$run "$bb" gzip -c "$way/t.tar" >"$way/t.tar.gz"
	$run "$bb" gzip -dc "$way/t.tar.gz" >"$way/back.tar"
	mkdir -p "$way/x"
	$run "$bb" tar -xf "$way/back.tar" -C "$way/x"
done
ok=0
cmp -s native/t.tar.gz elh/t.tar.gz && cmp -s native/back.tar elh/back.tar &&
	diff -r native/x elh/x >/dev/null || ok=1
tally "tar + gzip round trip" $ok
# The shell: pipelines, command substitution, subshells, background jobs
# and applets run as child processes (fork, vfork, execve of the program
# itself through /proc/self/exe).  Child processes need the systrap
# platform for now.
if [ "$platform" = systrap ]; then
	cat >script.sh <<'SCRIPT'
set -e
echo "pipeline: $(sort tree/docs/words.txt | uniq -c | sort -rn | head -n 1 | tr -s ' ')"
n=$(find tree -type f | wc -l)
echo "files: $n"
( cd tree/docs && ls ) | while read -r f; do echo "in docs: $f"; done
find tree -name '*.txt' -exec wc -l {} \; | sort
printf '%s\n' tree/docs/words.txt tree/docs/sub/table.txt | xargs cat | wc -l
sleep 0 & wait $!
echo "background: $?"
if env VAR=set sh -c 'test "$VAR" = set'; then echo "env: passed"; fi
sh -c 'exit 7' || echo "child status: $?"
cat <<EOF | sed 's/^/here: /'
one
two
EOF
exec echo "exec: last line"
SCRIPT
	compare "sh script.sh" sh script.sh
fi
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
