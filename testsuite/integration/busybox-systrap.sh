#!/bin/sh
# Debian busybox-static applets natively vs under elh run --platform=systrap.
exec sh "$top_srcdir/testsuite/integration/busybox.sh" systrap
