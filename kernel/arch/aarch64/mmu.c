/*
 * An identity map of the first 4 GiB (Arm ARM D8, VMSAv8-64 with a 4 KiB
 * granule and TCR_EL1.T0SZ = 32, so translation starts at level 1 with
 * four entries): 1 GiB blocks, except the first GiB, which a level-2
 * table maps in 2 MiB blocks so that its first 2 MiB stay unmapped: the
 * NULL guard. A NULL read or write faults (a translation fault, level 2)
 * instead of reading flash or commanding the pflash device that QEMU's
 * virt has at 0; nothing of kite's lives there (it runs from RAM at
 * 1 GiB, and the device tree is in RAM too). Blocks that hold RAM are
 * Normal write-back memory; the rest is Device-nGnRnE and never
 * executable. Everything above 4 GiB faults, which the `fault read` test
 * relies on.
 *
 * With the MMU off every access is Device memory, where unaligned
 * accesses fault and nothing is cached: turning it on early is cheap.
 */
#include "kern/compiler.h"
#include "asm/sysreg.h"

#define GIB  (1ull << 30)
#define MIB2 (1ull << 21)
/* The unmapped NULL guard at the bottom: one level-2 block. */
#define NULL_GUARD_BLOCKS 1

/* Block descriptor fields (D8.3). */
#define DESC_BLOCK	 0x1ull /* levels 1 and 2; bit 1 clear */
#define DESC_TABLE	 0x3ull /* levels 0-2: next-level table address */
#define DESC_ATTRINDX(n) ((uint64_t)(n) << 2)
#define DESC_SH_INNER	 (3ull << 8)
#define DESC_AF		 (1ull << 10)
#define DESC_PXN	 (1ull << 53)
#define DESC_UXN	 (1ull << 54)

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

/* setup.c checks that nothing it must read lies in the guard. */
const uint64_t mmu_null_guard_size = NULL_GUARD_BLOCKS * MIB2;

static uint64_t level1[512] __aligned(4096);
static uint64_t level2_low[512] __aligned(4096);

/* A block descriptor for [start, start + len): Normal if it holds RAM. */
static uint64_t block(uint64_t start, uint64_t len, uint64_t ram_base,
		      uint64_t ram_size)
{
	bool ram = ram_base < start + len && ram_base + ram_size > start;

	return start | DESC_BLOCK | DESC_AF |
	       (ram ? DESC_ATTRINDX(ATTR_NORMAL) | DESC_SH_INNER
		    : DESC_ATTRINDX(ATTR_DEVICE) | DESC_PXN | DESC_UXN);
}

void mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	uint64_t pa_range = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	for (uint64_t i = 0; i < 512; i++) {
		level2_low[i] = i < NULL_GUARD_BLOCKS
				    ? 0 /* invalid: faults */
				    : block(i * MIB2, MIB2, ram_base, ram_size);
	}
	level1[0] = (uintptr_t)level2_low | DESC_TABLE;
	for (uint64_t i = 1; i < 4; i++) {
		level1[i] = block(i * GIB, GIB, ram_base, ram_size);
	}

	write_sysreg(mair_el1, MAIR_DEVICE_nGnRnE << (8 * ATTR_DEVICE) |
				   MAIR_NORMAL_WB << (8 * ATTR_NORMAL));
	/* IPS: the CPU's own physical address size (ID_AA64MMFR0.PARange). */
	write_sysreg(tcr_el1, TCR_T0SZ(32) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
				  TCR_SH0_INNER | TCR_TG0_4K | TCR_EPD1 |
				  (pa_range > 5 ? 5 : pa_range)
				      << TCR_IPS_SHIFT);
	write_sysreg(ttbr0_el1, (uintptr_t)level1);
	dsb_sy();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb_ish();
	isb();
	write_sysreg(sctlr_el1,
		     read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}
