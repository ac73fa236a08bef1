# elh-musl: musl 1.2.3 from Debian's source archive plus the patch series in
# libc/patches, built out of tree into libc/sysroot, and its gcc wrapper.

MUSL_VERSION = 1.2.3
MUSL_SHA256 = 7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4
MUSL_ORIG = libc/musl_$(MUSL_VERSION).orig.tar.gz
MUSL_PATCHES = $(shell sed -e '/^\#/d' -e '/^$$/d' -e 's|^|$(srcdir)/libc/patches/|' $(srcdir)/libc/patches/series)

musl_sysroot = $(abs_top_builddir)/libc/sysroot
musl_instdir = $(libdir)/elh-musl

EXTRA_DIST += libc/README.md libc/fetch-musl.sh libc/prepare-musl.sh libc/refresh-patches.sh \
	libc/elh-musl-gcc.in libc/elh-musl-gcc.specs.in \
	libc/patches/series $(MUSL_PATCHES)

$(MUSL_ORIG):
	$(AM_V_GEN)$(MKDIR_P) libc && \
	if test -n "$(MUSL_TARBALL)"; then \
		cp "$(MUSL_TARBALL)" $@.tmp && mv $@.tmp $@; \
	else \
		MUSL_VERSION=$(MUSL_VERSION) $(SHELL) $(srcdir)/libc/fetch-musl.sh libc/apt $@; \
	fi

# ELH's own files in musl's tree, kept here as ordinary source rather than
# inside patches: the client (the system-call layer the series hooks in),
# copied into src/elh/ of the prepared tree, with the ABI headers it shares
# with the monitor.
ELH_CLIENT_FILES = libc/elh/elh.h libc/elh/syscall.c libc/elh/clock.c libc/elh/version.c
ELH_ABI_FILES = arch/x86_64/elh-abi.h arch/x86_64/elh-calls.h arch/x86_64/elh-client.h
EXTRA_DIST += libc/elh/README.md $(ELH_CLIENT_FILES)

# nptl-elh, the project's thread library, is built as part of musl: its
# sources are copied into src/nptl-elh/ of the prepared tree, with the
# context switch (musl's build takes src/*/x86_64/*.s).
NPTL_ELH_FILES = nptl-elh/ult.c nptl-elh/ult.h nptl-elh/ult-internal.h nptl-elh/sched.c \
	nptl-elh/futex.c nptl-elh/signals.c nptl-elh/pool.c nptl-elh/stack.c nptl-elh/shared.c nptl-elh/clone.c nptl-elh/unmapself.c
NPTL_ELH_ASM = arch/x86_64/ult_switch.s arch/x86_64/icall.S
# The interruptible call is the monitor's own (one file for both sides).
nptl_elh_arch_headers = arch/x86_64/icall.h
EXTRA_DIST += $(NPTL_ELH_FILES) arch/x86_64/ult_switch.s

# The ABI headers are the monitor's own: one header for both sides, copied
# in rather than kept twice.
libc/musl-src/.prepared: $(MUSL_ORIG) $(srcdir)/libc/patches/series $(MUSL_PATCHES) \
		$(srcdir)/libc/prepare-musl.sh \
		$(addprefix $(srcdir)/,$(ELH_CLIENT_FILES) $(ELH_ABI_FILES) $(NPTL_ELH_FILES) $(nptl_elh_arch_headers) $(NPTL_ELH_ASM))
	$(AM_V_GEN)$(SHELL) $(srcdir)/libc/prepare-musl.sh $(MUSL_ORIG) $(MUSL_SHA256) libc/musl-src $(srcdir)/libc/patches && \
	$(MKDIR_P) libc/musl-src/src/elh && \
	cp $(addprefix $(srcdir)/,$(ELH_CLIENT_FILES) $(ELH_ABI_FILES)) libc/musl-src/src/elh/ && \
	$(MKDIR_P) libc/musl-src/src/nptl-elh/x86_64 && \
	cp $(addprefix $(srcdir)/,$(NPTL_ELH_FILES) $(nptl_elh_arch_headers)) libc/musl-src/src/nptl-elh/ && \
	cp $(addprefix $(srcdir)/,$(NPTL_ELH_ASM)) libc/musl-src/src/nptl-elh/x86_64/ && \
	touch $@

