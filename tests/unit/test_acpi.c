/*
 * Host tests of the ACPI table code (kernel/firmware/acpi) against the
 * tables QEMU 7.2 builds for its pc and q35 machines, captured into
 * tests/fixtures/acpi (see the README there), and against broken copies
 * of them made here.
 *
 * A fake physical memory holds each captured table at the address it had
 * in the guest (tests/fixtures/acpi/<machine>/memory.txt); anything else
 * is unmapped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/errno.h"
#include "firmware/acpi/acpi.h"
#include "kern/mm.h"
#include "fake_arch.h"
#include "host_mm.h"
#include "unit.h"

/*
 * The table list and the MADT's arrays come from the heap: every struct
 * here is zeroed, given back when it goes out of scope (cleanup), and
 * re-initialised only after its blocks are given back, so LeakSanitizer
 * sees no leak.
 */
static void acpi_put(struct acpi *a)
{
	acpi_free(a);
}

static void madt_put(struct acpi_madt_info *mi)
{
	acpi_madt_free(mi);
}

static int acpi_reinit(struct acpi *a, const struct acpi_mem *mem,
		       uint64_t rsdp)
{
	acpi_free(a);
	return acpi_init(a, mem, rsdp);
}

static int madt_reparse(const uint8_t *t, size_t len, struct acpi_madt_info *mi)
{
	if (mi != NULL) {
		acpi_madt_free(mi);
	}
	return acpi_parse_madt(t, len, mi);
}

#define ACPI_SCOPED __attribute__((cleanup(acpi_put))) struct acpi
#define MADT_SCOPED __attribute__((cleanup(madt_put))) struct acpi_madt_info

#define MEM_MAX_REGIONS 24

struct region {
	char name[8];
	uint64_t phys;
	size_t len;
	uint8_t *data;
};

struct fake_mem {
	unsigned int n;
	struct region r[MEM_MAX_REGIONS];
	unsigned int maps; /* calls to fake_map */
	struct acpi_mem mem;
};

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fake_mem *m = ctx;

	m->maps++;
	for (unsigned int i = 0; i < m->n; i++) {
		struct region *r = &m->r[i];

		if (phys >= r->phys && phys - r->phys <= r->len &&
		    len <= r->len - (phys - r->phys)) {
			return r->data + (phys - r->phys);
		}
	}
	return NULL;
}

static void mem_init(struct fake_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->mem.map = fake_map;
	m->mem.ctx = m;
}

/* Add a region holding a copy of data (or zeros), return its bytes. */
static uint8_t *mem_add(struct fake_mem *m, const char *name, uint64_t phys,
			const void *data, size_t len)
{
	struct region *r;

	if (m->n >= MEM_MAX_REGIONS) {
		return NULL;
	}
	r = &m->r[m->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->phys = phys;
	r->len = len;
	r->data = calloc(1, len + 1);
	if (data != NULL) {
		memcpy(r->data, data, len);
	}
	return r->data;
}

static struct region *mem_region(struct fake_mem *m, const char *name)
{
	for (unsigned int i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, name) == 0) {
			return &m->r[i];
		}
	}
	return NULL;
}

static void mem_free(struct fake_mem *m)
{
	for (unsigned int i = 0; i < m->n; i++) {
		free(m->r[i].data);
	}
	m->n = 0;
}

/* Rebuild a machine's memory from tests/fixtures/acpi/<machine>. */
static int mem_load(struct fake_mem *m, const char *machine)
{
	char path[256], *text, *line, *next;
	size_t len;

	mem_init(m);
	snprintf(path, sizeof(path), "acpi/%s/memory.txt", machine);
	text = unit_load_fixture(path, &len);
	if (text == NULL) {
		return -1;
	}
	text[len] = '\0';
	for (line = text; *line != '\0'; line = next) {
		char name[8], file[64];
		unsigned long long phys;
		void *data;
		size_t dlen;

		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		} else {
			next = line + strlen(line);
		}
		if (sscanf(line, "%7s %llx %63s", name, &phys, file) != 3) {
			continue;
		}
		snprintf(path, sizeof(path), "acpi/%s/%s", machine, file);
		data = unit_load_fixture(path, &dlen);
		if (data == NULL) {
			free(text);
			return -1;
		}
		mem_add(m, name, phys, data, dlen);
		free(data);
	}
	free(text);
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Make the bytes sum to zero by adjusting the one at csum_off. */
static void fix_sum(uint8_t *p, size_t len, size_t csum_off)
{
	uint8_t s = 0;

	p[csum_off] = 0;
	for (size_t i = 0; i < len; i++) {
		s = (uint8_t)(s + p[i]);
	}
	p[csum_off] = (uint8_t)-s;
}

/* A table header: signature, length, revision 1, OEM "KITE", checksum. */
static void make_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	unit_put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "KITE  ", 6);
	memcpy(t + 16, "KITETEST", 8);
	fix_sum(t, len, 9);
}

static const char *sig_at(const struct acpi *a, unsigned int i)
{
	return i < a->count ? a->tables[i].sig : "(none)";
}

/* ---- The real tables ---- */

TEST(acpi_pc_find_rsdp)
{
	struct fake_mem m;
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0xf59d0);
	mem_free(&m);
}

TEST(acpi_pc_tables)
{
	static const char *const order[] = {"RSDT", "FACP", "APIC", "HPET",
					    "WAET", "DSDT", "FACS"};
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	const struct acpi_table *t;

	REQUIRE(mem_load(&m, "pc") == 0);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.rsdp_phys, 0xf59d0);
	CHECK_EQ_INT(a.rsdp_revision, 0);
	CHECK(!a.xsdt);
	CHECK_EQ_STR(a.oem_id, "BOCHS ");
	CHECK_EQ_INT(a.skipped, 0);
	REQUIRE_EQ_INT(a.count, 7);
	for (unsigned int i = 0; i < 7; i++) {
		CHECK_EQ_STR(sig_at(&a, i), order[i]);
		CHECK(a.tables[i].checksum_ok);
		CHECK(a.tables[i].data != NULL);
	}
	t = acpi_find(&a, "RSDT", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(t->phys, 0x7fe1ad8);
	CHECK_EQ_INT(t->length, 52);
	CHECK_EQ_STR(t->oem_id, "BOCHS ");
	CHECK_EQ_STR(t->oem_table_id, "BXPC    ");
	t = acpi_find(&a, "FACP", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(t->revision, 1);
	CHECK_EQ_INT(t->length, 116);
	t = acpi_find(&a, "DSDT", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(t->phys, 0x7fe0040);
	CHECK_EQ_INT(t->length, 6476);
	t = acpi_find(&a, "FACS", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(t->phys, 0x7fe0000);
	CHECK_EQ_INT(t->length, 64);
	CHECK_EQ_STR(t->oem_id, "");
	CHECK(acpi_find(&a, "APIC", 0) != NULL);
	CHECK(acpi_find(&a, "HPET", 0) != NULL);
	CHECK(acpi_find(&a, "WAET", 0) != NULL);
	CHECK(acpi_find(&a, "APIC", 1) == NULL);
	CHECK(acpi_find(&a, "XSDT", 0) == NULL);
	CHECK(acpi_find(&a, "MCFG", 0) == NULL);
	CHECK(acpi_find(&a, "SSDT", 0) == NULL);
	mem_free(&m);
}

TEST(acpi_q35_tables)
{
	static const char *const order[] = {"RSDT", "FACP", "APIC", "HPET",
					    "MCFG", "WAET", "DSDT", "FACS"};
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "q35") == 0);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0xf59e0);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, phys), 0);
	/* q35 too gives an ACPI 1.0 RSDP and an RSDT only. */
	CHECK_EQ_INT(a.rsdp_revision, 0);
	CHECK(!a.xsdt);
	CHECK_EQ_INT(a.skipped, 0);
	REQUIRE_EQ_INT(a.count, 8);
	for (unsigned int i = 0; i < 8; i++) {
		CHECK_EQ_STR(sig_at(&a, i), order[i]);
		CHECK(a.tables[i].checksum_ok);
	}
	CHECK_EQ_INT(acpi_find(&a, "FACP", 0)->revision, 3);
	CHECK_EQ_INT(acpi_find(&a, "FACP", 0)->length, 244);
	CHECK_EQ_INT(acpi_find(&a, "DSDT", 0)->length, 8345);
	mem_free(&m);
}

