/*
 * GPE register math (gpe_block.h): ACPI 6.5, 4.8.4.1 for the layout of
 * a block, 5.2.9 for where the FADT puts the blocks and GPE1's base,
 * 5.6.4.1 for the method names.
 */
#include "firmware/acpi/gpe_block.h"
#include "kern/errno.h"

unsigned int acpi_gpe_block_size(const struct acpi_gpe_block *b)
{
	return b->regs * 8;
}

static void block_add(struct acpi_gpe_blocks *out,
		      const struct acpi_fadt_gpe *g, unsigned int base)
{
	out->b[out->count++] = (struct acpi_gpe_block){
	    .addr = g->addr,
	    .memory = g->memory,
	    .regs = g->len / 2u,
	    .base = base,
	};
}

void acpi_gpe_blocks_from_fadt(const struct acpi_fadt_info *f,
			       struct acpi_gpe_blocks *out)
{
	unsigned int gpe0_end = 0;

	*out = (struct acpi_gpe_blocks){0};
	/* The parser left out blocks with no address or an odd length. */
	if (f->gpe0.addr) {
		block_add(out, &f->gpe0, 0);
		gpe0_end = acpi_gpe_block_size(&out->b[0]);
	}
	if (!f->gpe1.addr) {
		return;
	}
	/* 5.2.9: GPE1's numbers start at GPE1_BASE, after GPE0's. */
	if (f->gpe1_base < gpe0_end) {
		out->dropped = "GPE1_BASE overlaps GPE0's numbers";
		return;
	}
	block_add(out, &f->gpe1, f->gpe1_base);
}

int acpi_gpe_locate(const struct acpi_gpe_blocks *blocks, unsigned int gpe,
		    struct acpi_gpe_reg *out)
{
	for (unsigned int i = 0; i < blocks->count; i++) {
		const struct acpi_gpe_block *b = &blocks->b[i];
		unsigned int n;

		if (gpe < b->base || gpe - b->base >= acpi_gpe_block_size(b)) {
			continue;
		}
		n = gpe - b->base;
		out->block = i;
		out->status_off = n / 8;
		out->enable_off = b->regs + n / 8;
		out->mask = (uint8_t)(1u << (n % 8));
		return 0;
	}
	return -ENOENT;
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool acpi_gpe_method_name(uint32_t nameseg, unsigned int *gpe, bool *level)
{
	uint8_t c[4] = {(uint8_t)nameseg, (uint8_t)(nameseg >> 8),
			(uint8_t)(nameseg >> 16), (uint8_t)(nameseg >> 24)};
	int hi = hex_digit(c[2]), lo = hex_digit(c[3]);

	if (c[0] != '_' || (c[1] != 'L' && c[1] != 'E') || hi < 0 || lo < 0) {
		return false;
	}
	*gpe = (unsigned int)(hi * 16 + lo);
	*level = c[1] == 'L';
	return true;
}
