/*
 * ACPI resource template decoder; see resource.h. Written from ACPI 6.x,
 * 6.4 "Resource Data Types for ACPI".
 */
#include "kern/bytes.h"
#include "kern/compiler.h"
#include "kern/errno.h"
#include "firmware/acpi/resource.h"

/* Small item names (6.4.2), bits 6:3 of the tag byte. */
#define SMALL_IRQ      0x04
#define SMALL_DMA      0x05
#define SMALL_IO       0x08
#define SMALL_FIXED_IO 0x09
#define SMALL_END_TAG  0x0F

/* Large item names (6.4.3), bits 6:0 of the tag byte. */
#define LARGE_MEM24	  0x01
#define LARGE_MEM32	  0x05
#define LARGE_FIXED_MEM32 0x06
#define LARGE_DWORD_ADDR  0x07
#define LARGE_WORD_ADDR	  0x08
#define LARGE_EXT_IRQ	  0x09
#define LARGE_QWORD_ADDR  0x0A

/* Address space descriptor resource types (6.4.3.5). */
#define ADDR_TYPE_MEM 0
#define ADDR_TYPE_IO  1

struct res_out {
	struct acpi_res *out;
	unsigned int max;
	unsigned int n;
	bool full;
	unsigned int dropped; /* entries found with out full */
};

static void emit(struct res_out *o, enum acpi_res_type type, uint64_t start,
		 uint64_t len, unsigned int flags)
{
	if (o->n >= o->max) {
		o->full = true;
		o->dropped++;
		return;
	}
	o->out[o->n].type = type;
	o->out[o->n].start = start;
	o->out[o->n].len = len;
	o->out[o->n].flags = flags;
	o->n++;
}

/* Small IRQ descriptor: d points after the tag byte, n is 2 or 3. */
static int small_irq(struct res_out *o, const uint8_t *d, unsigned int n)
{
	unsigned int mask, flags = 0, i;

	if (n != 2 && n != 3) {
		return -EBADMSG;
	}
	mask = get_le16(d);
	if (n == 3) {
		/* bit 0: 1 = edge; bit 3: active-low; bit 4: shared;
		 * bit 5: wake capable */
		if (!(d[2] & 0x01)) {
			flags |= ACPI_RES_LEVEL;
		}
		if (d[2] & 0x08) {
			flags |= ACPI_RES_ACTIVE_LOW;
		}
		if (d[2] & 0x10) {
			flags |= ACPI_RES_SHARED;
		}
		if (d[2] & 0x20) {
			flags |= ACPI_RES_WAKE;
		}
	}
	for (i = 0; i < 16; i++) {
		if (mask & (1u << i)) {
			emit(o, ACPI_RES_IRQ, i, 1, flags);
		}
	}
	return 0;
}

/* Word/DWord/QWord address space: the fields are `w` bytes wide. */
static void addr_space(struct res_out *o, const uint8_t *d, unsigned int w)
{
	/* d[0] type, d[1] general flags, d[2] type-specific flags, then
	 * granularity, minimum, maximum, translation, length */
	const uint8_t *f = d + 3;
	uint64_t min, tra, len;

	if (w == 2) {
		min = get_le16(f + 2);
		tra = get_le16(f + 6);
		len = get_le16(f + 8);
	} else if (w == 4) {
		min = get_le32(f + 4);
		tra = get_le32(f + 12);
		len = get_le32(f + 16);
	} else {
		min = get_le64(f + 8);
		tra = get_le64(f + 24);
		len = get_le64(f + 32);
	}
	if (d[0] == ADDR_TYPE_MEM) {
		emit(o, ACPI_RES_MEM, min + tra, len, 0);
	} else if (d[0] == ADDR_TYPE_IO) {
		emit(o, ACPI_RES_IO, min + tra, len, 0);
	}
	/* bus number ranges and vendor-defined types: no entry */
}

static int ext_irq(struct res_out *o, const uint8_t *d, unsigned int n)
{
	unsigned int flags = 0, cnt, i;

	if (n < 2) {
		return -EBADMSG;
	}
	cnt = d[1];
	if (cnt == 0 || 2 + 4 * cnt > n) {
		return -EBADMSG;
	}
	/* bit 1: 1 = edge; bit 2: active-low; bit 3: shared; bit 4: wake */
	if (!(d[0] & 0x02)) {
		flags |= ACPI_RES_LEVEL;
	}
	if (d[0] & 0x04) {
		flags |= ACPI_RES_ACTIVE_LOW;
	}
	if (d[0] & 0x08) {
		flags |= ACPI_RES_SHARED;
	}
	if (d[0] & 0x10) {
		flags |= ACPI_RES_WAKE;
	}
	for (i = 0; i < cnt; i++) {
		emit(o, ACPI_RES_IRQ, get_le32(d + 2 + 4 * i), 1, flags);
	}
	return 0;
}

