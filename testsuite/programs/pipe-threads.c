/* A producer thread writes 1 MiB through a pipe; the main thread reads it
 * in odd-sized pieces and checks every byte. */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

#define TOTAL (1 << 20)

static int p[2];

static void *producer(void *arg)
{
	static unsigned char chunk[4096];
	long sent = 0;

	(void)arg;
	while (sent < TOTAL) {
		for (int i = 0; i < 4096; i++)
			chunk[i] = (unsigned char)((sent + i) * 7);
		CHECK(write(p[1], chunk, 4096) == 4096);
		sent += 4096;
	}
	close(p[1]);
	return NULL;
}

int main(void)
{
	unsigned char buf[3001];
	pthread_t t;
	long pos = 0;
	ssize_t n;

	CHECK(pipe(p) == 0);
	CHECK(pthread_create(&t, NULL, producer, NULL) == 0);
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == (unsigned char)((pos + i) * 7));
		pos += n;
	}
	CHECK(n == 0);
	CHECK(pthread_join(t, NULL) == 0);
	printf("received %ld bytes in order\n", pos);
	return 0;
}
