/* In place of musl's ksigaction.h (ult-shim/README.md): the kernel's
 * struct sigaction on x86-64. */
#ifndef ULT_SHIM_KSIGACTION_H
#define ULT_SHIM_KSIGACTION_H

struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned mask[2];
};

void __restore_rt(void);

#endif
