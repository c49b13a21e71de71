/*
 * The kernel's page tables, replacing the boot tables of boot.S: an
 * identity map of the first 4 GiB, with 4 KiB pages for the first 4 MiB
 * so that two pages can stay unmapped: page 0 (a NULL dereference faults)
 * and the guard page below the boot stack (an overflow faults, and #DF
 * reports it on its IST stack). Everything above 4 GiB is unmapped.
 */
#include "arch/x86_64/mmu.h"
#include "kern/boot.h"
#include "kern/compiler.h"
#include "kern/string.h"
#include "cpu.h"

#define PTE_P	   (1ull << 0)
#define PTE_W	   (1ull << 1)
#define PTE_PS	   (1ull << 7)
#define PTE_PWT	   (1ull << 3)
#define PTE_PCD	   (1ull << 4) /* with PWT: uncached, for device memory */
#define PTE_UC	   (PTE_PWT | PTE_PCD)
#define PAGE_SIZE  4096ul
#define LARGE_PAGE 0x200000ul

#define SMALL_PAGE_TABLES 2 /* 2 x 2 MiB = the first 4 MiB */

static uint64_t pml4[512] __aligned(4096);
static uint64_t pdpt[512] __aligned(4096);
static uint64_t pd[4][512] __aligned(4096);
static uint64_t pt[SMALL_PAGE_TABLES][512] __aligned(4096);

extern char boot_stack_guard[];

static void unmap_small(uintptr_t addr)
{
	pt[addr / LARGE_PAGE][(addr / PAGE_SIZE) % 512] = 0;
}

/*
 * Device memory must not be cached: everything the boot memory map does
 * not call RAM (the PCI hole with the IOAPIC and LAPIC, the legacy
 * 0xA0000-0xFFFFF window with VGA text memory) is mapped uncached.
 */
static bool is_ram(const struct boot_info *bi, uint64_t addr, uint64_t size)
{
	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *r = &bi->memmap[i];

		if (r->type == BOOT_MEM_RAM && addr >= r->base &&
		    addr + size <= r->base + r->size) {
			return true;
		}
	}
	return false;
}

void mmu_init(const struct boot_info *bi)
{
	for (unsigned i = 0; i < 4; i++) {
		pdpt[i] = (uintptr_t)pd[i] | PTE_P | PTE_W;
		for (unsigned j = 0; j < 512; j++) {
			uint64_t addr = ((uint64_t)i * 512 + j) * LARGE_PAGE;

			pd[i][j] = addr | PTE_P | PTE_W | PTE_PS |
				   (is_ram(bi, addr, LARGE_PAGE) ? 0 : PTE_UC);
		}
	}
	for (unsigned t = 0; t < SMALL_PAGE_TABLES; t++) {
		pd[0][t] = (uintptr_t)pt[t] | PTE_P | PTE_W;
		for (unsigned j = 0; j < 512; j++) {
			uint64_t addr = t * LARGE_PAGE + j * PAGE_SIZE;

			pt[t][j] = addr | PTE_P | PTE_W |
				   (is_ram(bi, addr, PAGE_SIZE) ? 0 : PTE_UC);
		}
	}
	unmap_small(0);
	unmap_small((uintptr_t)boot_stack_guard);
	pml4[0] = (uintptr_t)pdpt | PTE_P | PTE_W;
	write_cr3((uintptr_t)pml4);
}

/*
 * Walk the tables built above rather than repeat which pages were left
 * out: the answer stays right if mmu_init unmaps more. Identity map, so
 * the virtual address is the physical one.
 */
bool mmu_phys_mapped(uint64_t phys, uint64_t len)
{
	const uint64_t limit = 4ull << 30;
	uint64_t addr, end;

	if (len == 0) {
		len = 1;
	}
	if (phys >= limit || len > limit - phys) {
		return false;
	}
	end = phys + len;
	for (addr = phys & ~(PAGE_SIZE - 1); addr < end;) {
		uint64_t pde = pd[addr >> 30][(addr / LARGE_PAGE) % 512];
		unsigned int t = (unsigned int)(addr / LARGE_PAGE);

		if (!(pde & PTE_P)) {
			return false;
		}
		if (pde & PTE_PS) {
			addr = (addr | (LARGE_PAGE - 1)) + 1;
			continue;
		}
		if (t >= SMALL_PAGE_TABLES ||
		    !(pt[t][(addr / PAGE_SIZE) % 512] & PTE_P)) {
			return false;
		}
		addr += PAGE_SIZE;
	}
	return true;
}
