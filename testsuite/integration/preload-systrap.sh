#!/bin/sh
# libelh-preload.so under elh run --platform=systrap.
exec sh "$top_srcdir/testsuite/integration/preload.sh" systrap
