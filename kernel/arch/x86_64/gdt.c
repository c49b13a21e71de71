/*
 * The GDT and the TSS (Intel SDM Vol. 3A, 3.4.5 and 8.7), one pair per
 * CPU in its per-CPU area (percpu.h). Long mode ignores segment bases and
 * limits, but the CPU still needs a code segment with L set, a valid data
 * segment for SS (an iretq with a bad SS faults), and a TSS whose
 * Interrupt Stack Table gives #DF, NMI and #MC stacks of their own, so
 * that a kernel stack overflow is reported instead of turning into a
 * triple fault. Each CPU needs its own TSS: ltr marks the descriptor busy
 * (SDM 8.2.2), and two CPUs on one IST stack would overwrite each other.
 */
#include "kern/compiler.h"
#include "gdt.h"
#include "percpu.h"

/* The boot CPU's IST stacks: static, set up before there is a heap (a
 * started CPU's are guarded vm stacks, smpboot.c). */
static uint8_t boot_ist_stacks[NR_IST][IST_STACK_SIZE] __aligned(16);

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define SEG_CODE64 0x00af9a000000ffffull /* P, DPL0, code, exec/read, L */
#define SEG_DATA   0x00cf92000000ffffull /* P, DPL0, data, read/write */

static void gdt_set_tss(uint64_t *slot, uintptr_t base, uint32_t limit)
{
	/* Type 9: available 64-bit TSS, present. */
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (0x89ull << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
		  ((uint64_t)(base >> 24 & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_setup(struct x86_percpu *pc, const uintptr_t ist_top[NR_IST])
{
	pc->tss.ist[IST_DOUBLE_FAULT - 1] = ist_top[0];
	pc->tss.ist[IST_NMI - 1] = ist_top[1];
	pc->tss.ist[IST_MACHINE_CHECK - 1] = ist_top[2];
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O permission bitmap */

	pc->gdt[0] = 0;
	pc->gdt[GDT_KERNEL_CODE / 8] = SEG_CODE64;
	pc->gdt[GDT_KERNEL_DATA / 8] = SEG_DATA;
	gdt_set_tss(&pc->gdt[GDT_TSS / 8], (uintptr_t)&pc->tss,
		    sizeof(pc->tss) - 1);
}

/* Load pc's GDT on this CPU: CS with a far return, the data segments
 * directly (not %fs/%gs: a selector load would reset the GS base), then
 * the task register. */
void gdt_load(struct x86_percpu *pc)
{
	struct gdt_ptr ptr = {sizeof(pc->gdt) - 1, (uintptr_t)pc->gdt};

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3\n\t"
			 :
			 : "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA),
			   "r"(GDT_TSS)
			 : "rax", "memory");
}

void gdt_init(void)
{
	struct x86_percpu *pc = x86_percpu(0);
	uintptr_t top[NR_IST];

	for (int i = 0; i < NR_IST; i++) {
		top[i] = (uintptr_t)boot_ist_stacks[i] + IST_STACK_SIZE;
	}
	gdt_setup(pc, top);
	gdt_load(pc);
}