TEST(acpi_pc_ssdt)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	const struct acpi_table *t;
	uint8_t ta = 0xaa, tb = 0xbb;

	REQUIRE(mem_load(&m, "pc-ssdt") == 0);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 8);
	t = acpi_find(&a, "SSDT", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_STR(t->oem_id, "KITE"); /* QEMU pads with NULs */
	CHECK_EQ_STR(t->oem_table_id, "KITESSDT");
	CHECK_EQ_INT(t->revision, 2);
	CHECK_EQ_INT(t->length, 43);
	/* The AML body written by scripts/acpi_capture.py. */
	CHECK(memcmp(t->data + 36, "\x08KITE\x0a\x2a", 7) == 0);
	CHECK(acpi_find(&a, "SSDT", 1) == NULL);
	CHECK_EQ_INT(acpi_find_s5(t->data, t->length, &ta, &tb), -ENOENT);
	mem_free(&m);
}

/* Both machines give the same MADT. */
static void check_qemu_madt(const char *machine)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	MADT_SCOPED mi = {0};
	const struct acpi_table *t;

	REQUIRE(mem_load(&m, machine) == 0);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, mem_region(&m, "RSDP")->phys),
		       0);
	t = acpi_find(&a, "APIC", 0);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(t->length, 120);
	REQUIRE_EQ_INT(madt_reparse(t->data, t->length, &mi), 0);
	CHECK_EQ_INT(mi.lapic_addr, 0xfee00000);
	CHECK_EQ_INT(mi.flags, 1);
	CHECK(mi.pcat_compat);
	REQUIRE_EQ_INT(mi.ncpus, 1);
	CHECK_EQ_INT(mi.cpus[0].apic_id, 0);
	CHECK_EQ_INT(mi.cpus[0].uid, 0);
	CHECK(mi.cpus[0].enabled);
	CHECK(!mi.cpus[0].online_capable);
	CHECK(!mi.cpus[0].x2apic);
	REQUIRE_EQ_INT(mi.nioapics, 1);
	CHECK_EQ_INT(mi.ioapics[0].id, 0);
	CHECK_EQ_INT(mi.ioapics[0].addr, 0xfec00000);
	CHECK_EQ_INT(mi.ioapics[0].gsi_base, 0);
	/* IRQ 0 -> GSI 2 conforming; 5, 9, 10, 11 (PCI links) level high. */
	REQUIRE_EQ_INT(mi.nisos, 5);
	CHECK_EQ_INT(mi.isos[0].bus, 0);
	CHECK_EQ_INT(mi.isos[0].source, 0);
	CHECK_EQ_INT(mi.isos[0].gsi, 2);
	CHECK_EQ_INT(mi.isos[0].polarity, ACPI_POL_CONFORMS);
	CHECK_EQ_INT(mi.isos[0].trigger, ACPI_TRIG_CONFORMS);
	static const uint8_t level_irqs[] = {5, 9, 10, 11};
	for (unsigned int i = 0; i < 4; i++) {
		CHECK_EQ_INT(mi.isos[i + 1].bus, 0);
		CHECK_EQ_INT(mi.isos[i + 1].source, level_irqs[i]);
		CHECK_EQ_INT(mi.isos[i + 1].gsi, level_irqs[i]);
		CHECK_EQ_INT(mi.isos[i + 1].polarity, ACPI_POL_HIGH);
		CHECK_EQ_INT(mi.isos[i + 1].trigger, ACPI_TRIG_LEVEL);
	}
	CHECK_EQ_INT(mi.nnmis, 0);
	REQUIRE_EQ_INT(mi.nlapic_nmis, 1);
	CHECK_EQ_INT(mi.lapic_nmis[0].uid, ACPI_UID_ALL);
	CHECK_EQ_INT(mi.lapic_nmis[0].lint, 1);
	CHECK_EQ_INT(mi.lapic_nmis[0].polarity, ACPI_POL_CONFORMS);
	CHECK_EQ_INT(mi.lapic_nmis[0].trigger, ACPI_TRIG_CONFORMS);
	CHECK_EQ_INT(mi.unknown, 0);
	CHECK_EQ_INT(mi.dropped, 0);
	mem_free(&m);
}

TEST(acpi_pc_madt)
{
	check_qemu_madt("pc");
}

TEST(acpi_q35_madt)
{
	check_qemu_madt("q35");
}

TEST(acpi_isa_irq_routing)
{
	struct fake_mem m;
	MADT_SCOPED mi = {0};
	struct region *r;
	uint32_t gsi;
	bool low, level;

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "APIC");
	REQUIRE(r != NULL);
	REQUIRE_EQ_INT(madt_reparse(r->data, r->len, &mi), 0);
	acpi_isa_irq(&mi, 0, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 2);
	CHECK(!low);
	CHECK(!level);
	acpi_isa_irq(&mi, 1, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 1);
	CHECK(!low);
	CHECK(!level);
	acpi_isa_irq(&mi, 9, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 9);
	CHECK(!low);
	CHECK(level);
	acpi_isa_irq(&mi, 2, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 2);
	acpi_isa_irq(NULL, 4, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 4);
	CHECK(!low);
	CHECK(!level);
	/* An active-low override, and one for another bus that must not
	 * match. */
	mi.isos[1].polarity = ACPI_POL_LOW;
	acpi_isa_irq(&mi, 5, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 5);
	CHECK(low);
	CHECK(level);
	mi.isos[0].bus = 1;
	acpi_isa_irq(&mi, 0, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 0);
	mem_free(&m);
}

