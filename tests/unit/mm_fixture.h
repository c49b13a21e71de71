/*
 * The page allocator and heap on the host (test_page.c, test_kmalloc.c):
 * an arena from aligned_alloc() stands in for RAM, its address being
 * the "physical" one (the direct map is 1:1), described to mm_init() by
 * a boot_info memory map the test writes.
 */
#ifndef TESTS_UNIT_MM_FIXTURE_H
#define TESTS_UNIT_MM_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kern/boot.h"
#include "kern/mm.h"
#include "fake_arch.h"

/* Three max-order blocks: the metadata takes the start of the first. */
#define MM_ARENA_BYTES (3 * (PAGE_SIZE << MAX_ORDER))

static inline uint8_t *mm_arena(void)
{
	static uint8_t *arena;

	if (!arena) {
		arena = aligned_alloc(PAGE_SIZE << MAX_ORDER, MM_ARENA_BYTES);
	}
	return arena;
}

/* mm_init() over the whole arena as one RAM range, minus res[]. */
static inline void mm_fixture_init(const struct mm_reserved *res,
				   unsigned int nres)
{
	struct boot_info bi = {.protocol = "host", .cmdline = ""};

	fake_arch_reset();
	mm_direct_map_end = ~(uint64_t)0;
	bi.memmap[0] = (struct boot_mem_range){(uintptr_t)mm_arena(),
					       MM_ARENA_BYTES, BOOT_MEM_RAM};
	bi.memmap_count = 1;
	mm_init(&bi, res, nres);
}

/* xorshift64: seeded, so a failing sequence repeats. */
static inline uint64_t mm_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
