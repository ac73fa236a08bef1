/* The table of what each system call is (elh-calls.h), against signal(7)
 * and against itself. */
#include <stdio.h>
#include <sys/syscall.h>

#include "elh-calls.h"
#include "unit.h"

/* signal(7), "Interruption of system calls and library functions by signal
 * handlers": the calls restarted after a handler with SA_RESTART, each
 * library function named by the call that it makes (recv: recvfrom, wait:
 * wait4, sem_wait and pthread_mutex_lock: futex...). */
static const long restarted_under_sa_restart[] = {
	SYS_read,	  SYS_readv,	SYS_write,
	SYS_writev,	  SYS_ioctl,	SYS_open,
	SYS_openat,	  SYS_wait4,	SYS_waitid,
	SYS_accept,	  SYS_accept4,	SYS_connect,
	SYS_recvfrom,	  SYS_recvmmsg, SYS_recvmsg,
	SYS_sendto,	  SYS_sendmsg,	SYS_sendmmsg,
	SYS_flock,	  SYS_fcntl,	SYS_mq_timedreceive,
	SYS_mq_timedsend, SYS_futex,	SYS_getrandom,
};

/* "never restarted after being interrupted by a signal handler, regardless
 * of the use of SA_RESTART; they always fail with the error EINTR". */
static const long never_restarted_after_a_handler[] = {
	SYS_pause,	  SYS_rt_sigsuspend,   SYS_rt_sigtimedwait,
	SYS_epoll_wait,	  SYS_epoll_pwait,     SYS_poll,
	SYS_ppoll,	  SYS_select,	       SYS_pselect6,
	SYS_msgrcv,	  SYS_msgsnd,	       SYS_semop,
	SYS_semtimedop,	  SYS_clock_nanosleep, SYS_nanosleep,
	SYS_io_getevents, SYS_epoll_pwait2,
};

/* "Interruption of system calls and library functions by stop signals":
 * with no handler at all, these fail with EINTR after SIGSTOP and
 * SIGCONT (the current kernel's entries of the list). */
