/*
 * The executor (monitor/syscall.c) as the fuzz targets build it: its one
 * raw host call, syscall(), goes to the fake kernel of fake-host.c.
 */
#define syscall elh_fuzz_host_syscall
#include "../../monitor/syscall.c"
