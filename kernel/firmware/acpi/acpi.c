/*
 * ACPI static tables (see acpi.h), after the ACPI Specification 6.x:
 * 5.2.5 RSDP, 5.2.6 the common header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9
 * FADT, 5.2.10 FACS, 5.2.12 MADT, and from chapter 20 (AML) only the
 * encodings needed to read the \_S5 package: NameOp, PackageOp with its
 * PkgLength, and the integer constants.
 *
 * Every table is a byte buffer read through get_le16/32/64; every
 * offset is checked against the table's own length, which is checked
 * against what was mapped or passed in. Loops are bounded by a length that
 * strictly shrinks; there is no recursion and no allocation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kern/bytes.h"
#include "kern/compiler.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/acpi.h"

/* RSDP (5.2.5.3). */
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_OEMID     9  /* 6 bytes */
#define RSDP_REVISION  15 /* 0: ACPI 1.0, 2: ACPI 2.0 and later */
#define RSDP_RSDT_ADDR 16 /* u32 */
#define RSDP_LENGTH    20 /* u32, revision >= 2 only */
#define RSDP_XSDT_ADDR 24 /* u64, revision >= 2 only */
/* An RSDP longer than this is refused; 6.x defines 36 bytes. */
#define RSDP_MAX_LEN 1024u

/* System description table header (5.2.6, table 5.4). */
#define HDR_SIGNATURE	 0
#define HDR_LENGTH	 4 /* u32, whole table including the header */
#define HDR_REVISION	 8
#define HDR_CHECKSUM	 9
#define HDR_OEMID	 10 /* 6 bytes */
#define HDR_OEM_TABLE_ID 16 /* 8 bytes */

/* The header as a packed layout, only to pin the offsets above. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_sdt_header) == ACPI_HEADER_LEN,
	       "ACPI header is 36 bytes");
_Static_assert(offsetof(struct acpi_sdt_header, length) == HDR_LENGTH, "");
_Static_assert(offsetof(struct acpi_sdt_header, checksum) == HDR_CHECKSUM, "");
_Static_assert(offsetof(struct acpi_sdt_header, oem_id) == HDR_OEMID, "");
_Static_assert(offsetof(struct acpi_sdt_header, oem_table_id) ==
		   HDR_OEM_TABLE_ID,
	       "");

/* RSDP, for the same reason. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_LEN, "");
_Static_assert(offsetof(struct acpi_rsdp, oem_id) == RSDP_OEMID, "");
_Static_assert(offsetof(struct acpi_rsdp, revision) == RSDP_REVISION, "");
_Static_assert(offsetof(struct acpi_rsdp, rsdt_address) == RSDP_RSDT_ADDR, "");
_Static_assert(offsetof(struct acpi_rsdp, length) == RSDP_LENGTH, "");
_Static_assert(offsetof(struct acpi_rsdp, xsdt_address) == RSDP_XSDT_ADDR, "");
_Static_assert(offsetof(struct acpi_rsdp, length) == ACPI_RSDP_V1_LEN, "");

/* FADT fields (5.2.9, table 5.9), by byte offset. */
#define FADT_FIRMWARE_CTRL   36 /* u32: FACS */
#define FADT_DSDT	     40 /* u32 */
#define FADT_SCI_INT	     46 /* u16 */
#define FADT_SMI_CMD	     48 /* u32 */
#define FADT_ACPI_ENABLE     52
#define FADT_PM1A_EVT_BLK    56 /* u32 */
#define FADT_PM1B_EVT_BLK    60 /* u32 */
#define FADT_PM1A_CNT_BLK    64 /* u32 */
#define FADT_PM1_EVT_LEN     88 /* u8 */
#define FADT_PM1B_CNT_BLK    68 /* u32 */
#define FADT_PM_TMR_BLK	     76 /* u32 */
#define FADT_GPE0_BLK	     80 /* u32 */
#define FADT_GPE1_BLK	     84 /* u32 */
#define FADT_GPE0_BLK_LEN    92 /* u8 */
#define FADT_GPE1_BLK_LEN    93 /* u8 */
#define FADT_GPE1_BASE	     94 /* u8 */
#define FADT_PM_TMR_LEN	     91 /* u8: 4 if there is a PM timer */
#define FADT_CENTURY	     108
#define FADT_IAPC_BOOT_ARCH  109 /* u16, ACPI 2.0 on */
#define FADT_FLAGS	     112 /* u32 */
#define FADT_X_FIRMWARE_CTRL 132 /* u64, ACPI 2.0 on */
#define FADT_X_DSDT	     140 /* u64 */
#define FADT_X_PM1A_CNT_BLK  172 /* GAS */
#define FADT_X_PM1B_CNT_BLK  184 /* GAS */
#define FADT_X_PM_TMR_BLK    208 /* GAS */
#define FADT_X_GPE0_BLK	     220 /* GAS */
#define FADT_X_GPE1_BLK	     232 /* GAS */

#define IAPC_BOOT_ARCH_8042	  (1u << 1)
#define IAPC_BOOT_ARCH_VGA_ABSENT (1u << 2)
#define FADT_FLAG_TMR_VAL_EXT	  (1u << 8)
#define FADT_FLAG_HW_REDUCED	  (1u << 20)

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
#define GAS_SPACE_ID	   0
#define GAS_ADDRESS	   4
#define GAS_LEN		   12
#define GAS_SPACE_MEMORY   0
#define GAS_SPACE_SYSTEMIO 1

