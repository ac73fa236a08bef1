/* Child processes: fork with a copy of memory and the fds, exit statuses
 * and signals seen by wait4 and waitid, WNOHANG, no pending signals in
 * the child, vfork and posix_spawn of the program itself (and of a file
 * that does not exist), fork while another thread is blocked in read, and
 * fork in a child; process-shared semaphores in a MAP_SHARED mapping, in
 * the same moved by mremap and in a System V segment, waited for and
 * posted on both sides. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static int copied = 1;

static void *reader(void *arg)
{
	char c;

	read(*(int *)arg, &c, 1); /* until the end of the program */
	return NULL;
}

/* The parent and a child each wait for the other's post on a pair of
 * process-shared semaphores at sem. */
static void exchange(sem_t *sem, const char *where)
{
	const struct timespec pause = { 0, 20000000 };
	pid_t pid;
	int st;

	CHECK(sem_init(&sem[0], 1, 0) == 0 && sem_init(&sem[1], 1, 0) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(sem_wait(&sem[0]) == 0);
		nanosleep(&pause, NULL);
		CHECK(sem_post(&sem[1]) == 0);
		_exit(0);
	}
	nanosleep(&pause, NULL);
	CHECK(sem_post(&sem[0]) == 0);
	CHECK(sem_wait(&sem[1]) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("process-shared semaphores in %s: posted and taken both ways\n", where);
	CHECK(sem_destroy(&sem[0]) == 0 && sem_destroy(&sem[1]) == 0);
}

static int spawned(int argc, char **argv)
{
	printf("spawned: argc %d, argv[2] '%s'\n", argc, argv[2]);
	return 5;
}

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "spawned", "with space", NULL };
	int p[2], block[2], st;
	char buf[96];
	siginfo_t si;
	sigset_t set;
	pthread_t t;
	pid_t pid;
	ssize_t n;
	sem_t *seg;
	int shmid;

	if (argc >= 2 && !strcmp(argv[1], "spawned"))
		return spawned(argc, argv);
	alarm(WATCHDOG_SECONDS);
	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	CHECK(shmid >= 0);
	seg = shmat(shmid, NULL, 0);
	CHECK(seg != (void *)-1 && shmctl(shmid, IPC_RMID, NULL) == 0);
	CHECK(pipe(block) == 0);
	CHECK(pthread_create(&t, NULL, reader, &block[0]) == 0);

	/* Memory and fds are copies; the child's pending signals are none. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(pipe(p) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sigset_t pending;
		pid_t grandchild;

		copied = 2;
		CHECK(sigpending(&pending) == 0);
		/* A child's own child. */
		grandchild = fork();
		CHECK(grandchild >= 0);
		if (grandchild == 0)
			_exit(4);
		CHECK(waitpid(grandchild, &st, 0) == grandchild);
		n = snprintf(buf, sizeof(buf),
			     "child: copied %d, SIGUSR1 pending %d, parent %d, its child %d", copied,
			     sigismember(&pending, SIGUSR1), getppid() > 1, WEXITSTATUS(st));
		CHECK(write(p[1], buf, (size_t)n) == n);
		_exit(3);
	}
	CHECK(close(p[1]) == 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = 0;
	printf("%s\n", buf);
	CHECK(read(p[0], buf, 1) == 0);
	CHECK(close(p[0]) == 0);
	printf("parent: copied %d\n", copied);
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("exit: exited %d, status %d\n", WIFEXITED(st), WEXITSTATUS(st));
	CHECK(sigpending(&set) == 0 && sigismember(&set, SIGUSR1));
	CHECK(sigwaitinfo(&set, NULL) == SIGUSR1);

	/* Killed by a signal; WNOHANG before it ends; waitid. */
	CHECK(pipe(p) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(read(p[0], buf, 1) == 1);
		raise(SIGTERM);
		_exit(1);
	}
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("signal: signaled %d, SIGTERM %d\n", WIFSIGNALED(st), WTERMSIG(st) == SIGTERM);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(9);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED) == 0);
	printf("waitid: CLD_EXITED %d, status %d, pid %d\n", si.si_code == CLD_EXITED, si.si_status,
	       si.si_pid == pid);
	errno = 0;
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);

	/* Process-shared semaphores in three kinds of shared memory: an
	 * anonymous MAP_SHARED mapping, the same moved by mremap, and the
	 * System V segment attached before the first thread. */
	{
		sem_t *sem = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0), *moved;

		CHECK(sem != MAP_FAILED);
		exchange(sem, "a MAP_SHARED mapping");
		/* Grown where something else lies: it has to move.  (Without
		 * replacing what may lie there already: glibc's mmap puts the
		 * System V segment right above.) */
		void *guard = mmap((char *)sem + 4096, 4096, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		CHECK(guard != MAP_FAILED || errno == EEXIST);
		moved = mremap(sem, 4096, 2 * 4096, MREMAP_MAYMOVE);
		CHECK(moved != MAP_FAILED && moved != sem);
		exchange(moved, "a mapping moved by mremap");
		CHECK(munmap(moved, 2 * 4096) == 0);
		CHECK(guard == MAP_FAILED || munmap(guard, 4096) == 0);
		exchange(seg, "a System V segment");
		CHECK(shmdt(seg) == 0);
	}

	/* vfork and execve; posix_spawn. */
	fflush(stdout);
	pid = vfork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execv(argv[0], args);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("vfork: status %d\n", WEXITSTATUS(st));
	CHECK(posix_spawn(&pid, argv[0], NULL, NULL, args, environ) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("posix_spawn: status %d\n", WEXITSTATUS(st));
	CHECK(posix_spawn(&pid, "/nonexistent/elh-test", NULL, NULL, args, environ) == ENOENT);
	printf("posix_spawn of a missing file: ENOENT\n");
	return 0;
}