TEST(acpi_pc_fadt)
{
	struct fake_mem m;
	struct acpi_fadt_info f;
	struct region *r;

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "FACP");
	REQUIRE(r != NULL);
	REQUIRE_EQ_INT(acpi_parse_fadt(r->data, r->len, &f), 0);
	CHECK_EQ_INT(f.revision, 1);
	CHECK_EQ_INT(f.dsdt, 0x7fe0040);
	CHECK_EQ_INT(f.facs, 0x7fe0000);
	CHECK_EQ_INT(f.pm1a_cnt, 0x604);
	CHECK_EQ_INT(f.pm1b_cnt, 0);
	CHECK_EQ_INT(f.sci_int, 9);
	CHECK_EQ_INT(f.smi_cmd, 0xb2);
	CHECK_EQ_INT(f.acpi_enable, 0xf1);
	CHECK_EQ_INT(f.century, 0x32);
	/* A revision 1 FADT: IAPC_BOOT_ARCH is reserved, and zero, so it
	 * "says" no 8042 although pc has one (PITFALLS.md). */
	CHECK_EQ_INT(f.iapc_boot_arch, 0);
	CHECK(!f.iapc_boot_arch_valid);
	CHECK(!f.has_8042);
	CHECK(!f.no_vga);
	CHECK_EQ_INT(f.flags, 0x80a5);
	CHECK(!f.hw_reduced);
	mem_free(&m);
}

TEST(acpi_q35_fadt)
{
	struct fake_mem m;
	struct acpi_fadt_info f;
	struct region *r;

	REQUIRE(mem_load(&m, "q35") == 0);
	r = mem_region(&m, "FACP");
	REQUIRE(r != NULL);
	REQUIRE_EQ_INT(acpi_parse_fadt(r->data, r->len, &f), 0);
	CHECK_EQ_INT(f.revision, 3);
	CHECK_EQ_INT(f.dsdt, 0x7fe0040);
	CHECK_EQ_INT(f.facs, 0x7fe0000);
	CHECK_EQ_INT(f.pm1a_cnt, 0x604);
	CHECK_EQ_INT(f.pm1b_cnt, 0);
	CHECK_EQ_INT(f.sci_int, 9);
	CHECK_EQ_INT(f.smi_cmd, 0xb2);
	CHECK_EQ_INT(f.acpi_enable, 0x02);
	CHECK_EQ_INT(f.century, 0x32);
	CHECK_EQ_INT(f.iapc_boot_arch, 2);
	CHECK(f.iapc_boot_arch_valid);
	CHECK(f.has_8042);
	CHECK(!f.no_vga);
	CHECK_EQ_INT(f.flags, 0x84a5);
	CHECK(!f.hw_reduced);
	mem_free(&m);
}

TEST(acpi_qemu_s5)
{
	static const char *const machines[] = {"pc", "q35"};

	for (unsigned int i = 0; i < 2; i++) {
		struct fake_mem m;
		struct region *r;
		uint8_t a = 0xaa, b = 0xbb;

		REQUIRE(mem_load(&m, machines[i]) == 0);
		r = mem_region(&m, "DSDT");
		REQUIRE(r != NULL);
		/* Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
		CHECK_EQ_INT(acpi_find_s5(r->data, r->len, &a, &b), 0);
		CHECK_EQ_INT(a, 0);
		CHECK_EQ_INT(b, 0);
		mem_free(&m);
	}
}

/* ---- Broken RSDPs and root tables ---- */

TEST(acpi_rsdp_bad)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct region *r;
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "RSDP");
	REQUIRE(r != NULL);
	/* Unmapped, not an RSDP. */
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, 0x1000), -ERANGE);
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, 0x7fe1ad8), -EINVAL);
	CHECK_EQ_INT(acpi_reinit(NULL, &m.mem, r->phys), -EINVAL);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, NULL), -EINVAL);
	/* Bad checksum: refused by both. */
	r->data[9] ^= 0x20; /* an OEM ID byte */
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, r->phys), -EBADMSG);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), -ENOENT);
	r->data[9] ^= 0x20;
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, r->phys), 0);
	mem_free(&m);
}

TEST(acpi_rsdp_in_ebda)
{
	struct fake_mem m;
	struct region *r;
	uint8_t *low, *ebda;
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "RSDP");
	REQUIRE(r != NULL);
	/* The BDA word at 0x40E gives segment 0x9fc0: EBDA at 0x9fc00. */
	low = mem_add(&m, "BDA", 0x400, NULL, 0x100);
	ebda = mem_add(&m, "EBDA", 0x9fc00, NULL, 0x400);
	REQUIRE(low != NULL && ebda != NULL);
	unit_put16(low + 0x0e, 0x9fc0);
	/* A copy at EBDA + 0x3e0, on a 16-byte boundary, is found first. */
	memcpy(ebda + 0x3e0, r->data, 20);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0x9fc00 + 0x3e0);
	/* Not on a boundary: ignored, the BIOS area's is found. */
	memset(ebda, 0, 0x400);
	memcpy(ebda + 0x3e8, r->data, 20);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0xf59d0);
	/* Past the first KiB: ignored. EBDA at 0x9f800, copy at 0x9fc00. */
	unit_put16(low + 0x0e, 0x9f80);
	memset(ebda, 0, 0x400);
	memcpy(ebda, r->data, 20);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0xf59d0);
	mem_free(&m);
}

/*
 * Give the pc memory an ACPI 2.0 RSDP (36 bytes, at 0xf5a00) whose XSDT
 * (at 0x100000) lists the same tables as the RSDT, plus one: WAET twice
 * is a duplicate, so a fourth entry is HPET's... instead the XSDT lists
 * FACP, APIC, HPET only, so that the two roots are told apart.
 */
#define V2_RSDP 0xf5a00
#define V2_XSDT 0x100000

static void add_v2(struct fake_mem *m, uint8_t **rsdp, uint8_t **xsdt)
{
	struct region *rsdt = mem_region(m, "RSDT");
	struct region *old = mem_region(m, "RSDP");

	*rsdp = mem_add(m, "RSDP2", V2_RSDP, NULL, 36);
	memcpy(*rsdp, old->data, 20);
	(*rsdp)[15] = 2;
	unit_put32(*rsdp + 20, 36);
	unit_put64(*rsdp + 24, V2_XSDT);
	fix_sum(*rsdp, 20, 8);
	fix_sum(*rsdp, 36, 32);
	*xsdt = mem_add(m, "XSDT", V2_XSDT, NULL, 36 + 3 * 8);
	for (int i = 0; i < 3; i++) {
		unit_put64(*xsdt + 36 + 8 * i, rd32(rsdt->data + 36 + 4 * i));
	}
	make_header(*xsdt, "XSDT", 36 + 3 * 8);
}

TEST(acpi_xsdt_preferred)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	uint8_t *rsdp, *xsdt;
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	add_v2(&m, &rsdp, &xsdt);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK_EQ_INT(a.rsdp_revision, 2);
	CHECK(a.xsdt);
	CHECK_EQ_INT(a.skipped, 0);
	/* XSDT, FACP, APIC, HPET, then DSDT and FACS; no WAET. */
	CHECK_EQ_INT(a.count, 6);
	CHECK_EQ_STR(sig_at(&a, 0), "XSDT");
	CHECK(acpi_find(&a, "WAET", 0) == NULL);
	CHECK(acpi_find(&a, "RSDT", 0) == NULL);
	CHECK(acpi_find(&a, "DSDT", 0) != NULL);
	/* The v2 RSDP at 0xf5a00 comes after the v1 one at 0xf59d0. */
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, 0xf59d0);

	/* XSDT with a bad checksum: the RSDT is used. */
	xsdt[12] ^= 1;
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK(!a.xsdt);
	CHECK_EQ_INT(a.count, 7);
	CHECK_EQ_STR(sig_at(&a, 0), "RSDT");
	xsdt[12] ^= 1;

	/* XSDT with half an entry: the RSDT is used. */
	unit_put32(xsdt + 4, 36 + 3 * 8 - 4);
	fix_sum(xsdt, 36 + 3 * 8 - 4, 9);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK(!a.xsdt);
	make_header(xsdt, "XSDT", 36 + 3 * 8);

	/* XSDT address zero, or unmapped: the RSDT is used. */
	unit_put64(rsdp + 24, 0);
	fix_sum(rsdp, 36, 32);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK(!a.xsdt);
	unit_put64(rsdp + 24, 0x40000000);
	fix_sum(rsdp, 36, 32);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK(!a.xsdt);
	unit_put64(rsdp + 24, V2_XSDT);
	fix_sum(rsdp, 36, 32);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), 0);
	CHECK(a.xsdt);
	mem_free(&m);
}

