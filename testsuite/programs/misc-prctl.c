/* Misc: prctl PR_SET_NAME/PR_GET_NAME per thread, pthread_setname_np, PR_SET_DUMPABLE. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "check.h"

static char thread_name_seen[16];

static void *named(void *arg)
{
	(void)arg;
	CHECK(prctl(PR_SET_NAME, "worker-thread") == 0);
	CHECK(prctl(PR_GET_NAME, thread_name_seen) == 0);
	return NULL;
}

int main(void)
{
	char name[32];
	pthread_t t;

	CHECK(prctl(PR_SET_NAME, "elh-corpus") == 0);
	memset(name, 'x', sizeof(name));
	CHECK(prctl(PR_GET_NAME, name) == 0);
	printf("name: %s\n", name);

	CHECK(prctl(PR_SET_NAME, "a-name-longer-than-fifteen-bytes") == 0);
	CHECK(prctl(PR_GET_NAME, name) == 0);
	printf("long name truncated to %zu bytes: %s\n", strlen(name), name);

	/* Names are per thread. */
	CHECK(pthread_create(&t, NULL, named, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(prctl(PR_GET_NAME, name) == 0);
	printf("thread saw %s, main still %s\n", thread_name_seen, name);

	CHECK(pthread_setname_np(pthread_self(), "via-pthread") == 0);
	CHECK(prctl(PR_GET_NAME, name) == 0);
	printf("pthread_setname_np: %s\n", name);
	CHECK(pthread_setname_np(pthread_self(), "this-one-is-far-too-long") == ERANGE);

	CHECK(prctl(PR_SET_DUMPABLE, 0) == 0);
	printf("dumpable after clearing: %d\n", prctl(PR_GET_DUMPABLE));
	CHECK(prctl(PR_SET_DUMPABLE, 1) == 0);
	printf("dumpable after setting: %d\n", prctl(PR_GET_DUMPABLE));
	printf("no_new_privs: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) >= 0);
	CHECK(prctl(PR_SET_DUMPABLE, 7) == -1 && errno == EINVAL);
	CHECK(prctl(0x7fff0000) == -1 && errno == EINVAL);
	printf("ok\n");
	return 0;
}
