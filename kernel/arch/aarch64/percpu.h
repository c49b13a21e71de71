/*
 * The AArch64 per-CPU area and the block a starting CPU reads its
 * registers from. Shared by C and assembly (boot.S, vectors.S): the
 * offsets are #defines, asserted against the structs.
 *
 * Per-CPU area: one struct arch_percpu per logical CPU, its address in
 * TPIDR_EL1 (Arm ARM D19.2: a register the OS keeps per PE, unreadable
 * at EL0). boot.S points the boot CPU's at arch_percpu[0] before the first
 * C code, a secondary's entry at its own before smp_secondary_main(), so
 * arch_cpu_id() is an MRS and a load on any CPU.
 */
#ifndef AARCH64_PERCPU_H
#define AARCH64_PERCPU_H

/* struct arch_percpu */
#define PERCPU_CPU	    0x00 /* logical number (kern/cpu.h) */
#define PERCPU_ENTRY_EL	    0x04 /* the exception level it entered at */
#define PERCPU_OVERFLOW_TOP 0x08 /* vectors.S: this CPU's overflow stack */
#define PERCPU_SIZE	    0x10

#define OVERFLOW_STACK_SIZE 8192

/* struct cpu_boot: what secondary_entry (boot.S) loads, in this order. */
#define CPU_BOOT_MAIR  0x00
#define CPU_BOOT_TCR   0x08
#define CPU_BOOT_TTBR0 0x10
#define CPU_BOOT_SCTLR 0x18
#define CPU_BOOT_VBAR  0x20
#define CPU_BOOT_TPIDR 0x28
#define CPU_BOOT_SP    0x30
#define CPU_BOOT_ENTRY 0x38
#define CPU_BOOT_SIZE  0x40 /* one cache line: one DC CVAC cleans it */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#include "kern/irq.h" /* NR_CPUS */

struct arch_percpu {
	unsigned int cpu;
	uint32_t entry_el;
	uintptr_t overflow_top;
};

_Static_assert(offsetof(struct arch_percpu, cpu) == PERCPU_CPU, "percpu");
_Static_assert(offsetof(struct arch_percpu, entry_el) == PERCPU_ENTRY_EL,
	       "percpu");
_Static_assert(offsetof(struct arch_percpu, overflow_top) ==
		   PERCPU_OVERFLOW_TOP,
	       "percpu");
_Static_assert(sizeof(struct arch_percpu) == PERCPU_SIZE, "percpu");

extern struct arch_percpu arch_percpu[NR_CPUS];

/*
 * The translation registers every CPU runs with: mmu.c computes them for
 * the boot CPU and keeps them here; a secondary loads the same values
 * before it turns its MMU on.
 */
struct mmu_regs {
	uint64_t mair, tcr, ttbr0, sctlr;
};
extern struct mmu_regs mmu_boot_regs;

/*
 * A starting CPU's parameters: PSCI CPU_ON hands secondary_entry this
 * block's physical address as the context id (DEN0022 5.6: it arrives in
 * x0). Read with the MMU off, so the writer cleans it to the point of
 * coherency first.
 */
struct cpu_boot {
	uint64_t mair, tcr, ttbr0, sctlr; /* as mmu_boot_regs */
	uint64_t vbar;			  /* the exception vectors */
	uint64_t tpidr;			  /* &arch_percpu[cpu] */
	uint64_t sp;	/* the stack given to arch_cpu_start */
	uint64_t entry; /* void (*)(void): never returns */
};

_Static_assert(offsetof(struct cpu_boot, mair) == CPU_BOOT_MAIR, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, tcr) == CPU_BOOT_TCR, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, ttbr0) == CPU_BOOT_TTBR0, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, sctlr) == CPU_BOOT_SCTLR, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, vbar) == CPU_BOOT_VBAR, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, tpidr) == CPU_BOOT_TPIDR, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, sp) == CPU_BOOT_SP, "cpu_boot");
_Static_assert(offsetof(struct cpu_boot, entry) == CPU_BOOT_ENTRY, "cpu_boot");
_Static_assert(sizeof(struct cpu_boot) == CPU_BOOT_SIZE, "cpu_boot");

/* boot.S: where PSCI CPU_ON starts a CPU (x0 = its struct cpu_boot). */
void secondary_entry(void);
#endif

#endif
