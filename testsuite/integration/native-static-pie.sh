#!/bin/sh
# The integration corpus as static PIEs: stock musl vs elh-musl, natively.
exec sh "$top_srcdir/testsuite/integration/compare.sh" -static-pie native
