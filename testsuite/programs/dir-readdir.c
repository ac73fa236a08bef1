/* mkdir, opendir/readdir (getdents64), sorted listing, rmdir of non-empty. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char path[128], *names[300];
	char *dir = scratch_dir();
	struct dirent *e;
	DIR *d;
	int n = 0;

	for (int i = 0; i < 250; i++) {
		snprintf(path, sizeof(path), "%s/entry-with-a-long-name-%03d", dir, i);
		if (i % 50 == 0)
			CHECK(mkdir(path, 0755) == 0);
		else
			CHECK(close(open(path, O_CREAT | O_WRONLY, 0644)) == 0);
	}
	snprintf(path, sizeof(path), "%s/entry-with-a-long-name-000", dir);
	CHECK(mkdir(path, 0755) == -1 && errno == EEXIST);
	d = opendir(dir);
	CHECK(d != NULL);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		CHECK(n < 300);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	printf("%d entries, first %s, last %s\n", n, names[0], names[n - 1]);
	CHECK(rmdir(dir) == -1 && errno == ENOTEMPTY);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		CHECK(unlink(path) == 0 || (errno == EISDIR && rmdir(path) == 0));
		free(names[i]);
	}
	CHECK(rmdir(dir) == 0);
	CHECK(opendir(dir) == NULL && errno == ENOENT);
	printf("ok\n");
	return 0;
}
