/* The interrupt flag (RFLAGS.IF) behind kern/irqflags.h. */
#include "kern/irqflags.h"
#include "cpu.h"

static inline unsigned long read_rflags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f)::"memory");
	return f;
}

unsigned long arch_irq_save(void)
{
	unsigned long f = read_rflags();

	cli();
	return f;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF) {
		__asm__ volatile("sti" ::: "memory");
	}
}

void arch_irq_enable(void)
{
	{
		void x86_harness_run(void); /* TEMPORARY */
		x86_harness_run();
	}
	__asm__ volatile("sti" ::: "memory");
}

void arch_irq_disable(void)
{
	cli();
}

bool arch_irqs_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}

/*
 * sti takes effect after the next instruction, so no interrupt can be
 * delivered between sti and hlt: one that is already pending, or arrives
 * then, ends the hlt instead of being lost before it.
 */
void arch_wait_for_interrupt(void)
{
	__asm__ volatile("sti\n\thlt\n\tcli" ::: "memory");
}

/*
 * The logical number, first field of this CPU's per-CPU area (percpu.h):
 * one %gs-relative load, atomic with respect to migration (a thread
 * moved between two instructions still reads one CPU's number). Volatile
 * so that the compiler never reuses a value read before a migration.
 */
unsigned int arch_cpu_id(void)
{
	unsigned int cpu;

	__asm__ volatile("movl %%gs:0, %0" : "=r"(cpu));
	return cpu;
}
