/*
 * The MCFG table (PCI Firmware Specification 3.3, 4.1.2 "MCFG Table
 * Description"; its signature is reserved by ACPI 6.5, table 5.6): where
 * each PCI segment's enhanced configuration (ECAM) window is, for a
 * range of bus numbers. The window's base is the address of bus 0 of the
 * segment even when the range starts above 0 (table 4-3), and function
 * (bus, dev, fn)'s 4 KiB of configuration space is at
 * base + (bus << 20 | dev << 15 | fn << 12) (PCI Express Base 4.0,
 * 7.2.2, table 7-1).
 *
 * Pure code over the table's bytes: length, checksum and every entry
 * checked, no allocation; host-tested in tests/unit/test_acpi.c.
 */
#ifndef FIRMWARE_ACPI_MCFG_H
#define FIRMWARE_ACPI_MCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MCFG_MAX 16 /* windows kept; the rest are counted */

struct acpi_mcfg_window {
	uint64_t base; /* bus 0's configuration space in the segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_mcfg {
	unsigned int count;
	struct acpi_mcfg_window w[ACPI_MCFG_MAX];
	/* Entries refused (base 0, end bus below start bus, a window
	 * that wraps the address space) and entries past ACPI_MCFG_MAX. */
	unsigned int bad, dropped;
	/* Bytes after the last whole 16-byte entry (a malformed length). */
	unsigned int trailing;
};

/*
 * Decode an MCFG: signature, header length (at least 44: the header and
 * 8 reserved bytes; at most len) and checksum checked. Returns 0,
 * -EINVAL (not an MCFG or too short for a header), -EBADMSG (bad checksum
 * or length), -ERANGE (the header's length exceeds len).
 */
int acpi_parse_mcfg(const uint8_t *t, size_t len, struct acpi_mcfg *out);

/*
 * The physical address of offset off (below 4096) in the configuration
 * space of (segment, bus, dev below 32, fn below 8): 0, or -ENOENT when
 * no window covers that bus, -EINVAL for an impossible dev/fn/off.
 */
int acpi_mcfg_address(const struct acpi_mcfg *m, uint16_t segment, uint8_t bus,
		      uint8_t dev, uint8_t fn, uint16_t off, uint64_t *phys);

#endif
