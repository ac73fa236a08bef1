/* Shared by the corpus programs: a check that names the failed line. */
#ifndef ELH_CORPUS_CHECK_H
#define ELH_CORPUS_CHECK_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A program that waits for something arms alarm(WATCHDOG_SECONDS), so that
 * a hang ends it with SIGALRM.  It is no time limit: the KVM corpus in the
 * emulated VM runs a hypercall-mode program a hundred times slower than
 * natively, more under load; compare.sh's timeout bounds each run. */
#define WATCHDOG_SECONDS 600

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "FAIL: line %d: %s (errno %s)\n", __LINE__, #c,            \
				errno_name(errno));                                                \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static inline const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EADDRINUSE: return "EADDRINUSE";
	default: return "other";
	}
}

/* FNV-1a: a checksum of data a program moved around, printed instead of
 * the data. */
static inline unsigned int fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned int h = 2166136261u;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

/* A private scratch directory under /tmp; removed by the caller. */
static inline char *scratch_dir(void)
{
	static char dir[] = "/tmp/elh-corpus-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	return dir;
}

#endif
