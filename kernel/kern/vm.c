/*
 * ioremap, firmware_map and guarded stacks (kern/vm.h) over the port's
 * page tables (kern/pgtable.h).
 *
 * Device memory is mapped at its identity address: the kernel already
 * runs identity-mapped, a device is never where RAM is (ioremap refuses
 * RAM), so the address cannot collide with the direct map, no virtual
 * window has to be managed, and a register address in a report is the
 * one the firmware gave. Both ports translate 48-bit virtual addresses,
 * which covers every physical address QEMU's machines use. Pages shared
 * by two ioremap()s (two devices in one page) carry a count in the
 * descriptor's software bits, so iounmap() of one keeps the other.
 */
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/string.h"

#define VM_PAGE		PT_PAGE
#define BOOT_TABLES	64 /* page tables before page_alloc is needed */
#define COUNT_MASK	0xfull
#define COUNT_PERMANENT 0xfull /* saturated, or firmware_map: kept */

static const struct boot_info *vm_bi;
struct spinlock vm_pt_lock = SPINLOCK_INIT("vm"); /* the page tables */
static uint8_t boot_tables[BOOT_TABLES][VM_PAGE] __aligned(4096);
static unsigned int boot_tables_used;
static struct vm_stats stats;

void vm_init(const struct boot_info *bi)
{
	vm_bi = bi;
}

uint64_t vm_table_alloc(void *ctx)
{
	uintptr_t p;

	(void)ctx;
	if (boot_tables_used < BOOT_TABLES) {
		return (uintptr_t)boot_tables[boot_tables_used++];
	}
	p = page_alloc(0, KM_NOSLEEP | KM_ZERO);
	if (!p) {
		kprintf("vm: no page for a page table\n");
	}
	return p;
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* The memory map's type of the range holding phys, or 0 if none. */
static uint32_t mem_type(uint64_t phys, uint64_t size)
{
	for (unsigned int i = 0; vm_bi && i < vm_bi->memmap_count; i++) {
		const struct boot_mem_range *r = &vm_bi->memmap[i];

		if (overlaps(phys, size, r->base, r->size)) {
			return r->type;
		}
	}
	return 0;
}

bool vm_is_ram(uint64_t phys, uint64_t size)
{
	for (unsigned int i = 0; vm_bi && i < vm_bi->memmap_count; i++) {
		const struct boot_mem_range *r = &vm_bi->memmap[i];

		if (r->type == BOOT_MEM_RAM &&
		    overlaps(phys, size, r->base, r->size)) {
			return true;
		}
	}
	return false;
}

static unsigned int count_of(uint64_t desc)
{
	return (unsigned int)(desc >> arch_vm_sw_shift & COUNT_MASK);
}

static uint64_t with_count(uint64_t desc, unsigned int n)
{
	return (desc & ~(COUNT_MASK << arch_vm_sw_shift)) |
	       (uint64_t)n << arch_vm_sw_shift;
}

/* Page-aligned [*start, *end) around [phys, phys + size), or false if
 * it is empty, wraps, or reaches the stack area or past 48 bits. */
static bool page_range(uint64_t phys, size_t size, uint64_t *start,
		       uint64_t *end)
{
	*start = phys & ~(VM_PAGE - 1);
	*end = (phys + size + VM_PAGE - 1) & ~(VM_PAGE - 1);
	return size && *end > *start && *end <= VM_STACK_AREA;
}

/* One page of an ioremap: map it, or count one more user. */
static int ioremap_page(struct pt *pt, uint64_t va)
{
	uint64_t desc;
	unsigned int level, n;
	uint64_t *pte;

	if (!pt_lookup(pt, va, &desc, &level)) {
		if (pt_map(pt, va, va, VM_PAGE,
			   arch_vm_attrs(VM_DEVICE) | (uint64_t)1
							  << arch_vm_sw_shift,
			   false) < 0) {
			return -ENOMEM;
		}
		stats.io_pages++;
		return 0;
	}
	if (!arch_vm_desc_device(desc) || level != 0) {
		return -EEXIST; /* mapped cached (firmware_map) */
	}
	n = count_of(desc);
	pte = pt_pte(pt, va);
	if (n != COUNT_PERMANENT && pte) {
		*pte = with_count(*pte, n + 1);
	}
	return 0;
}

static void iounmap_pages(struct pt *pt, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += VM_PAGE) {
		uint64_t desc, *pte;
		unsigned int level, n;

		if (!pt_lookup(pt, va, &desc, &level) || level != 0 ||
		    !arch_vm_desc_device(desc)) {
			kprintf("iounmap: %p is not ioremapped\n",
				(void *)(uintptr_t)va);
			continue;
		}
		n = count_of(desc);
		if (n == COUNT_PERMANENT) {
			continue;
		}
		if (n <= 1) {
			pt_unmap(pt, va, VM_PAGE);
			stats.io_pages--;
		} else if ((pte = pt_pte(pt, va)) != NULL) {
			*pte = with_count(*pte, n - 1);
		}
	}
}

