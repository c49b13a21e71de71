/*
 * The kernel's page tables on AArch64 (Arm ARM D8, VMSAv8-64): a 4 KiB
 * granule and TCR_EL1.T0SZ = 16, so a 48-bit virtual address space that
 * translation starts at level 0 (kern/pgtable.h's level 3) — wide enough
 * to identity-map any physical address QEMU's virt uses, the high PCIe
 * and redistributor windows included.
 *
 * The direct map: every /memory range, identity-mapped as Normal
 * write-back memory, inner shareable, never executable (PXN and UXN)
 * except the kernel's .text, which is read-only like its .rodata; 2 MiB
 * blocks where a whole aligned 2 MiB is RAM. Left out: the guard page below the
 * boot stack. Nothing else is mapped, so the first 2 MiB (the NULL guard, where
 * virt has its flash) and every hole fault: device registers appear when
 * ioremap() maps them as Device-nGnRnE, PXN, UXN; the DTB, if outside RAM, when
 * firmware_map() does (kern/vm.c); stacks in the stack area.
 *
 * With the MMU off every access is Device memory, where unaligned
 * accesses fault and nothing is cached: turning it on early is cheap.
 */
#include "kern/compiler.h"
#include "kern/mm.h"
#include "kern/pgtable.h"
#include "kern/printf.h"
#include "kern/vm.h"
#include "asm/sysreg.h"
#include "percpu.h"

#define MIB2 (1ull << 21)
/* Nothing is ever mapped in the first 2 MiB: the NULL guard. */
#define NULL_GUARD_SIZE MIB2

/* Descriptor fields (D8.3). */
#define DESC_VALID	 0x1ull
#define DESC_BLOCK	 0x1ull /* levels 1 and 2: bit 1 clear */
#define DESC_TABLE	 0x3ull /* levels 0-2: next-level table address */
#define DESC_PAGE	 0x3ull /* level 3 */
#define DESC_TYPE_MASK	 0x3ull
#define DESC_ATTRINDX(n) ((uint64_t)(n) << 2)
#define DESC_ATTR_MASK	 (7ull << 2)
#define DESC_AP_RO	 (1ull << 7) /* AP[2]: read-only (D8.4.1) */
#define DESC_SH_INNER	 (3ull << 8)
#define DESC_AF		 (1ull << 10)
#define DESC_PXN	 (1ull << 53)
#define DESC_UXN	 (1ull << 54)
#define DESC_ADDR	 0x0000fffffffff000ull
#define DESC_SW		 55 /* bits 55-58: reserved for software use */

/* MAIR_EL1 attribute slots. */
#define MAIR_DEVICE_nGnRnE 0x00ull /* slot 0 */
#define MAIR_NORMAL_WB	   0xffull /* slot 1: inner/outer WB RW-allocate */
#define ATTR_DEVICE	   0
#define ATTR_NORMAL	   1

/* TCR_EL1 fields. */
#define TCR_T0SZ(n)    ((uint64_t)(n))
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER  (3ull << 12)
#define TCR_TG0_4K     (0ull << 14)
#define TCR_EPD1       (1ull << 23) /* no TTBR1 walks: no high half */
#define TCR_IPS_SHIFT  32

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)

/* Beyond this many pages one TLBI of everything is cheaper. */
#define TLBI_PAGES_MAX 64

const unsigned int arch_vm_sw_shift = DESC_SW;
/* setup.c checks that nothing it must read lies in the guard. */
const uint64_t mmu_null_guard_size = NULL_GUARD_SIZE;

static uint64_t level0[PT_ENTRIES] __aligned(4096);

/* What mmu_init() programs, for the other CPUs to load (percpu.h). */
struct mmu_regs mmu_boot_regs;

extern char boot_stack_guard[], __kernel_start[], __kernel_end[];
extern char __rodata_start[], __data_start[];

static uint64_t arm_table(uint64_t pa)
{
	return pa | DESC_TABLE;
}

static uint64_t arm_leaf(uint64_t pa, unsigned int level, uint64_t attrs)
{
	return pa | (level ? DESC_BLOCK : DESC_PAGE) | attrs;
}

static bool arm_valid(uint64_t d)
{
	return d & DESC_VALID;
}

static bool arm_is_table(uint64_t d, unsigned int level)
{
	return level > 0 && (d & DESC_TYPE_MASK) == DESC_TABLE;
}

static uint64_t arm_addr(uint64_t d)
{
	return d & DESC_ADDR;
}

static uint64_t arm_attrs(uint64_t d, unsigned int level)
{
	(void)level;
	return d & ~(DESC_ADDR | DESC_TYPE_MASK);
}

/* D8.13 (TLB maintenance): the cleared descriptor is made visible (DSB
 * ISHST), the entries for each page invalidated for every ASID in the
 * Inner Shareable domain (TLBI VAAE1IS takes VA[55:12]), then DSB ISH
 * waits for completion and ISB for this CPU's instruction stream. */
static void arm_flush(void *ctx, uint64_t va, uint64_t size)
{
	(void)ctx;
	__asm__ volatile("dsb ishst" ::: "memory");
	if (size / PT_PAGE > TLBI_PAGES_MAX) {
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	} else {
		for (uint64_t a = va; a < va + size; a += PT_PAGE) {
			__asm__ volatile("tlbi vaae1is, %0" ::"r"(a >> 12)
					 : "memory");
		}
	}
	dsb_ish();
	isb();
}