/* FACS (5.2.10): signature, length, then Version at 32. No checksum. */
#define FACS_VERSION 32

/* MADT (5.2.12). */
#define MADT_LAPIC_ADDR	 36 /* u32 */
#define MADT_FLAGS	 40 /* u32 */
#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_ENTRIES	 ACPI_MADT_MIN_LEN

/* AML opcodes (20.2). */
#define AML_ZERO_OP	 0x00
#define AML_ONE_OP	 0x01
#define AML_NAME_OP	 0x08
#define AML_BYTE_PREFIX	 0x0a
#define AML_WORD_PREFIX	 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP	 0x12
#define AML_ROOT_CHAR	 0x5c
#define AML_ONES_OP	 0xff

/* Whether [off, off + n) lies inside len bytes, without computing off + n. */
static bool in_range(size_t off, size_t n, size_t len)
{
	return off <= len && n <= len - off;
}

/* The 8-bit sum of n bytes: 0 for a good ACPI checksum. */
static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++) {
		s = (uint8_t)(s + p[i]);
	}
	return s;
}

static const uint8_t *map(const struct acpi_mem *mem, uint64_t phys, size_t len)
{
	/* A range that wraps around the address space is never readable. */
	if (len != 0 && phys > UINT64_MAX - (len - 1)) {
		return NULL;
	}
	return mem->map(mem->ctx, phys, len);
}

static void copy_str(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Check a table passed by buffer: at least a header, signature sig, a
 * header length of at least min_len and at most len, a good checksum.
 * Gives the header's length.
 */
static int check_table(const uint8_t *t, size_t len, const char *sig,
		       size_t min_len, size_t *tlen)
{
	uint32_t hlen;

	if (t == NULL || len < ACPI_HEADER_LEN ||
	    memcmp(t + HDR_SIGNATURE, sig, 4) != 0) {
		return -EINVAL;
	}
	hlen = get_le32(t + HDR_LENGTH);
	if (hlen < min_len) {
		return -EBADMSG;
	}
	if (hlen > len) {
		return -ERANGE;
	}
	if (sum8(t, hlen) != 0) {
		return -EBADMSG;
	}
	*tlen = hlen;
	return 0;
}

/* ---- RSDP ---- */

/*
 * Check an RSDP in memory: signature, the ACPI 1.0 checksum over the
 * first 20 bytes and, for revision >= 2, the extended checksum over
 * Length bytes. Gives a pointer to its bytes and their number.
 */
static int rsdp_check(const struct acpi_mem *mem, uint64_t phys,
		      const uint8_t **rsdp, size_t *rlen)
{
	const uint8_t *p = map(mem, phys, ACPI_RSDP_V1_LEN);
	uint32_t len;

	if (p == NULL) {
		return -ERANGE;
	}
	if (memcmp(p, RSDP_SIGNATURE, 8) != 0) {
		return -EINVAL;
	}
	if (sum8(p, ACPI_RSDP_V1_LEN) != 0) {
		return -EBADMSG;
	}
	*rsdp = p;
	*rlen = ACPI_RSDP_V1_LEN;
	if (p[RSDP_REVISION] < 2) {
		return 0;
	}
	p = map(mem, phys, ACPI_RSDP_V2_LEN);
	if (p == NULL) {
		return -ERANGE;
	}
	len = get_le32(p + RSDP_LENGTH);
	if (len < ACPI_RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		return -EBADMSG;
	}
	p = map(mem, phys, len);
	if (p == NULL) {
		return -ERANGE;
	}
	if (sum8(p, len) != 0) {
		return -EBADMSG;
	}
	*rsdp = p;
	*rlen = len;
	return 0;
}

/* Scan [base, base + len) on 16-byte boundaries for a valid RSDP. */
static int rsdp_scan(const struct acpi_mem *mem, uint64_t base, uint64_t len,
		     uint64_t *found)
{
	const uint8_t *p;
	size_t plen;

	/* Every boundary in the range; the map says whether the structure
	 * starting there can be read. */
	for (uint64_t off = 0; off < len; off += 16) {
		if (rsdp_check(mem, base + off, &p, &plen) == 0) {
			*found = base + off;
			return 0;
		}
	}
	return -ENOENT;
}

int acpi_find_rsdp(const struct acpi_mem *mem, uint64_t *rsdp_phys)
{
	/* 5.2.5.1: the EBDA's segment is the word at 40:0Eh; search its
	 * first 1 KiB, then the BIOS read-only area. */
	const uint64_t ebda_ptr = 0x40e, ebda_len = 1024;
	const uint64_t bios_base = 0xe0000, bios_len = 0x20000;
	const uint8_t *p;

	if (mem == NULL || mem->map == NULL || rsdp_phys == NULL) {
		return -EINVAL;
	}
	p = map(mem, ebda_ptr, 2);
	if (p != NULL) {
		uint64_t ebda = (uint64_t)get_le16(p) << 4;

		if (ebda != 0 &&
		    rsdp_scan(mem, ebda, ebda_len, rsdp_phys) == 0) {
			return 0;
		}
	}
	return rsdp_scan(mem, bios_base, bios_len, rsdp_phys);
}

/* ---- Tables in memory ---- */

/*
 * Map a whole table at phys: the header, then its length's worth.
 * Refused (-ERANGE) if unmapped, -EBADMSG if the length is impossible,
 * -EINVAL if sig is given and does not match.
 */
static int table_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
		     const uint8_t **data, uint32_t *len)
{
	const uint8_t *p;
	uint32_t tlen;

	if (phys == 0) {
		return -ERANGE;
	}
	p = map(mem, phys, ACPI_HEADER_LEN);
	if (p == NULL) {
		return -ERANGE;
	}
	if (sig != NULL && memcmp(p + HDR_SIGNATURE, sig, 4) != 0) {
		return -EINVAL;
	}
	tlen = get_le32(p + HDR_LENGTH);
	if (tlen < ACPI_HEADER_LEN || tlen > ACPI_TABLE_MAX_LEN) {
		return -EBADMSG;
	}
	p = map(mem, phys, tlen);
	if (p == NULL) {
		return -ERANGE;
	}
	*data = p;
	*len = tlen;
	return 0;
}

