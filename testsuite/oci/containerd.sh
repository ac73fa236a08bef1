#!/bin/sh
# containerd for real: Debian's containerd, started here with its own root,
# state and sockets, runs busybox-static containers through elh-runc
# (ctr run --runc-binary): exit status, refusal at create, SIGTERM to the
# guest's handler, exec, removal; and its CRI plugin loads the `elh`
# runtime of runtime/containerd-elh.toml, whose options name elh-runc as
# BinaryName (no pod is run: there is no CRI client here).
#
# Usage: containerd.sh PLATFORM   (systrap or kvm)
. "$top_srcdir/testsuite/lib.sh"
. "$top_srcdir/testsuite/oci/lib-oci.sh"
set -e

platform=$1
for p in containerd ctr containerd-shim-runc-v2; do
	command -v $p >/dev/null || skip "$p not found (apt-get install containerd)"
done
require_containers
require_platform "$platform"

C=$TMP/containerd
ns=elh-test-$$
mkdir -p "$C"
sed "s|/usr/local/bin/elh-runc|$ELH_RUNC|" "$top_srcdir/runtime/containerd-elh.toml" >"$C/elh.toml"
cat >"$C/config.toml" <<TOML
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
[debug]
  address = "$C/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$C/cni/bin"
    conf_dir = "$C/cni/conf"
TOML
cat "$C/elh.toml" >>"$C/config.toml"

CTR=$(command -v ctr)
ctr() {
	timeout "$T" "$CTR" --address "$C/containerd.sock" --namespace "$ns" "$@"
}

# Whatever happens: containers killed and removed, containerd stopped, its
# shims gone, runc's state for this namespace removed.
cleanup() {
	set +e
	if [ -n "${cpid:-}" ]; then
		for id in $(ctr containers list -q 2>/dev/null); do
			ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1
			ctr tasks delete -f "$id" >/dev/null 2>&1
			ctr containers delete "$id" >/dev/null 2>&1
		done
		for f in "$C"/state/io.containerd.runtime.v2.task/"$ns"/*/shim.pid; do
			[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
		done
		kill "$cpid" 2>/dev/null
		wait "$cpid" 2>/dev/null
	fi
	rm -rf "/run/containerd/runc/$ns" "$TMP"
}
trap cleanup EXIT

# containerd gets the runtime's environment: its shims and elh-runc inherit it.
containerd --config "$C/config.toml" </dev/null >"$C/log" 2>&1 &
cpid=$!
n=0
until ctr version >/dev/null 2>&1; do
	n=$((n + 1))
	kill -0 $cpid 2>/dev/null && [ $n -le $((T * 10)) ] ||
		fail "containerd did not start: $(tail -n 3 "$C/log")"
	sleep 0.1
done

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

make_rootfs "$TMP/rootfs"
cd "$TMP"
elh="--runc-binary $ELH_RUNC --annotation elh.platform=$platform"

# The same container under runc and under elh-runc.
run_capture plain ctr run --rootfs "$TMP/rootfs" status-runc /bin/sh -c 'echo hello; exit 3'
# shellcheck disable=SC2086
run_capture elh ctr run $elh --rootfs "$TMP/rootfs" status-elh /bin/sh -c 'echo hello; exit 3'
same plain elh && [ "$(cat elh.status)" = "exit 3" ] && verdict run-status ok || verdict run-status fail

# shellcheck disable=SC2086
run_capture init ctr run $elh --rootfs "$TMP/rootfs" init /bin/cat /proc/1/cmdline
case "$(tr '\0' ' ' <init.out)" in
"/.elh/elh run --platform=$platform --argv0=/bin/cat -- /bin/cat /proc/1/cmdline ") verdict init-is-elh ok ;;
*) verdict init-is-elh fail "pid 1 is $(tr '\0' ' ' <init.out) ($(cat init.status) $(cat init.err))" ;;
esac

# A program elh cannot run: the reason, from runc's log, in containerd's error.
# shellcheck disable=SC2086
run_capture refused ctr run $elh --rootfs "$TMP/rootfs" refused /bin/dynamic
if [ "$(cat refused.status)" != "exit 0" ] &&
	grep -q 'OCI runtime create failed: create: /bin/dynamic is dynamically linked' refused.err; then
	verdict refuse ok
else
	verdict refuse fail "$(cat refused.status): $(cat refused.err)"
fi

# SIGTERM from containerd to the guest's handler.
# shellcheck disable=SC2086
ctr run $elh --rootfs "$TMP/rootfs" term \
	/bin/sh -c 'trap "echo TERM; exit 7" TERM; echo ready; while :; do sleep 1; done' \
	</dev/null >term.out 2>term.err &
pid=$!
wait_for term.out ready $pid && ctr tasks kill -s SIGTERM term || true
set +e
wait $pid
st=$?
set -e
if [ $st -eq 7 ] && [ "$(cat term.out)" = "$(printf 'ready\nTERM')" ]; then
	verdict kill ok
else
	verdict kill fail "status $st: $(cat term.out) $(cat term.err)"
fi

# exec (containerd's shim hands runc a --process file), then removal.
# shellcheck disable=SC2086
ctr run -d $elh --rootfs "$TMP/rootfs" exec /bin/sleep 1000 >/dev/null || true
run_capture exec ctr tasks exec --exec-id e1 exec /bin/sh -c 'echo in exec; exit 5'
run_capture exec-self ctr tasks exec --exec-id e2 exec /bin/cat /proc/self/cmdline
if [ "$(cat exec.status)" = "exit 5" ] && [ "$(cat exec.out)" = "in exec" ] &&
	tr '\0' ' ' <exec-self.out | grep -q "^/.elh/elh run --platform=$platform "; then
	verdict exec ok
else
	verdict exec fail "$(cat exec.status) $(cat exec.out) $(cat exec.err); self: $(tr '\0' ' ' <exec-self.out)"
fi
ctr tasks kill -s SIGKILL exec || true
n=0
while ctr tasks list | grep -q '^exec .*RUNNING' && [ $n -lt $((T * 10)) ]; do
	n=$((n + 1))
	sleep 0.1
done
for id in status-runc status-elh init refused term exec; do
	ctr tasks delete "$id" >/dev/null 2>&1 || true
	ctr containers delete "$id" || true
done
if [ -z "$(ctr containers list -q)" ] && [ -z "$(ctr tasks list -q)" ] &&
	[ -z "$(runc --root "/run/containerd/runc/$ns" list -q 2>/dev/null)" ]; then
	verdict removal ok
else
	verdict removal fail "left: $(ctr containers list -q) $(ctr tasks list -q)"
fi

# The CRI plugin takes the elh runtime, with elh-runc as its binary.
if ctr plugins list | grep -q '^io.containerd.grpc.v1  *cri  .* ok *$' &&
	command containerd --config "$C/config.toml" config dump |
	grep -A 1 'runtimes.elh.options\]' | grep -q "BinaryName = \"$ELH_RUNC\""; then
	verdict cri-runtime ok
else
	verdict cri-runtime fail "$(ctr plugins list | grep cri)"
fi

echo "containerd on $platform: $passed passed, $failed failed"
[ $failed -eq 0 ]
