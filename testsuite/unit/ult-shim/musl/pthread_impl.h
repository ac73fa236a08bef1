/* In place of musl's pthread_impl.h for the native unit tests of
 * nptl-elh (ult-shim/README.md): the fields of the thread block the
 * runtime uses. */
#ifndef ULT_SHIM_PTHREAD_IMPL_H
#define ULT_SHIM_PTHREAD_IMPL_H

#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define hidden __attribute__((__visibility__("hidden")))

#ifndef _NSIG
#define _NSIG 65
#endif

struct pthread {
	struct pthread *self;
	int tid;
	size_t guard_size;
	void *elh_ult;
};

struct pthread *__pthread_self(void);

#endif
