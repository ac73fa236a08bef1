#!/bin/sh
# elh-musl-gcc builds static executables (and static PIEs) linked against
# elh-musl, not against glibc or Debian's stock musl.
. "$top_srcdir/testsuite/lib.sh"
set -e

cat >"$TMP/hello.c" <<'C'
#include <stdio.h>
#include <string.h>
const char *__elh_musl_version(void);
int main(int argc, char **argv)
{
	printf("hello from %s, argc=%d\n", __elh_musl_version(), argc);
	return strcmp(argv[argc - 1], "seven") ? 3 : 7;
}
C

"$ELH_MUSL_GCC" -O2 -Wall "$TMP/hello.c" -o "$TMP/hello"
file "$TMP/hello" | tee "$TMP/file.txt"
grep -q "statically linked" "$TMP/file.txt" || fail "default output is not statically linked"
grep -q "ELF 64-bit LSB executable, x86-64" "$TMP/file.txt" || fail "default output is not a plain executable"
set +e
"$TMP/hello" one seven >"$TMP/out"
st=$?
set -e
[ $st -eq 7 ] || fail "exit status $st, expected 7"
[ "$(cat "$TMP/out")" = "hello from 1.2.3-elh, argc=3" ] || fail "unexpected output: $(cat "$TMP/out")"

"$ELH_MUSL_GCC" -static-pie -O2 "$TMP/hello.c" -o "$TMP/hello-pie"
file "$TMP/hello-pie" | tee "$TMP/file-pie.txt"
grep -q "static-pie linked" "$TMP/file-pie.txt" || fail "-static-pie output is not a static PIE"
"$TMP/hello-pie" seven >"$TMP/out" || [ $? -eq 7 ] || fail "static PIE failed"
[ "$(cat "$TMP/out")" = "hello from 1.2.3-elh, argc=2" ] || fail "unexpected PIE output: $(cat "$TMP/out")"

# Separate compile and link steps, as make does them.
"$ELH_MUSL_GCC" -c "$TMP/hello.c" -o "$TMP/hello.o"
"$ELH_MUSL_GCC" "$TMP/hello.o" -o "$TMP/hello2"
"$TMP/hello2" seven >/dev/null || [ $? -eq 7 ] || fail "two-step build failed"

# Headers are musl's: glibc-only extensions are absent.
printf '#include <stdio.h>\n#ifdef __GLIBC__\n#error glibc headers\n#endif\nint main(void){return 0;}\n' >"$TMP/hdr.c"
"$ELH_MUSL_GCC" "$TMP/hdr.c" -o "$TMP/hdr" || fail "glibc headers leaked into elh-musl-gcc"

# No shared library exists: -shared is refused with a reason.
if "$ELH_MUSL_GCC" -shared "$TMP/hello.c" -o "$TMP/libx.so" 2>"$TMP/err"; then
	fail "-shared was accepted"
fi
grep -q "static-only" "$TMP/err" || fail "no reason given for refusing -shared"
echo "ok: static, static-pie, two-step, headers, -shared refused"
