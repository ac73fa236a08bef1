#!/bin/sh
# The integration corpus as static executables: natively vs under elh run --platform=systrap.
exec sh "$top_srcdir/testsuite/integration/compare.sh" -static systrap
