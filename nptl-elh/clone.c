#include <stdarg.h>
#include "pthread_impl.h"
#include "ult.h"

/* musl's __clone: a thread becomes a user-level thread under an M:N
 * monitor; everything else (and every thread outside one) is a kernel
 * clone, as musl's own assembly makes it. */
int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	int *ptid, *ctid, handled = 0, r;
	void *tls;

	va_start(ap, arg);
	ptid = va_arg(ap, int *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, int *);
	va_end(ap);
	r = __elh_ult_clone(fn, stack, flags, arg, ptid, tls, ctid, &handled);
	if (handled)
		return r;
	return __clone_kernel(fn, stack, flags, arg, ptid, tls, ctid);
}
