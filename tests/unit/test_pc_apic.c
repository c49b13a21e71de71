/*
 * The PC's choice of interrupt path (kernel/platform/pc_apic_check.c):
 * the APIC path only when every ISA IRQ the board needs lands on a pin of
 * an I/O APIC that answered its version read, else the 8259 pair. MADT
 * variants: QEMU's, an override to a GSI no I/O APIC has, an I/O APIC at
 * a bogus address (all-ones), GSI base 100, a second good I/O APIC.
 * Then the pure encoders in drivers/irqchip/apic.h: the ICR (fixed IPI,
 * INIT, SIPI, xAPIC and x2APIC destinations) and the redirection
 * entry's destination, with the choice of target CPU for a mask.
 */
#include <string.h>

#include "drivers/irqchip/apic.h"
#include "platform/pc_apic_check.h"
#include "unit.h"

/* QEMU's I/O APIC: version 0x20, 24 pins (MRE 23). */
#define QEMU_VER 0x00170020u

/* The console's IRQ 4 and the keyboard's IRQ 1. */
static const uint8_t need[] = {4, 1};

/* QEMU's MADT: one I/O APIC at GSI 0, IRQ 0 -> GSI 2. */
static void qemu_madt(struct acpi_madt_info *m)
{
	/* The MADT's arrays are the parser's heap blocks; here, static. */
	static __typeof__(*m->ioapics) ioapics[4];
	static __typeof__(*m->isos) isos[4];

	memset(m, 0, sizeof(*m));
	memset(ioapics, 0, sizeof(ioapics));
	memset(isos, 0, sizeof(isos));
	m->ioapics = ioapics;
	m->isos = isos;
	m->nioapics = 1;
	m->ioapics[0].addr = 0xfec00000;
	m->nisos = 1;
	m->isos[0].source = 0;
	m->isos[0].gsi = 2;
}

TEST(pc_apic_qemu_madt_routes)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	const uint32_t ver[] = {QEMU_VER};

	qemu_madt(&m);
	CHECK(pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_OK);
}

TEST(pc_apic_no_ioapic)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	const uint32_t ver[] = {QEMU_VER};

	qemu_madt(&m);
	m.nioapics = 0;
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_NO_IOAPIC);
	CHECK(!pc_apic_check(NULL, ver, need, 2, &v));
}

TEST(pc_apic_override_to_missing_gsi)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	const uint32_t ver[] = {QEMU_VER};

	qemu_madt(&m);
	m.nisos = 2;
	m.isos[1].source = 4;
	m.isos[1].gsi = 60; /* past the 24 pins */
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_NO_PIN);
	CHECK_EQ_INT(v.isa_irq, 4);
	CHECK_EQ_INT(v.gsi, 60);
	/* The same override on a line nobody needs is no reason. */
	m.isos[1].source = 7;
	CHECK(pc_apic_check(&m, ver, need, 2, &v));
}

TEST(pc_apic_bogus_address_reads_all_ones)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	uint32_t ver[] = {PC_IOAPIC_UNREADABLE};

	qemu_madt(&m);
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_BAD_IOAPIC);
	CHECK_EQ_INT(v.ioapic, 0);
	CHECK_EQ_INT(v.isa_irq, 4);
	/* Implausible versions: a discrete 82489DX's, reserved bits. */
	ver[0] = 0x00170011u | 0x01000000u;
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	ver[0] = 0x00170005u;
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	ver[0] = 0x00170011u; /* the 82093AA */
	CHECK(pc_apic_check(&m, ver, need, 2, &v));
}

TEST(pc_apic_gsi_base_100)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	const uint32_t ver[] = {QEMU_VER};

	qemu_madt(&m);
	m.ioapics[0].gsi_base = 100;
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_NO_PIN);
	CHECK_EQ_INT(v.isa_irq, 4);
	CHECK_EQ_INT(v.gsi, 4);
}

