#!/bin/sh
# Debian busybox-static applets natively vs under elh run (KVM).
exec sh "$top_srcdir/testsuite/integration/busybox.sh" kvm
