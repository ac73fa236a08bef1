/* Unit tests of the ELF checks: what elh runs and what it refuses, and why. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "loader.h"

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	char text[4096];
};

/* A minimal static executable: one PT_LOAD covering the whole file. */
static void make_static(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0x400000 + offsetof(struct image, text);
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph[0].p_type = PT_LOAD;
	im->ph[0].p_flags = PF_R | PF_X;
	im->ph[0].p_vaddr = 0x400000;
	im->ph[0].p_filesz = sizeof(*im);
	im->ph[0].p_memsz = sizeof(*im) + 8192;
	im->ph[0].p_align = 4096;
}

/* Write len bytes of im to a temporary file, inspect it, return the result. */
static int inspect(const void *im, size_t len, struct elh_elf_info *info, char *err, size_t errlen)
{
	char path[] = "/tmp/elh-elf-XXXXXX";
	int fd = mkstemp(path), r;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, im, len), (ssize_t)len);
	r = elh_elf_inspect(fd, info, err, errlen);
	close(fd);
	return r;
}

static void expect_refused(const struct image *im, size_t len, const char *why)
{
	struct elh_elf_info info;
	char err[256] = "";

	ck_assert_int_eq(inspect(im, len, &info, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, why), "message '%s' lacks '%s'", err, why);
	ck_assert_ptr_null(info.phdrs);
}

START_TEST(static_exec_accepted)
{
	struct image im;
	struct elh_elf_info info;
	char err[256];

	make_static(&im);
	ck_assert_int_eq(inspect(&im, sizeof(im), &info, err, sizeof(err)), 0);
	ck_assert_int_eq(info.kind, ELH_ELF_STATIC);
	ck_assert_uint_eq(info.phnum, 1);
	ck_assert_uint_eq(info.lo, 0x400000);
	ck_assert_uint_eq(info.hi, 0x400000 + ((sizeof(im) + 8192 + 4095) & ~4095ul));
	elh_elf_release(&info);
}
END_TEST

START_TEST(static_pie_accepted)
{
	struct image im;
	struct elh_elf_info info;
	char err[256];

	make_static(&im);
	im.eh.e_type = ET_DYN;
	im.ph[0].p_vaddr = 0;
	im.eh.e_entry = offsetof(struct image, text);
	ck_assert_int_eq(inspect(&im, sizeof(im), &info, err, sizeof(err)), 0);
	ck_assert_int_eq(info.kind, ELH_ELF_STATIC_PIE);
	elh_elf_release(&info);
}
END_TEST

START_TEST(refusals)
{
	struct image im;

	make_static(&im);
	expect_refused(&im, 10, "not an ELF executable");
	im.eh.e_ident[1] = 'X';
	expect_refused(&im, sizeof(im), "not an ELF executable");

	make_static(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused(&im, sizeof(im), "32-bit");

	make_static(&im);
	im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refused(&im, sizeof(im), "big-endian");

	make_static(&im);
	im.eh.e_machine = EM_AARCH64;
	expect_refused(&im, sizeof(im), "for AArch64");
	im.eh.e_machine = 4242;
	expect_refused(&im, sizeof(im), "machine 4242");

	make_static(&im);
	im.eh.e_type = ET_REL;
	expect_refused(&im, sizeof(im), "relocatable object");

	make_static(&im);
	im.eh.e_type = ET_DYN;
	im.eh.e_entry = 0;
	expect_refused(&im, sizeof(im), "shared library");

	make_static(&im);
	im.eh.e_phnum = 2;
	im.ph[1] = im.ph[0];
	im.ph[1].p_type = PT_INTERP; /* the whole file: no NUL where it ends */
	expect_refused(&im, sizeof(im), "malformed PT_INTERP");

	make_static(&im);
	im.eh.e_phnum = 2;
	im.ph[1].p_type = PT_INTERP;
	im.ph[1].p_offset = sizeof(im) - 4;
	im.ph[1].p_filesz = 8;
	expect_refused(&im, sizeof(im), "malformed PT_INTERP");

	make_static(&im);
	im.ph[0].p_filesz = sizeof(im) + 1;
	expect_refused(&im, sizeof(im), "outside the file");

	make_static(&im);
	im.ph[0].p_offset = UINT64_MAX - 10;
	expect_refused(&im, sizeof(im), "outside the file");

	make_static(&im);
	im.ph[0].p_vaddr = (1ull << 47) - 4096;
	expect_refused(&im, sizeof(im), "47-bit");

	make_static(&im);
	im.eh.e_entry = 0x10;
	expect_refused(&im, sizeof(im), "entry point outside");

	make_static(&im);
	im.ph[0].p_type = PT_NOTE;
	expect_refused(&im, sizeof(im), "no loadable segment");

	make_static(&im);
	im.eh.e_phnum = 0;
	expect_refused(&im, sizeof(im), "no usable program headers");

	make_static(&im);
	im.eh.e_phoff = sizeof(im) - 8;
	expect_refused(&im, sizeof(im), "truncated");
}
END_TEST

/* A dynamically linked program names its interpreter; one that is missing
 * or no ld.so is refused by elh_interp_open, with errno saying which. */
START_TEST(interpreter_recorded_and_checked)
{
	struct image im;
	struct elh_elf_info info, ii;
	char err[256] = "";
	static const char bad[] = "/nonexistent/ld-elh-test.so";

	make_static(&im);
	im.eh.e_phnum = 2;
	im.ph[1].p_type = PT_INTERP;
	im.ph[1].p_offset = offsetof(struct image, text) + 100;
	im.ph[1].p_filesz = sizeof(bad);
	memcpy(im.text + 100, bad, sizeof(bad));
	ck_assert_msg(inspect(&im, sizeof(im), &info, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(info.interp, bad);
	ck_assert_int_eq(elh_interp_open(&info, &ii, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_msg(strstr(err, "interpreter /nonexistent/ld-elh-test.so cannot be opened"),
		      "got '%s'", err);

	/* An interpreter that is itself dynamically linked (the test binary). */
	free(info.interp);
	info.interp = strdup("/proc/self/exe");
	ck_assert_int_eq(elh_interp_open(&info, &ii, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOEXEC);
	ck_assert_msg(strstr(err, "not a self-contained shared object"), "got '%s'", err);
	elh_elf_release(&info);
}
END_TEST

START_TEST(this_dynamic_test_binary_accepted)
{
	struct elh_elf_info info, ii;
	char err[256] = "";
	int fd = open("/proc/self/exe", O_RDONLY), ifd;

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(elh_elf_inspect(fd, &info, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(info.interp);
	ifd = elh_interp_open(&info, &ii, err, sizeof(err));
	ck_assert_msg(ifd >= 0, "%s", err);
	ck_assert_ptr_null(ii.interp);
	close(ifd);
	elh_elf_release(&ii);
	elh_elf_release(&info);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("inspect");

	tcase_add_test(tc, static_exec_accepted);
	tcase_add_test(tc, static_pie_accepted);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, interpreter_recorded_and_checked);
	tcase_add_test(tc, this_dynamic_test_binary_accepted);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
