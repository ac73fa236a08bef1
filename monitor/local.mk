# The elh monitor.

bin_PROGRAMS += elh
elh_SOURCES = monitor/main.c $(elh_core_sources)
elh_plain_cflags = $(ELH_CFLAGS) $(CAPSTONE_CFLAGS) $(SECCOMP_CFLAGS) -iquote $(srcdir)/arch/x86_64 \
	-DELH_PRELOAD_PATH=\"$(elhlibdir)/libelh-preload.so\"
# With --enable-sanitizers, ASan and UBSan (configure.ac).
elh_CFLAGS = $(elh_plain_cflags) $(ELH_MONITOR_CFLAGS)
elh_LDFLAGS = $(ELH_MONITOR_LDFLAGS)
elh_LDADD = $(CAPSTONE_LIBS) $(SECCOMP_LIBS)

# Everything but main(), shared with the unit tests.
elh_core_sources = \
	monitor/loader.c monitor/loader.h \
	monitor/guestmem.c monitor/guestmem.h \
	monitor/memory.c monitor/memory.h \
	monitor/syscall.c monitor/syscall.h monitor/executor.h monitor/trace.c monitor/stats.c \
	monitor/sys_file.c monitor/sys_ioctl.c monitor/sys_net.c monitor/procfs.c monitor/procfs.h \
	monitor/sys_poll.c monitor/sys_proc.c monitor/sys_exec.c monitor/process.c monitor/process.h monitor/sys_ipc.c \
	monitor/kvm.c monitor/kvm.h \
	monitor/errors.c monitor/errors.h \
	monitor/exitless.c monitor/exitless.h monitor/clock.c \
	monitor/run.c monitor/run.h \
	monitor/thread.c monitor/thread.h \
	monitor/signal.c monitor/signal.h \
	monitor/special.h monitor/vm.h \
	monitor/platform.h monitor/platform-systrap.c monitor/platform-kvm.c \
	monitor/fault.c monitor/fault.h \
	monitor/allowlist.c monitor/allowlist.h

EXTRA_DIST += monitor/README.md