TEST(acpi_rsdp_v2_bad_extended_checksum)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	uint8_t *rsdp, *xsdt;
	uint64_t phys = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	add_v2(&m, &rsdp, &xsdt);
	/* Hide the v1 RSDP so that the scan can only find the v2 one. */
	mem_region(&m, "RSDP")->data[0] = 'X';
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), 0);
	CHECK_EQ_INT(phys, V2_RSDP);
	/* Byte 33 is covered by the extended checksum only. */
	rsdp[33] = 1;
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), -EBADMSG);
	CHECK_EQ_INT(acpi_find_rsdp(&m.mem, &phys), -ENOENT);
	rsdp[33] = 0;
	/* An impossible extended length. */
	unit_put32(rsdp + 20, 20);
	fix_sum(rsdp, 20, 8);
	fix_sum(rsdp, 36, 32);
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), -EBADMSG);
	/* A length past the mapped bytes. */
	unit_put32(rsdp + 20, 40);
	fix_sum(rsdp, 20, 8);
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, V2_RSDP), -ERANGE);
	mem_free(&m);
}

TEST(acpi_rsdt_bad)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct region *rsdp, *rsdt;

	REQUIRE(mem_load(&m, "pc") == 0);
	rsdp = mem_region(&m, "RSDP");
	rsdt = mem_region(&m, "RSDT");
	REQUIRE(rsdp != NULL && rsdt != NULL);
	rsdt->data[30] ^= 1;
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, rsdp->phys), -EBADMSG);
	rsdt->data[30] ^= 1;
	rsdt->data[0] = 'X';
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, rsdp->phys), -EBADMSG);
	rsdt->data[0] = 'R';
	unit_put32(rsdt->data + 4, 53); /* one byte past the mapped table */
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, rsdp->phys), -ERANGE);
	unit_put32(rsdt->data + 4, 52);
	/* RSDT address unmapped. */
	unit_put32(rsdp->data + 16, 0x12345678);
	fix_sum(rsdp->data, 20, 8);
	CHECK_EQ_INT(acpi_reinit(&a, &m.mem, rsdp->phys), -ERANGE);
	mem_free(&m);
}

/* Replace pc's RSDT with one listing `extra` more entries after its own. */
static uint8_t *grow_rsdt(struct fake_mem *m, const uint32_t *extra,
			  unsigned int n)
{
	struct region *r = mem_region(m, "RSDT");
	size_t len = 52 + 4 * n;
	uint8_t *t = calloc(1, len);

	memcpy(t, r->data, 52);
	for (unsigned int i = 0; i < n; i++) {
		unit_put32(t + 52 + 4 * i, extra[i]);
	}
	make_header(t, "RSDT", (uint32_t)len);
	free(r->data);
	r->data = t;
	r->len = len;
	return t;
}

TEST(acpi_table_unmapped_or_bad_length)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct region *hpet;
	const uint32_t extra[] = {0x12340000, 0, 0x7fe1a00 /* APIC again */};

	REQUIRE(mem_load(&m, "pc") == 0);
	grow_rsdt(&m, extra, 3);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 7);
	CHECK_EQ_INT(a.skipped, 3);

	/* HPET shorter than a header, then longer than what is mapped. */
	hpet = mem_region(&m, "HPET");
	unit_put32(hpet->data + 4, 20);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 6);
	CHECK_EQ_INT(a.skipped, 4);
	CHECK(acpi_find(&a, "HPET", 0) == NULL);
	unit_put32(hpet->data + 4, 57);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 6);
	CHECK(acpi_find(&a, "HPET", 0) == NULL);
	unit_put32(hpet->data + 4, 0xffffffff);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 6);
	mem_free(&m);
}

TEST(acpi_table_bad_checksum_kept)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct region *waet;

	REQUIRE(mem_load(&m, "pc") == 0);
	waet = mem_region(&m, "WAET");
	waet->data[39] ^= 0x01;
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 7);
	CHECK_EQ_INT(a.skipped, 0);
	CHECK_EQ_STR(sig_at(&a, 4), "WAET");
	CHECK(!a.tables[4].checksum_ok);
	CHECK(acpi_find(&a, "WAET", 0) == NULL);
	CHECK(acpi_find(&a, "HPET", 0) != NULL);
	mem_free(&m);
}

TEST(acpi_fadt_bad_checksum_no_dsdt)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};

	REQUIRE(mem_load(&m, "pc") == 0);
	mem_region(&m, "FACP")->data[100] ^= 1;
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	/* The FADT is kept but not trusted: no DSDT, no FACS. */
	CHECK_EQ_INT(a.count, 5);
	CHECK(acpi_find(&a, "FACP", 0) == NULL);
	CHECK(acpi_find(&a, "DSDT", 0) == NULL);
	mem_free(&m);
}

TEST(acpi_fadt_x_dsdt)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct region *fadt, *dsdt;

	REQUIRE(mem_load(&m, "q35") == 0);
	fadt = mem_region(&m, "FACP");
	dsdt = mem_region(&m, "DSDT");
	/* A copy of the DSDT at 0x200000, named by X_DSDT only. */
	mem_add(&m, "DSDT2", 0x200000, dsdt->data, dsdt->len);
	unit_put64(fadt->data + 140, 0x200000);
	fix_sum(fadt->data, fadt->len, 9);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59e0), 0);
	CHECK_EQ_INT(acpi_find(&a, "DSDT", 0)->phys, 0x200000);
	CHECK_EQ_INT(a.skipped, 0);
	/* X_DSDT unmapped: the 32-bit DSDT, and one skip. */
	unit_put64(fadt->data + 140, 0x300000);
	fix_sum(fadt->data, fadt->len, 9);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59e0), 0);
	CHECK_EQ_INT(acpi_find(&a, "DSDT", 0)->phys, 0x7fe0040);
	CHECK_EQ_INT(a.skipped, 1);
	/* X_DSDT at something that is not a DSDT (the FACP): same. */
	unit_put64(fadt->data + 140, fadt->phys);
	fix_sum(fadt->data, fadt->len, 9);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59e0), 0);
	CHECK_EQ_INT(acpi_find(&a, "DSDT", 0)->phys, 0x7fe0040);
	/* The FACS's signature broken: no FACS. */
	mem_region(&m, "FACS")->data[0] = 'X';
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59e0), 0);
	CHECK(acpi_find(&a, "FACS", 0) == NULL);
	CHECK_EQ_INT(a.count, 7);
	mem_free(&m);
}

