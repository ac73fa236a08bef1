/* Time: gmtime/timegm/mktime/strftime/strptime on fixed instants with TZ set by the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

int main(void)
{
	static const time_t instants[] = { 0,	       951782400,    1234567890,
					   2147483647, 4102444800LL, -86400 };
	char buf[128];
	struct tm tm;
	time_t t;

	CHECK(setenv("TZ", "UTC0", 1) == 0);
	tzset();
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		CHECK(gmtime_r(&instants[i], &tm) != NULL);
		CHECK(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %a %b %j %u %w", &tm) > 0);
		printf("%lld: %s yday %d\n", (long long)instants[i], buf, tm.tm_yday);
		CHECK(timegm(&tm) == instants[i]);
		CHECK(localtime_r(&instants[i], &tm) != NULL);
		CHECK(mktime(&tm) == instants[i]);
	}

	/* mktime normalises out-of-range fields. */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2024 - 1900;
	tm.tm_mon = 1;
	tm.tm_mday = 30; /* 30 February 2024 is 1 March */
	tm.tm_hour = 25;
	tm.tm_min = -30;
	t = mktime(&tm);
	CHECK(strftime(buf, sizeof(buf), "%F %T", &tm) > 0);
	printf("normalised: %s (%lld) wday %d\n", buf, (long long)t, tm.tm_wday);

	/* Another zone, given explicitly. */
	CHECK(setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1) == 0);
	tzset();
	t = 1720000000; /* July 2024: daylight saving time */
	CHECK(localtime_r(&t, &tm) != NULL);
	CHECK(strftime(buf, sizeof(buf), "%F %T %Z %z", &tm) > 0);
	printf("EST5EDT summer: %s isdst %d\n", buf, tm.tm_isdst);
	t = 1700000000; /* November 2023: standard time */
	CHECK(localtime_r(&t, &tm) != NULL);
	CHECK(strftime(buf, sizeof(buf), "%F %T %Z %z", &tm) > 0);
	printf("EST5EDT winter: %s isdst %d\n", buf, tm.tm_isdst);
	CHECK(mktime(&tm) == t);

	CHECK(strptime("2001-02-03 04:05:06", "%Y-%m-%d %H:%M:%S", &tm) != NULL);
	printf("strptime: %d %d %d %d %d %d\n", tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
	       tm.tm_min, tm.tm_sec);
	CHECK(difftime(10, 4) == 6.0);
	printf("ok\n");
	return 0;
}
