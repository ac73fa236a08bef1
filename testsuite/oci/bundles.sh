#!/bin/sh
# elh-runc against plain runc, on bundles made here from busybox-static:
# sh -c scripts and their exit statuses, a script found in PATH, SIGTERM
# through `kill` to the guest's handler, `exec` of a second process (on the
# command line and in a --process file), `delete` cleaning up; and what
# `create` refuses, in one line, before anything is created.
#
# Usage: bundles.sh PLATFORM   (systrap or kvm)
. "$top_srcdir/testsuite/lib.sh"
. "$top_srcdir/testsuite/oci/lib-oci.sh"
set -e

platform=$1
require_containers
require_platform "$platform"
ann="{\"elh.platform\": \"$platform\"}"

# Whatever happens, no container outlives the test.
cleanup() {
	for r in runc elh; do
		[ -d "$TMP/state-$r" ] || continue
		for id in $("$RUNC" --root "$TMP/state-$r" list -q 2>/dev/null); do
			timeout "$T" "$RUNC" --root "$TMP/state-$r" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# rt runc|elh ARGS: the runtime under test, with its own state, bounded in time.
rt() {
	_rt=$1
	shift
	if [ "$_rt" = runc ]; then
		timeout "$T" "$RUNC" --root "$TMP/state-runc" "$@"
	else
		timeout "$T" "$ELH_RUNC" --root "$TMP/state-elh" "$@"
	fi
}

passed=0 failed=0
verdict() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "ok: $1"
	else
		failed=$((failed + 1))
		echo "FAIL: $1${3:+: $3}"
	fi
}

make_rootfs "$TMP/rootfs-runc"
make_rootfs "$TMP/rootfs-elh"
cd "$TMP"

# both NAME ARGS: `run` the same bundle under runc and under elh-runc; the
# two must agree on stdout, stderr and exit status, and elh-runc's bundle
# must now run the program under elh.
both() {
	for r in runc elh; do
		make_bundle "b-$1-$r" "$TMP/rootfs-$r" "$2" "$ann"
		run_capture "$1.$r" rt $r run --bundle "b-$1-$r" "$1"
	done
	if ! grep -q '"/.elh/elh"' "b-$1-elh/config.json"; then
		verdict "$1" fail "elh-runc left the process as it was"
	elif same "$1.runc" "$1.elh"; then
		verdict "$1" ok
	else
		verdict "$1" fail
	fi
}

both hello '["sh", "-c", "echo hello; echo to stderr >&2"]'
both exit-3 '["sh", "-c", "exit 3"]'
both exit-255 '["sh", "-c", "echo last words; exit 255"]'
both args '["sh", "-c", "echo $0 $1 $2", "zero", "one", "two"]'
both env-cwd-pid '["sh", "-c", "echo $PATH; echo $TERM; pwd; echo pid $$"]'
both path-lookup '["echo", "found", "in", "PATH"]'
both script '["/bin/hello.sh", "a", "b"]'
both script-in-path '["hello.sh", "c"]'
both not-found '["sh", "-c", "nosuch; echo status $?"]'
both children '["sh", "-c", "x=$(echo from a child); echo $x; sh -c \"exit 9\"; echo status $?"]'

# A bundle run again is adjusted once: elh does not run elh.
run_capture hello.again rt elh run --bundle b-hello-elh hello
if same hello.elh hello.again && [ "$(grep -c '"/.elh/elh"' b-hello-elh/config.json)" -eq 2 ]; then
	verdict rerun ok # the process's args[0] and the mount's destination
else
	verdict rerun fail "$(grep -c '"/.elh/elh"' b-hello-elh/config.json) mentions of /.elh/elh"
fi

# --version is elh-runc's, then runc's; features are runc's.
rt elh --version >version.out
"$RUNC" --version >runc-version.out
if [ "$(head -n 1 version.out)" = "elh-runc version $("$ELH" --version | sed 's/^elh //')" ] &&
	[ "$(tail -n +2 version.out)" = "$(cat runc-version.out)" ] &&
	[ "$(rt elh features)" = "$("$RUNC" features)" ]; then
	verdict version-features ok
