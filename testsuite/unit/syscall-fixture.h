/* The fixture shared by the system-call executor's unit tests: a test arena, a VM and a vCPU. */
#ifndef ELH_SYSCALL_FIXTURE_H
#define ELH_SYSCALL_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "syscall.h"
#include "vm.h"

#define LIMIT	   256 /* the test VM's guest_fd_limit */
#define ARENA_SIZE (4u << 20)

extern struct elh_vm vm;
extern struct elh_vcpu cpu;
extern unsigned char *mem; /* the arena: guest memory */
extern char tmpdir[];	   /* the current directory of each test */

#define G(p) ((uint64_t)(uintptr_t)(p))

/* A guest system call through the executor, on the fixture's vCPU. */
long sys6(long nr, const uint64_t a[6]);
#define SC(nr, ...) sys6((nr), (const uint64_t[6]){ __VA_ARGS__ })

void *galloc(size_t n);	   /* zeroed, 16-aligned, inside the arena */
char *gstr(const char *s); /* a copy inside the arena */
int monitor_fd(void);	   /* an fd at or above LIMIT, like the monitor's own */
char *stats_text(void);	   /* elh_sys_stats_print's output, malloc'ed */

void fixture_setup(void);
void fixture_teardown(void);

Suite *files_suite(void);
Suite *net_suite(void);
Suite *poll_suite(void);

#endif
