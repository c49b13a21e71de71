/*
 * amldump's output: JSON strings, the raw _CRS bytes, and a decoded
 * _CRS for people to read (ACPI 6.5 section 6.4 "Resource Data Types
 * for ACPI"). The comparison with the golden files uses the raw bytes;
 * the decoding follows the corpus README's entry types.
 */
#include <string.h>
#include "amldump.h"

void json_string(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c >= 0x7F) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_hex(FILE *f, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		fprintf(f, "%02x", p[i]);
	}
	fputc('"', f);
}

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--) {
		v = (v << 8) | p[n];
	}
	return v;
}

/* The set bits of a mask as a JSON list: IRQ (16 bits), DMA (8). */
static void json_bits(FILE *f, uint32_t mask, unsigned int nbits)
{
	unsigned int i;
	const char *sep = "";

	fputc('[', f);
	for (i = 0; i < nbits; i++) {
		if (mask & (1u << i)) {
			fprintf(f, "%s%u", sep, i);
			sep = ", ";
		}
	}
	fputc(']', f);
}

static void json_irq_flags(FILE *f, bool edge, bool low, bool shared)
{
	fprintf(f,
		", \"trigger\": \"%s\", \"polarity\": \"%s\", \"shared\": %s}",
		edge ? "edge" : "level", low ? "low" : "high",
		shared ? "true" : "false");
}

/* Small resource items (6.4.2); p at the tag byte, n its data length. */
static void json_small(FILE *f, const uint8_t *p, unsigned int n)
{
	const uint8_t *d = p + 1;
	unsigned int tag = (p[0] >> 3) & 0xF;

	if (tag == 0x4 && n >= 2) {		   /* IRQ: 6.4.2.1 */
		uint8_t fl = n >= 3 ? d[2] : 0x01; /* default: edge, high */

		fputs("{\"type\": \"irq\", \"irqs\": ", f);
		json_bits(f, (uint32_t)le(d, 2), 16);
		json_irq_flags(f, fl & 0x01, fl & 0x08, fl & 0x10);
	} else if (tag == 0x5 && n >= 2) { /* DMA: 6.4.2.2 */
		fputs("{\"type\": \"dma\", \"channels\": ", f);
		json_bits(f, d[0], 8);
		fputc('}', f);
	} else if (tag == 0x8 && n >= 7) { /* I/O port: 6.4.2.5 */
		uint64_t min = le(d + 1, 2), max = le(d + 3, 2);

		fprintf(f, "{\"type\": \"io\", \"start\": %llu",
			(unsigned long long)min);
		if (min != max) {
			fprintf(f, ", \"max\": %llu", (unsigned long long)max);
		}
		fprintf(f, ", \"length\": %u}", d[6]);
	} else if (tag == 0x9 && n >= 3) { /* Fixed I/O: 6.4.2.6 */
		fprintf(f,
			"{\"type\": \"io\", \"start\": %llu, \"length\": %u}",
			(unsigned long long)(le(d, 2) & 0x3FF), d[2]);
	} else if (tag == 0xA && n >= 5) { /* Fixed DMA: 6.4.2.7 */
		fprintf(f,
			"{\"type\": \"dma\", \"channels\": [%llu], "
			"\"request_line\": %llu}",
			(unsigned long long)le(d + 2, 2),
			(unsigned long long)le(d, 2));
	} else {
		fprintf(f, "{\"type\": \"other\", \"tag\": %u}", tag);
	}
}

/* Word/DWord/QWord/Extended Address Space (6.4.3.5): the fields are
 * granularity, min, max, translation, length, each `w` bytes, from
 * `at`; resource type 0 memory, 1 I/O, 2 bus number. */
static void json_address(FILE *f, uint8_t type, const uint8_t *d,
			 unsigned int n, unsigned int at, unsigned int w)
{
	static const char *const kind[] = {"mem", "io", "bus"};
	uint64_t min, tra, len;

	if (n < at + 5 * w) {
		fprintf(f, "{\"type\": \"other\", \"tag\": %u}", 0x80u | type);
		return;
	}
	if (d[0] > 2) {
		fprintf(f,
			"{\"type\": \"other\", \"tag\": %u, "
			"\"resource_type\": %u}",
			0x80u | type, d[0]);
		return;
	}
	min = le(d + at + w, w);
	tra = d[0] == 2 ? 0 : le(d + at + 3 * w, w); /* a bus: no offset */
	len = le(d + at + 4 * w, w);
	fprintf(f, "{\"type\": \"%s\", \"start\": %llu, \"length\": %llu}",
		kind[d[0]], (unsigned long long)(min + tra),
		(unsigned long long)len);
}

