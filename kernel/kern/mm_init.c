/*
 * mm_init(): from the firmware's memory map and the port's reservations
 * to the page allocator's free blocks (kern/page.c), then the heap.
 *
 * The map is not trusted: a RAM range of zero size is skipped, one not
 * on page boundaries is shrunk to the whole pages inside it, one above
 * what the direct map covers (mm_direct_map_end) is cut there, and one
 * overlapping an earlier RAM range loses the overlap; each is said.
 * Every non-RAM entry of the map (E820 reserved, ACPI, NVS, unusable:
 * ACPI tables live in those on a PC, so they are never RAM here) is
 * taken out of RAM too, as are the reservations (grown to whole pages)
 * and page 0. The page metadata is placed at the start of the largest
 * range left.
 */
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/page_meta.h"

#define RANGES_MAX 64 /* free ranges while reservations split them */

struct range {
	uint64_t base, end;
};

uint64_t mm_direct_map_end = 1ull << 32;

static const char *const map_type_names[] = {
    [BOOT_MEM_RAM] = "RAM",	      [BOOT_MEM_RESERVED] = "reserved",
    [BOOT_MEM_ACPI] = "ACPI data",    [BOOT_MEM_NVS] = "ACPI NVS",
    [BOOT_MEM_UNUSABLE] = "unusable",
};

static const char *map_type_name(uint32_t type)
{
	if (type < ARRAY_SIZE(map_type_names) && map_type_names[type]) {
		return map_type_names[type];
	}
	return "unknown type";
}

/* Clip e to whole pages below the direct map's end; false if none left. */
static bool clip_ram(const struct boot_mem_range *e, struct range *r)
{
	uint64_t end = e->base + e->size;

	if (!e->size || end < e->base) {
		kprintf("mm: RAM entry 0x%llx size 0x%llx: empty or wraps, "
			"skipped\n",
			(unsigned long long)e->base,
			(unsigned long long)e->size);
		return false;
	}
	r->base = ALIGN_UP(e->base, PAGE_SIZE);
	r->end = end & ~(uint64_t)(PAGE_SIZE - 1);
	if (r->base != e->base || r->end != end) {
		kprintf("mm: RAM entry 0x%llx-0x%llx not page-aligned: using "
			"0x%llx-0x%llx\n",
			(unsigned long long)e->base, (unsigned long long)end,
			(unsigned long long)r->base,
			(unsigned long long)r->end);
	}
	if (r->end > mm_direct_map_end) {
		uint64_t cut =
		    r->base > mm_direct_map_end ? r->base : mm_direct_map_end;
		kprintf("mm: RAM 0x%llx-0x%llx (%llu MiB) is above the direct "
			"map (0x%llx): left out\n",
			(unsigned long long)cut, (unsigned long long)r->end,
			(unsigned long long)((r->end - cut) >> 20),
			(unsigned long long)mm_direct_map_end);
		r->end = cut;
	}
	return r->base < r->end;
}

/* Insert r into the sorted ram[0..n), cutting what overlaps its
 * neighbours; returns the new count. */
static unsigned int insert_ram(struct range *ram, unsigned int n,
			       struct range r)
{
	unsigned int i = n;

	while (i > 0 && ram[i - 1].base > r.base) {
		i--;
	}
	if (i > 0 && ram[i - 1].end > r.base) {
		kprintf(
		    "mm: RAM 0x%llx-0x%llx overlaps 0x%llx-0x%llx: clipped\n",
		    (unsigned long long)r.base, (unsigned long long)r.end,
		    (unsigned long long)ram[i - 1].base,
		    (unsigned long long)ram[i - 1].end);
		r.base = ram[i - 1].end;
	}
	if (i < n && r.end > ram[i].base) {
		kprintf(
		    "mm: RAM 0x%llx-0x%llx overlaps 0x%llx-0x%llx: clipped\n",
		    (unsigned long long)r.base, (unsigned long long)r.end,
		    (unsigned long long)ram[i].base,
		    (unsigned long long)ram[i].end);
		r.end = ram[i].base;
	}
	if (r.base >= r.end) {
		return n;
	}
	for (unsigned int j = n; j > i; j--) {
		ram[j] = ram[j - 1];
	}
	ram[i] = r;
	return n + 1;
}

static unsigned int gather_ram(const struct boot_info *bi, struct range *ram)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *e = &bi->memmap[i];
		struct range r;

		if (e->type != BOOT_MEM_RAM) {
			continue;
		}
		kprintf("mm: RAM      0x%09llx-0x%09llx %8llu KiB\n",
			(unsigned long long)e->base,
			(unsigned long long)(e->base + e->size),
			(unsigned long long)(e->size >> 10));
		if (clip_ram(e, &r)) {
			n = insert_ram(ram, n, r);
		}
	}
	return n;
}

