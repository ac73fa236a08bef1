/* signal(7): some calls are never restarted after a handler, SA_RESTART or
 * not; they fail with EINTR.  Among them the System V IPC waits (msgrcv,
 * msgsnd, semop, semtimedop) and epoll_pwait2.  A read, by contrast, is
 * restarted under SA_RESTART (signal-restart.c). */
#define _GNU_SOURCE /* semtimedop */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441 /* Linux 5.11; musl 1.2.3 predates it */
#endif

static pthread_t main_thread;
static volatile int handled;

static void handler(int sig)
{
	(void)sig;
	handled++;
}

/* Signal the main thread 30 ms from now, while it waits. */
static void *poke(void *arg)
{
	struct timespec d = { 0, 30 * 1000 * 1000 };

	(void)arg;
	nanosleep(&d, NULL);
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

static void interrupt_soon(pthread_t *t)
{
	CHECK(pthread_create(t, NULL, poke, NULL) == 0);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct sembuf down = { 0, -1, 0 };
	struct timespec ten = { 10, 0 };
	struct epoll_event ev;
	struct {
		long type;
		char text[8];
	} msg;
	pthread_t t;
	int q, sem, ep, p[2];

	alarm(WATCHDOG_SECONDS);
	main_thread = pthread_self();
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);

	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	CHECK(q >= 0);
	interrupt_soon(&t);
	CHECK(msgrcv(q, &msg, sizeof(msg.text), 0, 0) == -1 && errno == EINTR);
	pthread_join(t, NULL);
	printf("msgrcv: EINTR under SA_RESTART, handled %d\n", handled);
	CHECK(msgctl(q, IPC_RMID, NULL) == 0);

	sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	CHECK(sem >= 0);
	interrupt_soon(&t);
	CHECK(semop(sem, &down, 1) == -1 && errno == EINTR);
	pthread_join(t, NULL);
	printf("semop: EINTR under SA_RESTART, handled %d\n", handled);
	interrupt_soon(&t);
	CHECK(semtimedop(sem, &down, 1, &ten) == -1 && errno == EINTR);
	pthread_join(t, NULL);
	printf("semtimedop: EINTR under SA_RESTART, handled %d\n", handled);
	CHECK(semctl(sem, 0, IPC_RMID) == 0);

	CHECK(pipe(p) == 0);
	ep = epoll_create1(0);
	CHECK(ep >= 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 0;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	interrupt_soon(&t);
	CHECK(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ten, NULL, 0) == -1 && errno == EINTR);
	pthread_join(t, NULL);
	printf("epoll_pwait2: EINTR under SA_RESTART, handled %d\n", handled);
	return 0;
}
