/*
 * The x86_64 per-CPU area: one struct per logical CPU, reached through
 * the GS base (IA32_GS_BASE, MSR 0xC0000101; SDM Vol. 3A 3.4.4.1: in
 * 64-bit mode a %gs-relative access adds that base). The logical number
 * is the first field, so arch_cpu_id() is one `movl %gs:0` on any CPU,
 * with no lock and no migration window (irqflags.c).
 *
 * What each CPU owns besides: its GDT and its TSS, whose Interrupt Stack
 * Table gives it #DF, NMI and #MC stacks of its own (gdt.c). The IDT is
 * shared (trap.c): every CPU takes the same vectors.
 *
 * The boot CPU's area is set first thing in x86_64_entry(), before any
 * kprintf or spinlock (both ask arch_cpu_id()); a started CPU's by
 * x86_ap_entry() (smpboot.c), first thing too.
 */
#ifndef X86_64_PERCPU_H
#define X86_64_PERCPU_H

#include "kern/compiler.h"
#include "kern/irq.h" /* NR_CPUS */
#include "kern/vm.h"

#define MSR_GS_BASE 0xc0000101u

/* The 64-bit TSS (SDM Vol. 3A 8.7, Figure 8-11). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* 0x04: stacks for privilege changes */
	uint64_t reserved1;
	uint64_t ist[7]; /* 0x24: IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* 0x66 */
} __packed;
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

#define GDT_ENTRIES 5 /* null, code, data, the 16-byte TSS descriptor */
#define NR_IST	    3 /* #DF, NMI, #MC (gdt.h IST_*) */

struct x86_percpu {
	uint32_t cpu;		 /* 0x00: logical number (arch_cpu_id) */
	uint32_t hwid;		 /* 0x04: APIC ID */
	struct x86_percpu *self; /* 0x08: this struct's own address */
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
	struct vm_stack ist[NR_IST]; /* started CPUs: guarded stacks */
	bool ist_allocated;
};
_Static_assert(offsetof(struct x86_percpu, cpu) == 0,
	       "arch_cpu_id() reads %gs:0");

/* Logical CPU cpu's area (cpu < NR_CPUS). */
struct x86_percpu *x86_percpu(unsigned int cpu);

/* Point this CPU's GS base at pc. */
void x86_percpu_set(struct x86_percpu *pc);

/* The boot CPU: its area (logical 0) into the GS base. */
void x86_percpu_init_boot(void);

#endif
