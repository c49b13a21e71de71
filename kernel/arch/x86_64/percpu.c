/* The per-CPU areas (percpu.h), one per logical CPU, in .bss. */
#include "asm/msr.h"
#include "percpu.h"

static struct x86_percpu areas[NR_CPUS] __aligned(64);

struct x86_percpu *x86_percpu(unsigned int cpu)
{
	return &areas[cpu % NR_CPUS];
}

/*
 * Only the MSR: loading a selector into %gs would reset the base (SDM
 * Vol. 3A 3.4.4.1), and nothing in kite does after this (boot.S zeroes
 * %gs before x86_64_entry; the trampoline before x86_ap_entry).
 */
void x86_percpu_set(struct x86_percpu *pc)
{
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (uintptr_t)pc);
}

/* boot.S cleared .bss: areas[0].cpu is already 0. */
void x86_percpu_init_boot(void)
{
	x86_percpu_set(&areas[0]);
}
