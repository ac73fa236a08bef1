/* Files: named pipes: mkfifo, ENXIO/EOF on non-blocking opens, a writer thread, O_RDWR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char path[64];

static void *writer(void *arg)
{
	static char buf[100000];
	int fd = open(path, O_WRONLY); /* blocks until the reader opens */

	(void)arg;
	CHECK(fd >= 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i % 97);
	for (size_t off = 0; off < sizeof(buf);) {
		ssize_t n = write(fd, buf + off, sizeof(buf) - off);

		CHECK(n > 0);
		off += (size_t)n;
	}
	CHECK(close(fd) == 0);
	return (void *)(unsigned long)fnv(buf, sizeof(buf));
}

int main(void)
{
	char dir[] = "/tmp/elh-XXXXXX";
	static char in[100001];
	struct stat st;
	pthread_t t;
	size_t got = 0;
	ssize_t n;
	void *sum;
	int r, w;

	alarm(WATCHDOG_SECONDS);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(mkfifo(path, 0600) == -1 && errno == EEXIST);
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_size == 0);
	printf("mkfifo: a fifo of size 0\n");

	/* Without a reader, a non-blocking write open fails; a read open succeeds. */
	CHECK(open(path, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO);
	r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	CHECK(read(r, in, 1) == 0); /* no writer yet: EOF, not EAGAIN */
	w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK(read(r, in, 1) == -1 && errno == EAGAIN);
	CHECK(write(w, "fifo", 4) == 4);
	CHECK(read(r, in, sizeof(in)) == 4);
	CHECK(lseek(r, 0, SEEK_SET) == -1 && errno == ESPIPE);
	CHECK(close(w) == 0 && close(r) == 0);
	printf("non-blocking opens: ENXIO without a reader, EOF without a writer\n");

	/* A blocking reader and a writer thread meet at open. */
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	r = open(path, O_RDONLY);
	CHECK(r >= 0);
	while ((n = read(r, in + got, sizeof(in) - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0);
	CHECK(pthread_join(t, &sum) == 0);
	printf("streamed %zu bytes, checksums match %d\n", got,
	       fnv(in, got) == (unsigned int)(unsigned long)sum);
	CHECK(close(r) == 0);

	/* O_RDWR on a fifo never blocks on Linux. */
	r = open(path, O_RDWR);
	CHECK(r >= 0 && write(r, "x", 1) == 1 && read(r, in, 1) == 1);
	CHECK(close(r) == 0);
	CHECK(unlink(path) == 0 && rmdir(dir) == 0);
	printf("ok\n");
	return 0;
}
