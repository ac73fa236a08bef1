#!/bin/sh
# What an idle guest costs: the CPU time the whole `elh` process uses while
# its guest sleeps SECONDS (default 5) in one nanosleep, in each mode, as a
# percentage of one core.  Also the same for the program run natively.
#
# Usage: benchmarks/idle.sh [SECONDS]   (make bench-idle)
# Environment: ELH, ELH_MUSL_GCC (make sets them), ELH_RUN_ARGS (e.g.
# --platform=systrap on a host without KVM).
set -eu

secs=${1:-5}
case $secs in '' | *[!0-9]* | 0) echo "idle.sh: SECONDS must be a positive integer" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
: "${ELH:?set ELH to the elh binary}" "${ELH_MUSL_GCC:?set ELH_MUSL_GCC}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$ELH_MUSL_GCC" -O2 "$here/idle/sleeper.c" -o "$tmp/sleeper"

# cpu_percent CMD...: user+system time of CMD and its threads over its
# wall time, in percent of one core.
cpu_percent() {
	/usr/bin/time -f '%U %S %e' -o "$tmp/time" "$@" >/dev/null || return 1
	awk '{ printf "%.2f", ($1 + $2) * 100 / ($3 > 0 ? $3 : 1) }' "$tmp/time"
}

printf '%-12s %s\n' mode "cpu % of one core while the guest sleeps ${secs}s"
printf '%-12s %s\n' native "$(cpu_percent "$tmp/sleeper" "$secs")"
for mode in exitless hypercall; do
	# shellcheck disable=SC2086 # ELH_RUN_ARGS is a list of options
	if p=$(cpu_percent "$ELH" run ${ELH_RUN_ARGS:-} --mode=$mode "$tmp/sleeper" "$secs"); then
		printf '%-12s %s\n' "$mode" "$p"
	else
		printf '%-12s %s\n' "$mode" "unavailable: elh run failed"
	fi
done
