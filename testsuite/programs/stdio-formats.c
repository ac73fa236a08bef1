/* stdio: printf formats (integers, floats, strings, widths), a file written
 * with fprintf and read back with fscanf and fgets, ungetc, fseek. */
#include <stdint.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	char path[64], line[128];
	char *dir = scratch_dir();
	FILE *f;
	int a;
	double d;
	char w[16];

	printf("[%d] [%5d] [%-5d] [%05d] [%x] [%#o] [%lld]\n", -42, 42, 42, 42, 255, 8,
	       (long long)INT64_MIN);
	printf("[%f] [%.3e] [%g] [%g] [%a]\n", 3.14159, 12345.678, 0.0001, 1e20, 1.0);
	printf("[%s] [%10s] [%-10s] [%.3s] [%c]\n", "str", "right", "left", "truncate", 'c');
	printf("[%zu] [%p]\n", sizeof(long), (void *)0);
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	f = fopen(path, "w+");
	CHECK(f != NULL);
	fprintf(f, "%d %.2f %s\nsecond line\n", 7, 2.5, "word");
	rewind(f);
	CHECK(fscanf(f, "%d %lf %15s", &a, &d, w) == 3);
	printf("read back %d %.2f %s\n", a, d, w);
	CHECK(fgetc(f) == '\n');
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "second line\n") == 0);
	CHECK(fseek(f, 0, SEEK_SET) == 0 && fgetc(f) == '7');
	CHECK(ungetc('Z', f) == 'Z' && fgetc(f) == 'Z');
	CHECK(fclose(f) == 0);
	CHECK(fopen("/nonexistent/f", "r") == NULL && errno == ENOENT);
	unlink(path);
	rmdir(dir);
	return 0;
}
