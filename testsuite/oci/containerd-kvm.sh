#!/bin/sh
# containerd runs containers through elh-runc, on KVM.
exec sh "$top_srcdir/testsuite/oci/containerd.sh" kvm
