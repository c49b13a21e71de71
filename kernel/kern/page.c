/*
 * The buddy page allocator (kern/mm.h): blocks of 2^order pages, order
 * 0..MAX_ORDER, one free list per order. A block of order k starts at a
 * page number that is a multiple of 2^k; its buddy is the block it was
 * split from's other half, page number XOR 2^k, and a freed block merges
 * with its buddy whenever the buddy is free and of the same order, so
 * freeing everything gives back the largest blocks there were.
 *
 * Per page one struct page_desc (12 bytes), in an array covering the
 * managed span of physical memory, placed by mm_init() in the largest
 * free RAM range (kern/mm_init.c): no static bound on RAM. The free
 * lists link page_desc entries by index, not pointers inside the free
 * pages, so a stray write into free memory cannot corrupt them.
 *
 * One spinlock (interrupts off) guards it all, so interrupt handlers
 * allocate with KM_NOSLEEP.
 */
#include "kern/mm.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "kern/page_meta.h"

#define NO_PAGE 0xffffffffu

struct page_desc {
	uint8_t state; /* enum page_state */
	uint8_t order; /* heads: the block's order */
	uint8_t cache; /* PG_SLAB: the kmalloc cache */
	uint8_t unused;
	uint32_t next; /* free list links (PG_FREE), or the head (tails) */
	uint32_t prev;
};

static struct spinlock page_lock = SPINLOCK_INIT("page");
static struct page_desc *pages;
static uint64_t base_pfn; /* pages[0]; a multiple of 2^MAX_ORDER */
static uint32_t npages;	  /* entries in pages[] */
static uint32_t free_head[MAX_ORDER + 1];
static unsigned long free_blocks[MAX_ORDER + 1];
static unsigned long pages_total, pages_free, alloc_failed;

size_t page_meta_bytes(uint64_t first_pfn, uint64_t end_pfn)
{
	uint64_t base = first_pfn & ~((1ull << MAX_ORDER) - 1);

	return (size_t)(end_pfn - base) * sizeof(struct page_desc);
}

void page_init_meta(uint64_t first_pfn, uint64_t end_pfn, void *meta)
{
	base_pfn = first_pfn & ~((1ull << MAX_ORDER) - 1);
	npages = (uint32_t)(end_pfn - base_pfn);
	pages = meta;
	memset(pages, 0, page_meta_bytes(first_pfn, end_pfn));
	for (unsigned int i = 0; i <= MAX_ORDER; i++) {
		free_head[i] = NO_PAGE;
		free_blocks[i] = 0;
	}
	pages_total = pages_free = alloc_failed = 0;
}

static void list_push(uint32_t idx, unsigned int order)
{
	struct page_desc *p = &pages[idx];

	p->state = PG_FREE;
	p->order = (uint8_t)order;
	p->prev = NO_PAGE;
	p->next = free_head[order];
	if (p->next != NO_PAGE) {
		pages[p->next].prev = idx;
	}
	free_head[order] = idx;
	free_blocks[order]++;
}

static void list_remove(uint32_t idx)
{
	struct page_desc *p = &pages[idx];

	if (p->prev != NO_PAGE) {
		pages[p->prev].next = p->next;
	} else {
		free_head[p->order] = p->next;
	}
	if (p->next != NO_PAGE) {
		pages[p->next].prev = p->prev;
	}
	free_blocks[p->order]--;
}

/* Mark the pages after the head of [idx, idx + 2^order). Only a used
 * block's tails need their head (`next`): a free block's are split and
 * merged without being rewritten, so page_lookup() never follows them. */
static void mark_tails(uint32_t idx, unsigned int order, uint8_t state)
{
	for (uint32_t i = 1; i < (1u << order); i++) {
		pages[idx + i].state = state;
		pages[idx + i].next = idx;
	}
}

/* Give [idx, idx + 2^order) back, merging with free buddies. */
static void free_block(uint32_t idx, unsigned int order)
{
	pages_free += 1ul << order;
	mark_tails(idx, order, PG_FREE_TAIL);
	while (order < MAX_ORDER) {
		uint32_t buddy = idx ^ (1u << order);

		if (buddy >= npages || pages[buddy].state != PG_FREE ||
		    pages[buddy].order != order) {
			break;
		}
		list_remove(buddy);
		/* The higher half's head becomes a tail of the merged block. */
		pages[idx > buddy ? idx : buddy].state = PG_FREE_TAIL;
		idx = idx < buddy ? idx : buddy;
		order++;
	}
	list_push(idx, order);
}

/* mm_init(): the page-aligned range [base, end) is free RAM. */
void page_add_free(uint64_t base, uint64_t end)
{
	uint32_t idx = (uint32_t)((base >> PAGE_SHIFT) - base_pfn);
	uint32_t last = (uint32_t)((end >> PAGE_SHIFT) - base_pfn);

	while (idx < last) {
		unsigned int order = MAX_ORDER;

		while ((idx & ((1u << order) - 1)) ||
		       idx + (1u << order) > last) {
			order--;
		}
		pages[idx].state = PG_USED;
		pages_total += 1ul << order;
		free_block(idx, order);
		idx += 1u << order;
	}
}

static uint32_t alloc_block(unsigned int order)
{
	unsigned int o = order;
	uint32_t idx;

	while (o <= MAX_ORDER && free_head[o] == NO_PAGE) {
		o++;
	}
	if (o > MAX_ORDER) {
		return NO_PAGE;
	}
	idx = free_head[o];
	list_remove(idx);
	while (o > order) { /* split: the upper half stays free */
		o--;
		list_push(idx + (1u << o), o);
	}
	pages_free -= 1ul << order;
	return idx;
}

static uintptr_t idx_addr(uint32_t idx)
{
	return (uintptr_t)((base_pfn + idx) << PAGE_SHIFT);
}

