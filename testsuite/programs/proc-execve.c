/* execve of the program itself, in stages: what fails before the exec
 * (missing file, directory, file without execute permission, not a program,
 * bad pointers), and what the new program keeps: argv and the environment
 * it was given, open fds but not close-on-exec ones, the signal mask, a
 * pending blocked signal, ignored signals; handled ones become default.
 * The first exec names the program as /proc/self/exe, which must be the
 * program (and readlink must say so).  Then execveat of an fd (fexecve),
 * and a "#!" script naming the program as its interpreter.  A thread
 * blocked in read at the first exec ends with it. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

extern char **environ;

static void handler(int sig)
{
	(void)sig;
}

static void *reader(void *arg)
{
	char c;

	read(*(int *)arg, &c, 1); /* never returns: nobody writes */
	return NULL;
}

static void show(const char *stage, int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set;

	printf("%s: argc %d\n", stage, argc);
	for (int i = 1; i < argc; i++)
		printf("%s: argv[%d] = '%s'\n", stage, i, argv[i]);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "SELF=", 5)) /* the path differs between builds */
			printf("%s: env '%s'\n", stage, *e);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &set) == 0);
	printf("%s: SIGUSR2 blocked %d, SIGTERM blocked %d\n", stage, sigismember(&set, SIGUSR2),
	       sigismember(&set, SIGTERM));
	CHECK(sigpending(&set) == 0);
	printf("%s: SIGUSR2 pending %d\n", stage, sigismember(&set, SIGUSR2));
	CHECK(sigaction(SIGHUP, NULL, &sa) == 0);
	printf("%s: SIGHUP ignored %d\n", stage, sa.sa_handler == SIG_IGN);
	CHECK(sigaction(SIGINT, NULL, &sa) == 0);
	printf("%s: SIGINT default %d\n", stage, sa.sa_handler == SIG_DFL);
}

static char self_env[4200];

static void first(char **argv)
{
	char dir[] = "/tmp/elh-execve-XXXXXX", path[64];
	char *args[] = { "second-name", "second", "with space", "", NULL };
	char *env[] = { "STAGE=second", "EMPTY=", self_env, NULL };
	static int fds[2];
	pthread_t t;
	sigset_t set;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(snprintf(self_env, sizeof(self_env), "SELF=%s", argv[0]) < (int)sizeof(self_env));

	/* Failures: the caller goes on. */
	errno = 0;
	CHECK(execve("/nonexistent/elh-test", args, env) == -1 && errno == ENOENT);
	CHECK(execve(dir, args, env) == -1 && errno == EACCES);
	snprintf(path, sizeof(path), "%s/plain", dir);
	CHECK((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0);
	CHECK(write(fd, "plain text\n", 11) == 11);
	CHECK(close(fd) == 0);
	CHECK(execve(path, args, env) == -1 && errno == EACCES);
	CHECK(chmod(path, 0755) == 0);
	CHECK(execve(path, args, env) == -1 && errno == ENOEXEC);
	CHECK(unlink(path) == 0);
	CHECK(syscall(SYS_execve, argv[0], (char **)8, env) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_execve, (char *)8, args, env) == -1 && errno == EFAULT);
	printf("first: failures as expected\n");

	/* What the second stage should find. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(signal(SIGHUP, SIG_IGN) != SIG_ERR);
	CHECK(signal(SIGINT, handler) != SIG_ERR);
	CHECK(dup2(1, 7) == 7);
	CHECK(fcntl(7, F_SETFD, 0) == 0);
	CHECK(dup2(1, 8) == 8);
	CHECK(fcntl(8, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(pipe(fds) == 0);
	CHECK(pthread_create(&t, NULL, reader, &fds[0]) == 0);
	CHECK(rmdir(dir) == 0);
	{
		char link[4200], real[4200];
		ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);

		CHECK(n > 0 && realpath(argv[0], real));
		link[n] = 0;
		printf("first: /proc/self/exe is the program %d\n", !strcmp(link, real));
	}
	fflush(stdout);
	execve("/proc/self/exe", args, env);
	CHECK(!"execve returned");
}

/* fexecve: execveat of an fd that is not close-on-exec. */
static void second(int argc, char **argv)
{
	char *args[] = { "third-name", "third", NULL };
	char *env[] = { "STAGE=third", NULL, NULL };
	int fd;

	show("second", argc, argv);
	printf("second: fd 7 open %d, fd 8 open %d\n", fcntl(7, F_GETFD) >= 0,
	       fcntl(8, F_GETFD) >= 0);
	fflush(stdout);
	CHECK(write(7, "second: through fd 7\n", 21) == 21);
	CHECK(getenv("SELF") != NULL);
	env[1] = getenv("SELF") - 5;
	CHECK((fd = open(getenv("SELF"), O_RDONLY)) >= 0);
	syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
	CHECK(!"execveat returned");
}

/* A script whose "#!" line names the program, with one argument. */
static void third(int argc, char **argv)
{
	char dir[] = "/tmp/elh-execve-XXXXXX", path[64], line[4300];
	char *args[] = { "script-name", "fourth-arg", NULL };
	char *env[] = { "STAGE=fourth", NULL };
	int fd, n;

	printf("third: argc %d, argv[1] '%s'\n", argc, argv[1]);
	printf("third: fd 7 open %d\n", fcntl(7, F_GETFD) >= 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/script", dir);
	n = snprintf(line, sizeof(line), "#!%s  script-arg  \necho not for a shell\n", getenv("SELF"));
	CHECK(n > 0 && n < (int)sizeof(line));
	CHECK((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755)) >= 0);
	CHECK(write(fd, line, n) == n);
	CHECK(close(fd) == 0);
	fflush(stdout);
	execve(path, args, env);
	CHECK(!"execve of the script returned");
}

static void fourth(int argc, char **argv)
{
	char *slash;
	size_t len;

	printf("fourth: argc %d, argv[1] '%s', argv[3] '%s'\n", argc, argv[1],
	       argc > 3 ? argv[3] : "");
	CHECK(argc == 4);
	len = strlen(argv[2]);
	CHECK(len > 7 && !strcmp(argv[2] + len - 7, "/script"));
	printf("fourth: env '%s'\n", environ[0] ? environ[0] : "");
	CHECK(unlink(argv[2]) == 0);
	slash = strrchr(argv[2], '/');
	*slash = 0;
	CHECK(rmdir(argv[2]) == 0);
}

int main(int argc, char **argv)
{
	alarm(WATCHDOG_SECONDS);
	if (argc >= 2 && !strcmp(argv[1], "alpha"))
		first(argv);
	else if (argc >= 2 && !strcmp(argv[1], "second"))
		second(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "third"))
		third(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "script-arg"))
		fourth(argc, argv);
	else
		CHECK(!"an unknown stage");
	return 0;
}