TEST(acpi_many_tables)
{
	enum { N = 40 };
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	uint32_t extra[N];
	uint8_t *blob;

	REQUIRE(mem_load(&m, "pc") == 0);
	/* N distinct 36-byte SSDTs at 0x400000 + 64 i. */
	blob = mem_add(&m, "MANY", 0x400000, NULL, 64 * N);
	REQUIRE(blob != NULL);
	for (unsigned int i = 0; i < N; i++) {
		make_header(blob + 64 * i, "SSDT", 36);
		extra[i] = 0x400000 + 64 * i;
	}
	grow_rsdt(&m, extra, N);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	/* The RSDT, QEMU's 4, the 40 SSDTs, DSDT and FACS: all of them
	 * (the list was once 32 long). */
	CHECK_EQ_INT(a.count, 1 + 4 + N + 2);
	CHECK_EQ_INT(a.skipped, 0);
	CHECK(acpi_find(&a, "SSDT", N - 1) != NULL);
	CHECK(acpi_find(&a, "SSDT", N) == NULL);
	CHECK(acpi_find(&a, "DSDT", 0) != NULL);
	mem_free(&m);
}

/* The list's growth fails at each allocation in turn: that table is
 * skipped (-ENOMEM, said), the others are read, nothing leaks. */
TEST(acpi_tables_out_of_memory)
{
	enum { N = 40 };
	struct fake_mem m;
	uint32_t extra[N];
	uint8_t *blob;
	unsigned int runs = 0, bad = 0;

	REQUIRE(mem_load(&m, "pc") == 0);
	blob = mem_add(&m, "MANY", 0x400000, NULL, 64 * N);
	REQUIRE(blob != NULL);
	for (unsigned int i = 0; i < N; i++) {
		make_header(blob + 64 * i, "SSDT", 36);
		extra[i] = 0x400000 + 64 * i;
	}
	grow_rsdt(&m, extra, N);
	for (unsigned long at = 1; runs < 100; at++, runs++) {
		ACPI_SCOPED a = {0};
		int r;

		fake_console_clear();
		host_mm_fail_at(at);
		r = acpi_init(&a, &m.mem, 0xf59d0);
		if (!host_mm_failed()) {
			CHECK_EQ_INT(a.count, 1 + 4 + N + 2);
			break;
		}
		bad += r != 0;
		bad += a.skipped != 1 || a.skips[0].err != -ENOMEM;
		bad += a.count != 1 + 4 + N + 2 - 1;
		bad += fake_console_count("acpi: out of memory for table") != 1;
	}
	host_mm_fail_at(0);
	CHECK_EQ_INT(bad, 0);
	CHECK(runs >= 3); /* 16, 32, 64 entries */
	CHECK(runs < 100);
	mem_free(&m);
}

TEST(acpi_find_args)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};

	REQUIRE(mem_load(&m, "pc") == 0);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK(acpi_find(&a, "API", 0) == NULL);
	CHECK(acpi_find(&a, "APICX", 0) == NULL);
	CHECK(acpi_find(&a, "", 0) == NULL);
	CHECK(acpi_find(&a, NULL, 0) == NULL);
	CHECK(acpi_find(NULL, "APIC", 0) == NULL);
	mem_free(&m);
}

/* ---- MADT ---- */

/* A MADT with the given entries after the 44-byte fixed part. */
static size_t make_madt(uint8_t *t, const uint8_t *entries, size_t n)
{
	memset(t, 0, 44);
	unit_put32(t + 36, 0xfee00000);
	unit_put32(t + 40, 1);
	if (n != 0) {
		memcpy(t + 44, entries, n);
	}
	make_header(t, "APIC", (uint32_t)(44 + n));
	return 44 + n;
}

TEST(acpi_madt_all_types)
{
	static const uint8_t e[] = {
	    /* LAPIC: UID 1, ID 2, online capable but disabled */
	    0x00,
	    8,
	    1,
	    2,
	    0x02,
	    0,
	    0,
	    0,
	    /* x2APIC: ID 0x100, enabled, UID 0x55 */
	    0x09,
	    16,
	    0,
	    0,
	    0x00,
	    0x01,
	    0,
	    0,
	    1,
	    0,
	    0,
	    0,
	    0x55,
	    0,
	    0,
	    0,
	    /* IOAPIC id 3 at 0xfec01000, GSI base 24 */
	    0x01,
	    12,
	    3,
	    0,
	    0x00,
	    0x10,
	    0xc0,
	    0xfe,
	    24,
	    0,
	    0,
	    0,
	    /* ISO bus 0 IRQ 9 -> GSI 20, active low (11) level (11) */
	    0x02,
	    10,
	    0,
	    9,
	    20,
	    0,
	    0,
	    0,
	    0x0f,
	    0,
	    /* NMI source GSI 7, high edge (0101) */
	    0x03,
	    8,
	    0x05,
	    0,
	    7,
	    0,
	    0,
	    0,
	    /* LAPIC NMI UID 1 LINT0, low level */
	    0x04,
	    6,
	    1,
	    0x0f,
	    0,
	    0,
	    /* x2APIC NMI all CPUs LINT1 */
	    0x0a,
	    12,
	    0,
	    0,
	    0xff,
	    0xff,
	    0xff,
	    0xff,
	    1,
	    0,
	    0,
	    0,
	    /* LAPIC address override */
	    0x05,
	    12,
	    0,
	    0,
	    0x00,
	    0x00,
	    0xe0,
	    0xfe,
	    0x01,
	    0,
	    0,
	    0,
	    /* unknown types: GIC CPU interface (0xb) stub, 0x7f */
	    0x7f,
	    4,
	    0,
	    0,
	    /* an entry longer than its type: LAPIC with 2 extra bytes */
	    0x00,
	    10,
	    3,
	    4,
	    0x01,
	    0,
	    0,
	    0,
	    0xee,
	    0xee,
	};
	uint8_t t[256];
	MADT_SCOPED mi = {0};
	size_t len = make_madt(t, e, sizeof(e));

	REQUIRE_EQ_INT(madt_reparse(t, len, &mi), 0);
	CHECK_EQ_INT(mi.lapic_addr, 0x1fee00000ull);
	REQUIRE_EQ_INT(mi.ncpus, 3);
	CHECK_EQ_INT(mi.cpus[0].uid, 1);
	CHECK_EQ_INT(mi.cpus[0].apic_id, 2);
	CHECK(!mi.cpus[0].enabled);
	CHECK(mi.cpus[0].online_capable);
	CHECK(!mi.cpus[0].x2apic);
	CHECK_EQ_INT(mi.cpus[1].apic_id, 0x100);
	CHECK_EQ_INT(mi.cpus[1].uid, 0x55);
	CHECK(mi.cpus[1].enabled);
	CHECK(mi.cpus[1].x2apic);
	CHECK_EQ_INT(mi.cpus[2].apic_id, 4);
	CHECK(mi.cpus[2].enabled);
	REQUIRE_EQ_INT(mi.nioapics, 1);
	CHECK_EQ_INT(mi.ioapics[0].id, 3);
	CHECK_EQ_INT(mi.ioapics[0].addr, 0xfec01000);
	CHECK_EQ_INT(mi.ioapics[0].gsi_base, 24);
	REQUIRE_EQ_INT(mi.nisos, 1);
	CHECK_EQ_INT(mi.isos[0].gsi, 20);
	CHECK_EQ_INT(mi.isos[0].polarity, ACPI_POL_LOW);
	CHECK_EQ_INT(mi.isos[0].trigger, ACPI_TRIG_LEVEL);
	REQUIRE_EQ_INT(mi.nnmis, 1);
	CHECK_EQ_INT(mi.nmis[0].gsi, 7);
	CHECK_EQ_INT(mi.nmis[0].polarity, ACPI_POL_HIGH);
	CHECK_EQ_INT(mi.nmis[0].trigger, ACPI_TRIG_EDGE);
	REQUIRE_EQ_INT(mi.nlapic_nmis, 2);
	CHECK_EQ_INT(mi.lapic_nmis[0].uid, 1);
	CHECK_EQ_INT(mi.lapic_nmis[0].lint, 0);
	CHECK_EQ_INT(mi.lapic_nmis[0].polarity, ACPI_POL_LOW);
	CHECK_EQ_INT(mi.lapic_nmis[0].trigger, ACPI_TRIG_LEVEL);
	CHECK_EQ_INT(mi.lapic_nmis[1].uid, ACPI_UID_ALL);
	CHECK_EQ_INT(mi.lapic_nmis[1].lint, 1);
	CHECK_EQ_INT(mi.unknown, 1);
	CHECK_EQ_INT(mi.dropped, 0);

	uint32_t gsi;
	bool low, level;
	acpi_isa_irq(&mi, 9, &gsi, &low, &level);
	CHECK_EQ_INT(gsi, 20);
	CHECK(low);
	CHECK(level);
}

