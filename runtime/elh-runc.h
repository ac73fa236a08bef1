/* The pieces of elh-runc: the spec's adjustments, and the program check. */
#ifndef ELH_RUNTIME_ELH_RUNC_H
#define ELH_RUNTIME_ELH_RUNC_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

/* Where a container sees elh (a read-only bind mount of the static elh). */
#define ELH_RUNC_GUEST_ELH "/.elh/elh"

/* The annotations that choose elh's options for one container. */
#define ELH_RUNC_ANN_PLATFORM "elh.platform"
#define ELH_RUNC_ANN_MODE     "elh.mode"
#define ELH_RUNC_ANN_VCPUS    "elh.vcpus"

/* elh's options for one container; NULL leaves elh's default. */
struct elh_runc_opts {
	const char *platform; /* "kvm" (elh's default) or "systrap" */
	const char *mode;     /* "exitless" or "hypercall" */
	const char *vcpus;    /* "1".."64" or "per-thread" */
};

/* A container's program, as found in its root file system. */
struct elh_runc_program {
	int found;	     /* 0: it lies on a mount; elh looks for it at start */
	char path[PATH_MAX]; /* its path in the container */
	char interp[256];    /* a script's interpreter, else empty */
	char iarg[256];	     /* the optional argument of its "#!" line */
};

/* spec.c */
int elh_runc_read_opts(json_t *spec, struct elh_runc_opts *o, char *err, size_t errlen);
int elh_runc_wrapped(json_t *process);
int elh_runc_wrap_process(json_t *process, const struct elh_runc_opts *o,
			  const struct elh_runc_program *prog, char *err, size_t errlen);
int elh_runc_adjust_spec(json_t *spec, const char *elh, const struct elh_runc_opts *o, char *err,
			 size_t errlen);
json_t *elh_runc_load(const char *path, char *err, size_t errlen);
int elh_runc_store(json_t *j, const char *path, char *err, size_t errlen);

/* program.c */
int elh_runc_find_program(json_t *spec, const char *bundle, json_t *process,
			  struct elh_runc_program *prog, char *err, size_t errlen);

#endif
