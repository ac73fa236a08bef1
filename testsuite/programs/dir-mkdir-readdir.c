/* Directories: mkdir/rmdir, readdir (sorted before printing), d_type, rewinddir, errors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *dir, char **names, int max, int print)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, dots = 0;

	CHECK(d != NULL);
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			CHECK(e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
			dots++;
			continue;
		}
		CHECK(n < max);
		names[n] = malloc(strlen(e->d_name) + 3);
		CHECK(names[n] != NULL);
		/* d_type may be DT_UNKNOWN on some file systems: fall back to stat. */
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;

			CHECK(fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);
			sprintf(names[n], "%s%s", e->d_name, S_ISDIR(st.st_mode) ? "/" : "");
		} else {
			sprintf(names[n], "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
		}
		n++;
	}
	CHECK(errno == 0);
	CHECK(dots == 2);
	if (print) {
		rewinddir(d);
		int again = 0;
		while (readdir(d) != NULL)
			again++;
		CHECK(again == n + 2);
	}
	CHECK(closedir(d) == 0);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	if (print) {
		printf("%d entries:", n);
		for (int i = 0; i < n; i++)
			printf(" %s", names[i]);
		printf("\n");
	}
	return n;
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[96];
	char *names[64];
	int n;

	CHECK(mkdtemp(dir) != NULL);
	n = list(dir, names, 64, 1);
	CHECK(n == 0);
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "%s/file-%02d", dir, i * 7 % 20);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		CHECK(fd >= 0);
		CHECK(close(fd) == 0);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/sub%c", dir, 'c' - i);
		CHECK(mkdir(path, 0755) == 0);
	}
	CHECK(mkdir(path, 0755) == -1 && errno == EEXIST);
	snprintf(path, sizeof(path), "%s/nope/deeper", dir);
	CHECK(mkdir(path, 0755) == -1 && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/suba/inner", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/suba", dir);
	CHECK(rmdir(path) == -1 && errno == ENOTEMPTY);

	n = list(dir, names, 64, 1);
	for (int i = 0; i < n; i++)
		free(names[i]);
	n = list(path, names, 64, 1);
	free(names[0]);
	CHECK(opendir("/tmp/elh-does-not-exist") == NULL && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/file-00", dir);
	CHECK(opendir(path) == NULL && errno == ENOTDIR);

	/* Remove everything, walking the directory again. */
	n = list(dir, names, 64, 0);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (names[i][len - 1] == '/') {
			names[i][len - 1] = 0;
			snprintf(path, sizeof(path), "%s/%s/inner", dir, names[i]);
			rmdir(path);
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			CHECK(rmdir(path) == 0);
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			CHECK(unlink(path) == 0);
		}
		free(names[i]);
	}
	CHECK(list(dir, names, 64, 1) == 0);
	CHECK(rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