TEST(pc_apic_second_ioapic)
{
	struct acpi_madt_info m;
	struct pc_apic_verdict v;
	uint32_t ver[] = {QEMU_VER, PC_IOAPIC_UNREADABLE};

	qemu_madt(&m);
	m.nioapics = 2;
	m.ioapics[1].gsi_base = 24;
	/* A broken second one serving nothing needed: the path stays. */
	CHECK(pc_apic_check(&m, ver, need, 2, &v));
	/* The console moved to it: now it is to blame. */
	m.nisos = 2;
	m.isos[1].source = 4;
	m.isos[1].gsi = 30;
	CHECK(!pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(v.kind, PC_APIC_BAD_IOAPIC);
	CHECK_EQ_INT(v.ioapic, 1);
	/* Working, it has pins 24-47. */
	ver[1] = QEMU_VER;
	CHECK(pc_apic_check(&m, ver, need, 2, &v));
	CHECK_EQ_INT(pc_ioapic_pins(QEMU_VER), 24);
}

/* ---- ICR and redirection-entry encodings (drivers/irqchip/apic.h) ---- */

TEST(apic_icr_fixed_is_physical_edge_assert)
{
	/* vector 0xf4: fixed (000), physical (bit 11 clear), assert. */
	CHECK_EQ_INT(apic_icr_fixed(0xf4), 0x000040f4);
	/* Only the vector's 8 bits reach the vector field. */
	CHECK_EQ_INT(apic_icr_fixed(0x1f4), 0x000040f4);
	CHECK_EQ_INT(apic_icr_fixed(0xf4) & APIC_ICR_PENDING, 0);
}

TEST(apic_icr_init_and_startup)
{
	/* INIT: delivery mode 101, level triggered; assert / de-assert. */
	CHECK_EQ_INT(apic_icr_init(true), 0x0000c500);
	CHECK_EQ_INT(apic_icr_init(false), 0x00008500);
	/* SIPI: mode 110, the vector is the start page (0x9e000 -> 0x9e). */
	CHECK_EQ_INT(apic_icr_startup(0x9e000 >> 12), 0x0000469e);
	CHECK_EQ_INT(apic_icr_startup(0x100), 0x00004600);
}

TEST(apic_icr_destinations)
{
	CHECK_EQ_INT(apic_icr_xapic_high(0), 0);
	CHECK_EQ_INT(apic_icr_xapic_high(3), 0x03000000);
	CHECK(apic_icr_xapic_high(255) == 0xff000000u);
	CHECK(apic_xapic_dest_ok(255));
	CHECK(!apic_xapic_dest_ok(256));
	/* x2APIC: the full 32-bit ID in bits 63:32, the low word as is. */
	CHECK(apic_icr_x2apic(0x12345, apic_icr_fixed(0xf5)) ==
	      (0x12345ull << 32 | 0x40f5));
	CHECK(apic_icr_x2apic(0xffffffffu, 0) == 0xffffffff00000000ull);
}

TEST(apic_rte_destination_and_pick)
{
	const uint64_t hwid[] = {0, 1, 300, 7};

	/* Destination in the high word's bits 31:24, the rest 0. */
	CHECK_EQ_INT(apic_rte_high(7), 0x07000000);
	CHECK_EQ_INT(apic_rte_high(0), 0);
	CHECK(apic_rte_dest_ok(255));
	CHECK(!apic_rte_dest_ok(256));
	/* The lowest CPU of the mask... */
	CHECK_EQ_INT(apic_rte_pick(0xa, hwid, 4), 1);
	CHECK_EQ_INT(apic_rte_pick(0x1, hwid, 4), 0);
	/* ...that a physical destination can name (CPU 2 is APIC 300)... */
	CHECK_EQ_INT(apic_rte_pick(0xc, hwid, 4), 3);
	CHECK_EQ_INT(apic_rte_pick(0x4, hwid, 4), -1);
	/* ...and that exists. */
	CHECK_EQ_INT(apic_rte_pick(0x10, hwid, 4), -1);
	CHECK_EQ_INT(apic_rte_pick(0, hwid, 4), -1);
}
