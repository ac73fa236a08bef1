/* File and socket I/O through glibc's wrappers, with threads, a signal
 * handler interrupting a blocked read and a cancelled one: the same
 * output natively, under elh with libelh-preload.so and without it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "FAIL: line %d: %s (%s)\n", __LINE__, #c,                  \
				strerror(errno));                                                  \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static void *server(void *arg)
{
	int ls = *(int *)arg, c, n, total = 0;
	char buf[256];

	CHECK((c = accept(ls, NULL, NULL)) >= 0);
	while ((n = (int)recv(c, buf, sizeof(buf), 0)) > 0) {
		total += n;
		CHECK(send(c, buf, (size_t)n, 0) == n);
	}
	CHECK(n == 0 && close(c) == 0);
	return (void *)(long)total;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void *blocked_reader(void *arg)
{
	char c;

	read(*(int *)arg, &c, 1); /* a cancellation point, blocked */
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/elh-preload-XXXXXX", path[64], buf[4096];
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct iovec iov[2];
	struct stat st;
	struct timespec t0, t1, nap = { 0, 1000000 };
	struct timeval tv;
	pthread_t th;
	void *res;
	int fd, ls, s, p[2], ep, i;
	long sum = 0;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data", dir);

	/* Files: open, write, writev, pwrite, lseek, read, pread, readv, stat, fsync. */
	CHECK((fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0640)) >= 0);
	for (i = 0; i < 200; i++) {
		int n = snprintf(buf, sizeof(buf), "record %03d\n", i);
		CHECK(write(fd, buf, (size_t)n) == n);
	}
	iov[0] = (struct iovec){ "head ", 5 };
	iov[1] = (struct iovec){ "tail\n", 5 };
	CHECK(writev(fd, iov, 2) == 10);
	CHECK(pwrite(fd, "R", 1, 0) == 1);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	while ((i = (int)read(fd, buf, 100)) > 0)
		sum += i;
	CHECK(pread(fd, buf, 11, 11) == 11);
	printf("file: %ld bytes, second record '%.10s'\n", sum, buf);
	CHECK(lseek(fd, -10, SEEK_END) > 0);
	iov[0] = (struct iovec){ buf, 5 };
	iov[1] = (struct iovec){ buf + 5, 5 };
	CHECK(readv(fd, iov, 2) == 10);
	printf("readv: '%.9s'\n", buf);
	CHECK(fstat(fd, &st) == 0);
	printf("fstat: size %ld, mode %o\n", (long)st.st_size, (unsigned)(st.st_mode & 0777));
	CHECK(close(fd) == 0);
	CHECK(stat(path, &st) == 0 && lstat(path, &st) == 0);
	CHECK(fstatat(AT_FDCWD, path, &st, 0) == 0);
	errno = 0;
	CHECK(stat("/nonexistent/elh", &st) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(open("/nonexistent/elh", O_RDONLY) == -1 && errno == ENOENT);
	CHECK((fd = openat(AT_FDCWD, path, O_RDONLY)) >= 0 && close(fd) == 0);
	errno = 0;
	CHECK(close(fd) == -1 && errno == EBADF);
	printf("stat: size %ld; errors as natively\n", (long)st.st_size);
	CHECK(unlink(path) == 0 && rmdir(dir) == 0);

	/* Sockets: a TCP echo server on a thread. */
	CHECK((ls = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(ls, 4) == 0);
	CHECK(getsockname(ls, (struct sockaddr *)&sa, &len) == 0);
	CHECK(pthread_create(&th, NULL, server, &ls) == 0);
	CHECK((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	sum = 0;
	for (i = 0; i < 100; i++) {
		struct pollfd pf = { s, POLLIN, 0 };
		int n = snprintf(buf, sizeof(buf), "message %d", i), got = 0;

		CHECK(send(s, buf, (size_t)n, 0) == n);
		while (got < n) {
			CHECK(poll(&pf, 1, 5000) == 1);
			int r = (int)recv(s, buf + got, sizeof(buf) - (size_t)got, 0);
			CHECK(r > 0);
			got += r;
		}
		sum += got;
	}
	CHECK(shutdown(s, SHUT_WR) == 0);
	CHECK(pthread_join(th, &res) == 0);
	printf("tcp: %ld bytes echoed, server saw %ld\n", sum, (long)res);
	CHECK(close(s) == 0 && close(ls) == 0);

	/* select and epoll_wait on a pipe. */
	CHECK(pipe(p) == 0 && write(p[1], "x", 1) == 1);
	{
		fd_set r;
		struct epoll_event ev = { .events = EPOLLIN }, out;

		FD_ZERO(&r);
		FD_SET(p[0], &r);
		tv = (struct timeval){ 1, 0 };
		CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &r));
		CHECK((ep = epoll_create1(0)) >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
		CHECK(epoll_wait(ep, &out, 1, 1000) == 1 && close(ep) == 0);
	}
	printf("select, epoll_wait: ready\n");

	/* A signal handler without SA_RESTART interrupts a blocked read. */
	CHECK(read(p[0], buf, 1) == 1);
	CHECK(signal(SIGALRM, on_alarm) != SIG_ERR);
	{
		struct sigaction sa2 = { .sa_handler = on_alarm };
		CHECK(sigaction(SIGALRM, &sa2, NULL) == 0);
	}
	alarm(1);
	errno = 0;
	CHECK(read(p[0], buf, 1) == -1 && errno == EINTR);
	printf("read interrupted by a handler: EINTR\n");

	/* pthread_cancel of a thread blocked in read. */
	CHECK(pthread_create(&th, NULL, blocked_reader, &p[0]) == 0);
	CHECK(nanosleep(&nap, NULL) == 0);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) == 0);
	CHECK(pthread_cancel(th) == 0 && pthread_join(th, &res) == 0);
	printf("blocked read cancelled: %d\n", res == PTHREAD_CANCELED);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);

	/* Time: monotonic, real time in three ways, agreeing. */
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	CHECK(nanosleep(&nap, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >= 1000000);
	CHECK(gettimeofday(&tv, NULL) == 0 && clock_gettime(CLOCK_REALTIME, &t0) == 0);
	CHECK(labs((long)time(NULL) - (long)tv.tv_sec) <= 1 &&
	      labs((long)t0.tv_sec - (long)tv.tv_sec) <= 1);
	printf("time: monotonic advances, realtime agrees\n");
	printf("LD_PRELOAD: %s\n", getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "(unset)");
	return 0;
}
