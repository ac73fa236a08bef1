/* Unknown system-call numbers return ENOSYS; the program goes on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	static const long nrs[] = { 1000, 4095, 100000, -1, -100, 0x40000000L | SYS_getpid };

	for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		long r;

		errno = 0;
		r = syscall(nrs[i], 1, 2, 3);
		printf("syscall(%ld) = %ld %s\n", nrs[i], r, errno == ENOSYS ? "ENOSYS" : strerror(errno));
	}
	printf("still running: getppid works: %d\n", getppid() > 0);
	return 0;
}
