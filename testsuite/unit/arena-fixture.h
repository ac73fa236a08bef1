/*
 * A fresh guest arena for each test (Check runs each test in a child):
 * vm, cpu, and the arena's bounds in base and end.
 */
#ifndef ELH_TESTSUITE_ARENA_FIXTURE_H
#define ELH_TESTSUITE_ARENA_FIXTURE_H

#include <check.h>
#include <string.h>

#include "memory.h"
#include "vm.h"

#define ARENA (64ull << 20)

static struct elh_vm vm;
static struct elh_vcpu cpu;
static uint64_t base, end;

static void setup(void)
{
	char err[256];

	memset(&vm, 0, sizeof(vm));
	vm.guest_fd_limit = 1024;
	cpu.vm = &vm;
	ck_assert_msg(elh_mm_init(&vm, ARENA, err, sizeof(err)) == 0, "%s", err);
	base = vm.arena.base;
	end = base + vm.arena.size;
}

static void teardown(void)
{
	elh_mm_destroy(&vm);
}

#endif
