/* Segment selectors and IST slots shared by gdt.c and trap.c. */
#ifndef X86_64_GDT_H
#define X86_64_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS		0x18

/* Interrupt Stack Table slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3

void gdt_init(void);

#endif