static const long eintr_after_a_stop[] = {
	SYS_epoll_wait,	     SYS_epoll_pwait,  SYS_semop,	 SYS_semtimedop,
	SYS_rt_sigtimedwait, SYS_io_getevents, SYS_epoll_pwait2,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned restart_class(long nr)
{
	return elh_call_rules(nr) & ELH_CALL_RESTART;
}

START_TEST(sa_restart_list)
{
	for (size_t i = 0; i < N(restarted_under_sa_restart); i++) {
		long nr = restarted_under_sa_restart[i];

		ck_assert_msg(elh_call_restarts_after_handler(nr),
			      "call %ld: signal(7) restarts it under SA_RESTART", nr);
		/* They are all there because they can wait. */
		ck_assert_msg(elh_call_blocks(nr), "call %ld: signal(7) says it can wait", nr);
	}
}
END_TEST

START_TEST(never_restarted_list)
{
	for (size_t i = 0; i < N(never_restarted_after_a_handler); i++) {
		long nr = never_restarted_after_a_handler[i];

		ck_assert_msg(!elh_call_restarts_after_handler(nr),
			      "call %ld: signal(7) never restarts it after a handler", nr);
		ck_assert_msg(elh_call_blocks(nr), "call %ld: signal(7) says it can wait", nr);
	}
}
END_TEST

START_TEST(stop_signal_list)
{
	for (size_t i = 0; i < N(eintr_after_a_stop); i++)
		ck_assert_msg(restart_class(eintr_after_a_stop[i]) == ELH_RESTART_NEVER,
			      "call %ld: EINTR after a stop signal", eintr_after_a_stop[i]);
}
END_TEST

/* The other way round: a call the table says is not restarted is in one of
 * signal(7)'s lists, or is io_pgetevents, which the page leaves out
 * (ERESTARTNOHAND in fs/aio.c). */
START_TEST(no_other_call_escapes_sa_restart)
{
#define CHECK_ROW(nm, ...)                                                                         \
	if (!elh_call_restarts_after_handler(SYS_##nm) && SYS_##nm != SYS_io_pgetevents) {         \
		int found = 0;                                                                     \
		for (size_t i = 0; i < N(never_restarted_after_a_handler); i++)                    \
			found |= never_restarted_after_a_handler[i] == SYS_##nm;                   \
		ck_assert_msg(found, "%s: not restarted, but not in signal(7)'s list", #nm);       \
	}                                                                                          \
	if (restart_class(SYS_##nm) == ELH_RESTART_NEVER) {                                        \
		int found = 0;                                                                     \
		for (size_t i = 0; i < N(eintr_after_a_stop); i++)                                 \
			found |= eintr_after_a_stop[i] == SYS_##nm;                                \
		ck_assert_msg(found, "%s: NEVER, but not in signal(7)'s stop list", #nm);          \
	}
	ELH_CALLS(CHECK_ROW)
#undef CHECK_ROW
}
END_TEST

/* The rows agree among themselves: a call that can be interrupted at all
 * waits; the calls of one family have the same rules. */
START_TEST(rows_are_consistent)
{
#define CHECK_ROW(nm, ...)                                                                         \
	ck_assert_msg(elh_call_restarts_after_handler(SYS_##nm) || elh_call_blocks(SYS_##nm),      \
		      "%s: interrupted, so it waits", #nm);
	ELH_CALLS(CHECK_ROW)
#undef CHECK_ROW
	static const long families[][4] = {
		{ SYS_read, SYS_readv, SYS_pread64, SYS_preadv },
		{ SYS_write, SYS_writev, SYS_pwrite64, SYS_pwritev },
		{ SYS_preadv, SYS_preadv2, SYS_pwritev, SYS_pwritev2 },
		{ SYS_accept, SYS_accept4, SYS_accept, SYS_accept },
		{ SYS_recvfrom, SYS_recvmsg, SYS_recvmmsg, SYS_sendto },
		{ SYS_epoll_wait, SYS_epoll_pwait, SYS_epoll_pwait2, SYS_epoll_wait },
		{ SYS_semop, SYS_semtimedop, SYS_semop, SYS_semop },
		{ SYS_msgrcv, SYS_msgsnd, SYS_msgrcv, SYS_msgrcv },
		{ SYS_nanosleep, SYS_clock_nanosleep, SYS_nanosleep, SYS_nanosleep },
		{ SYS_open, SYS_openat, SYS_openat2, SYS_creat },
		{ SYS_fsync, SYS_fdatasync, SYS_syncfs, SYS_sync },
	};
	const unsigned mask = ELH_CALL_BLOCKS | ELH_CALL_RESTART | ELH_CALL_VCPU;

	for (size_t f = 0; f < N(families); f++)
		for (size_t i = 1; i < 4; i++)
			ck_assert_msg((elh_call_rules(families[f][0]) & mask) ==
					  (elh_call_rules(families[f][i]) & mask),
				      "calls %ld and %ld: one family, different rules",
				      families[f][0], families[f][i]);
}
END_TEST

/* The masks: where each call's is, and that the guest looks at it. */
START_TEST(mask_arguments)
{
	int ind;

	ck_assert_int_eq(elh_call_mask_arg(SYS_ppoll, &ind), 3);
	ck_assert(!ind);
	ck_assert_int_eq(elh_call_mask_arg(SYS_epoll_pwait, &ind), 4);
	ck_assert(!ind);
	ck_assert_int_eq(elh_call_mask_arg(SYS_epoll_pwait2, &ind), 4);
	ck_assert(!ind);
	ck_assert_int_eq(elh_call_mask_arg(SYS_pselect6, &ind), 5);
	ck_assert(ind);
	ck_assert_int_eq(elh_call_mask_arg(SYS_poll, &ind), -1);
	ck_assert_int_eq(elh_call_mask_arg(SYS_read, &ind), -1);
	ck_assert_int_eq(elh_call_mask_arg(SYS_getpid, &ind), -1);
	ck_assert(elh_call_in_guest(SYS_ppoll) && elh_call_in_guest(SYS_pselect6));
	/* A masked call itself may go to a worker once its mask is taken. */
	ck_assert(elh_call_any_thread(SYS_ppoll));
}
END_TEST

/* What never leaves the calling thread, and what the guest serves. */
START_TEST(threads_and_guest)
{
	static const long on_the_vcpu[] = {
		SYS_sched_yield, SYS_prctl,  SYS_getrusage, SYS_setpriority, SYS_sched_setaffinity,
		SYS_futex,	 SYS_gettid, SYS_exit,	    SYS_vfork,	     SYS_rt_sigprocmask,
	};
	static const long in_guest[] = {
		SYS_futex,  SYS_gettid,	      SYS_sched_yield,	  SYS_tkill,
		SYS_tgkill, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigtimedwait,
		SYS_kill,   SYS_fork,	      SYS_execve,
	};

	for (size_t i = 0; i < N(on_the_vcpu); i++)
		ck_assert_msg(!elh_call_any_thread(on_the_vcpu[i]), "call %ld: on its vCPU",
			      on_the_vcpu[i]);
	for (size_t i = 0; i < N(in_guest); i++)
		ck_assert_msg(elh_call_in_guest(in_guest[i]), "call %ld: served in the guest",
			      in_guest[i]);
		/* A guest-served call is never handed to a worker. */
#define CHECK_ROW(nm, blocks, restart, mask, vcpu, guest)                                          \
	ck_assert_msg(!(guest) || (vcpu), "%s: served in the guest, so on its vCPU", #nm);
	ELH_CALLS(CHECK_ROW)
#undef CHECK_ROW
	ck_assert(elh_call_any_thread(SYS_read) && !elh_call_in_guest(SYS_read));
	ck_assert_uint_eq(elh_call_rules(SYS_getpid), 0);
	ck_assert_uint_eq(elh_call_rules(-1), 0);
}
END_TEST

static Suite *calls_suite(void)
{
	Suite *s = suite_create("calls");
	TCase *tc = tcase_create("signal(7)");

	tcase_add_test(tc, sa_restart_list);
	tcase_add_test(tc, never_restarted_list);
	tcase_add_test(tc, stop_signal_list);
	tcase_add_test(tc, no_other_call_escapes_sa_restart);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows");
	tcase_add_test(tc, rows_are_consistent);
	tcase_add_test(tc, mask_arguments);
	tcase_add_test(tc, threads_and_guest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return elh_unit_run(calls_suite());
}
