/*
 * General-purpose event blocks: which register and bit a GPE number is
 * (ACPI 6.5, 4.8.4.1 "General-Purpose Event Register Blocks", 5.2.9 the
 * FADT's GPE0_BLK/GPE1_BLK), and which GPE a \_GPE method names
 * (5.6.4.1 "_Exx, _Lxx, and _Qxx Methods for GPE Processing").
 *
 * A block of len bytes is two halves of len / 2 byte registers each:
 * status registers first, then enable registers in the same order. Bit
 * b of the r-th byte of a half is GPE base + 8 r + b. GPE0's base is 0;
 * GPE1's is the FADT's GPE1_BASE, and the two ranges must not overlap.
 *
 * Pure code over caller-owned structs, host-tested (tests/unit/test_gpe.c).
 */
#ifndef FIRMWARE_ACPI_GPE_BLOCK_H
#define FIRMWARE_ACPI_GPE_BLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "firmware/acpi/acpi.h"

#define ACPI_GPE_BLOCKS 2
/* A GPE method name has two hex digits: GPEs 0x00-0xFF can have one. */
#define ACPI_GPE_NAMED 256

struct acpi_gpe_block {
	uint64_t addr;	   /* first status register */
	bool memory;	   /* SystemMemory; else SystemIO */
	unsigned int regs; /* byte registers per half (len / 2) */
	unsigned int base; /* GPE number of bit 0 of the first register */
};

struct acpi_gpe_blocks {
	unsigned int count; /* usable blocks, in b[0..count) */
	struct acpi_gpe_block b[ACPI_GPE_BLOCKS];
	/* Why a block the FADT describes was left out, NULL if none was
	 * ("GPE1 overlaps GPE0", ...): for the boot's message. */
	const char *dropped;
};

/* Where one GPE lives: block, byte offsets of its status and enable
 * registers from the block's address, and its bit. */
struct acpi_gpe_reg {
	unsigned int block;
	unsigned int status_off, enable_off;
	uint8_t mask;
};

/*
 * The blocks of a parsed FADT. GPE1 is left out (said in dropped) when
 * its numbers would overlap GPE0's. Never fails: no blocks is count 0.
 */
void acpi_gpe_blocks_from_fadt(const struct acpi_fadt_info *f,
			       struct acpi_gpe_blocks *out);

/* The number of GPEs the blocks cover (8 per register). */
unsigned int acpi_gpe_block_size(const struct acpi_gpe_block *b);

/* GPE gpe's registers and bit: 0, or -ENOENT if no block has it. */
int acpi_gpe_locate(const struct acpi_gpe_blocks *blocks, unsigned int gpe,
		    struct acpi_gpe_reg *out);

/*
 * A \_GPE child's NameSeg (little-endian, as aml_node_name gives it):
 * "_Lxx" (level) or "_Exx" (edge) with xx two upper-case hex digits.
 * true with the GPE number and trigger; false for any other name.
 */
bool acpi_gpe_method_name(uint32_t nameseg, unsigned int *gpe, bool *level);

#endif
