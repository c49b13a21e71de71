/*
 * The shared page-table walker (kern/pgtable.c) over fake memory: tables
 * are host pages, descriptors an x86-like format (bit 0 valid, bit 7 a
 * block), and the flush hook checks break-before-make: when it is called
 * the descriptor it invalidates must already be gone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kern/errno.h"
#include "kern/pgtable.h"
#include "unit.h"

#define F_VALID (1ull << 0)
#define F_W	(1ull << 1)
#define F_BLOCK (1ull << 7)
#define F_NX	(1ull << 63)
#define F_ADDR	0x000ffffffffff000ull

struct fake {
	struct pt pt;
	void *pages[256];
	unsigned int npages;
	unsigned int fail_after; /* allocations allowed, then 0 */
	unsigned int flushes;
	unsigned int bbm_violations;
};

static uint64_t f_table(uint64_t pa)
{
	return pa | F_VALID | F_W;
}

static uint64_t f_leaf(uint64_t pa, unsigned int level, uint64_t attrs)
{
	return pa | F_VALID | attrs | (level ? F_BLOCK : 0);
}

static bool f_valid(uint64_t d)
{
	return d & F_VALID;
}

static bool f_is_table(uint64_t d, unsigned int level)
{
	return (d & F_VALID) && (level == 3 || !(d & F_BLOCK));
}

static uint64_t f_addr(uint64_t d)
{
	return d & F_ADDR;
}

static uint64_t f_attrs(uint64_t d, unsigned int level)
{
	(void)level;
	return d & ~(F_ADDR | F_VALID | F_BLOCK);
}

static uint64_t f_alloc(void *ctx)
{
	struct fake *f = ctx;
	void *p;

	if (f->npages == f->fail_after || f->npages == 256) {
		return 0;
	}
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	f->pages[f->npages++] = p;
	return (uintptr_t)p;
}

/* Break before make: whatever is invalidated was cleared first. */
static void f_flush(void *ctx, uint64_t va, uint64_t size)
{
	struct fake *f = ctx;
	uint64_t d;
	unsigned int level;

	(void)size;
	f->flushes++;
	if (pt_lookup(&f->pt, va, &d, &level)) {
		f->bbm_violations++;
	}
}

static void f_sync(void *ctx)
{
	(void)ctx;
}

static const struct pt_ops fake_ops = {
    f_table, f_leaf,  f_valid, f_is_table, f_addr,
    f_attrs, f_alloc, f_flush, f_sync,
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->fail_after = ~0u;
	f->pt.ops = &fake_ops;
	f->pt.ctx = f;
	f->pt.root = aligned_alloc(4096, 4096);
	memset(f->pt.root, 0, 4096);
}

static void fake_free(struct fake *f)
{
	for (unsigned int i = 0; i < f->npages; i++) {
		free(f->pages[i]);
	}
	free(f->pt.root);
}

/* Mapped at va to pa, at this level? */
static bool maps(struct fake *f, uint64_t va, uint64_t pa, unsigned int lvl)
{
	uint64_t d;
	unsigned int level;

	if (!pt_lookup(&f->pt, va, &d, &level) || level != lvl) {
		return false;
	}
	return f_addr(d) + (va & ((PT_PAGE << (9 * level)) - 1)) == pa;
}

TEST(pgtable_large_blocks_where_aligned)
{
	struct fake f;
	const uint64_t base = 0x40000000ull;

	fake_init(&f);
	/* 6 MiB + 8 KiB from a 2 MiB-aligned base: 3 blocks, 2 pages. */
	CHECK_EQ_INT(pt_map(&f.pt, base, base, 0x602000, F_W, true), 0);
	CHECK(maps(&f, base, base, 1));
	CHECK(maps(&f, base + 0x3ff000, base + 0x3ff000, 1));
	CHECK(maps(&f, base + 0x600000, base + 0x600000, 0));
	CHECK(maps(&f, base + 0x601000, base + 0x601000, 0));
	CHECK(!maps(&f, base + 0x602000, base + 0x602000, 0));
	/* Tables: one per level below the root, plus one page table. */
	CHECK_EQ_INT(f.pt.tables, 3);
	CHECK_EQ_INT(f.flushes, 0); /* nothing was valid before */
	fake_free(&f);
}

TEST(pgtable_unaligned_refused)
{
	struct fake f;

	fake_init(&f);
	CHECK_EQ_INT(pt_map(&f.pt, 0x1000, 0x1800, 0x1000, F_W, false),
		     -EINVAL);
	CHECK_EQ_INT(pt_map(&f.pt, 0x1000, 0x1000, 0x800, F_W, false), -EINVAL);
	CHECK_EQ_INT(pt_map(&f.pt, 1ull << 48, 0, 0x1000, F_W, false), -EINVAL);
	CHECK_EQ_INT(pt_unmap(&f.pt, 0x10, 0x1000), -EINVAL);
	fake_free(&f);
}

