/* Pipes: two threads ping-pong a value through two pipes, then a 1 MiB checksummed stream. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define ROUNDS 2000
#define STREAM (1 << 20)

static int ping[2], pong[2], bulk[2];

static void *echo(void *arg)
{
	unsigned int v;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(read(ping[0], &v, sizeof(v)) == sizeof(v));
		v = v * 3 + 1;
		CHECK(write(pong[1], &v, sizeof(v)) == sizeof(v));
	}
	return NULL;
}

static void *producer(void *arg)
{
	static unsigned char out[STREAM];
	size_t off = 0;

	(void)arg;
	for (size_t i = 0; i < STREAM; i++)
		out[i] = (unsigned char)(i ^ (i >> 8) ^ (i >> 16));
	/* Odd-sized writes so that reads and writes do not line up. */
	while (off < STREAM) {
		size_t len = STREAM - off < 7919 ? STREAM - off : 7919;
		ssize_t n = write(bulk[1], out + off, len);

		CHECK(n > 0);
		off += (size_t)n;
	}
	CHECK(close(bulk[1]) == 0);
	return (void *)(unsigned long)fnv(out, STREAM);
}

int main(void)
{
	static unsigned char in[STREAM + 1];
	pthread_t t;
	unsigned int v = 1, expect = 1;
	size_t got = 0;
	ssize_t n;
	void *ret;

	alarm(WATCHDOG_SECONDS);
	CHECK(pipe(ping) == 0 && pipe(pong) == 0 && pipe(bulk) == 0);
	CHECK(pthread_create(&t, NULL, echo, NULL) == 0);
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(write(ping[1], &v, sizeof(v)) == sizeof(v));
		CHECK(read(pong[0], &v, sizeof(v)) == sizeof(v));
		expect = expect * 3 + 1;
		CHECK(v == expect);
	}
	CHECK(pthread_join(t, NULL) == 0);
	printf("ping-pong: %d rounds, final value %08x\n", ROUNDS, v);

	CHECK(pthread_create(&t, NULL, producer, NULL) == 0);
	while ((n = read(bulk[0], in + got, got + 5000 < STREAM ? 5000 : STREAM - got + 1)) > 0)
		got += (size_t)n;
	CHECK(n == 0);
	CHECK(pthread_join(t, &ret) == 0);
	CHECK(got == STREAM);
	CHECK((unsigned int)(unsigned long)ret == fnv(in, got));
	printf("stream: %zu bytes, checksum %08x\n", got, fnv(in, got));
	printf("ok\n");
	return 0;
}
