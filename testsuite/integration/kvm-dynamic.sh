#!/bin/sh
# The integration corpus built dynamically (musl-gcc, gcc with glibc): natively vs under elh run (KVM).
exec sh "$top_srcdir/testsuite/integration/compare.sh" -dynamic kvm