/* 300 x2APIC CPUs (a server; once 64 were kept) and 10 I/O APICs. */
static size_t make_big_madt(uint8_t *t, uint8_t *e)
{
	size_t n = 0;

	for (unsigned int i = 0; i < 300; i++, n += 16) {
		uint8_t x[16] = {
		    9, 16, 0, 0, (uint8_t)i, (uint8_t)(i >> 8), 0, 0,
		    1, 0,  0, 0, (uint8_t)i, (uint8_t)(i >> 8), 0, 0};

		memcpy(e + n, x, 16);
	}
	for (unsigned int i = 0; i < 10; i++, n += 12) {
		uint8_t io[12] = {1,	12,   (uint8_t)i,	 0, 0, 0,
				  0xc0, 0xfe, (uint8_t)(24 * i), 0, 0, 0};

		memcpy(e + n, io, 12);
	}
	for (unsigned int i = 0; i < 20; i++, n += 6) {
		uint8_t nmi[6] = {4, 6, (uint8_t)i, 5, 0, 1};

		memcpy(e + n, nmi, 6);
	}
	return make_madt(t, e, n);
}

TEST(acpi_madt_read_whole)
{
	static uint8_t e[300 * 16 + 10 * 12 + 20 * 6], t[44 + sizeof(e)];
	MADT_SCOPED mi = {0};
	size_t len = make_big_madt(t, e);

	REQUIRE_EQ_INT(madt_reparse(t, len, &mi), 0);
	REQUIRE_EQ_INT(mi.ncpus, 300);
	CHECK_EQ_INT(mi.cpus[63].apic_id, 63);
	CHECK_EQ_INT(mi.cpus[299].apic_id, 299);
	CHECK_EQ_INT(mi.cpus[299].uid, 299);
	CHECK(mi.cpus[299].x2apic && mi.cpus[299].enabled);
	REQUIRE_EQ_INT(mi.nioapics, 10);
	CHECK_EQ_INT(mi.ioapics[9].gsi_base, 24 * 9);
	REQUIRE_EQ_INT(mi.nlapic_nmis, 20);
	CHECK_EQ_INT(mi.lapic_nmis[19].uid, 19);
	CHECK_EQ_INT(mi.lapic_nmis[19].lint, 1);
	CHECK_EQ_INT(mi.dropped, 0);
}

/* Each of the MADT's arrays fails in turn: that kind is left out (said),
 * the others are whole, and -ENOMEM says it. */
TEST(acpi_madt_out_of_memory)
{
	static uint8_t e[300 * 16 + 10 * 12 + 20 * 6], t[44 + sizeof(e)];
	size_t len = make_big_madt(t, e);
	unsigned int runs = 0, bad = 0;

	for (unsigned long at = 1; runs < 10; at++, runs++) {
		MADT_SCOPED mi = {0};
		int r;

		fake_console_clear();
		host_mm_fail_at(at);
		r = madt_reparse(t, len, &mi);
		if (!host_mm_failed()) {
			CHECK_EQ_INT(r, 0);
			break;
		}
		bad += r != -ENOMEM;
		bad += fake_console_count("acpi: out of memory for ") != 1;
		/* the kinds in order: CPUs, I/O APICs, then LAPIC NMIs */
		bad += mi.ncpus != (at == 1 ? 0u : 300u);
		bad += mi.nioapics != (at == 2 ? 0u : 10u);
		bad += mi.nlapic_nmis != (at == 3 ? 0u : 20u);
		bad += mi.dropped != (at == 1 ? 300u : at == 2 ? 10u : 20u);
		bad += mi.ncpus && mi.cpus[299].apic_id != 299;
	}
	host_mm_fail_at(0);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(runs, 3);
}

TEST(acpi_madt_bad)
{
	struct fake_mem m;
	struct region *r;
	MADT_SCOPED mi = {0};
	uint8_t t[256];
	size_t len;

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "APIC");
	REQUIRE(r != NULL && r->len == 120);

	/* Not a MADT, too short for a header, NULL. */
	CHECK_EQ_INT(madt_reparse(mem_region(&m, "HPET")->data, 56, &mi),
		     -EINVAL);
	CHECK_EQ_INT(madt_reparse(r->data, 35, &mi), -EINVAL);
	CHECK_EQ_INT(madt_reparse(NULL, 120, &mi), -EINVAL);
	CHECK_EQ_INT(madt_reparse(r->data, 120, NULL), -EINVAL);
	/* Buffer shorter than the header's length. */
	CHECK_EQ_INT(madt_reparse(r->data, 119, &mi), -ERANGE);
	/* Bad checksum. */
	memcpy(t, r->data, 120);
	t[50] ^= 1;
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	/* Header length under 44. */
	memcpy(t, r->data, 120);
	unit_put32(t + 4, 40);
	fix_sum(t, 40, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);

	/* Entry length 0 (the LAPIC entry at 44). */
	memcpy(t, r->data, 120);
	t[45] = 0;
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	/* Entry length 1. */
	t[45] = 1;
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	/* The last entry (LAPIC NMI at 114, 6 bytes) running past the end. */
	memcpy(t, r->data, 120);
	t[115] = 7;
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	/* Truncated: the table ends inside the last entry. */
	memcpy(t, r->data, 120);
	unit_put32(t + 4, 118);
	fix_sum(t, 118, 9);
	CHECK_EQ_INT(madt_reparse(t, 118, &mi), -EBADMSG);
	/* A lone type byte after the last entry. */
	memcpy(t, r->data, 120);
	t[120] = 0;
	unit_put32(t + 4, 121);
	fix_sum(t, 121, 9);
	CHECK_EQ_INT(madt_reparse(t, 121, &mi), -EBADMSG);
	/* An ISO (at 64) of 8 bytes, shorter than its type's 10. */
	{
		static const uint8_t e[] = {2, 8, 0, 0, 2, 0, 0, 0};

		len = make_madt(t, e, sizeof(e));
		CHECK_EQ_INT(madt_reparse(t, len, &mi), -EBADMSG);
	}
	/* ISO polarity 10b (reserved), then trigger 10b. */
	memcpy(t, r->data, 120);
	unit_put16(t + 64 + 8, 0x0002);
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	unit_put16(t + 64 + 8, 0x0009);
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	unit_put16(t + 64 + 8, 0x000f);
	fix_sum(t, 120, 9);
	REQUIRE_EQ_INT(madt_reparse(t, 120, &mi), 0);
	CHECK_EQ_INT(mi.isos[0].polarity, ACPI_POL_LOW);
	/* LAPIC NMI polarity 10b. */
	memcpy(t, r->data, 120);
	unit_put16(t + 114 + 3, 0x0002);
	fix_sum(t, 120, 9);
	CHECK_EQ_INT(madt_reparse(t, 120, &mi), -EBADMSG);
	/* A MADT with no entries is fine. */
	len = make_madt(t, NULL, 0);
	REQUIRE_EQ_INT(madt_reparse(t, len, &mi), 0);
	CHECK_EQ_INT(mi.ncpus, 0);
	mem_free(&m);
}

