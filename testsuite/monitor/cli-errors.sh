#!/bin/sh
# elh refuses what it cannot run with one clear line and a distinct status.
. "$top_srcdir/testsuite/lib.sh"
set -e

# expect STATUS PATTERN CMD...: CMD fails with STATUS and one stderr line
# matching PATTERN.
expect() {
	want=$1 pattern=$2
	shift 2
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	set -e
	[ $st -eq "$want" ] || { cat "$TMP/err"; fail "$*: status $st, expected $want"; }
	grep -q -- "$pattern" "$TMP/err" || { cat "$TMP/err"; fail "$*: message does not match '$pattern'"; }
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "$*: more than one line of error"; }
	echo "ok: $* -> $st: $(cat "$TMP/err")"
}

expect 127 "No such file or directory" "$ELH" run "$TMP/missing"
expect 127 "No such file or directory" "$ELH" run no-such-program-anywhere-elh

printf 'just text\n' >"$TMP/text"
expect 126 "is not an ELF executable" "$ELH" run "$TMP/text"

# A dynamically linked program runs (the test's own shell) ...
sh_path=$(command -v sh)
sh_real=$(readlink -f "$sh_path")
if file -L "$sh_real" | grep -q "dynamically linked"; then
	set +e
	out=$("$ELH" run --platform=systrap "$sh_real" -c 'echo dynamic; exit 5' 2>&1)
	st=$?
	set -e
	[ $st -eq 5 ] && [ "$out" = dynamic ] || fail "$sh_real under elh: status $st, output '$out'"
	echo "ok: $sh_real, dynamically linked, runs under elh"
fi

# ELF headers for other machines and classes.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000' >"$TMP/arm64"
head -c 64 /dev/zero >>"$TMP/arm64"
expect 126 "ELF file for AArch64" "$ELH" run "$TMP/arm64"
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000' >"$TMP/i386"
head -c 64 /dev/zero >>"$TMP/i386"
expect 126 "32-bit ELF" "$ELH" run "$TMP/i386"

# ... unless its interpreter is missing, or no x86-64 ld.so.
printf 'int main(void){return 0;}\n' >"$TMP/dyn.c"
cc "$TMP/dyn.c" -o "$TMP/no-interp" -Wl,--dynamic-linker="$TMP/missing-ld.so"
expect 126 "is dynamically linked, and its interpreter $TMP/missing-ld.so cannot be opened: No such file" \
	"$ELH" run "$TMP/no-interp"
cc "$TMP/dyn.c" -o "$TMP/i386-interp" -Wl,--dynamic-linker="$TMP/i386"
expect 126 "its interpreter $TMP/i386 is a 32-bit ELF file" "$ELH" run "$TMP/i386-interp"
cc "$TMP/dyn.c" -o "$TMP/dyn-interp" -Wl,--dynamic-linker="$TMP/no-interp"
expect 126 "its interpreter $TMP/no-interp is not a self-contained shared object" \
	"$ELH" run "$TMP/dyn-interp"

# A set-user-ID program whose owner is someone else: elh cannot give it
# that account.
if [ "$(id -u)" -eq 0 ] && nobody=$(id -u nobody 2>/dev/null); then
	cc "$TMP/dyn.c" -o "$TMP/setuid"
	chown "$nobody" "$TMP/setuid"
	chmod 4755 "$TMP/setuid"
	expect 126 "is set-user-ID (to uid $nobody); elh cannot give a program other credentials" \
		"$ELH" run "$TMP/setuid"
else
	echo "not root: the set-user-ID refusal is not tested"
fi

# A relocatable object.
printf 'int f(void){return 1;}\n' >"$TMP/o.c"
cc -c "$TMP/o.c" -o "$TMP/o.o"
expect 126 "relocatable object" "$ELH" run "$TMP/o.o"

expect 2 "unknown mode" "$ELH" run --mode=turbo /bin/true
expect 2 "bad --arena-size" "$ELH" run --arena-size=12Q /bin/true
expect 2 "no program given" "$ELH" run

# A good static program: with no usable KVM, the reason is given (125).
printf 'int main(void){return 0;}\n' >"$TMP/ok.c"
"$ELH_MUSL_GCC" "$TMP/ok.c" -o "$TMP/ok"
if reason=$("$ELH" check-kvm); then
	echo "KVM is usable here: the no-KVM path is tested through ELH_KVM_DEVICE only"
else
	expect 125 "${reason#elh: KVM unusable: }" "$ELH" run "$TMP/ok"
fi
expect 125 "cannot open $TMP/none: KVM is not available" env ELH_KVM_DEVICE="$TMP/none" "$ELH" run "$TMP/ok"
expect 125 "is not a KVM device" env ELH_KVM_DEVICE=/dev/null "$ELH" run "$TMP/ok"
expect 2 "unknown platform" "$ELH" run --platform=bogus "$TMP/ok"

# The same program on the systrap platform runs, and its status passes through.
printf 'int main(int c, char **v){return c == 3 && v[2][0] == 0x62 ? 42 : 1;}\n' >"$TMP/st.c"
"$ELH_MUSL_GCC" "$TMP/st.c" -o "$TMP/st"
set +e
"$ELH" run --platform=systrap "$TMP/st" a b
st=$?
set -e
[ $st -eq 42 ] || fail "systrap run: status $st, expected 42"
echo "ok: systrap run passes the exit status through"

# --argv0 sets the program's argv[0].
printf '#include <string.h>\nint main(int c, char **v){return strcmp(v[0], "other-name") ? 1 : 43;}\n' >"$TMP/a0.c"
"$ELH_MUSL_GCC" "$TMP/a0.c" -o "$TMP/a0"
set +e
"$ELH" run --platform=systrap --argv0=other-name "$TMP/a0"
st=$?
set -e
[ $st -eq 43 ] || fail "--argv0: status $st, expected 43"
echo "ok: --argv0 names the program's argv[0]"

# execve of a program elh cannot run fails in the caller with ENOEXEC and
# one line saying why; execve of one it can run replaces the caller, with
# elh's options kept (--stats: each program prints its own).
cat >"$TMP/ex.c" <<'PROG'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char *args[] = { "x", NULL };
	if (argc > 1 && !strcmp(argv[1], "again")) return 44;
	execv(argv[1], args);
	if (errno != ENOEXEC) return 1;
	args[0] = "again";
	execv(argv[0], (char *[]){ argv[0], "again", NULL });
	return 2;
}
PROG
"$ELH_MUSL_GCC" "$TMP/ex.c" -o "$TMP/ex"
expect 44 "execve: $TMP/i386-interp is dynamically linked, and its interpreter $TMP/i386 is a 32-bit" \
	"$ELH" run --platform=systrap "$TMP/ex" "$TMP/i386-interp"
set +e
chmod +x "$TMP/text"
"$ELH" run --platform=systrap --mode=hypercall --stats "$TMP/ex" "$TMP/text" 2>"$TMP/err"
st=$?
set -e
[ $st -eq 44 ] || { cat "$TMP/err"; fail "execve under elh: status $st, expected 44"; }
n=$(grep -c "^vcpus: 1 at most at once; one per thread" "$TMP/err")
[ "$n" -eq 2 ] || { cat "$TMP/err"; fail "execve under elh: $n --stats reports of hypercall mode, expected 2"; }
echo "ok: execve under elh keeps elh's options"

