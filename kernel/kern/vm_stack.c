/*
 * Guarded kernel stacks (kern/vm.h): each stack gets a slot of the stack
 * area and is mapped at the slot's top from separate pages (they need
 * not be contiguous); the rest of the slot below it, at least one page,
 * is never mapped. An overflow runs into that guard and faults: x86_64
 * reports it from the double fault on its IST stack, AArch64 from the
 * exception entry's check (vectors.S) on the overflow stack.
 */
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/spinlock.h"

extern char boot_stack_guard[]; /* boot.S, both ports */

extern struct spinlock vm_pt_lock; /* kern/vm.c: the page tables */
static struct spinlock stack_lock = SPINLOCK_INIT("vm_stack");
static uint8_t slot_used[VM_STACK_SLOTS / 8];
static unsigned long stacks_in_use;

static uintptr_t slot_base(unsigned int slot)
{
	return (uintptr_t)(VM_STACK_AREA + (uint64_t)slot * VM_STACK_SLOT);
}

static int slot_take(void)
{
	unsigned long flags = spin_lock_irqsave(&stack_lock);
	int got = -1;

	for (unsigned int i = 0; i < VM_STACK_SLOTS; i++) {
		if (!(slot_used[i / 8] & 1u << (i % 8))) {
			slot_used[i / 8] |= (uint8_t)(1u << (i % 8));
			stacks_in_use++;
			got = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&stack_lock, flags);
	return got;
}

static void slot_put(unsigned int slot)
{
	unsigned long flags = spin_lock_irqsave(&stack_lock);

	slot_used[slot / 8] &= (uint8_t) ~(1u << (slot % 8));
	stacks_in_use--;
	spin_unlock_irqrestore(&stack_lock, flags);
}

/* Unmap [base, top) of a stack and free its pages. */
static void unmap_stack(uintptr_t base, uintptr_t top)
{
	struct pt *pt = arch_vm_pt();

	for (uintptr_t va = base; va < top; va += PAGE_SIZE) {
		unsigned long flags = spin_lock_irqsave(&vm_pt_lock);
		uint64_t desc, pa = 0;
		unsigned int level;

		if (pt_lookup(pt, va, &desc, &level)) {
			pa = pt->ops->addr(desc);
			pt_unmap(pt, va, PAGE_SIZE);
		}
		spin_unlock_irqrestore(&vm_pt_lock, flags);
		if (pa) {
			page_free((uintptr_t)pa, 0);
		}
	}
}

int vm_stack_alloc(size_t size, struct vm_stack *st)
{
	struct pt *pt = arch_vm_pt();
	int slot;
	uintptr_t top, va;

	if (size == 0 || size % PAGE_SIZE || size > VM_STACK_MAX) {
		kprintf("vm_stack_alloc: %zu bytes: not a multiple of a page "
			"up to %lu\n",
			size, VM_STACK_MAX);
		return -ENOMEM;
	}
	slot = slot_take();
	if (slot < 0) {
		kprintf("vm_stack_alloc: all %u stack slots in use\n",
			VM_STACK_SLOTS);
		return -ENOMEM;
	}
	top = slot_base((unsigned int)slot) + VM_STACK_SLOT;
	for (va = top - size; va < top; va += PAGE_SIZE) {
		uintptr_t page = page_alloc(0, 0);
		unsigned long flags;
		int err;

		if (!page) {
			break;
		}
		flags = spin_lock_irqsave(&vm_pt_lock);
		err = pt_map(pt, va, page, PAGE_SIZE, arch_vm_attrs(VM_DATA),
			     false);
		spin_unlock_irqrestore(&vm_pt_lock, flags);
		if (err < 0) {
			page_free(page, 0);
			break;
		}
	}
	if (va < top) {
		kprintf("vm_stack_alloc: out of memory for a %zu-byte stack\n",
			size);
		unmap_stack(top - size, va);
		slot_put((unsigned int)slot);
		return -ENOMEM;
	}
	st->base = top - size;
	st->top = top;
	st->guard = st->base - PAGE_SIZE;
	return 0;
}

void vm_stack_free(struct vm_stack *st)
{
	if (!st->top || st->base < VM_STACK_AREA) {
		return;
	}
	unmap_stack(st->base, st->top);
	slot_put((unsigned int)((st->base - VM_STACK_AREA) / VM_STACK_SLOT));
	st->base = st->top = st->guard = 0;
}

bool vm_in_stack_guard(uintptr_t addr)
{
	uint64_t desc;
	unsigned int level, slot;

	if (addr >= (uintptr_t)boot_stack_guard &&
	    addr < (uintptr_t)boot_stack_guard + PAGE_SIZE) {
		return true;
	}
	if (addr < VM_STACK_AREA ||
	    addr >= VM_STACK_AREA + (uint64_t)VM_STACK_SLOTS * VM_STACK_SLOT) {
		return false;
	}
	slot = (unsigned int)((addr - VM_STACK_AREA) / VM_STACK_SLOT);
	return (slot_used[slot / 8] & 1u << (slot % 8)) &&
	       !pt_lookup(arch_vm_pt(), addr, &desc, &level);
}

unsigned long vm_stacks_in_use(void)
{
	return stacks_in_use;
}