/* The FACS has a signature and length but no checksum nor OEM fields. */
static int facs_map(const struct acpi_mem *mem, uint64_t phys,
		    const uint8_t **data, uint32_t *len)
{
	const uint8_t *p;
	uint32_t tlen;

	if (phys == 0) {
		return -ERANGE;
	}
	p = map(mem, phys, ACPI_FACS_MIN_LEN);
	if (p == NULL) {
		return -ERANGE;
	}
	if (memcmp(p, "FACS", 4) != 0) {
		return -EINVAL;
	}
	tlen = get_le32(p + HDR_LENGTH);
	if (tlen < ACPI_FACS_MIN_LEN || tlen > ACPI_TABLE_MAX_LEN) {
		return -EBADMSG;
	}
	p = map(mem, phys, tlen);
	if (p == NULL) {
		return -ERANGE;
	}
	*data = p;
	*len = tlen;
	return 0;
}

static const struct acpi_table *table_known(const struct acpi *acpi,
					    uint64_t phys)
{
	for (unsigned int i = 0; i < acpi->count; i++) {
		if (acpi->tables[i].phys == phys) {
			return &acpi->tables[i];
		}
	}
	return NULL;
}

/* Count a refused address and keep its story for the caller's report. */
static void skip(struct acpi *acpi, const char *where, unsigned int index,
		 uint64_t phys, int err)
{
	acpi->skipped++;
	if (acpi->nskips < ACPI_MAX_SKIPS) {
		acpi->skips[acpi->nskips++] =
		    (struct acpi_skip){where, index, phys, err};
	}
}

/* Room for one more table: the list doubles from 16 (it is bounded by the
 * root table's length). -ENOMEM, said, when the heap cannot. */
static int tables_grow(struct acpi *acpi, uint64_t phys)
{
	unsigned int cap = acpi->cap ? 2 * acpi->cap : 16;
	struct acpi_table *t;

	if (acpi->count < acpi->cap) {
		return 0;
	}
	t = krealloc(acpi->tables, cap * sizeof(*t), 0);
	if (t == NULL) {
		kprintf("acpi: out of memory for table %u (at %p) in the "
			"table list: skipped\n",
			acpi->count, (void *)(uintptr_t)phys);
		return -ENOMEM;
	}
	acpi->tables = t;
	acpi->cap = cap;
	return 0;
}

void acpi_free(struct acpi *acpi)
{
	if (acpi == NULL) {
		return;
	}
	kfree(acpi->tables);
	acpi->tables = NULL;
	acpi->count = acpi->cap = 0;
}

/* Append a mapped table; false (and counted as skipped) if no memory. */
static bool table_add(struct acpi *acpi, uint64_t phys, const uint8_t *data,
		      uint32_t len, bool facs)
{
	struct acpi_table *t;

	if (tables_grow(acpi, phys)) {
		skip(acpi, "table list", acpi->count, phys, -ENOMEM);
		return false;
	}
	t = &acpi->tables[acpi->count++];
	memset(t, 0, sizeof(*t));
	copy_str(t->sig, data + HDR_SIGNATURE, 4);
	t->length = len;
	t->phys = phys;
	t->data = data;
	if (facs) {
		t->revision = data[FACS_VERSION];
		t->checksum_ok = true;
	} else {
		copy_str(t->oem_id, data + HDR_OEMID, 6);
		copy_str(t->oem_table_id, data + HDR_OEM_TABLE_ID, 8);
		t->revision = data[HDR_REVISION];
		t->checksum_ok = sum8(data, len) == 0;
	}
	return true;
}

/* Load one table listed by the root table, skipping (and counting) a
 * null, duplicate, unmapped or impossible one. */
static void table_load(struct acpi *acpi, const struct acpi_mem *mem,
		       unsigned int index, uint64_t phys)
{
	const char *where = acpi->xsdt ? "XSDT" : "RSDT";
	const uint8_t *data;
	uint32_t len;
	int ret;

	if (phys == 0) {
		skip(acpi, where, index, phys, -ENOENT);
	} else if (table_known(acpi, phys) != NULL) {
		skip(acpi, where, index, phys, -EEXIST);
	} else if ((ret = table_map(mem, phys, NULL, &data, &len)) != 0) {
		skip(acpi, where, index, phys, ret);
	} else {
		table_add(acpi, phys, data, len, false);
	}
}

/* A root table (RSDT, entries of 4 bytes, or XSDT, 8) that can be used:
 * mapped, right signature, whole entries, good checksum. */
