/* In place of the ELH client's elh.h (ult-shim/README.md): the same
 * interface, served by shim.c. */
#ifndef ULT_SHIM_ELH_H
#define ULT_SHIM_ELH_H

#include <stdint.h>
#include <time.h>
#include <elh-abi.h>
#include "syscall.h"
#include "futex.h"

long __elh_trap(long n, long a, long b, long c, long d, long e, long f);

static inline uint64_t __elh_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

extern struct elh_shared *__elh_shared;
int __elh_clock_gettime(clockid_t, struct timespec *);

#endif
