#!/bin/sh
# Debian's dynamically linked programs natively vs under elh run (KVM).
exec sh "$top_srcdir/testsuite/integration/debian.sh" kvm
