/* Segment selectors and IST slots shared by gdt.c, trap.c, smpboot.c. */
#ifndef X86_64_GDT_H
#define X86_64_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS		0x18

/* Interrupt Stack Table slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3

#define IST_STACK_SIZE 8192

struct x86_percpu;

/* The boot CPU's GDT and TSS (in its per-CPU area), loaded. */
void gdt_init(void);
/* Fill pc's GDT and TSS: IST stacks #DF, NMI, #MC at ist_top[0..2]. */
void gdt_setup(struct x86_percpu *pc, const uintptr_t ist_top[3]);
/* Load pc's GDT and TSS on the calling CPU. */
void gdt_load(struct x86_percpu *pc);

#endif
