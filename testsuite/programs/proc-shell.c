/* The host's shell and tools as child processes, all dynamically linked:
 * system(), popen() both ways, posix_spawnp() of a tool found in PATH,
 * vfork() + execle() with an environment of its own, and a "#!" script
 * whose interpreter is /bin/sh. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

int main(void)
{
	char dir[] = "/tmp/elh-shell-XXXXXX", path[64], line[128];
	char *args[] = { "echo", "spawned", "echo", NULL };
	FILE *f;
	pid_t pid;
	int st, fd;

	alarm(60);
	CHECK(mkdtemp(dir) != NULL);
	fflush(stdout);

	st = system("echo system: $((6 * 7)) | tr 0-9 a-j");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = system("exit 3");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	printf("system: exit 3 gives %d\n", WEXITSTATUS(st));

	CHECK((f = popen("printf 'one\\ntwo\\nthree\\n' | sort -r", "r")) != NULL);
	while (fgets(line, sizeof(line), f))
		printf("popen r: %s", line);
	CHECK(pclose(f) == 0);
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(line, sizeof(line), "wc -l >%s", path);
	CHECK((f = popen(line, "w")) != NULL);
	fprintf(f, "a\nb\nc\n");
	CHECK(pclose(f) == 0);
	CHECK((f = fopen(path, "r")) && fgets(line, sizeof(line), f));
	fclose(f);
	printf("popen w: wc counted %d lines\n", atoi(line));

	fflush(stdout);
	CHECK(posix_spawnp(&pid, "echo", NULL, NULL, args, environ) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	pid = vfork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execle("/bin/sh", "sh", "-c", "echo execle: VAR=$VAR; exit 4", (char *)NULL,
		       (char *[]){ "VAR=from-execle", "PATH=/usr/bin:/bin", NULL });
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	printf("vfork + execle: status %d\n", WEXITSTATUS(st));

	snprintf(path, sizeof(path), "%s/script", dir);
	CHECK((fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755)) >= 0);
	dprintf(fd, "#!/bin/sh\necho script: \"$@\"\nexit 5\n");
	CHECK(close(fd) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl(path, path, "x", "y", (char *)NULL);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	printf("#! script: status %d\n", WEXITSTATUS(st));

	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/out", dir);
	CHECK(unlink(path) == 0 && rmdir(dir) == 0);
	return 0;
}