else
	verdict version-features fail "$(cat version.out)"
fi

# The container's init is elh itself.
make_bundle b-init "$TMP/rootfs-elh" '["cat", "/proc/1/cmdline"]' "$ann"
run_capture init rt elh run --bundle b-init init
if [ "$(tr '\0' ' ' <init.out)" = "/.elh/elh run --platform=$platform --argv0=cat -- /bin/cat /proc/1/cmdline " ]; then
	verdict init-is-elh ok
else
	verdict init-is-elh fail "pid 1 is $(tr '\0' ' ' <init.out) ($(cat init.status))"
fi

# SIGTERM through `kill`, to a handler the guest installed; `state` while
# it runs is runc's.
for r in runc elh; do
	make_bundle "b-kill-$r" "$TMP/rootfs-$r" \
		'["sh", "-c", "trap \"echo TERM; exit 7\" TERM; echo ready; while :; do sleep 1; done"]' "$ann"
	rt $r run --bundle "b-kill-$r" kill </dev/null >"kill.$r.out" 2>"kill.$r.err" &
	pid=$!
	if wait_for "kill.$r.out" ready $pid; then
		rt $r state kill >"kill.$r.state" || true
		rt $r kill kill TERM || true
	fi
	set +e
	wait $pid
	echo "exit $?" >"kill.$r.status"
	set -e
done
if ! grep -q '"status": "running"' kill.elh.state; then
	verdict kill fail "state while running: $(cat kill.elh.state)"
elif same kill.runc kill.elh && grep -qx TERM kill.elh.out; then
	verdict kill ok
else
	verdict kill fail
fi

# exec of a second process into a running container, on the command line
# and from a --process file as containerd's shim gives it; then kill and
# delete, which leaves nothing behind.
for r in runc elh; do
	make_bundle "b-exec-$r" "$TMP/rootfs-$r" '["sleep", "1000"]' "$ann"
	rt $r create --bundle "b-exec-$r" exec </dev/null >"create.$r.out" 2>&1 || cat "create.$r.out"
	rt $r start exec || true
	run_capture "exec-args.$r" rt $r exec exec sh -c 'echo exec $0 "$@"; echo err >&2; exit 5' x y
	cat >"process.$r.json" <<'JSON'
{
	"user": { "uid": 0, "gid": 0 },
	"args": [ "sh", "-c", "echo from a process file; pwd; exit 6" ],
	"env": [ "PATH=/bin" ],
	"cwd": "/tmp"
}
JSON
	run_capture "exec-file.$r" rt $r exec --process "process.$r.json" exec
	rt $r kill exec KILL || true
	n=0
	while rt $r state exec 2>/dev/null | grep -q '"status": "running"' && [ $n -lt $((T * 10)) ]; do
		n=$((n + 1))
		sleep 0.1
	done
	run_capture "delete.$r" rt $r delete exec
	run_capture "state-after.$r" rt $r state exec
	rt $r list -q >"list-after.$r"
done
same exec-args.runc exec-args.elh && verdict exec-args ok || verdict exec-args fail
if ! grep -q '"/.elh/elh"' process.elh.json; then
	verdict exec-process-file fail "the process file was left as it was"
elif same exec-file.runc exec-file.elh; then
	verdict exec-process-file ok
else
	verdict exec-process-file fail
fi
if [ "$(cat delete.elh.status)" = "exit 0" ] && [ "$(cat state-after.elh.status)" != "exit 0" ] &&
	[ ! -s list-after.elh ] && [ ! -e "$TMP/state-elh/exec" ]; then
	verdict delete ok
else
	verdict delete fail "delete: $(cat delete.elh.status) $(cat delete.elh.err); state after: $(cat state-after.elh.status); list: $(cat list-after.elh)"
