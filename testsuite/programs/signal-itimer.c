/* setitimer(ITIMER_REAL) with an interval: SIGALRM several times while the
 * program computes and while it sleeps; getitimer; EINTR without SA_RESTART. */
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static volatile int ticks;

static void tick(int sig)
{
	(void)sig;
	ticks++;
}

int main(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;
	struct sigaction sa = { .sa_handler = tick }; /* no SA_RESTART */
	int p[2];
	char c;

	alarm(WATCHDOG_SECONDS);
	sigaction(SIGALRM, &sa, NULL);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	while (ticks < 3)
		; /* computing */
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 20000);
	CHECK(pipe(p) == 0);
	CHECK(read(p[0], &c, 1) == -1 && errno == EINTR); /* interrupted */
	it = (struct itimerval){ 0 };
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	printf("ticks >= 4: %d\n", ticks >= 4);
	return 0;
}