/* ---- FADT ---- */

TEST(acpi_fadt_bad)
{
	struct fake_mem m;
	struct region *r;
	struct acpi_fadt_info f;
	uint8_t t[300];

	REQUIRE(mem_load(&m, "pc") == 0);
	r = mem_region(&m, "FACP");
	REQUIRE(r != NULL && r->len == 116);
	CHECK_EQ_INT(acpi_parse_fadt(mem_region(&m, "APIC")->data, 120, &f),
		     -EINVAL);
	CHECK_EQ_INT(acpi_parse_fadt(r->data, 20, &f), -EINVAL);
	CHECK_EQ_INT(acpi_parse_fadt(r->data, 115, &f), -ERANGE);
	/* Shorter than revision 1's 116 bytes. */
	memcpy(t, r->data, 116);
	unit_put32(t + 4, 100);
	fix_sum(t, 100, 9);
	CHECK_EQ_INT(acpi_parse_fadt(t, 116, &f), -EBADMSG);
	memcpy(t, r->data, 116);
	t[60] ^= 1;
	CHECK_EQ_INT(acpi_parse_fadt(t, 116, &f), -EBADMSG);
	mem_free(&m);
}

TEST(acpi_fadt_by_length)
{
	struct fake_mem m;
	struct region *r;
	struct acpi_fadt_info f;
	uint8_t t[300];

	REQUIRE(mem_load(&m, "q35") == 0);
	r = mem_region(&m, "FACP");
	REQUIRE(r != NULL && r->len == 244);

	/* X_DSDT and X_FIRMWARE_CTRL win when non-zero. */
	memcpy(t, r->data, 244);
	unit_put64(t + 132, 0x123450000ull);
	unit_put64(t + 140, 0x234560000ull);
	fix_sum(t, 244, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.facs, 0x123450000ull);
	CHECK_EQ_INT(f.dsdt, 0x234560000ull);
	/* Cut at 140: X_FIRMWARE_CTRL is in, X_DSDT is not. */
	unit_put32(t + 4, 140);
	fix_sum(t, 140, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.facs, 0x123450000ull);
	CHECK_EQ_INT(f.dsdt, 0x7fe0040);
	/* X_PM1a_CNT_BLK in memory space, or zero: the 32-bit field. */
	memcpy(t, r->data, 244);
	unit_put32(t + 64, 0x904);
	t[172] = 0; /* SystemMemory */
	fix_sum(t, 244, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.pm1a_cnt, 0x904);
	t[172] = 1;
	unit_put64(t + 176, 0);
	fix_sum(t, 244, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.pm1a_cnt, 0x904);
	/* The X_ one, SystemIO: it wins. X_PM1b too. */
	unit_put64(t + 176, 0xb04);
	t[184] = 1;
	unit_put64(t + 188, 0xb08);
	fix_sum(t, 244, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.pm1a_cnt, 0xb04);
	CHECK_EQ_INT(f.pm1b_cnt, 0xb08);
	/* Cut at 190: X_PM1b's GAS is no longer whole. */
	unit_put32(t + 4, 190);
	fix_sum(t, 190, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK_EQ_INT(f.pm1a_cnt, 0xb04);
	CHECK_EQ_INT(f.pm1b_cnt, 0);
	/* HW_REDUCED_ACPI and "VGA not present". */
	memcpy(t, r->data, 244);
	unit_put32(t + 112, 1u << 20);
	unit_put16(t + 109, 0x0004);
	fix_sum(t, 244, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 244, &f), 0);
	CHECK(f.hw_reduced);
	CHECK(f.no_vga);
	CHECK(!f.has_8042);
	/* A 6.x-sized FADT (276 bytes) parses too. */
	memset(t, 0, sizeof(t));
	memcpy(t, r->data, 244);
	t[8] = 6;
	unit_put32(t + 4, 276);
	fix_sum(t, 276, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, 276, &f), 0);
	CHECK_EQ_INT(f.revision, 6);
	CHECK(f.has_8042);
	mem_free(&m);
}

/* ---- \_S5 ---- */

/* A DSDT whose AML body is aml. */
static size_t make_dsdt(uint8_t *t, const char *sig, const void *aml, size_t n)
{
	memset(t, 0, 36);
	memcpy(t + 36, aml, n);
	make_header(t, sig, (uint32_t)(36 + n));
	return 36 + n;
}

static int s5_of(const void *aml, size_t n, uint8_t *a, uint8_t *b)
{
	uint8_t t[512];
	size_t len = make_dsdt(t, "DSDT", aml, n);

	*a = 0xaa;
	*b = 0xbb;
	return acpi_find_s5(t, len, a, b);
}

#define S5(...)                                                                \
	(const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

TEST(acpi_s5_forms)
{
	uint8_t a, b;

	/* Name (\_S5, Package () { 0x05, 0x05, 0, 0 }), byte prefixes. */
	CHECK_EQ_INT(s5_of(S5(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
			      0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00),
			   &a, &b),
		     0);
	CHECK_EQ_INT(a, 5);
	CHECK_EQ_INT(b, 5);
	/* Bare bytes, One, and a word prefix. */
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x07, 0x01),
		  &a, &b),
	    0);
	CHECK_EQ_INT(a, 7);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0b,
			      0x03, 0x00, 0x00),
			   &a, &b),
		     0);
	CHECK_EQ_INT(a, 3);
	CHECK_EQ_INT(b, 0);
	/* A two-byte PkgLength (0x41 0x00: 1 + 0 << 4 = 1 is too short;
	 * 0x45 0x00 = 5). */
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x45, 0x00, 0x02,
			      0x00, 0x06),
			   &a, &b),
		     0);
	CHECK_EQ_INT(a, 0);
	CHECK_EQ_INT(b, 6);
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x41, 0x00, 0x02,
			      0x00, 0x06),
			   &a, &b),
		     -EBADMSG);
	/* "_S5_" as a method, then as the real package: the second. */
	CHECK_EQ_INT(s5_of(S5(0x14, 0x06, '_', 'S', '5', '_', 0x00, 0xa4, 0x08,
			      '_', 'S', '5', '_', 0x0a, 0x01, 0x08, '_', 'S',
			      '5', '_', 0x12, 0x04, 0x02, 0x04, 0x04),
			   &a, &b),
		     0);
	CHECK_EQ_INT(a, 4);
	CHECK_EQ_INT(b, 4);
}

