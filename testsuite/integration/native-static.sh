#!/bin/sh
# The integration corpus as static executables: stock musl vs elh-musl, natively.
exec sh "$top_srcdir/testsuite/integration/compare.sh" -static native
