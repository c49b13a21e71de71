/*
 * STUB (replaced by the page allocator and heap, kern/page.c and
 * kern/kmalloc.c): a bump allocator over a static pool, no free. Only so
 * that the scheduler and the firmware readers can be built against
 * kern/mm.h while the real allocator is written.
 */
#include "kern/mm.h"
#include "kern/irqflags.h"
#include "kern/string.h"

#define POOL_PAGES 256 /* 1 MiB */

static uint8_t pool[POOL_PAGES * PAGE_SIZE] __aligned(4096);
static size_t pool_used;

void mm_init(const struct boot_info *bi, const struct mm_reserved *res,
	     unsigned int nres)
{
	(void)bi;
	(void)res;
	(void)nres;
}

static void *bump(size_t size, size_t align)
{
	unsigned long flags = arch_irq_save();
	size_t at = (pool_used + align - 1) & ~(align - 1);
	void *p = NULL;

	if (at + size <= sizeof(pool)) {
		p = pool + at;
		pool_used = at + size;
	}
	arch_irq_restore(flags);
	return p;
}

uintptr_t page_alloc(unsigned int order, unsigned int flags)
{
	void *p = bump(PAGE_SIZE << order, PAGE_SIZE << order);

	if (p && (flags & KM_ZERO)) {
		memset(p, 0, PAGE_SIZE << order);
	}
	return (uintptr_t)p;
}

void page_free(uintptr_t addr, unsigned int order)
{
	(void)addr;
	(void)order;
}

void *kmalloc(size_t size, unsigned int flags)
{
	size_t *p = bump(size + 16, 16);

	if (!p) {
		return NULL;
	}
	*p = size;
	if (flags & KM_ZERO) {
		memset(p + 2, 0, size);
	}
	return p + 2;
}

void *kzalloc(size_t size, unsigned int flags)
{
	return kmalloc(size, flags | KM_ZERO);
}

void *krealloc(void *ptr, size_t size, unsigned int flags)
{
	void *n = kmalloc(size, flags);
	size_t old = ptr ? ((size_t *)ptr)[-2] : 0;

	if (n && ptr) {
		memcpy(n, ptr, old < size ? old : size);
	}
	return n;
}

void kfree(void *ptr)
{
	(void)ptr;
}

void mm_get_stats(struct mm_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void mm_print_info(void)
{
}
