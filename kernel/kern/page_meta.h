/*
 * What the page allocator (kern/page.c) tells the heap (kern/kmalloc.c)
 * about a page, and the page states they share. Private to the two.
 *
 * Every page the allocator manages has a state; a block of 2^order pages
 * has it in its first page (the head) and PG_TAIL / PG_FREE_TAIL in the
 * others, so any address inside a block finds the block.
 */
#ifndef KERN_PAGE_META_H
#define KERN_PAGE_META_H

#include "kern/compiler.h"

enum page_state {
	PG_UNMANAGED = 0, /* not RAM, reserved, or the metadata itself */
	PG_FREE,	  /* head of a free block, on its order's list */
	PG_FREE_TAIL,	  /* inside a free block */
	PG_USED,	  /* head of a page_alloc() block */
	PG_SLAB,	  /* head of a kmalloc cache's slab */
	PG_LARGE,	  /* head of a kmalloc block too big for a cache */
	PG_TAIL,	  /* inside a used, slab or large block */
};

/* What page_lookup() found for an address. */
struct page_info {
	/* of the block's head; PG_UNMANAGED: none; PG_FREE_TAIL: inside a
	 * free block (base, order unknown) */
	enum page_state state;
	uintptr_t base; /* the block's first byte */
	unsigned int order;
	unsigned int cache; /* PG_SLAB: the cache's index */
};

/* The block holding addr; state PG_UNMANAGED if the allocator has none. */
struct page_info page_lookup(uintptr_t addr);

/*
 * page_alloc() that marks the block as the heap's (PG_SLAB with a cache
 * index, or PG_LARGE), so that page_free() refuses it and kfree() finds
 * it. page_free_as() checks the state before freeing; it returns false
 * (freeing nothing) when the block at addr is not `state`.
 */
uintptr_t page_alloc_as(unsigned int order, unsigned int flags,
			enum page_state state, unsigned int cache);
bool page_free_as(uintptr_t addr, enum page_state state);

/*
 * mm_init() (kern/mm_init.c) building the allocator: the bytes of
 * metadata for page numbers [first_pfn, end_pfn), the metadata placed at
 * meta (all pages unmanaged), then each free page-aligned range added.
 */
size_t page_meta_bytes(uint64_t first_pfn, uint64_t end_pfn);
void page_init_meta(uint64_t first_pfn, uint64_t end_pfn, void *meta);
void page_add_free(uint64_t base, uint64_t end);

/* kmalloc.c: reset the caches (mm_init, host tests), print them. */
void kmalloc_init(void);
void kmalloc_print_info(void);
unsigned long kmalloc_failed(void);

#endif