TEST(pgtable_unmap_splits_block_break_before_make)
{
	struct fake f;
	const uint64_t base = 0x200000ull;
	uint64_t d;
	unsigned int level;

	fake_init(&f);
	CHECK_EQ_INT(pt_map(&f.pt, base, base, PT_LARGE, F_W | F_NX, true), 0);
	CHECK(maps(&f, base + 0x5000, base + 0x5000, 1));
	CHECK_EQ_INT(pt_unmap(&f.pt, base + 0x5000, PT_PAGE), 0);
	CHECK(!pt_lookup(&f.pt, base + 0x5000, &d, &level));
	/* The neighbours keep their output and attributes, now as pages. */
	CHECK(maps(&f, base + 0x4000, base + 0x4000, 0));
	CHECK(maps(&f, base + 0x6000, base + 0x6000, 0));
	CHECK(maps(&f, base + 0x1ff000, base + 0x1ff000, 0));
	REQUIRE(pt_lookup(&f.pt, base + 0x6000, &d, &level));
	CHECK_EQ_INT(f_attrs(d, 0), F_W | F_NX);
	/* Split (block cleared, flushed), then the page cleared, flushed. */
	CHECK_EQ_INT(f.flushes, 2);
	CHECK_EQ_INT(f.bbm_violations, 0);
	fake_free(&f);
}

TEST(pgtable_remap_flushes_old_entry)
{
	struct fake f;
	uint64_t d;
	unsigned int level;

	fake_init(&f);
	CHECK_EQ_INT(pt_map(&f.pt, 0x5000, 0x5000, PT_PAGE, F_W, false), 0);
	CHECK_EQ_INT(f.flushes, 0);
	/* The same mapping again changes nothing: no flush needed. */
	CHECK_EQ_INT(pt_map(&f.pt, 0x5000, 0x5000, PT_PAGE, F_W, false), 0);
	CHECK_EQ_INT(f.flushes, 0);
	CHECK_EQ_INT(pt_map(&f.pt, 0x5000, 0x9000, PT_PAGE, F_NX, false), 0);
	CHECK_EQ_INT(f.flushes, 1);
	REQUIRE(pt_lookup(&f.pt, 0x5000, &d, &level));
	CHECK_EQ_INT(f_addr(d), 0x9000);
	CHECK_EQ_INT(f_attrs(d, 0), F_NX);
	fake_free(&f);
}

TEST(pgtable_out_of_tables_is_enomem)
{
	struct fake f;

	fake_init(&f);
	f.fail_after = 2; /* no page table for level 0 */
	CHECK_EQ_INT(pt_map(&f.pt, 0x1000, 0x1000, PT_PAGE, F_W, false),
		     -ENOMEM);
	CHECK_EQ_INT(f.pt.alloc_failed, 1);
	CHECK(pt_pte(&f.pt, 0x1000) == NULL);
	/* A block needs one table fewer. */
	CHECK_EQ_INT(pt_map(&f.pt, 0, 0, PT_LARGE, F_W, true), 0);
	CHECK(maps(&f, 0x1000, 0x1000, 1));
	/* Splitting it needs the table that is not there. */
	CHECK_EQ_INT(pt_unmap(&f.pt, 0x1000, PT_PAGE), -ENOMEM);
	CHECK(maps(&f, 0x1000, 0x1000, 1));
	fake_free(&f);
}

/* Random page maps and unmaps over 16 MiB against a model. */
TEST(pgtable_random_against_model)
{
	enum { PAGES = 4096 };
	static uint64_t model[PAGES]; /* 0 = unmapped, else pa */
	struct fake f;
	unsigned int seed = 12345, bad = 0;

	fake_init(&f);
	memset(model, 0, sizeof(model));
	for (int op = 0; op < 3000; op++) {
		unsigned int first, n;

		seed = seed * 1103515245u + 12345u;
		first = (seed >> 8) % PAGES;
		n = 1 + (seed >> 20) % 700;
		if (first + n > PAGES) {
			n = PAGES - first;
		}
		if (seed & 1) {
			uint64_t pa = (uint64_t)((seed >> 3) % 64) << 21;

			pa += (uint64_t)first << 12;
			CHECK_EQ_INT(pt_map(&f.pt, (uint64_t)first << 12, pa,
					    (uint64_t)n << 12, F_W, seed & 2),
				     0);
			for (unsigned int i = 0; i < n; i++) {
				model[first + i] = pa + ((uint64_t)i << 12);
			}
		} else {
			CHECK_EQ_INT(pt_unmap(&f.pt, (uint64_t)first << 12,
					      (uint64_t)n << 12),
				     0);
			memset(&model[first], 0, n * sizeof(model[0]));
		}
	}
	for (unsigned int i = 0; i < PAGES; i++) {
		uint64_t d;
		unsigned int level;
		bool m = pt_lookup(&f.pt, (uint64_t)i << 12, &d, &level);
		uint64_t pa = m ? f_addr(d) + (((uint64_t)i << 12) &
					       ((PT_PAGE << (9 * level)) - 1))
				: 0;

		bad += m != (model[i] != 0) || pa != model[i];
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(f.bbm_violations, 0);
	fake_free(&f);
}
