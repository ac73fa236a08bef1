/* Stdio: fopen modes, fgets/fscanf/ungetc/getline, fseek/ftell, fdopen, tmpfile, stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	char path[64], line[64], word[16];
	char *gl = NULL;
	size_t cap = 0;
	FILE *f, *g;
	int a, b, c;
	ssize_t len;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/text", dir);

	f = fopen(path, "w");
	CHECK(f != NULL);
	CHECK(fputs("first line\n", f) >= 0);
	CHECK(fprintf(f, "%d %d %d numbers\n", 10, -20, 30) > 0);
	CHECK(fputc('x', f) == 'x');
	CHECK(fputs("\nno newline at end", f) >= 0);
	CHECK(fclose(f) == 0);
	CHECK(fopen(path, "wx") == NULL && errno == EEXIST);

	f = fopen(path, "r");
	CHECK(f != NULL);
	CHECK(fgets(line, sizeof(line), f) == line);
	printf("fgets: %s", line);
	CHECK(fscanf(f, "%d %d %d %15s", &a, &b, &c, word) == 4);
	printf("fscanf: %d %d %d %s\n", a, b, c, word);
	printf("ftell after fscanf: %ld\n", ftell(f));
	CHECK(fgetc(f) == '\n');
	c = fgetc(f);
	CHECK(ungetc(c, f) == c);
	CHECK(ungetc('Y', f) == 'Y');
	a = fgetc(f);
	b = fgetc(f);
	printf("after ungetc: %c%c\n", a, b);
	while ((len = getline(&gl, &cap, f)) > 0)
		printf("getline: %zd [%s]\n", len, gl);
	CHECK(feof(f) && !ferror(f));
	free(gl);
	CHECK(fseek(f, -7, SEEK_END) == 0);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	printf("last 7 bytes: %s\n", line);
	CHECK(fseek(f, 0, SEEK_SET) == 0 && ftell(f) == 0);
	CHECK(fseek(f, -1, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(fputc('z', f) == EOF && ferror(f));
	clearerr(f);
	CHECK(!ferror(f));
	CHECK(fclose(f) == 0);

	/* Append mode, then "r+" overwrite in place. */
	f = fopen(path, "a");
	CHECK(f != NULL && fputs("\nappended", f) >= 0 && fclose(f) == 0);
	f = fopen(path, "r+");
	CHECK(f != NULL);
	CHECK(fputs("FIRST", f) >= 0);
	CHECK(fseek(f, 0, SEEK_SET) == 0);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	printf("after r+ write: %s", line);
	CHECK(fseek(f, 0, SEEK_END) == 0);
	printf("size: %ld\n", ftell(f));
	CHECK(fclose(f) == 0);

	/* fdopen on a duplicated descriptor, unbuffered and fully buffered streams. */
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	g = fdopen(fd, "r");
	CHECK(g != NULL && fileno(g) == fd);
	CHECK(setvbuf(g, NULL, _IONBF, 0) == 0);
	CHECK(fread(word, 1, 5, g) == 5);
	CHECK(lseek(fd, 0, SEEK_CUR) == 5); /* unbuffered: nothing read ahead */
	printf("unbuffered read: %.5s\n", word);
	CHECK(fclose(g) == 0);

	/* tmpfile is removed on its own. */
	g = tmpfile();
	CHECK(g != NULL);
	for (int i = 0; i < 1000; i++)
		fprintf(g, "%04d\n", i);
	CHECK(fseek(g, 5 * 500, SEEK_SET) == 0);
	CHECK(fscanf(g, "%d", &a) == 1);
	printf("tmpfile record 500: %d\n", a);
	CHECK(fclose(g) == 0);

	/* stderr is unbuffered: an ordered write to both streams. */
	fflush(stdout);
	fprintf(stderr, "this line goes to stderr\n");
	CHECK(remove(path) == 0);
	CHECK(fopen(path, "r") == NULL && errno == ENOENT);
	CHECK(remove(dir) == 0);
	printf("ok\n");
	return 0;
}
