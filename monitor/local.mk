# The elh monitor.

bin_PROGRAMS += elh
elh_SOURCES = monitor/main.c $(elh_core_sources)
elh_CFLAGS = $(ELH_CFLAGS) -iquote $(srcdir)/arch/x86_64

# Everything but main(), shared with the unit tests.
elh_core_sources = \
	monitor/loader.c monitor/loader.h \
	monitor/guestmem.c monitor/guestmem.h \
	monitor/memory.c monitor/memory.h \
	monitor/kvm.c monitor/kvm.h

EXTRA_DIST += monitor/README.md