static int small_item(struct res_out *o, unsigned int name, const uint8_t *d,
		      unsigned int n, unsigned int *skipped)
{
	unsigned int i;

	switch (name) {
	case SMALL_IRQ:
		return small_irq(o, d, n);
	case SMALL_DMA:
		if (n != 2) {
			return -EBADMSG;
		}
		for (i = 0; i < 8; i++) {
			if (d[0] & (1u << i)) {
				emit(o, ACPI_RES_DMA, i, 1, d[1]);
			}
		}
		return 0;
	case SMALL_IO:
		/* information, min, max, alignment, length */
		if (n != 7) {
			return -EBADMSG;
		}
		emit(o, ACPI_RES_IO, get_le16(d + 1), d[6], 0);
		return 0;
	case SMALL_FIXED_IO:
		/* 10-bit base, length */
		if (n != 3) {
			return -EBADMSG;
		}
		emit(o, ACPI_RES_IO, get_le16(d) & 0x3FF, d[2], 0);
		return 0;
	default:
		(*skipped)++;
		return 0;
	}
}

static int large_item(struct res_out *o, unsigned int name, const uint8_t *d,
		      unsigned int n, unsigned int *skipped)
{
	switch (name) {
	case LARGE_MEM24:
		/* information, min, max, alignment, length: 256-byte units */
		if (n != 9) {
			return -EBADMSG;
		}
		emit(o, ACPI_RES_MEM, (uint64_t)get_le16(d + 1) << 8,
		     (uint64_t)get_le16(d + 7) << 8, 0);
		return 0;
	case LARGE_MEM32:
		if (n != 17) {
			return -EBADMSG;
		}
		emit(o, ACPI_RES_MEM, get_le32(d + 1), get_le32(d + 13), 0);
		return 0;
	case LARGE_FIXED_MEM32:
		if (n != 9) {
			return -EBADMSG;
		}
		emit(o, ACPI_RES_MEM, get_le32(d + 1), get_le32(d + 5), 0);
		return 0;
	case LARGE_WORD_ADDR:
		if (n < 13) {
			return -EBADMSG;
		}
		addr_space(o, d, 2);
		return 0;
	case LARGE_DWORD_ADDR:
		if (n < 23) {
			return -EBADMSG;
		}
		addr_space(o, d, 4);
		return 0;
	case LARGE_QWORD_ADDR:
		if (n < 43) {
			return -EBADMSG;
		}
		addr_space(o, d, 8);
		return 0;
	case LARGE_EXT_IRQ:
		return ext_irq(o, d, n);
	default:
		(*skipped)++;
		return 0;
	}
}

/* Walk the template; 0 at the End Tag, -EBADMSG when it is broken. */
static int decode(const uint8_t *buf, size_t len, struct res_out *o,
		  unsigned int *nskip)
{
	size_t pos = 0;

	/* Every pass consumes at least one byte: bounded by len. */
	while (pos < len) {
		uint8_t tag = buf[pos];
		unsigned int n;
		int r;

		if (!(tag & 0x80)) {
			unsigned int name = (tag >> 3) & 0x0F;

			n = tag & 0x07;
			if (n > len - pos - 1) {
				break; /* runs past the end */
			}
			if (name == SMALL_END_TAG) {
				return 0;
			}
			r = small_item(o, name, buf + pos + 1, n, nskip);
			pos += 1 + n;
		} else {
			if (len - pos < 3) {
				break;
			}
			n = get_le16(buf + pos + 1);
			if (n > len - pos - 3) {
				break;
			}
			r = large_item(o, tag & 0x7F, buf + pos + 3, n, nskip);
			pos += 3 + n;
		}
		if (r < 0) {
			break;
		}
	}
	return -EBADMSG; /* no End Tag */
}

int acpi_res_decode(const uint8_t *buf, size_t len, struct acpi_res *out,
		    unsigned int max, unsigned int *count,
		    unsigned int *skipped)
{
	struct res_out o = {out, max, 0, false, 0};
	unsigned int nskip = 0;
	int err;

	if (count != NULL) {
		*count = 0;
	}
	if (skipped != NULL) {
		*skipped = 0;
	}
	if ((buf == NULL && len != 0) || (out == NULL && max != 0) ||
	    count == NULL || skipped == NULL) {
		return -EINVAL;
	}
	err = decode(buf, len, &o, &nskip);
	*count = o.n;
	*skipped = nskip;
	if (err == 0 && o.full) {
		err = -ENOSPC;
	}
	return err;
}

int acpi_res_count(const uint8_t *buf, size_t len, unsigned int *total)
{
	struct res_out o = {NULL, 0, 0, false, 0};
	unsigned int nskip = 0;
	int err;

	if (total != NULL) {
		*total = 0;
	}
	if ((buf == NULL && len != 0) || total == NULL) {
		return -EINVAL;
	}
	err = decode(buf, len, &o, &nskip);
	*total = o.dropped;
	return err;
}
