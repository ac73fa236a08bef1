#!/bin/sh
# containerd runs containers through elh-runc, on systrap.
exec sh "$top_srcdir/testsuite/oci/containerd.sh" systrap
