/*
 * The PC's one interrupt-wiring function (kernel/platform/pc_irq.c):
 * ISA IRQs through the MADT's overrides, "conforms" keeping the caller's
 * polarity and trigger, the SCI level/low without an override.
 */
#include <string.h>

#include "kern/irq.h"
#include "platform/pc_irq.h"
#include "unit.h"

/* QEMU's MADT: IRQ 0 -> GSI 2; IRQ 9 (the SCI) level, active high. */
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
	m->nisos = 2;
	m->isos[0].bus = 0;
	m->isos[0].source = 0;
	m->isos[0].gsi = 2;
	m->isos[1].bus = 0;
	m->isos[1].source = 9;
	m->isos[1].gsi = 9;
	m->isos[1].polarity = ACPI_POL_HIGH;
	m->isos[1].trigger = ACPI_TRIG_LEVEL;
}

static const struct pc_irq sci = {
    .line = 9, .isa = true, .low = true, .level = true, .shared = true};

TEST(pc_irq_isa_through_override)
{
	struct acpi_madt_info m;
	const struct pc_irq timer = {.line = 0, .isa = true};
	struct resource r;

	qemu_madt(&m);
	r = pc_irq_route(&m, &timer);
	CHECK_EQ_INT(r.type, RES_IRQ);
	CHECK_EQ_INT(r.start, 2);
	/* "Conforms" on the ISA bus: edge, active high. */
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_RISING);
	/* No override: the same-numbered GSI. */
	r = pc_irq_route(&m, &(const struct pc_irq){.line = 1, .isa = true});
	CHECK_EQ_INT(r.start, 1);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_RISING);
}

TEST(pc_irq_sci_default_level_low)
{
	struct acpi_madt_info m;
	struct resource r;

	/* No override for the SCI: ACPI's default (5.2.9), not ISA's. */
	memset(&m, 0, sizeof(m));
	m.nioapics = 1;
	r = pc_irq_route(&m, &sci);
	CHECK_EQ_INT(r.start, 9);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_LOW | IRQF_SHARED);
	/* QEMU's override says level, high: it wins. */
	qemu_madt(&m);
	r = pc_irq_route(&m, &sci);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_HIGH | IRQF_SHARED);
	/* An override that conforms in polarity keeps the SCI's low. */
	m.isos[1].polarity = ACPI_POL_CONFORMS;
	r = pc_irq_route(&m, &sci);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_LOW | IRQF_SHARED);
}

TEST(pc_irq_gsi_and_8259_path)
{
	struct acpi_madt_info m;
	struct resource r;

	qemu_madt(&m);
	/* A GSI (Extended Interrupt above 15) is not looked up as ISA. */
	r = pc_irq_route(
	    &m, &(const struct pc_irq){
		    .line = 0, .isa = false, .level = true, .low = true});
	CHECK_EQ_INT(r.start, 0);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_LOW);
	/* The 8259 path: the ISA line as it is, no override applies. */
	r = pc_irq_route(NULL, &(const struct pc_irq){.line = 0, .isa = true});
	CHECK_EQ_INT(r.start, 0);
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_RISING);
	r = pc_irq_route(NULL, &(const struct pc_irq){
				   .line = 4, .isa = true, .shared = true});
	CHECK_EQ_INT(r.flags, IRQF_TRIGGER_RISING | IRQF_SHARED);
}
