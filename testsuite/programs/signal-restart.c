/* SA_RESTART: a read on a pipe interrupted by a handled signal resumes and
 * returns the data written later; without it, EINTR. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int p[2];
static pthread_t main_thread;
static volatile int handled;

static void handler(int sig)
{
	(void)sig;
	handled++;
}

static void *poke(void *arg)
{
	struct timespec d = { 0, 30 * 1000 * 1000 };

	nanosleep(&d, NULL);
	pthread_kill(main_thread, SIGUSR1);
	nanosleep(&d, NULL);
	if (arg)
		CHECK(write(p[1], "late", 4) == 4);
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	char buf[8];
	pthread_t t;

	alarm(WATCHDOG_SECONDS);
	main_thread = pthread_self();
	CHECK(pipe(p) == 0);
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, poke, (void *)1);
	CHECK(read(p[0], buf, sizeof(buf)) == 4);
	pthread_join(t, NULL);
	printf("restarted read got the data, handled %d\n", handled);

	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, poke, NULL);
	CHECK(read(p[0], buf, sizeof(buf)) == -1 && errno == EINTR);
	pthread_join(t, NULL);
	printf("without SA_RESTART: EINTR, handled %d\n", handled);
	return 0;
}
