/*
 * ACPI static tables, following the ACPI Specification 6.x, chapter 5.2:
 * the RSDP (5.2.5), the system description header (5.2.6), RSDT and XSDT
 * (5.2.7, 5.2.8), FADT (5.2.9), FACS (5.2.10), MADT (5.2.12), with the
 * MPS INTI flags of 5.2.12.5, and just enough AML (chapter 20) to read the
 * \_S5 package of the DSDT (7.4.2).
 *
 * Pure byte-buffer code: no allocation, no libc, no recursion. Physical
 * memory is reached only through a caller-supplied struct acpi_mem, so the
 * same code runs in the kernel (identity map) and in host tests (a fake
 * memory image). Every length, checksum and bound is checked; multi-byte
 * fields are little-endian and read through byte helpers, so no table
 * needs any alignment.
 *
 * Errors, negative errno:
 *   -EINVAL   not ACPI (wrong signature, a buffer too short for a header)
 *             or a bad argument
 *   -EBADMSG  bad checksum, or a malformed structure (impossible length,
 *             zero-length or truncated MADT entry, reserved INTI flags)
 *   -ERANGE   a length or address points outside what is mapped or given
 *   -ENOENT   not found
 */
#ifndef FIRMWARE_ACPI_ACPI_H
#define FIRMWARE_ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Physical memory reader. */
struct acpi_mem {
	/* A pointer to len bytes at physical address phys, or NULL if that
	 * range is not readable. */
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

/* Sizes from the spec (5.2.5.3, 5.2.6). */
#define ACPI_RSDP_V1_LEN  20u
#define ACPI_RSDP_V2_LEN  36u
#define ACPI_HEADER_LEN	  36u
#define ACPI_FACS_MIN_LEN 64u
#define ACPI_FADT_V1_LEN  116u /* ACPI 1.0: up to and including Flags */
#define ACPI_MADT_MIN_LEN 44u  /* header, Local APIC Address, Flags */
/* A table claiming more than this is refused as an impossible length. */
#define ACPI_TABLE_MAX_LEN (16u << 20)

#define ACPI_MAX_SKIPS 8 /* refusals kept for the report (all are counted) */

struct acpi_table {
	char sig[5];	      /* e.g. "APIC", NUL-terminated */
	char oem_id[7];	      /* raw, space-padded ("BOCHS ") */
	char oem_table_id[9]; /* raw, space-padded ("BXPC    ") */
	uint8_t revision;     /* header Revision; the FACS's Version */
	uint32_t length;      /* header Length, checked against the map */
	uint64_t phys;
	bool checksum_ok;    /* always true for the FACS, which has none */
	const uint8_t *data; /* length bytes, as returned by acpi_mem.map */
};

/* A refused address (struct acpi's skips). */
struct acpi_skip {
	const char *where;
	unsigned int index;
	uint64_t phys;
	int err;
};

struct acpi {
	uint64_t rsdp_phys;
	uint8_t rsdp_revision; /* 0 for ACPI 1.0, 2 and up for 2.0+ */
	bool xsdt;	       /* the XSDT was used (else the RSDT) */
	char oem_id[7];	       /* the RSDP's */
	unsigned int count;
	/* The root table (RSDT or XSDT) first, then the tables it lists in
	 * its order, then the DSDT and FACS named by the FADT: count of
	 * them, from the heap (doubling; at most the root's entries + 3),
	 * freed by acpi_free(). */
	struct acpi_table *tables;
	unsigned int cap;
	/* Entries refused: zero or duplicate address, impossible length,
	 * unmapped, or no memory for the list. */
	unsigned int skipped;
	/* The first ACPI_MAX_SKIPS of them, for the caller to report: where
	 * the address came from ("RSDT", "XSDT", "FADT"), which entry (the
	 * root table's index; for the FADT 0 = DSDT, 1 = FACS), and why:
	 * -ERANGE not readable (mem->map refused it), -ENOENT a zero
	 * address, -EEXIST listed already, -EBADMSG an impossible length,
	 * -EINVAL the wrong signature, -ENOMEM the list could not grow. */
	unsigned int nskips;
	struct acpi_skip skips[ACPI_MAX_SKIPS];
};

/*
 * Find the RSDP the way 5.2.5.1 says for IA-PC: in the first 1 KiB of the
 * EBDA (its segment is the 16-bit word at physical 0x40E), then in
 * 0xE0000-0xFFFFF, on 16-byte boundaries. A candidate counts only if its
 * ACPI 1.0 checksum (20 bytes) and, for revision >= 2, its extended
 * checksum (over the Length field's bytes) are both right. -ENOENT if
 * there is none.
 */
int acpi_find_rsdp(const struct acpi_mem *mem, uint64_t *rsdp_phys);

/*
 * Read the RSDP at rsdp_phys (both checksums checked), then the XSDT if
 * the RSDP's revision is >= 2 and the XSDT's address is non-zero and its
 * table valid (mapped, signature, length, checksum), else the RSDT (QEMU
 * gives only an RSDT). Each listed table's header length and checksum is
 * checked: one with a bad checksum is kept with checksum_ok = false
 * (reported, not used by acpi_find), one with an impossible length or in
 * unmapped memory is skipped and counted in acpi->skipped. Then the DSDT
 * (X_DSDT if valid, else DSDT) and FACS (X_FIRMWARE_CTRL if valid, else
 * FIRMWARE_CTRL) of the first good FADT are added, since the RSDT/XSDT
 * does not list them.
 *
 * Returns 0, or an error about the RSDP or the root table: -ERANGE if
 * unmapped, -EINVAL without the "RSD PTR " signature, -EBADMSG for a bad
 * checksum or length, or a root table that is neither a good XSDT nor a
 * good RSDT.
 */
int acpi_init(struct acpi *acpi, const struct acpi_mem *mem,
	      uint64_t rsdp_phys);
/* Give back acpi->tables (after any return of acpi_init). */
void acpi_free(struct acpi *acpi);

/* The instance-th (from 0) table with signature sig (4 characters) and a
 * good checksum; NULL if none. There can be several SSDTs. */
const struct acpi_table *acpi_find(const struct acpi *acpi, const char *sig,
				   unsigned int instance);

/* From the FADT (5.2.9). Absent fields read as zero / false. */
struct acpi_fadt_info {
	uint8_t revision;
	uint64_t dsdt; /* X_DSDT if present and non-zero, else DSDT */
	uint64_t facs; /* X_FIRMWARE_CTRL if present and non-zero, else
			  FIRMWARE_CTRL */
	/* I/O ports: from the X_ GAS when it is present, SystemIO and
	 * non-zero, else the 32-bit field. */
	uint32_t pm1a_cnt, pm1b_cnt;
	/* PM1 event blocks (status, then enable, each pm1_evt_len / 2
	 * bytes): the 32-bit fields. */
	uint32_t pm1a_evt, pm1b_evt;
	uint8_t pm1_evt_len;
	/* IAPC_BOOT_ARCH (5.2.9.3) as read. It is only defined from ACPI
	 * 2.0 (FADT revision >= 2); in a revision 1 table, such as QEMU pc
	 * gives, those bytes are reserved and iapc_boot_arch_valid is
	 * false: the DSDT is then the authority on an 8042 or a VGA. */
	uint16_t iapc_boot_arch;
	bool iapc_boot_arch_valid;
	bool has_8042;	 /* IAPC_BOOT_ARCH bit 1 */
	bool no_vga;	 /* IAPC_BOOT_ARCH bit 2, "VGA Not Present" */
	uint8_t century; /* RTC CMOS index of the century, 0 if none */
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint32_t flags;	 /* the Fixed Feature Flags */
	bool hw_reduced; /* flags bit 20, HW_REDUCED_ACPI */
	/* The PM timer's port (PM_TMR_BLK, or X_PM_TMR_BLK when SystemIO);
	 * 0 if PM_TMR_LEN is not 4. 32 bits wide if TMR_VAL_EXT (bit 8). */
	uint32_t pm_tmr;
	bool tmr_val_ext;
	/* General-purpose event register blocks (5.2.9, 4.8.4.1): each is
	 * a status half then an enable half, len bytes in all. The X_ GAS
	 * (SystemIO or SystemMemory, non-zero) wins over the 32-bit port;
	 * len is always GPEx_BLK_LEN. addr 0: no such block. gpe1_base is
	 * the GPE number of GPE1's first bit. */
	struct acpi_fadt_gpe {
		uint64_t addr;
		bool memory; /* SystemMemory; else SystemIO */
		uint8_t len;
	} gpe0, gpe1;
	uint8_t gpe1_base;
};

/*
 * Decode a FADT ("FACP") of any revision 1..6: signature, header length
 * (>= 116, the ACPI 1.0 size, and <= len) and checksum are checked, and
 * fields past the table's length read as absent.
 */
int acpi_parse_fadt(const uint8_t *fadt, size_t len,
		    struct acpi_fadt_info *out);

/* The processor UID that means "all processors" in LAPIC NMI entries:
 * type 4 says 0xFF, type 0xA says 0xFFFFFFFF; both are stored as this. */
#define ACPI_UID_ALL 0xffffffffu

/* MPS INTI flags (5.2.12.5), bits 0-1: 00 conforms to the bus, 01 active
 * high, 11 active low, 10 reserved (an error). */
enum acpi_polarity { ACPI_POL_CONFORMS, ACPI_POL_HIGH, ACPI_POL_LOW };
/* Bits 2-3: 00 conforms, 01 edge, 11 level, 10 reserved (an error). */
enum acpi_trigger { ACPI_TRIG_CONFORMS, ACPI_TRIG_EDGE, ACPI_TRIG_LEVEL };

/* MADT interrupt controller structure types (5.2.12, table 5.21). */
#define ACPI_MADT_LAPIC		 0x0
#define ACPI_MADT_IOAPIC	 0x1
#define ACPI_MADT_ISO		 0x2
#define ACPI_MADT_NMI_SOURCE	 0x3
#define ACPI_MADT_LAPIC_NMI	 0x4
#define ACPI_MADT_LAPIC_OVERRIDE 0x5
#define ACPI_MADT_X2APIC	 0x9
#define ACPI_MADT_X2APIC_NMI	 0xa

struct acpi_madt_info {
	/* From the MADT header, replaced by a Local APIC Address Override
	 * entry (type 5). */
	uint64_t lapic_addr;
	uint32_t flags;
	bool pcat_compat; /* flags bit 0: dual 8259s installed */
	unsigned int ncpus;
	struct {
		uint32_t apic_id;
		uint32_t uid; /* ACPI Processor UID */
		bool enabled;
		bool online_capable;
		bool x2apic; /* from a type 9 entry */
	} * cpus;	     /* types 0 and 9, in table order */
	unsigned int nioapics;
	struct {
		uint8_t id;
		uint64_t addr;
		uint32_t gsi_base;
	} * ioapics; /* type 1 */
	unsigned int nisos;
	struct {
		uint8_t bus;
		uint8_t source;
		uint32_t gsi;
		enum acpi_polarity polarity;
		enum acpi_trigger trigger;
	} * isos; /* type 2 */
	unsigned int nnmis;
	struct {
		uint32_t gsi;
		enum acpi_polarity polarity;
		enum acpi_trigger trigger;
	} * nmis; /* type 3 */
	unsigned int nlapic_nmis;
	struct {
		uint32_t uid; /* ACPI_UID_ALL for every processor */
		uint8_t lint; /* LINT0 or LINT1 */
		enum acpi_polarity polarity;
		enum acpi_trigger trigger;
	} * lapic_nmis;	      /* types 4 and 0xA */
	unsigned int unknown; /* entries of other types, skipped by length */
	/* Entries of the kinds whose array the heap could not give
	 * (their count is then 0), said on the console. */
	unsigned int dropped;
	/* What the first pass counted: the arrays' sizes. */
	unsigned int room[5];
};

/*
 * Decode a MADT ("APIC"): signature, header length (>= 44, <= len) and
 * checksum checked; every entry's length checked (>= 2, at least the size
 * its type defines, inside the table; a zero length is an error as it
 * would loop). Reserved polarity or trigger values (10b) are -EBADMSG.
 */
int acpi_parse_madt(const uint8_t *madt, size_t len,
		    struct acpi_madt_info *out);
/* Give back the arrays of out (after any return of acpi_parse_madt). */
void acpi_madt_free(struct acpi_madt_info *out);

/*
 * What ISA IRQ isa_irq is wired to: the Interrupt Source Override for bus
 * 0 and that source if there is one, else the same-numbered GSI.
 * "Conforms" on ISA resolves to active high, edge triggered. madt may be
 * NULL (no MADT: identity, high, edge).
 */
void acpi_isa_irq(const struct acpi_madt_info *madt, uint8_t isa_irq,
		  uint32_t *gsi, bool *active_low, bool *level);

/*
 * The SLP_TYPa and SLP_TYPb values for S5 (soft off), from the \_S5
 * package of a DSDT (or SSDT): the first NameOp (0x08) naming "_S5_" or
 * "\_S5_" that is followed by a PackageOp (0x12), whose PkgLength and
 * NumElements are checked, and whose first two elements are integers:
 * BytePrefix (0x0A) value, ZeroOp, OneOp, or a bare byte 0x02-0x09 as
 * some firmware writes (Word/DWord/QWord prefixes are taken when the value
 * fits in a byte). Signature, length and checksum of the table are
 * checked. -ENOENT if there is no such package, -EBADMSG if it is
 * malformed, -ERANGE if a value does not fit in 8 bits.
 */
int acpi_find_s5(const uint8_t *dsdt, size_t len, uint8_t *slp_typa,
		 uint8_t *slp_typb);

#endif
