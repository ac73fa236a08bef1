/* In place of musl's syscall.h (ult-shim/README.md). */
#ifndef ULT_SHIM_SYSCALL_H
#define ULT_SHIM_SYSCALL_H
#include <sys/syscall.h>
#endif
