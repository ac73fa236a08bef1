#!/bin/sh
# The KVM platform on a host without KVM: the integration corpus compared
# as kvm-static.sh does (natively vs `elh run` on KVM, in every mode), and
# Debian's busybox applets as busybox-kvm.sh does, the hostile-guest suite
# against its native runs on this host, and threads-poll.sh's hundreds of
# user-level threads,
# inside a VM that qemu emulates with AMD-V (testsuite/vm/elh-vm), where
# /dev/kvm works.  The programs are built on the host; the VM runs them,
# natively too, so that both runs see the same system.
#
# Skips where this host has KVM (kvm-static.sh runs there, faster and on
# real hardware) and where no such VM can be made (no qemu, no kernel
# package: scripts/install-deps provides both).
. "$top_srcdir/testsuite/lib.sh"
set -e

"$ELH" check-kvm >/dev/null 2>&1 && skip "this host has KVM: kvm-static.sh and the other KVM tests run on it"
require_baseline

chmod 755 "$TMP"
COMPARE_BUILT=$TMP/bin sh "$top_srcdir/testsuite/integration/compare.sh" -static build
"$ELH_MUSL_GCC" -O2 -pthread "$top_srcdir/testsuite/stress/threads-poll.c" -o "$TMP/bin/threads-poll"
HOSTILE_BUILT=$TMP/hostile sh "$top_srcdir/testsuite/hostile/run.sh" build
cat >"$TMP/in-vm.sh" <<EOS
set -e
export ELH='$ELH' ELH_MUSL_GCC='$ELH_MUSL_GCC' MUSL_GCC='$MUSL_GCC'
export top_srcdir='$top_srcdir' top_builddir='$top_builddir' COMPARE_BUILT='$TMP/bin'
# A run in the emulated VM takes up to a hundred times its native time.
export COMPARE_TIMEOUT='${COMPARE_TIMEOUT:-300}'
'$ELH' check-kvm
st=0
sh '$top_srcdir/testsuite/integration/compare.sh' -static kvm || st=\$?
sh '$top_srcdir/testsuite/integration/busybox.sh' kvm || st=\$?
HOSTILE_BUILT='$TMP/hostile' sh '$top_srcdir/testsuite/hostile/run.sh' kvm || st=\$?
THREADS_POLL_BIN='$TMP/bin/threads-poll' THREADS_POLL_PLATFORMS=kvm \
	sh '$top_srcdir/testsuite/stress/threads-poll.sh' || st=\$?
exit \$st
EOS
set +e
"$top_srcdir/testsuite/vm/elh-vm" -t "${ELH_VM_TIMEOUT:-2400}" "$TMP" "$TMP/in-vm.sh" >"$TMP/console" 2>&1
st=$?
set -e
cat "$TMP/console"
[ $st -ne 77 ] || skip "$(grep '^elh-vm: cannot make a VM' "$TMP/console")"
[ $st -eq 0 ] || fail "the corpus, busybox, the hostile suite or threads-poll on KVM in the emulated VM: status $st"