TEST(acpi_s5_bad)
{
	uint8_t a, b, t[64];
	size_t len;

	/* Not there. */
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00),
		  &a, &b),
	    -ENOENT);
	/* One element only. */
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x05), &a, &b),
	    -EBADMSG);
	/* NumElements 2 but the package ends after one. */
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x05, 0x05),
		  &a, &b),
	    -EBADMSG);
	/* PkgLength past the table. */
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x05, 0x05),
		  &a, &b),
	    -EBADMSG);
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0xc4, 0xff, 0xff), &a, &b),
	    -EBADMSG);
	/* The table ends right after PackageOp, or inside a prefix. */
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12), &a, &b),
		     -EBADMSG);
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x00,
			      0x0c, 0x01),
			   &a, &b),
		     -EBADMSG);
	/* Values that do not fit a byte; Ones; a non-integer element. */
	CHECK_EQ_INT(s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0b,
			      0x00, 0x01, 0x00),
			   &a, &b),
		     -ERANGE);
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00),
		  &a, &b),
	    -ERANGE);
	CHECK_EQ_INT(
	    s5_of(S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0d, 0x00),
		  &a, &b),
	    -EBADMSG);
	/* NameOp and the name cut off by the end of the table. */
	CHECK_EQ_INT(s5_of(S5(0x00, 0x08, '_', 'S', '5'), &a, &b), -ENOENT);
	/* Table checks: SSDT accepted, others not; checksum; length. */
	len = make_dsdt(
	    t, "SSDT",
	    S5(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x03, 0x03));
	CHECK_EQ_INT(acpi_find_s5(t, len, &a, &b), 0);
	CHECK_EQ_INT(a, 3);
	CHECK_EQ_INT(acpi_find_s5(t, len - 1, &a, &b), -ERANGE);
	t[40] ^= 1;
	CHECK_EQ_INT(acpi_find_s5(t, len, &a, &b), -EBADMSG);
	len = make_dsdt(t, "FACP", S5(0x00));
	CHECK_EQ_INT(acpi_find_s5(t, len, &a, &b), -EINVAL);
	CHECK_EQ_INT(acpi_find_s5(t, 10, &a, &b), -EINVAL);
	CHECK_EQ_INT(acpi_find_s5(NULL, 0, &a, &b), -EINVAL);
	CHECK_EQ_INT(acpi_find_s5(t, len, NULL, &b), -EINVAL);
}

/* ---- The fake memory itself is never read out of range ---- */

TEST(acpi_map_wrap)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	const uint32_t extra[] = {0xfffffff0};

	REQUIRE(mem_load(&m, "pc") == 0);
	/* A table right at the top of the 32-bit space, 0x20 bytes mapped
	 * but claiming more. */
	uint8_t *top = mem_add(&m, "TOP", 0xfffffff0, NULL, 0x10);
	REQUIRE(top != NULL);
	memcpy(top, "OEMX", 4);
	grow_rsdt(&m, extra, 1);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.skipped, 1);
	CHECK_EQ_INT(a.count, 7);
	mem_free(&m);
}

/* ---- Refused addresses are recorded with where they came from ---- */

/* A memory that refuses one page, as the kernel's phys_map refuses the
 * boot stack's guard page, although the fake memory has bytes there. */
#define GUARD_PAGE 0x14a000u

static const void *guarded_map(void *ctx, uint64_t phys, size_t len)
{
	if (phys < GUARD_PAGE + 4096u && phys + len > GUARD_PAGE) {
		return NULL;
	}
	return fake_map(ctx, phys, len);
}

TEST(acpi_skips_say_where)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct acpi_mem guarded;
	struct region *hpet;
	uint32_t extra[3];

	REQUIRE(mem_load(&m, "pc") == 0);
	guarded = (struct acpi_mem){guarded_map, &m};
	hpet = mem_region(&m, "HPET");
	/* A good table on the guard page: RSDT entries 4, 5 and 6 are it,
	 * a zero and the FADT again. */
	mem_add(&m, "GRD", GUARD_PAGE, hpet->data, hpet->len);
	extra[0] = GUARD_PAGE;
	extra[1] = 0;
	extra[2] = (uint32_t)mem_region(&m, "FACP")->phys;
	grow_rsdt(&m, extra, 3);
	/* Readable, it is loaded: the refusal is what skips it below. */
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 8);
	REQUIRE_EQ_INT(acpi_reinit(&a, &guarded, 0xf59d0), 0);
	CHECK_EQ_INT(a.count, 7);
	CHECK_EQ_INT(a.skipped, 3);
	REQUIRE_EQ_INT(a.nskips, 3);
	CHECK_EQ_STR(a.skips[0].where, "RSDT");
	CHECK_EQ_INT(a.skips[0].index, 4);
	CHECK_EQ_INT(a.skips[0].phys, GUARD_PAGE);
	CHECK_EQ_INT(a.skips[0].err, -ERANGE);
	CHECK_EQ_INT(a.skips[1].index, 5);
	CHECK_EQ_INT(a.skips[1].err, -ENOENT);
	CHECK_EQ_INT(a.skips[2].index, 6);
	CHECK_EQ_INT(a.skips[2].err, -EEXIST);
	mem_free(&m);
}

TEST(acpi_skips_fadt_dsdt_on_guard_page)
{
	struct fake_mem m;
	ACPI_SCOPED a = {0};
	struct acpi_mem guarded;
	struct region *fadt, *dsdt;

	REQUIRE(mem_load(&m, "pc") == 0);
	guarded = (struct acpi_mem){guarded_map, &m};
	fadt = mem_region(&m, "FACP");
	dsdt = mem_region(&m, "DSDT");
	/* The FADT's DSDT pointer (offset 40) at a copy on the guard page. */
	mem_add(&m, "DSDT2", GUARD_PAGE, dsdt->data, dsdt->len);
	unit_put32(fadt->data + 40, GUARD_PAGE);
	fix_sum(fadt->data, fadt->len, 9);
	REQUIRE_EQ_INT(acpi_reinit(&a, &m.mem, 0xf59d0), 0);
	CHECK_EQ_INT(acpi_find(&a, "DSDT", 0)->phys, GUARD_PAGE);
	REQUIRE_EQ_INT(acpi_reinit(&a, &guarded, 0xf59d0), 0);
	CHECK(acpi_find(&a, "DSDT", 0) == NULL);
	CHECK(acpi_find(&a, "FACS", 0) != NULL);
	REQUIRE_EQ_INT(a.nskips, 1);
	CHECK_EQ_STR(a.skips[0].where, "FADT");
	CHECK_EQ_INT(a.skips[0].index, 0);
	CHECK_EQ_INT(a.skips[0].phys, GUARD_PAGE);
	CHECK_EQ_INT(a.skips[0].err, -ERANGE);
	mem_free(&m);
}
