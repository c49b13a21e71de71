/*
 * Byte readers for firmware data in memory: ACPI tables and AML are
 * little-endian (ACPI 6.5, 5.2: "all numeric values ... are stored in
 * little-endian format"), a flattened device tree is big-endian
 * (Devicetree Specification v0.4, 5.1). Nothing in either is guaranteed
 * aligned, so each reads one byte at a time; the caller checks bounds.
 */
#ifndef KERN_BYTES_H
#define KERN_BYTES_H

#include <stdint.h>

static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t get_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)get_le32(b) | (uint64_t)get_le32(b + 4) << 32;
}

static inline uint32_t get_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static inline uint64_t get_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)get_be32(b) << 32 | get_be32(b + 4);
}

#endif
