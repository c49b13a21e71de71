/*
 * A four-level page-table radix tree with 512 entries of 8 bytes per
 * table and 4 KiB pages, the shape both ports use (x86_64 4-level paging,
 * Intel SDM Vol. 3A 4.5; Arm VMSAv8-64 with a 4 KiB granule and a 48-bit
 * VA, Arm ARM D8.2). Only the descriptor bits differ; a port says what
 * they are in struct pt_ops, and this file does the walking, growing,
 * splitting and invalidating, so it is tested on the host over fake
 * memory.
 *
 * Levels are counted from the leaf: level 0 maps 4 KiB pages, level 1 one
 * entry per 2 MiB, level 2 per 1 GiB, level 3 per 512 GiB (the root).
 * Tables live in the direct map: a table's physical address is also its
 * pointer.
 */
#ifndef KERN_PGTABLE_H
#define KERN_PGTABLE_H

#include "kern/compiler.h"

#define PT_LEVELS  4
#define PT_ENTRIES 512
#define PT_PAGE	   4096ull
#define PT_LARGE   (PT_PAGE * PT_ENTRIES) /* a level-1 block: 2 MiB */
#define PT_VA_BITS 48

/* Descriptor attributes are the port's own leaf bits (cache type,
 * access, execute-never), passed through as they are. */
struct pt_ops {
	/* A descriptor pointing at the next-level table at pa. */
	uint64_t (*table)(uint64_t pa);
	/* A leaf at level 0 (page) or 1 (2 MiB block) with attrs. */
	uint64_t (*leaf)(uint64_t pa, unsigned int level, uint64_t attrs);
	bool (*valid)(uint64_t desc);
	/* Valid and pointing at a table (not a leaf) at this level. */
	bool (*is_table)(uint64_t desc, unsigned int level);
	/* The output or table address of a valid descriptor. */
	uint64_t (*addr)(uint64_t desc);
	/* The attrs a leaf was made with (to split a block). */
	uint64_t (*attrs)(uint64_t desc, unsigned int level);
	/* A zeroed page for a table, or 0. */
	uint64_t (*alloc)(void *ctx);
	/* Invalidate the TLB entries for [va, va + size) after a valid
	 * descriptor was cleared; and publish new descriptors. */
	void (*flush)(void *ctx, uint64_t va, uint64_t size);
	void (*sync)(void *ctx);
};

struct pt {
	const struct pt_ops *ops;
	void *ctx;
	uint64_t *root;	      /* level 3 */
	unsigned long tables; /* allocated below the root */
	unsigned long alloc_failed;
};

/*
 * Map [va, va + size) to [pa, pa + size) with attrs, replacing what was
 * there (a replaced valid leaf is invalidated first: break before make).
 * large: use 2 MiB blocks where va, pa and the remaining size allow.
 * All three must be page aligned. 0, -EINVAL or -ENOMEM (partly mapped).
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   uint64_t attrs, bool large);
/* Unmap [va, va + size), splitting blocks it cuts through. 0 or -ENOMEM. */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);

/* The leaf mapping va: its descriptor and level, or false if unmapped. */
bool pt_lookup(const struct pt *pt, uint64_t va, uint64_t *desc,
	       unsigned int *level);
/* The slot of the level-0 descriptor for va, growing tables (NULL on
 * ENOMEM, or if a block maps it). For software bits in a page's PTE. */
uint64_t *pt_pte(struct pt *pt, uint64_t va);

#endif
