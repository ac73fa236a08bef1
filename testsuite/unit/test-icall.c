/* elh_icall: interruptible host calls for the exit-less workers. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "icall.h"
#include "unit.h"

#define STOP_SIG SIGUSR1

static void on_stop(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)info;
	elh_icall_fixup(uc);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: the call must end */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(STOP_SIG, &sa, NULL), 0);
}

struct blocked {
	int fd;
	uint32_t stop;
	pid_t tid;
	volatile int started;
	long result;
};

static void *reader(void *arg)
{
	struct blocked *b = arg;
	char c;
	uint64_t a[6] = { (uint64_t)b->fd, (uint64_t)(uintptr_t)&c, 1, 0, 0, 0 };

	b->tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&b->started, 1, __ATOMIC_SEQ_CST);
	b->result = elh_icall(SYS_read, a, &b->stop);
	return NULL;
}

START_TEST(test_plain_call)
{
	uint32_t stop = 0;
	uint64_t a[6] = { 0 };

	ck_assert_int_eq(elh_icall(SYS_getpid, a, &stop), getpid());
	a[0] = 12345;
	ck_assert_int_eq(elh_icall(SYS_close, a, &stop), -EBADF);
}
END_TEST

START_TEST(test_stopped_before)
{
	uint32_t stop = 1;
	int p[2];
	char c;
	uint64_t a[6];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	a[0] = (uint64_t)p[0];
	a[1] = (uint64_t)(uintptr_t)&c;
	a[2] = 1;
	/* Data is there, but the call must not even start. */
	ck_assert_int_eq(elh_icall(SYS_read, a, &stop), -EINTR);
	stop = 0;
	ck_assert_int_eq(elh_icall(SYS_read, a, &stop), 1);
	ck_assert_int_eq(c, 'x');
}
END_TEST

/* A reader blocked in read(2) is stopped by the word plus the signal, at
 * whatever moment they come: many rounds, with and without a head start. */
START_TEST(test_stop_blocked)
{
	install();
	for (int round = 0; round < 300; round++) {
		struct blocked b = { 0 };
		int p[2];
		pthread_t t;

		ck_assert_int_eq(pipe(p), 0);
		b.fd = p[0];
		ck_assert_int_eq(pthread_create(&t, NULL, reader, &b), 0);
		while (!__atomic_load_n(&b.started, __ATOMIC_SEQ_CST))
			;
		if (round % 3 == 0)
			usleep(200);
		__atomic_store_n(&b.stop, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_tgkill, getpid(), b.tid, STOP_SIG);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
		ck_assert_int_eq(b.result, -EINTR);
		close(p[0]);
		close(p[1]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("icall");
	TCase *tc = tcase_create("icall");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain_call);
	tcase_add_test(tc, test_stopped_before);
	tcase_add_test(tc, test_stop_blocked);
	suite_add_tcase(s, tc);
	return elh_unit_run(s);
}
