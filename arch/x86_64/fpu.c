/* The guest's initial FPU state. */
#include <string.h>

#include "regs.h"

void elh_fpu_init(struct elh_fpu *fpu)
{
	uint16_t fcw = 0x37f;	 /* x87: all exceptions masked, extended precision */
	uint32_t mxcsr = 0x1f80; /* SSE: all exceptions masked, round to nearest */

	memset(fpu->area, 0, 576); /* legacy area and XSAVE header: XSTATE_BV = 0 */
	memcpy(fpu->area, &fcw, sizeof(fcw));
	memcpy(fpu->area + 24, &mxcsr, sizeof(mxcsr));
}
