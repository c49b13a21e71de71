/* STUB (contract for issue 11; kern/smp.h): no IPIs yet. */
#include "kern/errno.h"
#include "kern/smp.h"

int ipi_register_lines(unsigned int first_irq)
{
	(void)first_irq;
	return 0;
}

bool ipi_available(void)
{
	return false;
}

void ipi_send(unsigned int cpu, enum ipi_kind kind)
{
	(void)cpu;
	(void)kind;
}

void ipi_send_mask(cpumask_t mask, enum ipi_kind kind)
{
	(void)mask;
	(void)kind;
}

unsigned long ipi_received(unsigned int cpu, enum ipi_kind kind)
{
	(void)cpu;
	(void)kind;
	return 0;
}

int smp_call_function(cpumask_t mask, void (*fn)(void *arg), void *arg,
		      bool wait)
{
	(void)wait;
	if (mask & CPUMASK_CPU(0)) {
		fn(arg);
	}
	return 0;
}

void smp_stop_others(void)
{
}
