/*
 * What both GIC drivers do on a CPU that comes up (gic_common.h): the
 * banked SGI/PPI state back as the irq core has it. Apart from
 * gic_common.c, which stays pure (no irq core calls) for the fuzz
 * targets that link it.
 */
#include "drivers/irqchip/gic_common.h"
#include "kern/irq.h"
#include "kern/spinlock.h"

unsigned int gic_restore_private(int irq_base)
{
	unsigned int unmasked = 0;

	for (unsigned int intid = 0; irq_base >= 0 && intid < GIC_SPI_BASE;
	     intid++) {
		struct irq_desc *d =
		    irq_to_desc((unsigned int)irq_base + intid);
		unsigned long flags;

		if (!d || !d->chip) {
			continue;
		}
		flags = spin_lock_irqsave(&d->lock);
		if (intid >= GIC_PPI_BASE && d->trigger && d->chip->set_type) {
			d->chip->set_type(d, d->trigger);
		}
		if (!d->masked && d->chip->unmask) {
			d->chip->unmask(d);
			unmasked++;
		}
		spin_unlock_irqrestore(&d->lock, flags);
	}
	return unmasked;
}
