/*
 * libFuzzer target for the ACPI table code (kernel/firmware/acpi): every
 * public function on arbitrary bytes.
 *
 * 1. The input as one table, given to acpi_parse_madt, acpi_parse_fadt
 *    and acpi_find_s5 as it is, then once per signature ("APIC", "FACP",
 *    "DSDT") with that signature written in and the checksum fixed, so
 *    that the fuzzer gets past the header checks into the entries.
 * 2. The input as physical memory, mapped at 0 and again at 0xE0000 (the
 *    BIOS area the RSDP scan looks at): acpi_find_rsdp, then acpi_init at
 *    0 and at what the scan found, then the parsers on every table it
 *    accepted. Before that, the checksums of an RSDP at 0, of the root
 *    table it names and of the tables that lists are fixed up, so that
 *    table-walking code is reached. A table's data must lie inside the
 *    input, and the counts inside their arrays; a failure traps.
 *
 * Seeds and corpus: tests/fuzz/corpus/fuzz_acpi (minimized, kept in git), the
 * fixtures it parses and hand-made bad inputs (scripts/fuzz.py writes
 * both). `make fuzz` runs it, `make fuzz-corpus` minimizes what it found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kern/bytes.h"
#include "kern/errno.h"
#include "firmware/acpi/acpi.h"

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

#define BIOS_BASE 0xe0000u

struct image {
	const uint8_t *buf;
	size_t len;
};

static const void *image_map(void *ctx, uint64_t phys, size_t len)
{
	const struct image *im = ctx;
	uint64_t off;

	if (phys < im->len) {
		off = phys;
	} else if (phys >= BIOS_BASE && phys - BIOS_BASE < im->len) {
		off = phys - BIOS_BASE;
	} else {
		return NULL;
	}
	if (len > im->len - off) {
		return NULL;
	}
	return im->buf + off;
}

/* Fix the checksum byte at csum_off so that n bytes at p sum to zero. */
static void fix_sum(uint8_t *p, size_t n, size_t csum_off)
{
	uint8_t s = 0;

	p[csum_off] = 0;
	for (size_t i = 0; i < n; i++) {
		s = (uint8_t)(s + p[i]);
	}
	p[csum_off] = (uint8_t)-s;
}

/* Fix the checksum of a table at off in buf, as far as it lies inside. */
static void fix_table(uint8_t *buf, size_t len, uint64_t off)
{
	uint32_t tlen;

	if (off >= len || len - off < ACPI_HEADER_LEN) {
		return;
	}
	tlen = get_le32(buf + off + 4);
	if (tlen < ACPI_HEADER_LEN || tlen > len - off) {
		return;
	}
	fix_sum(buf + off, tlen, 9);
}

static void parse_all(const uint8_t *t, size_t len)
{
	struct acpi_madt_info madt;
	struct acpi_fadt_info fadt;
	uint8_t a, b;

	int r = acpi_parse_madt(t, len, &madt);

	/* The arrays are as long as the table has entries of each kind
	 * (ASan checks every access below): no entry can be under 2 bytes. */
	ASSERT(madt.ncpus + madt.nioapics + madt.nisos + madt.nnmis +
		   madt.nlapic_nmis <=
	       len / 2);
	if (r == 0) {
		for (unsigned int irq = 0; irq < 16; irq++) {
			uint32_t gsi;
			bool low, level;

			acpi_isa_irq(&madt, (uint8_t)irq, &gsi, &low, &level);
		}
	}
	acpi_madt_free(&madt);
	(void)acpi_parse_fadt(t, len, &fadt);
	(void)acpi_find_s5(t, len, &a, &b);
}

/* Part 1: the input as a table, raw and under each signature. */
static void fuzz_table(const uint8_t *data, size_t size)
{
	static const char *const sigs[] = {"APIC", "FACP", "DSDT"};
	uint8_t *t;

	parse_all(data, size);
	if (size < ACPI_HEADER_LEN) {
		return;
	}
	t = malloc(size);
	if (t == NULL) {
		return;
	}
	for (unsigned int i = 0; i < 3; i++) {
		memcpy(t, data, size);
		memcpy(t, sigs[i], 4);
		fix_table(t, size, 0);
		parse_all(t, size);
	}
	free(t);
}

static void check_acpi(const struct acpi *acpi, const struct image *im)
{
	ASSERT(acpi->count <= acpi->cap);
	for (unsigned int i = 0; i < acpi->count; i++) {
		const struct acpi_table *t = &acpi->tables[i];

		ASSERT(t->data >= im->buf && t->length <= im->len &&
		       (size_t)(t->data - im->buf) <= im->len - t->length);
		if (t->checksum_ok) {
			parse_all(t->data, t->length);
		}
	}
	for (unsigned int i = 0; i < 4; i++) {
		(void)acpi_find(acpi, "SSDT", i);
	}
}

/* Part 2: the input as physical memory. */
static void fuzz_memory(const uint8_t *data, size_t size)
{
	struct image im;
	struct acpi_mem mem = {image_map, &im};
	struct acpi *acpi;
	uint8_t *buf;
	uint64_t rsdp;

	buf = malloc(size + 1);
	acpi = malloc(sizeof(*acpi));
	if (buf == NULL || acpi == NULL) {
		free(buf);
		free(acpi);
		return;
	}
	memcpy(buf, data, size);
	im.buf = buf;
	im.len = size;

	/* Checksums of an RSDP at 0, its root table and what that lists. */
	if (size >= ACPI_RSDP_V2_LEN && memcmp(buf, "RSD PTR ", 8) == 0) {
		bool v2 = buf[15] >= 2;
		uint64_t root = v2 ? get_le32(buf + 24) : get_le32(buf + 16);
		unsigned int entry = v2 ? 8 : 4;

		if (root < size && size - root >= ACPI_HEADER_LEN) {
			uint32_t rlen = get_le32(buf + root + 4);

			for (uint32_t off = ACPI_HEADER_LEN;
			     off + entry <= rlen && off < 4096 &&
			     root + off + 4 <= size;
			     off += entry) {
				fix_table(buf, size,
					  get_le32(buf + root + off));
			}
			fix_table(buf, size, root);
		}
		fix_sum(buf, ACPI_RSDP_V1_LEN, 8);
		if (v2) {
			fix_sum(buf, ACPI_RSDP_V2_LEN, 32);
		}
	}

	if (acpi_init(acpi, &mem, 0) == 0) {
		check_acpi(acpi, &im);
	}
	acpi_free(acpi);
	if (acpi_find_rsdp(&mem, &rsdp) == 0 &&
	    acpi_init(acpi, &mem, rsdp) == 0) {
		check_acpi(acpi, &im);
	}
	acpi_free(acpi);
	free(acpi);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_table(data, size);
	fuzz_memory(data, size);
	return 0;
}
