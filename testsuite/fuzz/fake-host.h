/*
 * The host kernel as the fuzz targets see it: no call reaches the real
 * kernel.  syscall.c is built with syscall() renamed to
 * elh_fuzz_host_syscall, and elh_icall() is defined here, so every host
 * call of the executor and its handlers lands in fake-host.c, which plays
 * the kernel's part from a script of fuzz bytes: a result or an error, and
 * what the kernel would write back (address lengths, control messages,
 * received fds, message counts).
 *
 * It also checks what the monitor hands it, as the kernel would follow it:
 * every guest buffer lies inside the arena, and every monitor copy (a
 * message header's name and control data, an address, a structure) is
 * touched over the length the monitor claims, so that AddressSanitizer sees
 * a copy shorter than its length.  A violation aborts.
 */
#ifndef ELH_TESTSUITE_FUZZ_FAKE_HOST_H
#define ELH_TESTSUITE_FUZZ_FAKE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"

/* Fds the fake kernel hands out: FAKE_FD_LOW.. are below the fuzz VM's
 * guest_fd_limit (the guest keeps them), FAKE_FD_HIGH.. above it (the
 * monitor must close them).  No real fd is ever open at those numbers
 * (fuzz_host_init checks), so the monitor's close() of one does nothing. */
#define FUZZ_FD_LIMIT 1024
#define FAKE_FD_LOW   960
#define FAKE_FD_HIGH  100000

/* Once per process: the arena the guest buffers must lie in. */
void fuzz_host_init(const struct elh_arena *arena);

/* Before each input: the bytes that decide the fake kernel's answers. */
void fuzz_host_script(const uint8_t *script, size_t len);

/* The number of host calls made since the last fuzz_host_script. */
unsigned fuzz_host_calls(void);

#endif
