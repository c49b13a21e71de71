/* A PC interrupt's wiring (pc_irq.h). */
#include "platform/pc_irq.h"
#include "kern/irq.h"

/* The MADT's Interrupt Source Override for an ISA IRQ: its index, or
 * -1 when there is none. */
static int isa_override(const struct acpi_madt_info *madt, uint32_t isa_irq)
{
	for (unsigned int i = 0; i < madt->nisos; i++) {
		if (madt->isos[i].bus == 0 && madt->isos[i].source == isa_irq) {
			return (int)i;
		}
	}
	return -1;
}

static unsigned int trigger_flags(bool low, bool level)
{
	return level ? (low ? IRQF_TRIGGER_LOW : IRQF_TRIGGER_HIGH)
		     : (low ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING);
}

struct resource pc_irq_route(const struct acpi_madt_info *madt,
			     const struct pc_irq *irq)
{
	uint32_t line = irq->line;
	bool low = irq->low, level = irq->level;
	int iso = madt && irq->isa ? isa_override(madt, line) : -1;

	if (iso >= 0) {
		line = madt->isos[iso].gsi;
		if (madt->isos[iso].polarity != ACPI_POL_CONFORMS) {
			low = madt->isos[iso].polarity == ACPI_POL_LOW;
		}
		if (madt->isos[iso].trigger != ACPI_TRIG_CONFORMS) {
			level = madt->isos[iso].trigger == ACPI_TRIG_LEVEL;
		}
	}
	return (struct resource){.type = RES_IRQ,
				 .start = line,
				 .size = 1,
				 .flags = trigger_flags(low, level) |
					  (irq->shared ? IRQF_SHARED : 0)};
}
