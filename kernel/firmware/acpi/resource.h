/*
 * ACPI resource template decoder (ACPI 6.x, 6.4 "Resource Data Types"):
 * turns the Buffer a device's _CRS returns into a flat list of I/O ranges,
 * memory ranges, interrupt lines and DMA channels.
 *
 * A pure function over (buf, len): every descriptor length is checked
 * against the buffer before a byte of it is read; nothing is allocated.
 */
#ifndef KERNEL_FIRMWARE_ACPI_RESOURCE_H
#define KERNEL_FIRMWARE_ACPI_RESOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum acpi_res_type { ACPI_RES_IO, ACPI_RES_MEM, ACPI_RES_IRQ, ACPI_RES_DMA };

/* flags of an ACPI_RES_IRQ entry (0 = edge-triggered, active-high,
 * exclusive, not wake-capable) */
#define ACPI_RES_LEVEL	    1
#define ACPI_RES_ACTIVE_LOW 2
#define ACPI_RES_SHARED	    4
#define ACPI_RES_WAKE	    8

/*
 * One decoded resource.
 *   ACPI_RES_IO:  start = first port, len = number of ports.
 *   ACPI_RES_MEM: start = first byte address, len = bytes.
 *   ACPI_RES_IRQ: start = IRQ line (small IRQ descriptor, 0-15) or GSI
 *                 (Extended Interrupt), len = 1, flags = ACPI_RES_*.
 *   ACPI_RES_DMA: start = channel (0-7), len = 1, flags = the descriptor's
 *                 raw DMA information byte (speed, bus master, width).
 * For Word/DWord/QWord address space descriptors, start is _MIN plus
 * the translation offset (_TRA), i.e. the processor-side address, and
 * len is _LEN (may be 0 for an unused window).
 */
struct acpi_res {
	enum acpi_res_type type;
	uint64_t start;
	uint64_t len;
	unsigned int flags;
};

/*
 * Decode the resource template buf[0..len) into out[0..max).
 *
 * Understood: small IRQ (2- and 3-byte forms; one entry per set bit of the
 * 16-bit mask; the 2-byte form is edge, active-high), DMA (one entry per
 * set bit), I/O, Fixed I/O, End Tag; large Memory24, Memory32, Fixed
 * Memory32, Word/DWord/QWord Address Space (memory and I/O ranges; bus
 * number and vendor-defined ranges produce no entry), Extended Interrupt
 * (one entry per 32-bit GSI, its own flags). Everything else (start/end
 * dependent functions, vendor, Fixed DMA, generic register, GPIO, serial
 * bus, extended address space, ...) is skipped by its length and counted
 * in *skipped.
 *
 * Returns 0 when the End Tag was reached and every entry fit; -ENOSPC when
 * the template is well formed but has more than max entries (out holds the
 * first max, *count = max); -EBADMSG when a descriptor runs past len, a
 * known descriptor has an impossible length, or there is no End Tag;
 * -EINVAL for NULL arguments. *count (entries stored) and *skipped are
 * always written when the pointers are non-NULL; out may be NULL if max is
 * 0 (count only: -ENOSPC then means "there were entries").
 */
int acpi_res_decode(const uint8_t *buf, size_t len, struct acpi_res *out,
		    unsigned int max, unsigned int *count,
		    unsigned int *skipped);

/*
 * The number of entries acpi_res_decode would produce from buf[0..len)
 * given room for all of them, in *total: how many a caller with a fixed
 * array drops. Returns 0, -EBADMSG (the template is broken: *total holds
 * the entries before the break) or -EINVAL (NULL arguments).
 */
int acpi_res_count(const uint8_t *buf, size_t len, unsigned int *total);

#endif