static int root_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
		    size_t entry, const uint8_t **data, uint32_t *len)
{
	int ret = table_map(mem, phys, sig, data, len);

	if (ret != 0) {
		return ret == -EINVAL ? -EBADMSG : ret;
	}
	if ((*len - ACPI_HEADER_LEN) % entry != 0 || sum8(*data, *len) != 0) {
		return -EBADMSG;
	}
	return 0;
}

/* A field of the FADT, or 0 when the table is too short to have it. */
static uint64_t fadt_field(const uint8_t *t, size_t len, size_t off, size_t n)
{
	if (!in_range(off, n, len)) {
		return 0;
	}
	return n == 8 ? get_le64(t + off) : get_le32(t + off);
}

/* Step 4 of acpi_init: the DSDT and FACS the first good FADT names. */
static void fadt_add_children(struct acpi *acpi, const struct acpi_mem *mem)
{
	const struct acpi_table *fadt = acpi_find(acpi, "FACP", 0);
	const struct acpi_table *known;
	uint64_t dsdt[2], facs[2];
	const uint8_t *data;
	uint32_t len;
	int ret;

	if (fadt == NULL || fadt->length < ACPI_FADT_V1_LEN) {
		return;
	}
	/* The 64-bit address first, when the table has one (5.2.9). */
	dsdt[0] = fadt_field(fadt->data, fadt->length, FADT_X_DSDT, 8);
	dsdt[1] = fadt_field(fadt->data, fadt->length, FADT_DSDT, 4);
	facs[0] = fadt_field(fadt->data, fadt->length, FADT_X_FIRMWARE_CTRL, 8);
	facs[1] = fadt_field(fadt->data, fadt->length, FADT_FIRMWARE_CTRL, 4);
	for (int i = 0; i < 2; i++) {
		if (dsdt[i] == 0) {
			continue;
		}
		known = table_known(acpi, dsdt[i]);
		if (known != NULL && memcmp(known->sig, "DSDT", 4) == 0) {
			break; /* listed by the root table as well */
		}
		ret = known ? -EEXIST
			    : table_map(mem, dsdt[i], "DSDT", &data, &len);
		if (ret == 0) {
			table_add(acpi, dsdt[i], data, len, false);
			break;
		}
		skip(acpi, "FADT", 0, dsdt[i], ret);
	}
	for (int i = 0; i < 2; i++) {
		if (facs[i] == 0) {
			continue;
		}
		known = table_known(acpi, facs[i]);
		if (known != NULL && memcmp(known->sig, "FACS", 4) == 0) {
			break;
		}
		ret = known ? -EEXIST : facs_map(mem, facs[i], &data, &len);
		if (ret == 0) {
			table_add(acpi, facs[i], data, len, true);
			break;
		}
		skip(acpi, "FADT", 1, facs[i], ret);
	}
}

int acpi_init(struct acpi *acpi, const struct acpi_mem *mem, uint64_t rsdp_phys)
{
	const uint8_t *rsdp, *root;
	size_t rsdp_len, entry;
	uint32_t root_len;
	uint64_t root_phys;
	int ret;

	if (acpi == NULL || mem == NULL || mem->map == NULL) {
		return -EINVAL;
	}
	memset(acpi, 0, sizeof(*acpi));

	/* 1. The RSDP, with both checksums. */
	ret = rsdp_check(mem, rsdp_phys, &rsdp, &rsdp_len);
	if (ret != 0) {
		return ret;
	}
	acpi->rsdp_phys = rsdp_phys;
	acpi->rsdp_revision = rsdp[RSDP_REVISION];
	copy_str(acpi->oem_id, rsdp + RSDP_OEMID, 6);

	/* 2. The XSDT when there is a usable one (5.2.5.3: an ACPI 2.0+ OS
	 * uses it), else the RSDT. */
	ret = -ENOENT;
	if (rsdp_len >= ACPI_RSDP_V2_LEN) {
		root_phys = get_le64(rsdp + RSDP_XSDT_ADDR);
		entry = 8;
		if (root_phys != 0) {
			ret = root_map(mem, root_phys, "XSDT", entry, &root,
				       &root_len);
		}
	}
	if (ret != 0) {
		root_phys = get_le32(rsdp + RSDP_RSDT_ADDR);
		entry = 4;
		ret = root_map(mem, root_phys, "RSDT", entry, &root, &root_len);
		if (ret != 0) {
			return ret;
		}
	}
	acpi->xsdt = entry == 8;
	table_add(acpi, root_phys, root, root_len, false);

	/* 3. Every table it lists. */
	for (size_t off = ACPI_HEADER_LEN; off < root_len; off += entry) {
		uint64_t phys =
		    entry == 8 ? get_le64(root + off) : get_le32(root + off);

		table_load(acpi, mem,
			   (unsigned int)((off - ACPI_HEADER_LEN) / entry),
			   phys);
	}

	/* 4. The DSDT and FACS, which only the FADT points at. */
	fadt_add_children(acpi, mem);
	return 0;
}

const struct acpi_table *acpi_find(const struct acpi *acpi, const char *sig,
				   unsigned int instance)
{
	unsigned int count;

	if (acpi == NULL || sig == NULL || sig[0] == '\0' || sig[1] == '\0' ||
	    sig[2] == '\0' || sig[3] == '\0' || sig[4] != '\0') {
		return NULL;
	}
	count = acpi->tables ? acpi->count : 0;
	for (unsigned int i = 0; i < count; i++) {
		const struct acpi_table *t = &acpi->tables[i];

		if (!t->checksum_ok || memcmp(t->sig, sig, 4) != 0) {
			continue;
		}
		if (instance-- == 0) {
			return t;
		}
	}
	return NULL;
}

