/* argv and the environment: what the program was given, and setenv,
 * unsetenv, getenv on its own variables (not on inherited ones). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

int main(int argc, char **argv)
{
	int n = 0;

	printf("argc %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = '%s'\n", i, argv[i]);
	CHECK(argv[argc] == NULL);
	for (char **e = environ; *e; e++)
		n++;
	CHECK(n >= 0);
	CHECK(setenv("ELH_CORPUS_VAR", "first", 0) == 0);
	CHECK(setenv("ELH_CORPUS_VAR", "second", 0) == 0);
	printf("no overwrite: %s\n", getenv("ELH_CORPUS_VAR"));
	CHECK(setenv("ELH_CORPUS_VAR", "third", 1) == 0);
	printf("overwrite: %s\n", getenv("ELH_CORPUS_VAR"));
	CHECK(unsetenv("ELH_CORPUS_VAR") == 0 && getenv("ELH_CORPUS_VAR") == NULL);
	CHECK(setenv("BAD=NAME", "x", 1) == -1 && errno == EINVAL);
	printf("ELH_TEST from the parent: %s\n", getenv("ELH_TEST") ? getenv("ELH_TEST") : "(unset)");
	return 0;
}
