/* Shared by the Check unit tests. */
#ifndef ELH_TESTSUITE_UNIT_H
#define ELH_TESTSUITE_UNIT_H

#include <check.h>

/* Run every test of s (each in a child process: Check's fork mode) and
 * turn the result into the exit status the test harness expects. */
static inline int elh_unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
