/*
 * This CPU's interrupt flag, implemented by each port (x86_64: RFLAGS.IF
 * with cli/sti; AArch64: PSTATE.I in DAIF).
 */
#ifndef KERN_IRQFLAGS_H
#define KERN_IRQFLAGS_H

#include "kern/compiler.h"

/* Disable interrupts; return the previous state for arch_irq_restore(). */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irqs_enabled(void);

/*
 * Called with interrupts off: enable them and wait for one as a single
 * step, so an interrupt that arrives between the caller's last check and
 * the wait still wakes it (x86_64 "sti; hlt", AArch64 "wfi" then unmask).
 * Returns with interrupts off again, after the handler ran.
 */
void arch_wait_for_interrupt(void);

/* This CPU's number (0 until SMP). */
unsigned int arch_cpu_id(void);

#endif
