/* Malformed ELF files, made from this program's own: truncated, absurd
 * program-header tables, segments whose sizes, offsets or addresses are
 * absurd or lie where elh keeps its system area, an entry point there, the
 * wrong machine.  Each is executed in a child: natively Linux refuses it
 * or the child dies; under elh the execve fails (ENOEXEC and a note) or the
 * child ends, never with elh's own failure (125), a hang or a crash of the
 * monitor.  A file that runs this program again ends with the usage
 * status, 2. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

static unsigned char *image;
static size_t image_size;

/* Write variant v of the image to path; 0 if there is no such variant. */
static int make(int v, const char *path)
{
	unsigned char *copy = malloc(image_size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	Elf64_Phdr *ph;
	size_t len = image_size;
	int fd, ok = 1;

	CHECK(copy != NULL);
	memcpy(copy, image, image_size);
	ph = (Elf64_Phdr *)(copy + eh->e_phoff);
	switch (v) {
	case 0: len = 0; break;
	case 1: len = 4; break;
	case 2: len = sizeof(*eh); break;
	case 3: eh->e_phnum = 0xffff; break;
	case 4: eh->e_phoff = 0x7fffffffffff0000ull; break;
	case 5: eh->e_phoff = image_size - 8; break;
	case 6: eh->e_phentsize = 7; break;
	case 7: eh->e_machine = EM_386; break;
	case 8: eh->e_entry = 0x140001100ull; break;
	case 9: eh->e_entry = 0xffff800000000000ull; break;
	case 10:
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
		ok = 0;
		for (int i = 0; i < eh->e_phnum; i++) {
			if (ph[i].p_type != PT_LOAD)
				continue;
			ok = 1;
			if (v == 10)
				ph[i].p_filesz = ph[i].p_memsz + 0x100000;
			else if (v == 11)
				ph[i].p_offset = 0x7ffffffffffff000ull;
			else if (v == 12)
				ph[i].p_vaddr = 0x140000000ull + (ph[i].p_vaddr & 0xfff);
			else if (v == 13)
				ph[i].p_vaddr = 0xffff800000000000ull;
			else if (v == 14)
				ph[i].p_memsz = 0x7fffffffffffffffull;
			else
				ph[i].p_vaddr = ph[i].p_paddr = 0xfffffffffffff000ull;
			break;
		}
		break;
	case 16: eh->e_type = ET_REL; break;
	case 17: len = image_size / 2; break;
	default: free(copy); return 0;
	}
	(void)ok;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0);
	CHECK(write(fd, copy, len) == (ssize_t)len);
	CHECK(close(fd) == 0);
	free(copy);
	return 1;
}

int main(int argc, char **argv)
{
	char *dir, path[4096];
	struct stat st;
	int fd, v;

	hostile_init(argc, argv);
	fd = open("/proc/self/exe", O_RDONLY);
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	image_size = (size_t)st.st_size;
	image = malloc(image_size);
	CHECK(image && read(fd, image, image_size) == (ssize_t)image_size);
	close(fd);
	dir = scratch_dir();
	snprintf(path, sizeof(path), "%s/bad", dir);
	for (v = 0; make(v, path); v++) {
		char *args[] = { path, "child", NULL }, *env[] = { NULL };
		pid_t pid = fork();
		int status;

		CHECK(pid >= 0);
		if (pid == 0) {
			execve(path, args, env);
			_exit(100 + (errno & 0x1f));
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 125) {
			fprintf(stderr, "FAIL: variant %d: the monitor failed\n", v);
			return 1;
		}
		if (under_elh && WIFSIGNALED(status) && WTERMSIG(status) != SIGSEGV &&
		    WTERMSIG(status) != SIGKILL && WTERMSIG(status) != SIGBUS) {
			fprintf(stderr, "FAIL: variant %d: signal %d\n", v, WTERMSIG(status));
			return 1;
		}
	}
	unlink(path);
	CHECK(rmdir(dir) == 0);
	printf("%d variants, each refused or ended\n", v);
	return 0;
}
