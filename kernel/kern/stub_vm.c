/* STUB (replaced by the ports' mmu.c): identity ioremap, stacks with no
 * guard. Only so that callers can be built against kern/vm.h. */
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/mm.h"

void *ioremap(uint64_t phys, size_t size)
{
	(void)size;
	return (void *)(uintptr_t)phys;
}

void iounmap(void *addr, size_t size)
{
	(void)addr;
	(void)size;
}

int vm_stack_alloc(size_t size, struct vm_stack *st)
{
	unsigned int order = 0;
	uintptr_t p;

	while ((PAGE_SIZE << order) < size) {
		order++;
	}
	p = page_alloc(order, 0);
	if (!p) {
		return -ENOMEM;
	}
	st->base = p;
	st->top = p + (PAGE_SIZE << order);
	st->guard = 0;
	return 0;
}

void vm_stack_free(struct vm_stack *st)
{
	(void)st;
}

bool vm_in_stack_guard(uintptr_t addr)
{
	(void)addr;
	return false;
}
