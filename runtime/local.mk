# elh-runc, the OCI runtime, and the static elh it puts in containers.

bin_PROGRAMS += elh-runc
elh_runc_SOURCES = runtime/main.c runtime/spec.c runtime/program.c runtime/elh-runc.h \
	monitor/loader.c monitor/errors.c monitor/memory.c monitor/guestmem.c
elh_runc_CFLAGS = $(ELH_CFLAGS) $(JANSSON_CFLAGS) -iquote $(srcdir)/monitor \
	-iquote $(srcdir)/arch/x86_64 \
	-DELH_RUNC_DEFAULT_RUNC='"runc"' \
	-DELH_RUNC_DEFAULT_ELH='"$(pkglibexecdir)/elh-static"'
elh_runc_LDADD = $(JANSSON_LIBS)

# A container sees none of the host's libraries: the elh it runs is a static
# PIE (PIE, so that the guest arena's low addresses are free).
pkglibexec_PROGRAMS = runtime/elh-static
runtime_elh_static_SOURCES = $(elh_SOURCES)
# Never sanitized: ASan and UBSan have no static runtime.
runtime_elh_static_CFLAGS = $(elh_plain_cflags) -DELH_STATIC
runtime_elh_static_LDFLAGS = -static-pie
runtime_elh_static_LDADD = $(elh_LDADD)

EXTRA_DIST += runtime/README.md
