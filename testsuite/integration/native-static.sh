#!/bin/sh
# The integration corpus, static executables: stock musl vs elh-musl, natively.
exec sh "$top_srcdir/testsuite/integration/compare.sh" -static
