/* The IRQ mask (PSTATE.I, in DAIF) behind kern/irqflags.h. */
#include "kern/irqflags.h"
#include "asm/sysreg.h"
#include "percpu.h"

#define DAIF_I (1ul << 7)

unsigned long arch_irq_save(void)
{
	unsigned long daif = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return daif;
}

void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

bool arch_irqs_enabled(void)
{
	return !(read_sysreg(daif) & DAIF_I);
}

/*
 * WFI wakes on a pending interrupt even while PSTATE.I masks it (Arm ARM
 * D1.16.2), so masked-check-then-wfi loses nothing; unmasking afterwards
 * lets the handler run.
 */
void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi\n\t"
			 "msr daifclr, #2\n\t"
			 "isb\n\t"
			 "msr daifset, #2" ::
			     : "memory");
}

/* The per-CPU area TPIDR_EL1 points at (percpu.h), set before any C
 * code on every CPU. */
unsigned int arch_cpu_id(void)
{
	const struct arch_percpu *p =
	    (const struct arch_percpu *)read_sysreg(tpidr_el1);

	return p->cpu;
}
