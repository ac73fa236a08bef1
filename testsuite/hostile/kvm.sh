#!/bin/sh
# The hostile-guest suite under elh run on KVM (skips without a usable /dev/kvm).
exec sh "$top_srcdir/testsuite/hostile/run.sh" kvm