uintptr_t page_alloc_as(unsigned int order, unsigned int flags,
			enum page_state state, unsigned int cache)
{
	unsigned long irq;
	uint32_t idx = NO_PAGE;

	irq = spin_lock_irqsave(&page_lock);
	if (order <= MAX_ORDER && pages) {
		idx = alloc_block(order);
	}
	if (idx == NO_PAGE) {
		alloc_failed++;
	} else {
		pages[idx].state = (uint8_t)state;
		pages[idx].order = (uint8_t)order;
		pages[idx].cache = (uint8_t)cache;
		mark_tails(idx, order, PG_TAIL);
	}
	spin_unlock_irqrestore(&page_lock, irq);
	if (idx == NO_PAGE) {
		return 0;
	}
	if (flags & KM_ZERO) {
		memset((void *)idx_addr(idx), 0, PAGE_SIZE << order);
	}
	return idx_addr(idx);
}

uintptr_t page_alloc(unsigned int order, unsigned int flags)
{
	if (!(flags & KM_NOSLEEP)) {
		might_sleep_from("page_alloc",
				 (uintptr_t)__builtin_return_address(0));
	}
	return page_alloc_as(order, flags, PG_USED, 0);
}

/* The index of addr's page, or NO_PAGE when not managed. */
static uint32_t addr_idx(uintptr_t addr)
{
	uint64_t pfn = (uint64_t)addr >> PAGE_SHIFT;

	if (!pages || pfn < base_pfn || pfn - base_pfn >= npages) {
		return NO_PAGE;
	}
	return (uint32_t)(pfn - base_pfn);
}

static uint32_t head_of(uint32_t idx)
{
	return pages[idx].state == PG_TAIL ? pages[idx].next : idx;
}

struct page_info page_lookup(uintptr_t addr)
{
	struct page_info pi = {PG_UNMANAGED, 0, 0, 0};
	unsigned long irq = spin_lock_irqsave(&page_lock);
	uint32_t idx = addr_idx(addr);

	if (idx != NO_PAGE && pages[idx].state == PG_FREE_TAIL) {
		pi.state = PG_FREE_TAIL; /* inside a free block: no head */
	} else if (idx != NO_PAGE && pages[idx].state != PG_UNMANAGED) {
		idx = head_of(idx);
		pi.state = (enum page_state)pages[idx].state;
		pi.base = idx_addr(idx);
		pi.order = pages[idx].order;
		pi.cache = pages[idx].cache;
	}
	spin_unlock_irqrestore(&page_lock, irq);
	return pi;
}

/* Free the block at addr if its head is `state`; else the head's state. */
static enum page_state free_checked(uintptr_t addr, enum page_state state,
				    unsigned int *order)
{
	unsigned long irq = spin_lock_irqsave(&page_lock);
	uint32_t idx = addr_idx(addr);
	enum page_state found = PG_UNMANAGED;

	if (idx != NO_PAGE && !(addr & (PAGE_SIZE - 1))) {
		found = (enum page_state)pages[idx].state;
	}
	if (found == state && (*order == ~0u || *order == pages[idx].order)) {
		*order = pages[idx].order;
		free_block(idx, *order);
	} else if (found == state) {
		found = PG_UNMANAGED; /* right state, wrong order */
		*order = pages[idx].order;
	}
	spin_unlock_irqrestore(&page_lock, irq);
	return found;
}

bool page_free_as(uintptr_t addr, enum page_state state)
{
	unsigned int order = ~0u;

	return free_checked(addr, state, &order) == state;
}

static const char *const state_names[] = {
    [PG_UNMANAGED] = "not the allocator's",
    [PG_FREE] = "already free",
    [PG_FREE_TAIL] = "inside a free block",
    [PG_USED] = "allocated with another order",
    [PG_SLAB] = "a kmalloc slab (use kfree)",
    [PG_LARGE] = "a kmalloc block (use kfree)",
    [PG_TAIL] = "inside an allocated block",
};

void page_free(uintptr_t addr, unsigned int order)
{
	unsigned int got = order;
	enum page_state s = free_checked(addr, PG_USED, &got);
	char who[KSYM_FORMAT_SIZE];

	if (s == PG_USED) {
		return;
	}
	ksym_format(who, sizeof(who), (uintptr_t)__builtin_return_address(0),
		    true);
	if (s == PG_UNMANAGED && got != order) {
		panic("page_free(%p, order %u) from %s: the block has order %u",
		      (void *)addr, order, who, got);
	}
	panic("page_free(%p, order %u) from %s: %s", (void *)addr, order, who,
	      state_names[s]);
}

void mm_get_stats(struct mm_stats *st)
{
	unsigned long irq = spin_lock_irqsave(&page_lock);

	memset(st, 0, sizeof(*st));
	st->pages_total = pages_total;
	st->pages_free = pages_free;
	for (unsigned int i = 0; i <= MAX_ORDER; i++) {
		st->free_per_order[i] = free_blocks[i];
		if (free_blocks[i]) {
			st->largest_free = PAGE_SIZE << i;
		}
	}
	st->alloc_failed = alloc_failed;
	spin_unlock_irqrestore(&page_lock, irq);
}

void mm_print_info(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	kprintf("pages: %lu total, %lu free (%lu KiB), largest free block "
		"%lu KiB, %lu failed allocations\n",
		st.pages_total, st.pages_free, st.pages_free * PAGE_SIZE / 1024,
		st.largest_free / 1024, st.alloc_failed);
	kprintf("free blocks per order:");
	for (unsigned int i = 0; i <= MAX_ORDER; i++) {
		kprintf(" %u:%lu", i, st.free_per_order[i]);
	}
	kprintf("\n");
	kmalloc_print_info();
}
