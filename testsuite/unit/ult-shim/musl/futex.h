/* In place of musl's futex.h (ult-shim/README.md): musl's names. */
#ifndef ULT_SHIM_FUTEX_H
#define ULT_SHIM_FUTEX_H

#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_REQUEUE	     3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_LOCK_PI	     6
#define FUTEX_UNLOCK_PI	     7
#define FUTEX_TRYLOCK_PI     8
#define FUTEX_WAIT_BITSET    9
#define FUTEX_PRIVATE	     128
#define FUTEX_CLOCK_REALTIME 256

#endif
