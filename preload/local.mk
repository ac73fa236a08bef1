# libelh-preload.so: the LD_PRELOAD shim that makes dynamically linked
# glibc programs' frequent calls exit-less (preload/README.md).  Built as
# a program of the linker's -shared kind: the project has no libtool.

elhlibdir = $(libdir)/elh
elhlib_PROGRAMS = preload/libelh-preload.so
preload_libelh_preload_so_SOURCES = preload/elh-preload.c arch/x86_64/elh-client.h
preload_libelh_preload_so_CFLAGS = $(ELH_CFLAGS) -fPIC -fvisibility=hidden \
	-iquote $(srcdir)/arch/x86_64
preload_libelh_preload_so_LDFLAGS = -shared -Wl,-z,defs -Wl,-soname,libelh-preload.so
preload_libelh_preload_so_LDADD = -ldl

EXTRA_DIST += preload/README.md