/* ---- FADT ---- */

/* An I/O port from an X_ GAS when it is present, SystemIO, non-zero and
 * fits; otherwise the legacy 32-bit block address. */
static uint32_t fadt_port(const uint8_t *t, size_t len, size_t gas_off,
			  uint32_t legacy)
{
	uint64_t addr;

	if (!in_range(gas_off, GAS_LEN, len) ||
	    t[gas_off + GAS_SPACE_ID] != GAS_SPACE_SYSTEMIO) {
		return legacy;
	}
	addr = get_le64(t + gas_off + GAS_ADDRESS);
	if (addr == 0 || addr > UINT32_MAX) {
		return legacy;
	}
	return (uint32_t)addr;
}

/*
 * A GPE block (5.2.9: GPE0_BLK/X_GPE0_BLK, GPE1_BLK/X_GPE1_BLK): the X_
 * GAS when it is whole, SystemIO or SystemMemory and non-zero, else the
 * 32-bit port; the length is the byte field either way (ACPI 6.5 keeps
 * GPEx_BLK_LEN as the block's length for the X_ form too). A block
 * whose length is odd cannot be split into two equal halves (4.8.4.1):
 * it is left out (addr 0).
 */
static void fadt_gpe(const uint8_t *t, size_t len, size_t gas_off,
		     size_t legacy_off, size_t len_off, struct acpi_fadt_gpe *g)
{
	uint64_t addr = 0;

	g->len = t[len_off];
	g->memory = false;
	if (in_range(gas_off, GAS_LEN, len)) {
		uint8_t space = t[gas_off + GAS_SPACE_ID];

		addr = get_le64(t + gas_off + GAS_ADDRESS);
		if (space != GAS_SPACE_SYSTEMIO && space != GAS_SPACE_MEMORY) {
			addr = 0;
		}
		g->memory = addr != 0 && space == GAS_SPACE_MEMORY;
	}
	g->addr = addr ? addr : get_le32(t + legacy_off);
	if (g->addr == 0 || g->len == 0 || (g->len & 1) != 0) {
		*g = (struct acpi_fadt_gpe){0};
	}
}

