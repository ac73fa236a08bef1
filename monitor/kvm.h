/* Access to the host's KVM. */
#ifndef ELH_MONITOR_KVM_H
#define ELH_MONITOR_KVM_H

#include <stddef.h>
#include <stdio.h>

/*
 * Open /dev/kvm (or $ELH_KVM_DEVICE) and check that it speaks the stable
 * KVM API.  Returns the fd, or -1 with a one-line reason in err that says
 * what is missing and what to do about it.
 */
int elh_kvm_open(char *err, size_t errlen);

/*
 * elh check-kvm: make a VM, probe how it enters the monitor, and print
 * what was found (flavour, entry, FSGSBASE, clock), one line each.
 * Returns 0, or -1 with the reason in err.  platform-kvm.c.
 */
int elh_kvm_describe(FILE *out, char *err, size_t errlen);

#endif