/* Take [base, base + size), grown to whole pages, out of r[0..*n). */
static void subtract(struct range *r, unsigned int *n, uint64_t base,
		     uint64_t size)
{
	uint64_t b = base & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t e = base + size < base ? ~(uint64_t)0 : base + size;

	if (!size) {
		return;
	}
	e = e > ~(uint64_t)(PAGE_SIZE - 1) ? e : ALIGN_UP(e, PAGE_SIZE);
	for (unsigned int i = 0; i < *n; i++) {
		if (e <= r[i].base || b >= r[i].end) {
			continue;
		}
		if (b > r[i].base && e < r[i].end) { /* split */
			if (*n == RANGES_MAX) {
				kprintf("mm: too many holes: 0x%llx-0x%llx "
					"dropped\n",
					(unsigned long long)e,
					(unsigned long long)r[i].end);
			} else {
				r[(*n)++] = (struct range){e, r[i].end};
			}
			r[i].end = b;
		} else if (b > r[i].base) {
			r[i].end = b;
		} else {
			r[i].base = e < r[i].end ? e : r[i].end;
		}
	}
}

static uint64_t reserve_all(const struct boot_info *bi,
			    const struct mm_reserved *res, unsigned int nres,
			    struct range *r, unsigned int *n)
{
	uint64_t bytes = 0;

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *e = &bi->memmap[i];

		if (e->type != BOOT_MEM_RAM) {
			kprintf("mm: not RAM  0x%09llx-0x%09llx %8llu KiB "
				"(%s)\n",
				(unsigned long long)e->base,
				(unsigned long long)(e->base + e->size),
				(unsigned long long)(e->size >> 10),
				map_type_name(e->type));
			subtract(r, n, e->base, e->size);
		}
	}
	subtract(r, n, 0, PAGE_SIZE); /* page 0: NULL stays invalid */
	for (unsigned int i = 0; i < nres; i++) {
		kprintf("mm: reserved 0x%09llx-0x%09llx %8llu KiB %s\n",
			(unsigned long long)res[i].base,
			(unsigned long long)(res[i].base + res[i].size),
			(unsigned long long)((res[i].size + 1023) >> 10),
			res[i].what ? res[i].what : "?");
		subtract(r, n, res[i].base, res[i].size);
		bytes += res[i].size;
	}
	return bytes;
}

/* The metadata at the start of the largest range; its address. */
static uint64_t place_meta(struct range *r, unsigned int n, uint64_t bytes)
{
	unsigned int best = 0;

	for (unsigned int i = 1; i < n; i++) {
		if (r[i].end - r[i].base > r[best].end - r[best].base) {
			best = i;
		}
	}
	if (!n || r[best].end - r[best].base < bytes) {
		panic("mm: no free RAM range holds the page metadata (%llu "
		      "KiB)",
		      (unsigned long long)(bytes >> 10));
	}
	r[best].base += bytes;
	return r[best].base - bytes;
}

void mm_init(const struct boot_info *bi, const struct mm_reserved *res,
	     unsigned int nres)
{
	struct range r[RANGES_MAX];
	unsigned int n = gather_ram(bi, r);
	uint64_t ram = 0, reserved, meta, meta_bytes, first, end, freeb = 0;

	for (unsigned int i = 0; i < n; i++) {
		ram += r[i].end - r[i].base;
	}
	if (!n) {
		kprintf("mm: no usable RAM in the memory map: no page "
			"allocator, no heap\n");
		kmalloc_init();
		return;
	}
	first = r[0].base >> PAGE_SHIFT;
	end = r[n - 1].end >> PAGE_SHIFT;
	reserved = reserve_all(bi, res, nres, r, &n);
	meta_bytes = ALIGN_UP(page_meta_bytes(first, end), PAGE_SIZE);
	meta = place_meta(r, n, meta_bytes);
	page_init_meta(first, end, (void *)(uintptr_t)meta);
	for (unsigned int i = 0; i < n; i++) {
		if (r[i].base < r[i].end) {
			page_add_free(r[i].base, r[i].end);
			freeb += r[i].end - r[i].base;
		}
	}
	kprintf("mm: page metadata %llu KiB at 0x%llx\n",
		(unsigned long long)(meta_bytes >> 10),
		(unsigned long long)meta);
	kprintf("mm: %llu KiB RAM, %llu KiB reserved by the port, %llu "
		"pages (%llu KiB) free\n",
		(unsigned long long)(ram >> 10),
		(unsigned long long)(reserved >> 10),
		(unsigned long long)(freeb >> PAGE_SHIFT),
		(unsigned long long)(freeb >> 10));
	kmalloc_init();
}
