/* A jump to an unmapped address kills the program with SIGSEGV. */
#include <stdio.h>
#include <stdint.h>

int main(void)
{
	void (*f)(void) = (void (*)(void))(uintptr_t)0x7ff00000dead;

	printf("jumping\n");
	fflush(stdout);
	f();
	return 0;
}