# musl gets its own flags: neither ELH's warning flags nor a CFLAGS given to
# this make reach it.
libc/sysroot/.built: libc/musl-src/.prepared
	$(AM_V_GEN)rm -rf libc/musl-build libc/sysroot && $(MKDIR_P) libc/musl-build && \
	cd libc/musl-build && \
	../musl-src/configure --prefix=$(musl_sysroot) --disable-shared \
		CC="$(REALGCC)" CFLAGS="-O2 -g" >configure.log 2>&1 || \
		{ cat configure.log >&2; echo "libc: musl's configure failed" >&2; exit 1; }
	$(AM_V_at)$(MAKE) -C libc/musl-build CFLAGS="-O2 -g" CPPFLAGS= LDFLAGS= >libc/musl-build.log 2>&1 || \
		{ tail -n 40 libc/musl-build.log >&2; echo "libc: building musl failed (log: libc/musl-build.log)" >&2; exit 1; }
	$(AM_V_at)$(MAKE) -C libc/musl-build install CFLAGS="-O2 -g" CPPFLAGS= LDFLAGS= >>libc/musl-build.log 2>&1 || \
		{ tail -n 40 libc/musl-build.log >&2; echo "libc: installing musl into libc/sysroot failed" >&2; exit 1; }
	$(AM_V_at)touch $@

elh_musl_subst = $(SED) -e 's|@REALGCC[@]|$(REALGCC)|g'

libc/sysroot/lib/elh-musl-gcc.specs: libc/sysroot/.built $(srcdir)/libc/elh-musl-gcc.specs.in
	$(AM_V_GEN)$(elh_musl_subst) -e 's|@MUSL_LIBDIR[@]|$(musl_sysroot)/lib|g' \
		-e 's|@MUSL_INCDIR[@]|$(musl_sysroot)/include|g' \
		$(srcdir)/libc/elh-musl-gcc.specs.in >$@

libc/elh-musl-gcc: $(srcdir)/libc/elh-musl-gcc.in libc/sysroot/lib/elh-musl-gcc.specs
	$(AM_V_GEN)$(elh_musl_subst) -e 's|@MUSL_LIBDIR[@]|$(musl_sysroot)/lib|g' \
		$(srcdir)/libc/elh-musl-gcc.in >$@.tmp && chmod +x $@.tmp && mv $@.tmp $@

libc/installed/elh-musl-gcc.specs: $(srcdir)/libc/elh-musl-gcc.specs.in Makefile
	$(AM_V_GEN)$(MKDIR_P) libc/installed && \
	$(elh_musl_subst) -e 's|@MUSL_LIBDIR[@]|$(musl_instdir)/lib|g' \
		-e 's|@MUSL_INCDIR[@]|$(musl_instdir)/include|g' \
		$(srcdir)/libc/elh-musl-gcc.specs.in >$@

libc/installed/elh-musl-gcc: $(srcdir)/libc/elh-musl-gcc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) libc/installed && \
	$(elh_musl_subst) -e 's|@MUSL_LIBDIR[@]|$(musl_instdir)/lib|g' \
		$(srcdir)/libc/elh-musl-gcc.in >$@

ELH_MUSL_GCC = $(abs_top_builddir)/libc/elh-musl-gcc

all-local: libc/elh-musl-gcc libc/installed/elh-musl-gcc libc/installed/elh-musl-gcc.specs

install-exec-local: libc/installed/elh-musl-gcc
	$(MKDIR_P) $(DESTDIR)$(bindir)
	$(INSTALL_SCRIPT) libc/installed/elh-musl-gcc $(DESTDIR)$(bindir)/elh-musl-gcc

install-data-local: libc/sysroot/.built libc/installed/elh-musl-gcc.specs
	$(MKDIR_P) $(DESTDIR)$(musl_instdir)
	cp -R libc/sysroot/lib libc/sysroot/include $(DESTDIR)$(musl_instdir)/
	$(INSTALL_DATA) libc/installed/elh-musl-gcc.specs $(DESTDIR)$(musl_instdir)/lib/elh-musl-gcc.specs

uninstall-local:
	rm -f $(DESTDIR)$(bindir)/elh-musl-gcc
	rm -rf $(DESTDIR)$(musl_instdir)

clean-local: clean-libc
clean-libc:
	rm -rf libc/musl-src libc/musl-src.tmp libc/musl-build libc/musl-build.log \
		libc/sysroot libc/elh-musl-gcc libc/installed libc/apt

distclean-local:
	rm -f $(MUSL_ORIG)

.PHONY: clean-libc
