/*
 * The PC's choice of interrupt path (kernel/platform/pc_apic_check.c):
 * the APIC path only when every ISA IRQ the board needs lands on a pin of
 * an I/O APIC that answered its version read, else the 8259 pair. MADT
 * variants: QEMU's, an override to a GSI no I/O APIC has, an I/O APIC at
 * a bogus address (all-ones), GSI base 100, a second good I/O APIC.
 */
#include <string.h>

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
