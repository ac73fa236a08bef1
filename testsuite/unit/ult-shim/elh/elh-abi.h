/* The ABI header itself (arch/x86_64, on the include path). */
#include <elh-abi.h>
