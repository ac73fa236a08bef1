/* poll, ppoll, select and pselect on pipes: readiness, timeouts, POLLHUP. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int p[2];
	struct pollfd pf;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct timeval tv = { 0, 20000 };
	fd_set rd;
	sigset_t none;

	CHECK(pipe(p) == 0);
	pf.fd = p[0];
	pf.events = POLLIN;
	CHECK(poll(&pf, 1, 30) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(poll(&pf, 1, -1) == 1 && (pf.revents & POLLIN));
	sigemptyset(&none);
	CHECK(ppoll(&pf, 1, &ts, &none) == 1);

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK(select(p[0] + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &rd));
	CHECK(read(p[0], &(char){ 0 }, 1) == 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	CHECK(select(p[0] + 1, &rd, NULL, NULL, &tv) == 0);
	FD_SET(p[0], &rd);
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &ts, &none) == 0);

	close(p[1]);
	CHECK(poll(&pf, 1, 100) == 1 && (pf.revents & POLLHUP));
	pf.fd = 999;
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLNVAL);
	close(p[0]);
	printf("ok\n");
	return 0;
}
