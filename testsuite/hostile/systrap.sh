#!/bin/sh
# The hostile-guest suite under elh run --platform=systrap.
exec sh "$top_srcdir/testsuite/hostile/run.sh" systrap
