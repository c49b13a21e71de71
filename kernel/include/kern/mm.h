/*
 * Physical memory and the kernel heap.
 *
 * Pages: the port hands the firmware's memory map to mm_init() (PVH/E820
 * on x86_64; the device tree's /memory minus /reserved-memory and
 * /memreserve/ on AArch64) together with what must never be handed out
 * (the kernel image, the DTB, ACPI tables, boot structures). RAM is
 * mapped 1:1 (the direct map): a page's physical address is also the
 * kernel's pointer to it.
 *
 * page_alloc(order) returns 2^order contiguous pages, aligned to their
 * size, or 0; page_free() gives them back and they coalesce with free
 * neighbours (a buddy allocator).
 *
 * The heap: kmalloc() serves small sizes from per-size caches and large
 * ones from pages. Every allocation says whether it may sleep: without
 * KM_NOSLEEP the caller must be allowed to (might_sleep() is asserted), so
 * an interrupt handler, or code holding a spinlock, must pass KM_NOSLEEP.
 * A failed allocation returns NULL; the caller says what it could not do.
 * kfree() of a pointer the heap never gave out, a double free and (debug
 * builds) a write past the end of a block panic naming the caller.
 */
#ifndef KERN_MM_H
#define KERN_MM_H

#include "kern/boot.h"
#include "kern/compiler.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)
#define MAX_ORDER  10 /* 2^10 pages = 4 MiB, the largest block */

/* kmalloc()/page_alloc() flags. */
#define KM_NOSLEEP (1u << 0) /* from a handler or under a spinlock */
#define KM_ZERO	   (1u << 1) /* zero-filled */

/* A range never to be handed out, given to mm_init() by the port. */
struct mm_reserved {
	uint64_t base;
	uint64_t size;
	const char *what; /* "kernel image", "DTB", "ACPI tables", ... */
};

/*
 * RAM at or above this is not handed out: where the direct map (both
 * ports' mmu.c, which sets this before mm_init) stops: below the stack
 * area (kern/vm.h), or earlier if page tables ran out. mm_init() says
 * how much it left out.
 * Host tests raise it (their arena lies wherever malloc put it).
 */
extern uint64_t mm_direct_map_end;

/* Feed the page allocator: every BOOT_MEM_RAM range of bi->memmap minus
 * the reserved ones. Says what it found (and what it had to drop). */
void mm_init(const struct boot_info *bi, const struct mm_reserved *res,
	     unsigned int nres);

uintptr_t page_alloc(unsigned int order, unsigned int flags);
void page_free(uintptr_t addr, unsigned int order);

void *kmalloc(size_t size, unsigned int flags);
void *kzalloc(size_t size, unsigned int flags);
/* Grow or shrink; NULL on failure, and then the old block is untouched.
 * krealloc(NULL, n) is kmalloc(n); size 0, like kmalloc(0), gives the
 * smallest block. KM_ZERO zeroes what the block grew by. */
void *krealloc(void *ptr, size_t size, unsigned int flags);
void kfree(void *ptr);

/* Counters (the shell's `meminfo`). */
struct mm_stats {
	unsigned long pages_total;
	unsigned long pages_free;
	unsigned long free_per_order[MAX_ORDER + 1]; /* blocks */
	unsigned long largest_free;		     /* bytes */
	unsigned long alloc_failed;		     /* page_alloc NULLs */
};
void mm_get_stats(struct mm_stats *st);
void mm_print_info(void); /* pages per order, heap per cache */

#endif
