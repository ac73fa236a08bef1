/* The quick-start demo: a few threads share work through a mutex and a
 * pipe, the way an ordinary program does. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long total;
static int pipefd[2];

static void *worker(void *arg)
{
	unsigned long id = (unsigned long)arg, sum = 0;

	for (unsigned long i = 1; i <= 1000000; i++)
		sum += i % (id + 2);
	pthread_mutex_lock(&lock);
	total += sum;
	pthread_mutex_unlock(&lock);
	dprintf(pipefd[1], "worker %lu summed %lu\n", id, sum);
	return NULL;
}

int main(void)
{
	const char *__elh_musl_version(void);
	pthread_t t[WORKERS];
	char buf[512];
	ssize_t n;

	printf("hello from a program linked with elh-musl %s\n", __elh_musl_version());
	if (pipe(pipefd))
		return 1;
	for (unsigned long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	printf("%d threads, total %lu\n", WORKERS, total);
	return 0;
}
