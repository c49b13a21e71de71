/*
 * MCFG decoding (mcfg.h): PCI Firmware Specification 3.3, 4.1.2, table
 * 4-3 for the entry layout.
 */
#include "firmware/acpi/mcfg.h"
#include "kern/bytes.h"
#include "kern/errno.h"
#include "kern/string.h"

#define HDR_LEN	      36
#define HDR_LENGTH    4	 /* u32 */
#define MCFG_ENTRIES  44 /* after the header's 8 reserved bytes */
#define ENTRY_LEN     16
#define ENTRY_BASE    0	 /* u64 */
#define ENTRY_SEGMENT 8	 /* u16 */
#define ENTRY_START   10 /* u8 */
#define ENTRY_END     11 /* u8 */

/* ECAM: 1 MiB per bus (32 devices x 8 functions x 4 KiB). */
#define ECAM_BUS_SHIFT 20
#define ECAM_DEV_SHIFT 15
#define ECAM_FN_SHIFT  12
#define ECAM_FN_SIZE   4096u

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++) {
		s = (uint8_t)(s + p[i]);
	}
	return s;
}

/* One entry: kept, or counted as bad. */
static void window_add(struct acpi_mcfg *out, const uint8_t *e)
{
	struct acpi_mcfg_window w = {
	    .base = get_le64(e + ENTRY_BASE),
	    .segment = get_le16(e + ENTRY_SEGMENT),
	    .bus_start = e[ENTRY_START],
	    .bus_end = e[ENTRY_END],
	};
	/* The window runs to the end of bus_end's 1 MiB. */
	uint64_t top = ((uint64_t)w.bus_end + 1) << ECAM_BUS_SHIFT;

	if (w.base == 0 || w.bus_end < w.bus_start ||
	    w.base > UINT64_MAX - top) {
		out->bad++;
		return;
	}
	if (out->count == ACPI_MCFG_MAX) {
		out->dropped++;
		return;
	}
	out->w[out->count++] = w;
}

int acpi_parse_mcfg(const uint8_t *t, size_t len, struct acpi_mcfg *out)
{
	uint32_t tlen;

	if (out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (t == NULL || len < HDR_LEN || memcmp(t, "MCFG", 4) != 0) {
		return -EINVAL;
	}
	tlen = get_le32(t + HDR_LENGTH);
	if (tlen < MCFG_ENTRIES) {
		return -EBADMSG;
	}
	if (tlen > len) {
		return -ERANGE;
	}
	if (sum8(t, tlen) != 0) {
		return -EBADMSG;
	}
	out->trailing = (tlen - MCFG_ENTRIES) % ENTRY_LEN;
	for (uint32_t off = MCFG_ENTRIES; tlen - off >= ENTRY_LEN;
	     off += ENTRY_LEN) {
		window_add(out, t + off);
	}
	return 0;
}

int acpi_mcfg_address(const struct acpi_mcfg *m, uint16_t segment, uint8_t bus,
		      uint8_t dev, uint8_t fn, uint16_t off, uint64_t *phys)
{
	if (dev >= 32 || fn >= 8 || off >= ECAM_FN_SIZE) {
		return -EINVAL;
	}
	for (unsigned int i = 0; i < m->count; i++) {
		const struct acpi_mcfg_window *w = &m->w[i];

		if (w->segment != segment || bus < w->bus_start ||
		    bus > w->bus_end) {
			continue;
		}
		*phys = w->base + ((uint64_t)bus << ECAM_BUS_SHIFT |
				   (uint64_t)dev << ECAM_DEV_SHIFT |
				   (uint64_t)fn << ECAM_FN_SHIFT | off);
		return 0;
	}
	return -ENOENT;
}