void *ioremap(uint64_t phys, size_t size)
{
	struct pt *pt = arch_vm_pt();
	uint64_t start, end, va;
	unsigned long flags;
	int err = 0;

	if (!page_range(phys, size, &start, &end)) {
		kprintf("ioremap: 0x%llx+0x%zx cannot be mapped\n",
			(unsigned long long)phys, size);
		return NULL;
	}
	if (vm_is_ram(start, end - start)) {
		kprintf("ioremap: 0x%llx+0x%zx is RAM, not a device: refused\n",
			(unsigned long long)phys, size);
		return NULL;
	}
	flags = spin_lock_irqsave(&vm_pt_lock);
	for (va = start; va < end && !err; va += VM_PAGE) {
		err = ioremap_page(pt, va);
	}
	if (err) {
		iounmap_pages(pt, start, va - VM_PAGE);
	}
	spin_unlock_irqrestore(&vm_pt_lock, flags);
	if (err) {
		kprintf("ioremap: 0x%llx+0x%zx: %s\n", (unsigned long long)phys,
			size,
			err == -EEXIST ? "already mapped as memory"
				       : "no page for a page table");
		return NULL;
	}
	return (void *)(uintptr_t)phys;
}

void iounmap(void *addr, size_t size)
{
	uint64_t start, end;
	unsigned long flags;

	if (!page_range((uintptr_t)addr, size, &start, &end)) {
		return;
	}
	flags = spin_lock_irqsave(&vm_pt_lock);
	iounmap_pages(arch_vm_pt(), start, end);
	spin_unlock_irqrestore(&vm_pt_lock, flags);
}

/* One page of a firmware_map: true if it is (now) mapped. */
static bool firmware_page(struct pt *pt, uint64_t va)
{
	uint64_t desc;
	unsigned int level;
	uint32_t type;

	if (pt_lookup(pt, va, &desc, &level)) {
		return true;
	}
	type = mem_type(va, VM_PAGE);
	if (type == BOOT_MEM_RAM) {
		return false; /* left out of the direct map on purpose */
	}
	if (pt_map(pt, va, va, VM_PAGE,
		   arch_vm_attrs(type ? VM_FIRMWARE : VM_DEVICE) |
		       COUNT_PERMANENT << arch_vm_sw_shift,
		   false) < 0) {
		return false;
	}
	stats.fw_pages++;
	return true;
}

void *firmware_map(uint64_t phys, size_t size)
{
	struct pt *pt = arch_vm_pt();
	uint64_t start, end;
	unsigned long flags;
	bool ok = true;

	if (!page_range(phys, size ? size : 1, &start, &end)) {
		return NULL;
	}
	flags = spin_lock_irqsave(&vm_pt_lock);
	for (uint64_t va = start; va < end && ok; va += VM_PAGE) {
		ok = firmware_page(pt, va);
	}
	spin_unlock_irqrestore(&vm_pt_lock, flags);
	return ok ? (void *)(uintptr_t)phys : NULL;
}

unsigned long vm_stacks_in_use(void);

void vm_get_stats(struct vm_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&vm_pt_lock);

	*st = stats;
	st->stacks = vm_stacks_in_use();
	st->tables = arch_vm_pt()->tables;
	st->table_failed += arch_vm_pt()->alloc_failed;
	spin_unlock_irqrestore(&vm_pt_lock, flags);
}
