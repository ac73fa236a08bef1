/* Process: argc/argv contents; setenv/getenv/unsetenv/putenv/clearenv on its own variables. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static int count_env(const char *prefix)
{
	int n = 0;

	for (char **e = environ; *e; e++)
		n += strncmp(*e, prefix, strlen(prefix)) == 0;
	return n;
}

int main(int argc, char **argv)
{
	static char put[] = "ELH_CORPUS_PUT=via putenv";

	/* argv[0] is however the program was started: only say it is there. */
	printf("argc %d, argv[0] non-empty %d\n", argc, argv[0] != NULL && argv[0][0] != 0);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
	CHECK(argv[argc] == NULL);
	/* The environment follows argv on the initial stack. */
	CHECK(environ == argv + argc + 1);

	CHECK(unsetenv("ELH_CORPUS_A") == 0);
	CHECK(getenv("ELH_CORPUS_A") == NULL);
	CHECK(setenv("ELH_CORPUS_A", "first value", 0) == 0);
	CHECK(setenv("ELH_CORPUS_A", "ignored", 0) == 0);
	printf("ELH_CORPUS_A=%s\n", getenv("ELH_CORPUS_A"));
	CHECK(setenv("ELH_CORPUS_A", "second value", 1) == 0);
	printf("ELH_CORPUS_A=%s\n", getenv("ELH_CORPUS_A"));
	CHECK(setenv("ELH_CORPUS_B", "", 1) == 0);
	printf("ELH_CORPUS_B=\"%s\"\n", getenv("ELH_CORPUS_B"));
	CHECK(putenv(put) == 0);
	printf("ELH_CORPUS_PUT=%s\n", getenv("ELH_CORPUS_PUT"));
	put[15] = 'V'; /* putenv keeps the caller's string */
	printf("ELH_CORPUS_PUT=%s\n", getenv("ELH_CORPUS_PUT"));
	printf("variables starting with ELH_CORPUS_: %d\n", count_env("ELH_CORPUS_"));

	CHECK(unsetenv("ELH_CORPUS_A") == 0);
	CHECK(unsetenv("ELH_CORPUS_PUT") == 0);
	CHECK(getenv("ELH_CORPUS_A") == NULL);
	printf("after unsetenv: %d left\n", count_env("ELH_CORPUS_"));
	CHECK(setenv("", "x", 1) == -1 && errno == EINVAL);
	CHECK(setenv("A=B", "x", 1) == -1 && errno == EINVAL);
	CHECK(unsetenv("A=B") == -1 && errno == EINVAL);

	/* clearenv leaves nothing at all. */
	CHECK(clearenv() == 0);
	CHECK(environ == NULL || environ[0] == NULL);
	CHECK(setenv("ELH_CORPUS_ONLY", "1", 1) == 0);
	CHECK(environ[0] != NULL && environ[1] == NULL);
	printf("after clearenv and one setenv: %s\n", environ[0]);
	printf("ok\n");
	return 0;
}
