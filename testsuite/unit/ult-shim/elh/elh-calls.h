/* The call table itself (arch/x86_64, on the include path). */
#include <elh-calls.h>