/* New descriptors reach the table walker before the next access. */
static void arm_sync(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dsb ishst" ::: "memory");
	isb();
}

static const struct pt_ops arm_ops = {
    .table = arm_table,
    .leaf = arm_leaf,
    .valid = arm_valid,
    .is_table = arm_is_table,
    .addr = arm_addr,
    .attrs = arm_attrs,
    .alloc = vm_table_alloc,
    .flush = arm_flush,
    .sync = arm_sync,
};

static struct pt kernel_pt = {.ops = &arm_ops, .root = level0};

struct pt *arch_vm_pt(void)
{
	return &kernel_pt;
}

static uint64_t normal(bool exec)
{
	return DESC_AF | DESC_ATTRINDX(ATTR_NORMAL) | DESC_SH_INNER | DESC_UXN |
	       (exec ? 0 : DESC_PXN);
}

uint64_t arch_vm_attrs(enum vm_kind kind)
{
	if (kind == VM_DEVICE) {
		return DESC_AF | DESC_ATTRINDX(ATTR_DEVICE) | DESC_PXN |
		       DESC_UXN;
	}
	return normal(false);
}

bool arch_vm_desc_device(uint64_t desc)
{
	return (desc & DESC_ATTR_MASK) == DESC_ATTRINDX(ATTR_DEVICE);
}

bool arch_vm_desc_writable(uint64_t desc)
{
	return !(desc & DESC_AP_RO);
}

bool arch_vm_desc_executable(uint64_t desc)
{
	return !(desc & DESC_PXN);
}

static void map_ram(const struct boot_info *bi)
{
	uintptr_t ks = (uintptr_t)__kernel_start;
	uintptr_t ke = ((uintptr_t)__kernel_end + PT_PAGE - 1) & ~(PT_PAGE - 1);
	uint64_t limit = VM_STACK_AREA;

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *r = &bi->memmap[i];
		uint64_t start = (r->base + PT_PAGE - 1) & ~(PT_PAGE - 1);
		uint64_t end = (r->base + r->size) & ~(PT_PAGE - 1);

		start = start < NULL_GUARD_SIZE ? NULL_GUARD_SIZE : start;
		end = end > VM_STACK_AREA ? VM_STACK_AREA : end;
		if (r->type != BOOT_MEM_RAM || end <= start) {
			continue;
		}
		if (pt_map(&kernel_pt, start, start, end - start, normal(false),
			   true) < 0) {
			kprintf("mmu: out of page tables: RAM from 0x%llx on "
				"is not mapped\n",
				(unsigned long long)start);
			limit = start < limit ? start : limit;
		}
	}
	/* Where the page allocator must stop handing out RAM. */
	mm_direct_map_end = limit;
	/* The image by section: .text read-only and executable, .rodata and
	 * the exception table read-only, .data and .bss writable. */
	pt_map(&kernel_pt, ks, ks, (uintptr_t)__rodata_start - ks,
	       normal(true) | DESC_AP_RO, false);
	pt_map(&kernel_pt, (uintptr_t)__rodata_start, (uintptr_t)__rodata_start,
	       (uintptr_t)__data_start - (uintptr_t)__rodata_start,
	       normal(false) | DESC_AP_RO, false);
	pt_map(&kernel_pt, (uintptr_t)__data_start, (uintptr_t)__data_start,
	       ke - (uintptr_t)__data_start, normal(false), false);
	pt_unmap(&kernel_pt, (uintptr_t)boot_stack_guard, PT_PAGE);
}

/* console: the early console's registers, in use across the switch. */
void mmu_init(const struct boot_info *bi, uint64_t console)
{
	uint64_t pa_range = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	vm_init(bi);
	map_ram(bi);
	ioremap(console, PT_PAGE);
	if (bi->dtb && !firmware_map((uintptr_t)bi->dtb, bi->dtb_size)) {
		kprintf("mmu: the device tree at %p cannot be mapped\n",
			bi->dtb);
	}
	mmu_boot_regs.mair = MAIR_DEVICE_nGnRnE << (8 * ATTR_DEVICE) |
			     MAIR_NORMAL_WB << (8 * ATTR_NORMAL);
	/* IPS: the CPU's own physical address size (ID_AA64MMFR0.PARange). */
	mmu_boot_regs.tcr = TCR_T0SZ(64 - PT_VA_BITS) | TCR_IRGN0_WBWA |
			    TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |
			    TCR_EPD1 |
			    (pa_range > 5 ? 5 : pa_range) << TCR_IPS_SHIFT;
	mmu_boot_regs.ttbr0 = (uintptr_t)level0;
	mmu_boot_regs.sctlr =
	    read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I;
	write_sysreg(mair_el1, mmu_boot_regs.mair);
	write_sysreg(tcr_el1, mmu_boot_regs.tcr);
	write_sysreg(ttbr0_el1, mmu_boot_regs.ttbr0);
	dsb_sy();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb_ish();
	isb();
	write_sysreg(sctlr_el1, mmu_boot_regs.sctlr);
	isb();
}
