/*
 * The executor's internals, shared by syscall.c (the table, validation,
 * dispatch), trace.c (--trace) and stats.c (--stats and the per-VM
 * state): not for the handler families, which see syscall.h only.
 */
#ifndef ELH_MONITOR_EXECUTOR_H
#define ELH_MONITOR_EXECUTOR_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "syscall.h"

#define MAX_PATHS   2
#define MAX_STRUCTS 3
#define STRUCT_SLOT 64

/* Monitor copies of one call's arguments, made by validation and printed
 * by the trace. */
struct sys_scratch {
	_Alignas(16) unsigned char st[MAX_STRUCTS][STRUCT_SLOT];
	unsigned copied; /* bit i: argument i points at a copy */
	char path[MAX_PATHS][PATH_MAX];
};

/* A raw kernel result that is an error (-4095..-1). */
static inline bool elh_sys_is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

/* One --trace line for call nr (d NULL: unknown), its arguments as the
 * guest gave them (a) and as validated (v, with the copies in s); done:
 * ret is its result, else the call has not returned yet. */
void elh_sys_trace(struct elh_vcpu *cpu, long nr, const struct elh_sysdesc *d, const uint64_t a[6],
		   const uint64_t v[6], const struct sys_scratch *s, bool done, long ret);

/* Count one call for --stats: its number, result and time. */
void elh_sys_account(struct elh_vm *vm, unsigned nr, long ret, uint64_t ns);

/* A call's name for people: "read (0)", "syscall_999", "x32 syscall...". */
void elh_sys_label(char *out, size_t n, int64_t nr);

/* CLOCK_MONOTONIC in ns. */
uint64_t elh_sys_now_ns(void);

#endif
