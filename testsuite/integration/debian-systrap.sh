#!/bin/sh
# Debian's dynamically linked programs natively vs under elh run --platform=systrap.
exec sh "$top_srcdir/testsuite/integration/debian.sh" systrap
