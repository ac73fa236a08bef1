#!/bin/sh
# Debian's own dynamically linked programs (coreutils, findutils, tar,
# gzip, sed, grep, awk, dash, python3, perl), natively and under elh,
# must agree on stdout, stderr and status.
#
# Usage: debian.sh PLATFORM   (systrap or kvm)
. "$top_srcdir/testsuite/lib.sh"
set -e

platform=$1
[ "$platform" = kvm ] && require_kvm
for prog in /bin/ls /bin/dash /usr/bin/tar /usr/bin/gzip; do
	[ -x $prog ] || skip "$prog not found"
	file -L $prog | grep -q "dynamically linked" || skip "$prog is not dynamically linked"
done

cd "$TMP"
mkdir -p tree/docs/sub tree/empty tree/data
printf 'alpha\nbeta\ngamma\ndelta\nalpha\n' >tree/docs/words.txt
printf 'b 2\na 10\nc 1\n' >tree/docs/sub/table.txt
i=0
while [ $i -lt 2000 ]; do echo "line $i of a longer file"; i=$((i + 1)); done >tree/data/long.txt
head -c 100000 /dev/zero | tr '\0' 'z' >tree/data/zeds.bin
ln -s ../docs/words.txt tree/data/link
touch -h -d '2020-01-02 03:04:05' tree/docs/words.txt tree/docs/sub/table.txt \
	tree/data/long.txt tree/data/zeds.bin tree/data/link tree/docs/sub tree/docs tree/data \
	tree/empty tree

# One command a line, run in $TMP (fields split on spaces, no quoting).
cat >commands <<'LIST'
ls -l tree/docs
ls -lR --time-style=long-iso tree
cat tree/docs/words.txt tree/data/long.txt
sort tree/docs/words.txt
sort -k2 -n tree/docs/sub/table.txt
sha256sum tree/data/long.txt tree/data/zeds.bin
wc tree/data/long.txt tree/docs/words.txt
find tree -name *.txt
find tree -type d -newer tree/data/long.txt
sed -e s/a/A/g -e /delta/d tree/docs/words.txt
grep -n -c alpha tree/docs/words.txt
grep -r line.19 tree/data
awk {s+=$2}END{print(s)} tree/docs/sub/table.txt
mawk -F: {print(NF)} tree/docs/words.txt
python3 -c import\x20sys;print(sys.argv[1:],sum(range(1000)))
python3 -c import\x20os;print(sorted(os.listdir("tree/docs")))
perl -e print(join(",",map{$_*$_}1..10),"\n")
perl -ne print\x20if/alpha/ tree/docs/words.txt
cat tree/missing
ls /nonexistent-dir
LIST

pass=0 failed=0
tally() {
	if [ "$2" -eq 0 ]; then
		echo "PASS: $1"
		pass=$((pass + 1))
	else
		echo "FAIL: $1"
		failed=$((failed + 1))
	fi
}

# elh_run ARGS...: elh run on this test's platform.
elh_run() {
	"$ELH" run --platform="$platform" "$@"
}

# compare WHAT NAME ARGS...: the program NAME (looked up in PATH, as the
# shell would) natively and under elh, in $TMP.
compare() {
	what=$1
	name=$2
	shift 2
	if ! path=$(PATH=/usr/bin:/bin command -v "$name"); then
		echo "--- $name is not installed: $what not compared"
		return 0
	fi
	run_capture "$TMP/native" env -i PATH=/usr/bin:/bin LC_ALL=C "$name" "$@"
	run_capture "$TMP/elh" env -i PATH=/usr/bin:/bin LC_ALL=C \
		"$ELH" run --platform="$platform" --argv0="$name" "$path" "$@"
	ok=0
	same "$TMP/native" "$TMP/elh" || ok=1
	tally "$what" $ok
}

while IFS= read -r line; do
	set -f
	# shellcheck disable=SC2086
	set -- $(printf '%s\n' "$line" | sed 's/\\x20/\x01/g')
	set +f
	args=
	for a; do args="$args$(printf '%s' "$a" | tr '\001' ' ')
"; done
	old_ifs=$IFS
	IFS='
'
	set -f
	# shellcheck disable=SC2086
	set -- $args
	set +f
	IFS=$old_ifs
	compare "$line" "$@"
done <commands

# tar and gzip write files: compare what they made.
for way in native elh; do
	mkdir -p "$way/x"
	if [ $way = native ]; then run=""; else run=elh_run; fi
	$run /usr/bin/tar -cf "$way/t.tar" tree
	$run /usr/bin/gzip -n -c "$way/t.tar" >"$way/t.tar.gz"
	$run /usr/bin/gzip -dc "$way/t.tar.gz" >"$way/back.tar"
	$run /usr/bin/tar -xf "$way/back.tar" -C "$way/x"
done
ok=0
cmp -s native/t.tar.gz elh/t.tar.gz && cmp -s native/back.tar elh/back.tar &&
	diff -r native/x elh/x >/dev/null || ok=1
tally "tar + gzip round trip" $ok

# A dash script: pipelines, command substitution, a background job and
# wait, child shells, here-documents: fork, execve of dynamic programs.
cat >script.sh <<'SCRIPT'
set -e
echo "pipeline: $(sort tree/docs/words.txt | uniq -c | sort -rn | head -n 1 | tr -s ' ')"
n=$(find tree -type f | wc -l)
echo "files: $n"
( cd tree/docs && ls ) | while read -r f; do echo "in docs: $f"; done
find tree -name '*.txt' -exec wc -l {} \; | sort
printf '%s\n' tree/docs/words.txt tree/docs/sub/table.txt | xargs cat | wc -l
sleep 0.1 &
pid=$!
wait $pid
echo "background: $?"
(exit 3) &
wait $! || echo "background status: $?"
sleep 10 &
pid=$!
until grep -q sleep /proc/$pid/cmdline 2>/dev/null; do :; done
kill $pid
# (dash's "Terminated" on stderr is left out: natively too, dash prints it
# only when it reaps the job before `wait` asks, which is timing.  Whether
# the job died of the signal, not of exit 143, script.py checks.)
wait $pid 2>/dev/null || echo "killed background job: $?"
if env VAR=set sh -c 'test "$VAR" = set'; then echo "env: passed"; fi
sh -c 'exit 7' || echo "child status: $?"
cat <<EOF | sed 's/^/here: /'
one
two
EOF
exec echo "exec: last line"
SCRIPT
compare "dash script.sh" dash script.sh

# A Python script that reads and writes files, and runs a child.
cat >script.py <<'SCRIPT'
import hashlib, json, os, subprocess, time
with open("tree/data/long.txt") as f:
    lines = f.readlines()
out = {"lines": len(lines), "last": lines[-1].strip(),
       "sha": hashlib.sha256(open("tree/data/zeds.bin", "rb").read()).hexdigest()}
with open("py-out.json", "w") as f:
    json.dump(out, f, sort_keys=True)
with open("py-out.json") as f:
    print(f.read())
os.unlink("py-out.json")
print(subprocess.run(["echo", "from a child"], capture_output=True, text=True).stdout, end="")
# A child killed by SIGTERM in its nanosleep: -15 (death by the signal),
# not 143 (an exit).
for delay in (0, 0.2):
    child = subprocess.Popen(["sleep", "10"])
    while b"sleep" not in open("/proc/%d/cmdline" % child.pid, "rb").read():
        pass
    time.sleep(delay)
    child.terminate()
    print("killed child:", child.wait())
SCRIPT
compare "python3 script.py" python3 script.py

echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
[ $pass -gt 0 ]
