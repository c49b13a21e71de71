/*
 * Kernel mappings beyond the direct map of RAM.
 *
 * ioremap(): device registers are mapped on demand, uncached (x86 PCD|PWT,
 * Arm Device-nGnRnE), never executable; nothing outside RAM is mapped
 * until a driver asks. Drivers get their register window from
 * device_regs() (kern/io.h), which calls this.
 *
 * Stacks: vm_stack_alloc() maps a thread's stack in its own virtual range
 * with an unmapped guard page below it, so an overflow faults (and is
 * reported naming the thread) instead of corrupting a neighbour.
 */
#ifndef KERN_VM_H
#define KERN_VM_H

#include "kern/compiler.h"

/* A pointer to [phys, phys + size) as device memory, or NULL (says why). */
void *ioremap(uint64_t phys, size_t size);
void iounmap(void *addr, size_t size);

struct vm_stack {
	uintptr_t base;	 /* lowest usable byte */
	uintptr_t top;	 /* one past the highest: the initial SP */
	uintptr_t guard; /* the unmapped page below base */
};

/* size: a multiple of PAGE_SIZE. 0 or -ENOMEM. */
int vm_stack_alloc(size_t size, struct vm_stack *st);
void vm_stack_free(struct vm_stack *st);

/* Is addr inside some stack's guard page? (the fault reports say so) */
bool vm_in_stack_guard(uintptr_t addr);

#endif
