# Helpers of the OCI runtime tests: a busybox-static root file system,
# bundles made from `runc spec`, and what a test needs before it can run a
# container at all.  Source it after testsuite/lib.sh.

ELH_RUNC=$top_builddir/elh-runc
ELH_STATIC=$top_builddir/runtime/elh-static
RUNC=${RUNC:-runc}
BUSYBOX=${BUSYBOX:-/bin/busybox}
export ELH_RUNC_ELH="$ELH_STATIC" ELH_RUNC_RUNC="$RUNC"

# The longest any one runtime command may take; a hung one fails the test.
T=${OCI_TIMEOUT:-60}

# require_containers: skip unless this host can run a plain runc container.
require_containers() {
	[ "$(id -u)" -eq 0 ] || skip "the OCI tests run containers, which needs root"
	command -v "$RUNC" >/dev/null || skip "runc not found (apt-get install runc)"
	[ -x "$BUSYBOX" ] || skip "$BUSYBOX not found (apt-get install busybox-static)"
	file -L "$BUSYBOX" | grep -q "statically linked" ||
		skip "$BUSYBOX is not statically linked (apt-get install busybox-static)"
	make_rootfs "$TMP/trial-rootfs"
	make_bundle "$TMP/trial" "$TMP/trial-rootfs" '["/bin/true"]'
	if ! timeout "$T" "$RUNC" --root "$TMP/trial-state" run --bundle "$TMP/trial" trial \
		</dev/null >"$TMP/trial.out" 2>&1; then
		skip "this sandbox cannot run a container with plain runc: $(grep . "$TMP/trial.out" | tail -n 1)"
	fi
}

# require_platform PLATFORM: on kvm, skip unless the static elh runs a
# static program there (check-kvm alone does not show that the platform works).
require_platform() {
	[ "$1" = kvm ] || return 0
	require_kvm
	set +e
	timeout "$T" "$ELH_STATIC" run --platform=kvm "$BUSYBOX" true </dev/null >"$TMP/kvm-trial.out" 2>&1
	st=$?
	set -e
	[ $st -eq 0 ] || skip "KVM is usable, but elh's KVM platform cannot run $BUSYBOX true here (status $st) $(tail -n 1 "$TMP/kvm-trial.out")"
}

# make_rootfs DIR: busybox-static, its applets as absolute symbolic links
# (resolved in the container's root, not the host's), a script, and a
# dynamically linked program of the host's, which elh cannot run.
make_rootfs() {
	mkdir -p "$1/bin" "$1/tmp" "$1/etc"
	cp "$BUSYBOX" "$1/bin/busybox"
	for a in sh echo cat sleep true tr kill test head pwd env; do
		ln -sf /bin/busybox "$1/bin/$a"
	done
	printf '#!/bin/sh\necho "script $0: $*"\nexit 4\n' >"$1/bin/hello.sh"
	printf '#!/bin/dynamic\n' >"$1/bin/dynamic.sh"
	printf '#!/bin/sh\necho no\n' >"$1/bin/not-executable.sh"
	chmod 755 "$1/bin/hello.sh" "$1/bin/dynamic.sh"
	cp /bin/true "$1/bin/dynamic" # coreutils, dynamically linked
}

# make_bundle DIR ROOTFS ARGS [ANNOTATIONS]: runc's default spec, without a
# terminal, running ARGS (a JSON array) on ROOTFS.  Its cgroup is named after
# this test's process and the bundle: runc names a container's cgroup after
# its ID otherwise, and the tests of the two platforms, which run at once,
# use the same IDs.
make_bundle() {
	mkdir -p "$1"
	rm -f "$1/config.json"
	"$RUNC" spec --bundle "$1"
	ARGS=$3 ROOT=$2 ANN=${4:-} CG="/elh-test-$$-${1##*/}" awk '
		/^\t"linux": \{$/ { print; print "\t\t\"cgroupsPath\": \"" ENVIRON["CG"] "\","; next }
		/^\t"ociVersion"/ {
			print
			if (ENVIRON["ANN"] != "")
				print "\t\"annotations\": " ENVIRON["ANN"] ","
			next
		}
		/"terminal": true/ { sub(/true/, "false") }
		/^\t\t"args": \[$/ { print "\t\t\"args\": " ENVIRON["ARGS"] ","; skip = 1; next }
		skip && /^\t\t\],$/ { skip = 0; next }
		skip { next }
		/^\t\t"path": "rootfs",$/ { print "\t\t\"path\": \"" ENVIRON["ROOT"] "\","; next }
		{ print }' "$1/config.json" >"$1/config.json.new"
	mv "$1/config.json.new" "$1/config.json"
}

# wait_for FILE TEXT PID: until FILE holds TEXT, while process PID lives,
# at most $T seconds.
wait_for() {
	_wf_n=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		_wf_n=$((_wf_n + 1))
		[ $_wf_n -le $((T * 10)) ] && kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
}
