#!/bin/sh
# elh-runc against plain runc on busybox-static bundles, on KVM.
exec sh "$top_srcdir/testsuite/oci/bundles.sh" kvm
