#!/bin/sh
# elh-runc against plain runc on busybox-static bundles, on systrap.
exec sh "$top_srcdir/testsuite/oci/bundles.sh" systrap