/* Extended Interrupt (6.4.3.6): flags, count, 32-bit interrupt numbers. */
static void json_ext_irq(FILE *f, const uint8_t *d, unsigned int n)
{
	unsigned int i, count = n >= 2 ? d[1] : 0;
	const char *sep = "";

	fputs("{\"type\": \"irq\", \"irqs\": [", f);
	for (i = 0; i < count && 2 + 4 * (i + 1) <= n; i++) {
		fprintf(f, "%s%llu", sep,
			(unsigned long long)le(d + 2 + 4 * i, 4));
		sep = ", ";
	}
	fputc(']', f);
	json_irq_flags(f, d[0] & 0x02, d[0] & 0x04, d[0] & 0x08);
}

/*
 * GPIO connection (6.4.3.8.1): the pin table and the resource source
 * are found by offsets counted from the descriptor's tag byte (3 bytes
 * before d).
 */
static void json_gpio(FILE *f, const uint8_t *d, unsigned int n)
{
	long pins = (long)le(d + 11, 2) - 3, src = (long)le(d + 14, 2) - 3;
	long ven = (long)le(d + 16, 2) - 3, p, end;
	const char *sep = "";

	fprintf(f, "{\"type\": \"gpio\", \"connection\": \"%s\", \"pins\": [",
		d[1] == 0 ? "int" : "io");
	for (p = pins; p >= 0 && p < src && p + 2 <= (long)n; p += 2) {
		fprintf(f, "%s%llu", sep, (unsigned long long)le(d + p, 2));
		sep = ", ";
	}
	fputs("], \"source\": ", f);
	end = src;
	while (src >= 0 && end < (long)n && end < ven && d[end]) {
		end++;
	}
	if (src >= 0 && src < (long)n) {
		json_string(f, (const char *)d + src, (size_t)(end - src));
	} else {
		fputs("\"\"", f);
	}
	fputc('}', f);
}

/* Large resource items (6.4.3); d at the data, n its length. */
static void json_large(FILE *f, uint8_t type, const uint8_t *d, unsigned int n)
{
	if (type == 0x01 && n >= 9) { /* 24-bit memory: 6.4.3.1 */
		fprintf(f,
			"{\"type\": \"mem\", \"start\": %llu, \"length\": "
			"%llu}",
			(unsigned long long)le(d + 1, 2) << 8,
			(unsigned long long)le(d + 7, 2) << 8);
	} else if (type == 0x05 && n >= 17) { /* 32-bit memory: 6.4.3.3 */
		fprintf(f,
			"{\"type\": \"mem\", \"start\": %llu, \"length\": "
			"%llu}",
			(unsigned long long)le(d + 1, 4),
			(unsigned long long)le(d + 13, 4));
	} else if (type == 0x06 && n >= 9) { /* fixed 32-bit: 6.4.3.4 */
		fprintf(f,
			"{\"type\": \"mem\", \"start\": %llu, \"length\": "
			"%llu}",
			(unsigned long long)le(d + 1, 4),
			(unsigned long long)le(d + 5, 4));
	} else if (type == 0x07 || type == 0x08 || type == 0x0A) {
		json_address(f, type, d, n, 3,
			     type == 0x08   ? 2
			     : type == 0x07 ? 4
					    : 8);
	} else if (type == 0x0B) { /* extended: 2 more bytes first */
		json_address(f, type, d, n, 5, 8);
	} else if (type == 0x09 && n >= 2) {
		json_ext_irq(f, d, n);
	} else if (type == 0x0C && n >= 20) {
		json_gpio(f, d, n);
	} else if (type == 0x0E && n >= 3) { /* serial bus: 6.4.3.8.2 */
		fprintf(f, "{\"type\": \"serialbus\", \"bus_type\": %u}", d[2]);
	} else {
		fprintf(f, "{\"type\": \"other\", \"tag\": %u}", 0x80u | type);
	}
}

void json_crs(FILE *f, const uint8_t *p, uint32_t len)
{
	uint32_t at = 0, n;
	const char *sep = "";

	fputc('[', f);
	while (at < len) {
		bool large = p[at] & 0x80;

		if (!large && ((p[at] >> 3) & 0xF) == 0xF) {
			break; /* End Tag: 6.4.2.9 */
		}
		n = large ? (at + 3 <= len ? (uint32_t)le(p + at + 1, 2) : len)
			  : p[at] & 0x7u;
		fputs(sep, f);
		if (at + (large ? 3 : 1) + n > len) {
			fprintf(f,
				"{\"type\": \"other\", \"tag\": %u, "
				"\"truncated\": true}",
				large ? p[at] : (p[at] >> 3) & 0xFu);
			break;
		}
		if (large) {
			json_large(f, p[at] & 0x7F, p + at + 3, n);
		} else {
			json_small(f, p + at, n);
		}
		sep = ", ";
		at += (large ? 3 : 1) + n;
	}
	fputc(']', f);
}
