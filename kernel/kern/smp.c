/*
 * STUB (contract for issue 11; kern/smp.h): one CPU online, nothing
 * started. Replaced by the SMP bring-up.
 */
#include "kern/cpu.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/smp.h"

cpumask_t cpu_online_mask(void)
{
	return CPUMASK_CPU(0);
}

unsigned int cpu_online_count(void)
{
	return 1;
}

bool cpu_online(unsigned int cpu)
{
	return cpu == 0;
}

void smp_boot(void)
{
	if (cpu_count() > 1) {
		kprintf("smp: %u CPUs listed, bring-up not built yet\n",
			cpu_count());
	}
}

void smp_cpu_init_register(const char *name, void (*init)(void))
{
	(void)name;
	(void)init;
}

void smp_secondary_main(void)
{
	panic("smp_secondary_main: stub");
}
