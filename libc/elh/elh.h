#ifndef ELH_H
#define ELH_H

/* The ELH client's internal interface (src/elh/). */

#include <stdint.h>
#include <time.h>
#include "elh-abi.h"
#include "syscall.h"
#include "futex.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441 /* Linux 5.11; musl 1.2.3 predates it */
#endif

/* A system call made with the `syscall` instruction: a trap to the
 * monitor under elh, the kernel's call outside. */
static inline long __elh_trap(long n, long a, long b, long c, long d, long e, long f)
{
	unsigned long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline uint64_t __elh_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The monitor's shared area once found (exit-less mode), else 0. */
extern hidden struct elh_shared *__elh_shared;

/* 1 under elh in exit-less mode (the area is looked for on first use). */
hidden int __elh_exitless(void);

/* Use an area the guest made itself (nptl-elh's in-process pool); stop
 * using it (in a child of fork, where its workers are gone). */
hidden void __elh_attach(struct elh_shared *);
hidden void __elh_detach(void);

hidden long __elh_syscall(long, long, long, long, long, long, long);
hidden long __elh_syscall_cp(volatile int *, long, long, long, long, long, long, long);

/* From musl's cancellation code. */
hidden long __cancel(void);
hidden long __syscall_cp_asm(volatile void *, long, long, long, long, long, long, long);

/* 0 with *ts set, or -1: make the call. */
hidden int __elh_clock_gettime(clockid_t, struct timespec *);

#endif