fi

# delete --force of a running container ends its processes.
make_bundle b-force "$TMP/rootfs-elh" '["sleep", "1000"]' "$ann"
rt elh create --bundle b-force force </dev/null >/dev/null 2>&1 || true
rt elh start force || true
pid=$(rt elh state force | sed -n 's/^ *"pid": \([0-9]*\),$/\1/p')
rt elh delete --force force || true
n=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null &&
	[ $n -lt $((T * 10)) ]; do
	n=$((n + 1))
	sleep 0.1
done
if [ -n "$pid" ] && { ! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' "/proc/$pid/status"; } &&
	! rt elh state force >/dev/null 2>&1; then
	verdict delete-force ok
else
	verdict delete-force fail "pid '$pid' still there, or the container"
fi

# refuse NAME ARGS TEXT [ANNOTATIONS]: create fails with status 1 and one
# line on stderr saying TEXT, which runc's --log gets as an error too;
# nothing is created and the bundle is left as it was.
refuse() {
	make_bundle "b-$1" "$TMP/rootfs-elh" "$2" "${4:-$ann}"
	cp "b-$1/config.json" "$1.config"
	run_capture "$1" rt elh --log "$1.log" --log-format json create --bundle "b-$1" "$1"
	if [ "$(cat "$1.status")" != "exit 1" ] || [ "$(wc -l <"$1.err")" -ne 1 ] ||
		! grep -q "^elh-runc: create: .*$3" "$1.err"; then
		verdict "refuse-$1" fail "$(cat "$1.status"): $(cat "$1.err")"
	elif ! grep -q "^{\"level\":\"error\",\"msg\":\"create: .*$3" "$1.log"; then
		verdict "refuse-$1" fail "not in runc's log: $(cat "$1.log")"
	elif rt elh state "$1" >/dev/null 2>&1 || ! cmp -s "$1.config" "b-$1/config.json"; then
		verdict "refuse-$1" fail "a container was created, or the bundle changed"
	else
		verdict "refuse-$1" ok
	fi
}

refuse dynamic '["/bin/dynamic"]' '/bin/dynamic is dynamically linked'
refuse dynamic-interpreter '["/bin/dynamic.sh"]' '/bin/dynamic.sh: its interpreter /bin/dynamic is dynamically linked'
refuse missing '["/bin/nosuch"]' '/bin/nosuch does not exist in the container'
refuse not-in-path '["nosuch"]' "nosuch: not found in the container's PATH (/usr/local/sbin:"
refuse not-executable '["/bin/not-executable.sh"]' '/bin/not-executable.sh is not an executable file'
refuse unknown-annotation '["true"]' 'unknown annotation elh.plattform' '{"elh.plattform": "systrap"}'
refuse bad-vcpus '["true"]' 'annotation elh.vcpus=0: use 1 to 64, or per-thread' \
	"{\"elh.platform\": \"$platform\", \"elh.vcpus\": \"0\"}"

# exec of what elh cannot run fails at exec, in one line.
make_bundle b-exec-refused "$TMP/rootfs-elh" '["sleep", "1000"]' "$ann"
rt elh create --bundle b-exec-refused exec-refused </dev/null >/dev/null 2>&1 || true
rt elh start exec-refused || true
run_capture exec-refused rt elh exec exec-refused /bin/dynamic
rt elh delete --force exec-refused >/dev/null 2>&1 || true
if [ "$(cat exec-refused.status)" = "exit 1" ] && [ "$(wc -l <exec-refused.err)" -eq 1 ] &&
	grep -q '^elh-runc: exec: /bin/dynamic is dynamically linked' exec-refused.err; then
	verdict refuse-exec ok
else
	verdict refuse-exec fail "$(cat exec-refused.status): $(cat exec-refused.err)"
fi

echo "bundles on $platform: $passed passed, $failed failed"
[ $failed -eq 0 ]
