#!/bin/sh
# libelh-preload.so under elh run (KVM).
exec sh "$top_srcdir/testsuite/integration/preload.sh" kvm
