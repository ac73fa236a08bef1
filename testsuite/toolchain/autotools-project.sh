#!/bin/sh
# An ordinary autotools project builds with CC=elh-musl-gcc.
. "$top_srcdir/testsuite/lib.sh"
set -e

command -v autoreconf >/dev/null || skip "autoreconf is not installed"

mkdir "$TMP/proj"
cd "$TMP/proj"
cat >configure.ac <<'AC'
AC_INIT([wordfreq], [1.0])
AM_INIT_AUTOMAKE([foreign])
AC_PROG_CC
AC_CONFIG_HEADERS([config.h])
AC_CHECK_HEADERS([pthread.h sys/epoll.h])
AC_SEARCH_LIBS([pthread_create], [pthread])
AC_SEARCH_LIBS([sqrt], [m])
AC_CHECK_FUNCS([__elh_musl_version])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
AC
cat >Makefile.am <<'AM'
bin_PROGRAMS = wordfreq
wordfreq_SOURCES = main.c count.c count.h
AM
cat >count.h <<'H'
int count_words(const char *s);
H
cat >count.c <<'C'
#include <ctype.h>
#include "count.h"
int count_words(const char *s)
{
	int n = 0, in = 0;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			in = 0;
		else if (!in++)
			n++;
	}
	return n;
}
C
cat >main.c <<'C'
#include <math.h>
#include <stdio.h>
#include "config.h"
#include "count.h"
int main(void)
{
#if HAVE_PTHREAD_H && HAVE_SYS_EPOLL_H && HAVE___ELH_MUSL_VERSION
	const char *__elh_musl_version(void);
	printf("%d words, sqrt %.1f, %s\n", count_words("an ordinary autotools project"),
	       sqrt(16.0), __elh_musl_version());
	return 0;
#else
	return 1;
#endif
}
C
autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log; fail "autoreconf failed"; }
CC="$ELH_MUSL_GCC" ./configure >configure.log 2>&1 || { cat configure.log; fail "configure with CC=elh-musl-gcc failed"; }
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make >make.log 2>&1 || { cat make.log; fail "make failed"; }
out=$(./wordfreq)
[ "$out" = "4 words, sqrt 4.0, 1.2.3-elh" ] || fail "unexpected output: $out"
file wordfreq | grep -q "statically linked" || fail "not statically linked"
echo "ok: $out"
