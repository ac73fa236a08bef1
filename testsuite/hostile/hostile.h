/* Shared by the hostile-guest cases: CHECK from the corpus, and how a case
 * knows where it runs (argv[1]: "native" or "elh", given by run.sh). */
#ifndef ELH_HOSTILE_H
#define ELH_HOSTILE_H

#include <string.h>

#include "../programs/check.h"

static int under_elh;

static inline void hostile_init(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "native") && strcmp(argv[1], "elh"))) {
		fprintf(stderr, "usage: %s native|elh\n", argv[0]);
		exit(2);
	}
	under_elh = !strcmp(argv[1], "elh");
}

/* The call failed with errno e (under elh), or succeeded (natively). */
#define REFUSED(call, e) ((call) < 0 && errno == (e))

#endif