int acpi_parse_fadt(const uint8_t *fadt, size_t len, struct acpi_fadt_info *out)
{
	size_t tlen;
	uint64_t x;
	int ret;

	if (out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	ret = check_table(fadt, len, "FACP", ACPI_FADT_V1_LEN, &tlen);
	if (ret != 0) {
		return ret;
	}
	/* Everything up to Flags is in every revision (116 bytes). */
	out->revision = fadt[HDR_REVISION];
	out->facs = get_le32(fadt + FADT_FIRMWARE_CTRL);
	out->dsdt = get_le32(fadt + FADT_DSDT);
	out->sci_int = get_le16(fadt + FADT_SCI_INT);
	out->smi_cmd = get_le32(fadt + FADT_SMI_CMD);
	out->acpi_enable = fadt[FADT_ACPI_ENABLE];
	out->pm1a_evt = get_le32(fadt + FADT_PM1A_EVT_BLK);
	out->pm1b_evt = get_le32(fadt + FADT_PM1B_EVT_BLK);
	out->pm1_evt_len = fadt[FADT_PM1_EVT_LEN];
	out->century = fadt[FADT_CENTURY];
	out->iapc_boot_arch = get_le16(fadt + FADT_IAPC_BOOT_ARCH);
	out->iapc_boot_arch_valid = out->revision >= 2;
	out->has_8042 = (out->iapc_boot_arch & IAPC_BOOT_ARCH_8042) != 0;
	out->no_vga = (out->iapc_boot_arch & IAPC_BOOT_ARCH_VGA_ABSENT) != 0;
	out->flags = get_le32(fadt + FADT_FLAGS);
	out->hw_reduced = (out->flags & FADT_FLAG_HW_REDUCED) != 0;
	out->tmr_val_ext = (out->flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	if (fadt[FADT_PM_TMR_LEN] == 4) {
		out->pm_tmr = get_le32(fadt + FADT_PM_TMR_BLK);
	}

	/* ACPI 2.0 fields, present only if the table is long enough. */
	x = fadt_field(fadt, tlen, FADT_X_FIRMWARE_CTRL, 8);
	if (x != 0) {
		out->facs = x;
	}
	x = fadt_field(fadt, tlen, FADT_X_DSDT, 8);
	if (x != 0) {
		out->dsdt = x;
	}
	out->pm1a_cnt = fadt_port(fadt, tlen, FADT_X_PM1A_CNT_BLK,
				  get_le32(fadt + FADT_PM1A_CNT_BLK));
	out->pm1b_cnt = fadt_port(fadt, tlen, FADT_X_PM1B_CNT_BLK,
				  get_le32(fadt + FADT_PM1B_CNT_BLK));
	out->pm_tmr = fadt_port(fadt, tlen, FADT_X_PM_TMR_BLK, out->pm_tmr);
	fadt_gpe(fadt, tlen, FADT_X_GPE0_BLK, FADT_GPE0_BLK, FADT_GPE0_BLK_LEN,
		 &out->gpe0);
	fadt_gpe(fadt, tlen, FADT_X_GPE1_BLK, FADT_GPE1_BLK, FADT_GPE1_BLK_LEN,
		 &out->gpe1);
	out->gpe1_base = fadt[FADT_GPE1_BASE];
	return 0;
}

/* ---- MADT ---- */

/* The size each known entry type defines (5.2.12.2 on); longer entries
 * are allowed (later revisions append fields), shorter ones are not. */
static uint8_t madt_entry_min(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LAPIC:
		return 8;
	case ACPI_MADT_IOAPIC:
		return 12;
	case ACPI_MADT_ISO:
		return 10;
	case ACPI_MADT_NMI_SOURCE:
		return 8;
	case ACPI_MADT_LAPIC_NMI:
		return 6;
	case ACPI_MADT_LAPIC_OVERRIDE:
		return 12;
	case ACPI_MADT_X2APIC:
		return 16;
	case ACPI_MADT_X2APIC_NMI:
		return 12;
	default:
		return 2;
	}
}

/* MPS INTI flags (5.2.12.5, table 5.26): 10b is reserved in both. */
static int madt_inti(uint16_t flags, enum acpi_polarity *pol,
		     enum acpi_trigger *trig)
{
	static const int pols[4] = {ACPI_POL_CONFORMS, ACPI_POL_HIGH, -1,
				    ACPI_POL_LOW};
	static const int trigs[4] = {ACPI_TRIG_CONFORMS, ACPI_TRIG_EDGE, -1,
				     ACPI_TRIG_LEVEL};
	int p = pols[flags & 3], t = trigs[(flags >> 2) & 3];

	if (p < 0 || t < 0) {
		return -EBADMSG;
	}
	*pol = (enum acpi_polarity)p;
	*trig = (enum acpi_trigger)t;
	return 0;
}

/*
 * The MADT's arrays come from the heap, sized by a first pass that only
 * counts (room[] all 0): each entry is stored when its array has room and
 * always counted, so the second pass fills exactly what the first
 * counted. Kinds, in room[] order:
 */
enum { MADT_CPUS, MADT_IOAPICS, MADT_ISOS, MADT_NMIS, MADT_LNMIS };

static unsigned int umin(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

static void madt_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid,
		     uint32_t flags, bool x2apic)
{
	if (out->ncpus < out->room[MADT_CPUS]) {
		out->cpus[out->ncpus].apic_id = apic_id;
		out->cpus[out->ncpus].uid = uid;
		out->cpus[out->ncpus].enabled = (flags & 1) != 0;
		out->cpus[out->ncpus].online_capable = (flags & 2) != 0;
		out->cpus[out->ncpus].x2apic = x2apic;
	}
	out->ncpus++;
}

static int madt_lapic_nmi(struct acpi_madt_info *out, uint32_t uid,
			  uint16_t flags, uint8_t lint)
{
	enum acpi_polarity pol;
	enum acpi_trigger trig;
	unsigned int n = out->nlapic_nmis++;

	if (madt_inti(flags, &pol, &trig) != 0) {
		return -EBADMSG;
	}
	if (n < out->room[MADT_LNMIS]) {
		out->lapic_nmis[n].uid = uid;
		out->lapic_nmis[n].lint = lint;
		out->lapic_nmis[n].polarity = pol;
		out->lapic_nmis[n].trigger = trig;
	}
	return 0;
}

/* 5.2.12.3 I/O APIC: ID 2, address 4, GSI base 8. */
static void madt_ioapic(struct acpi_madt_info *out, const uint8_t *e)
{
	unsigned int n = out->nioapics++;

	if (n < out->room[MADT_IOAPICS]) {
		out->ioapics[n].id = e[2];
		out->ioapics[n].addr = get_le32(e + 4);
		out->ioapics[n].gsi_base = get_le32(e + 8);
	}
}

/* 5.2.12.5 Interrupt Source Override: bus 2, source 3, GSI 4, flags 8. */
static int madt_iso(struct acpi_madt_info *out, const uint8_t *e)
{
	enum acpi_polarity pol;
	enum acpi_trigger trig;
	unsigned int n = out->nisos++;

	if (madt_inti(get_le16(e + 8), &pol, &trig) != 0) {
		return -EBADMSG;
	}
	if (n < out->room[MADT_ISOS]) {
		out->isos[n].bus = e[2];
		out->isos[n].source = e[3];
		out->isos[n].gsi = get_le32(e + 4);
		out->isos[n].polarity = pol;
		out->isos[n].trigger = trig;
	}
	return 0;
}

/* 5.2.12.6 NMI Source: flags 2, GSI 4. */
static int madt_nmi(struct acpi_madt_info *out, const uint8_t *e)
{
	enum acpi_polarity pol;
	enum acpi_trigger trig;
	unsigned int n = out->nnmis++;

	if (madt_inti(get_le16(e + 2), &pol, &trig) != 0) {
		return -EBADMSG;
	}
	if (n < out->room[MADT_NMIS]) {
		out->nmis[n].gsi = get_le32(e + 4);
		out->nmis[n].polarity = pol;
		out->nmis[n].trigger = trig;
	}
	return 0;
}

/* One entry e of type e[0], whose length (>= its type's minimum) has been
 * checked against the table. */
static int madt_entry(struct acpi_madt_info *out, const uint8_t *e)
{
	switch (e[0]) {
	case ACPI_MADT_LAPIC: /* 5.2.12.2: UID 2, APIC ID 3, flags 4 */
		madt_cpu(out, e[3], e[2], get_le32(e + 4), false);
		return 0;
	case ACPI_MADT_X2APIC: /* 5.2.12.12: ID 4, flags 8, UID 12 */
		madt_cpu(out, get_le32(e + 4), get_le32(e + 12),
			 get_le32(e + 8), true);
		return 0;
	case ACPI_MADT_IOAPIC:
		madt_ioapic(out, e);
		return 0;
	case ACPI_MADT_ISO:
		return madt_iso(out, e);
	case ACPI_MADT_NMI_SOURCE:
		return madt_nmi(out, e);
	case ACPI_MADT_LAPIC_NMI: /* 5.2.12.7: UID 2, flags 3, LINT# 5 */
		return madt_lapic_nmi(out, e[2] == 0xff ? ACPI_UID_ALL : e[2],
				      get_le16(e + 3), e[5]);
	case ACPI_MADT_X2APIC_NMI: /* 5.2.12.13: flags 2, UID 4, LINT# 8 */
		return madt_lapic_nmi(out, get_le32(e + 4), get_le16(e + 2),
				      e[8]);
	case ACPI_MADT_LAPIC_OVERRIDE: /* 5.2.12.8: address 4 */
		out->lapic_addr = get_le64(e + 4);
		return 0;
	default:
		out->unknown++;
		return 0;
	}
}

/* One pass over the entries (each is type, length, body; off strictly
 * increases), counting and storing what room[] allows. */
static int madt_pass(const uint8_t *madt, size_t tlen,
		     struct acpi_madt_info *out)
{
	out->ncpus = out->nioapics = out->nisos = out->nnmis = 0;
	out->nlapic_nmis = out->unknown = 0;
	for (size_t off = MADT_ENTRIES; off < tlen;) {
		uint8_t type, elen;
		int ret;

		if (tlen - off < 2) {
			return -EBADMSG; /* a lone byte: truncated entry */
		}
		type = madt[off];
		elen = madt[off + 1];
		if (elen < 2 || elen < madt_entry_min(type) ||
		    !in_range(off, elen, tlen)) {
			return -EBADMSG;
		}
		ret = madt_entry(out, madt + off);
		if (ret != 0) {
			return ret;
		}
		off += elen;
	}
	return 0;
}

/* The arrays, exactly as large as the first pass counted; a kind the
 * heap cannot hold is said and left out (room 0): -ENOMEM. */
static int madt_alloc(struct acpi_madt_info *out)
{
	static const char *const what[] = {"CPU", "I/O APIC",
					   "interrupt source override",
					   "NMI source", "local APIC NMI"};
	const size_t size[] = {sizeof(*out->cpus), sizeof(*out->ioapics),
			       sizeof(*out->isos), sizeof(*out->nmis),
			       sizeof(*out->lapic_nmis)};
	const unsigned int count[] = {out->ncpus, out->nioapics, out->nisos,
				      out->nnmis, out->nlapic_nmis};
	void *arr[ARRAY_SIZE(what)];
	int ret = 0;

	for (unsigned int k = 0; k < ARRAY_SIZE(what); k++) {
		arr[k] = count[k] ? kmalloc(count[k] * size[k], KM_ZERO) : NULL;
		if (count[k] && arr[k] == NULL) {
			kprintf("acpi: out of memory for %u MADT %s entries: "
				"left out\n",
				count[k], what[k]);
			out->dropped += count[k];
			ret = -ENOMEM;
		}
		out->room[k] = arr[k] ? count[k] : 0;
	}
	out->cpus = arr[MADT_CPUS];
	out->ioapics = arr[MADT_IOAPICS];
	out->isos = arr[MADT_ISOS];
	out->nmis = arr[MADT_NMIS];
	out->lapic_nmis = arr[MADT_LNMIS];
	return ret;
}

void acpi_madt_free(struct acpi_madt_info *out)
{
	if (out == NULL) {
		return;
	}
	kfree(out->cpus);
	kfree(out->ioapics);
	kfree(out->isos);
	kfree(out->nmis);
	kfree(out->lapic_nmis);
	out->cpus = NULL;
	out->ioapics = NULL;
	out->isos = NULL;
	out->nmis = NULL;
	out->lapic_nmis = NULL;
	memset(out->room, 0, sizeof(out->room));
	out->ncpus = out->nioapics = out->nisos = out->nnmis = 0;
	out->nlapic_nmis = 0;
}

int acpi_parse_madt(const uint8_t *madt, size_t len, struct acpi_madt_info *out)
{
	size_t tlen;
	int ret, nomem;

	if (out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	ret = check_table(madt, len, "APIC", ACPI_MADT_MIN_LEN, &tlen);
	if (ret != 0) {
		return ret;
	}
	out->lapic_addr = get_le32(madt + MADT_LAPIC_ADDR);
	out->flags = get_le32(madt + MADT_FLAGS);
	out->pcat_compat = (out->flags & MADT_PCAT_COMPAT) != 0;
	ret = madt_pass(madt, tlen, out); /* count (and check) */
	if (ret != 0) {
		acpi_madt_free(out); /* no counts without their arrays */
		return ret;
	}
	nomem = madt_alloc(out);
	(void)madt_pass(madt, tlen, out); /* fill: checked already */
	out->ncpus = umin(out->ncpus, out->room[MADT_CPUS]);
	out->nioapics = umin(out->nioapics, out->room[MADT_IOAPICS]);
	out->nisos = umin(out->nisos, out->room[MADT_ISOS]);
	out->nnmis = umin(out->nnmis, out->room[MADT_NMIS]);
	out->nlapic_nmis = umin(out->nlapic_nmis, out->room[MADT_LNMIS]);
	return nomem;
}

void acpi_isa_irq(const struct acpi_madt_info *madt, uint8_t isa_irq,
		  uint32_t *gsi, bool *active_low, bool *level)
{
	/* Without an override, the ISA IRQ is the same-numbered GSI, active
	 * high and edge triggered, as ISA is (5.2.12.5). */
	*gsi = isa_irq;
	*active_low = false;
	*level = false;
	if (madt == NULL) {
		return;
	}
	for (unsigned int i = 0; i < madt->nisos; i++) {
		if (madt->isos[i].bus != 0 || madt->isos[i].source != isa_irq) {
			continue;
		}
		*gsi = madt->isos[i].gsi;
		*active_low = madt->isos[i].polarity == ACPI_POL_LOW;
		*level = madt->isos[i].trigger == ACPI_TRIG_LEVEL;
		return;
	}
}

/* ---- \_S5 ---- */

/*
 * An AML integer constant at t[*pos], before end (20.2.3): ZeroOp, OneOp,
 * a prefixed Byte/Word/DWord/QWord, or a bare byte 0x02-0x09 (not a valid
 * data object, but firmware writes it). Values must fit in a byte.
 */
static int aml_small_int(const uint8_t *t, size_t end, size_t *pos,
			 uint8_t *val)
{
	size_t p = *pos, n;
	uint64_t v;

	if (p >= end) {
		return -EBADMSG;
	}
	switch (t[p]) {
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	case AML_ONES_OP:
		return -ERANGE;
	default:
		if (t[p] > 0x09) {
			return -EBADMSG;
		}
		*val = t[p]; /* ZeroOp, OneOp or a bare byte */
		*pos = p + 1;
		return 0;
	}
	if (!in_range(p + 1, n, end)) {
		return -EBADMSG;
	}
	v = 0;
	for (size_t i = n; i > 0; i--) {
		v = v << 8 | t[p + i];
	}
	if (v > 0xff) {
		return -ERANGE;
	}
	*val = (uint8_t)v;
	*pos = p + 1 + n;
	return 0;
}

/*
 * A PkgLength at t[pos] (20.2.4): bits 7-6 of the lead byte count the
 * bytes that follow (0-3). With none, bits 5-0 are the length; with some,
 * bits 3-0 are its low nibble (bits 5-4 must be zero) and each following
 * byte adds 8 more bits. The length counts itself. Gives the end of the
 * package and the position after the encoding.
 */
static int aml_pkg_length(const uint8_t *t, size_t end, size_t pos,
			  size_t *pkg_end, size_t *body)
{
	uint8_t lead;
	size_t n;
	uint32_t plen;

	if (pos >= end) {
		return -EBADMSG;
	}
	lead = t[pos];
	n = lead >> 6;
	if (n == 0) {
		plen = lead & 0x3f;
	} else {
		if ((lead & 0x30) != 0 || !in_range(pos + 1, n, end)) {
			return -EBADMSG;
		}
		plen = lead & 0x0f;
		for (size_t i = 0; i < n; i++) {
			plen |= (uint32_t)t[pos + 1 + i] << (4 + 8 * i);
		}
	}
	if (plen < n + 1 || !in_range(pos, plen, end)) {
		return -EBADMSG;
	}
	*pkg_end = pos + plen;
	*body = pos + 1 + n;
	return 0;
}

/* The package at t[pos] (just after PackageOp): its first two values. */
static int s5_package(const uint8_t *t, size_t end, size_t pos, uint8_t *a,
		      uint8_t *b)
{
	size_t pkg_end, p;
	int ret;

	ret = aml_pkg_length(t, end, pos, &pkg_end, &p);
	if (ret != 0) {
		return ret;
	}
	/* NumElements, then the elements, all inside the package. */
	if (p >= pkg_end || t[p] < 2) {
		return -EBADMSG;
	}
	p++;
	ret = aml_small_int(t, pkg_end, &p, a);
	if (ret != 0) {
		return ret;
	}
	return aml_small_int(t, pkg_end, &p, b);
}

int acpi_find_s5(const uint8_t *dsdt, size_t len, uint8_t *slp_typa,
		 uint8_t *slp_typb)
{
	static const uint8_t name[4] = {'_', 'S', '5', '_'};
	size_t tlen;
	int ret;

	if (slp_typa == NULL || slp_typb == NULL) {
		return -EINVAL;
	}
	ret = check_table(dsdt, len, "DSDT", ACPI_HEADER_LEN, &tlen);
	if (ret == -EINVAL) {
		ret = check_table(dsdt, len, "SSDT", ACPI_HEADER_LEN, &tlen);
	}
	if (ret != 0) {
		return ret;
	}
	/* A linear scan of the AML (after the header) for
	 * NameOp ['\'] "_S5_" PackageOp. */
	for (size_t i = ACPI_HEADER_LEN; i < tlen; i++) {
		size_t p = i + 1;

		if (dsdt[i] != AML_NAME_OP) {
			continue;
		}
		if (p < tlen && dsdt[p] == AML_ROOT_CHAR) {
			p++;
		}
		if (!in_range(p, 5, tlen) || memcmp(dsdt + p, name, 4) != 0 ||
		    dsdt[p + 4] != AML_PACKAGE_OP) {
			continue;
		}
		return s5_package(dsdt, tlen, p + 5, slp_typa, slp_typb);
	}
	return -ENOENT;
}
