/*
 * The GDT and the TSS (Intel SDM Vol. 3A, 3.4.5 and 8.7). Long mode
 * ignores segment bases and limits, but the CPU still needs a code segment
 * with L set, a valid data segment for SS (an iretq with a bad SS faults),
 * and a TSS whose Interrupt Stack Table gives #DF, NMI and #MC stacks of
 * their own, so that a kernel stack overflow is reported instead of
 * turning into a triple fault.
 */
#include "kern/compiler.h"
#include "gdt.h"

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

#define IST_STACK_SIZE 8192

static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
static struct tss tss;

/* Null, kernel code, kernel data, then the 16-byte TSS descriptor. */
static uint64_t gdt[5] __aligned(16);

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

void gdt_init(void)
{
	struct gdt_ptr ptr = {sizeof(gdt) - 1, (uintptr_t)gdt};

	tss.ist[IST_DOUBLE_FAULT - 1] =
	    (uintptr_t)ist_stacks[0] + IST_STACK_SIZE;
	tss.ist[IST_NMI - 1] = (uintptr_t)ist_stacks[1] + IST_STACK_SIZE;
	tss.ist[IST_MACHINE_CHECK - 1] =
	    (uintptr_t)ist_stacks[2] + IST_STACK_SIZE;
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	gdt[GDT_KERNEL_CODE / 8] = SEG_CODE64;
	gdt[GDT_KERNEL_DATA / 8] = SEG_DATA;
	gdt_set_tss(&gdt[GDT_TSS / 8], (uintptr_t)&tss, sizeof(tss) - 1);

	/* Reload CS with a far return, the data segments directly. */
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
