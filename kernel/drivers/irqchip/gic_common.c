/* What GICv2 and GICv3 share (see gic_common.h). */
#include "drivers/irqchip/gic_common.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/string.h"

#define GIC_SPEC_SPI	     0
#define GIC_SPEC_PPI	     1
#define GIC_SPEC_CELLS	     3
#define GIC_SPEC_TRIGGER_MSK 0xf /* cell 2, bits 3:0 */
#define GIC_MAX_SPI	     988 /* INTIDs up to 1019 */
#define GIC_MAX_PPI	     16

enum gic_ack gic_ack_kind(uint32_t intid, unsigned int lines)
{
	if (intid >= GIC_SPECIAL_FIRST && intid <= GIC_SPECIAL_LAST) {
		return GIC_ACK_SPECIAL;
	}
	return intid < lines ? GIC_ACK_LINE : GIC_ACK_BAD;
}

int gic_icfgr_update(uint32_t intid, unsigned int type, uint32_t *icfgr)
{
	if (intid < GIC_PPI_BASE) {
		return type == IRQF_TRIGGER_RISING ? 0 : -EINVAL; /* SGIs */
	}
	if (type == IRQF_TRIGGER_RISING) {
		*icfgr |= GICD_ICFGR_EDGE(intid);
	} else if (type == IRQF_TRIGGER_HIGH) {
		*icfgr &= ~GICD_ICFGR_EDGE(intid);
	} else {
		return -EINVAL; /* the GIC takes active-high only */
	}
	return 0;
}

int gic_decode_specifier(const uint32_t *cells, unsigned int ncells,
			 uint32_t *intid, unsigned int *flags)
{
	static const unsigned int trigger[] = {
	    [1] = IRQF_TRIGGER_RISING,
	    [2] = IRQF_TRIGGER_FALLING,
	    [4] = IRQF_TRIGGER_HIGH,
	    [8] = IRQF_TRIGGER_LOW,
	};
	uint32_t type;

	if (ncells != GIC_SPEC_CELLS) {
		return -EINVAL;
	}
	type = cells[2] & GIC_SPEC_TRIGGER_MSK;
	if (type >= ARRAY_SIZE(trigger) || !trigger[type]) {
		return -EINVAL;
	}
	if (cells[0] == GIC_SPEC_SPI && cells[1] < GIC_MAX_SPI) {
		*intid = cells[1] + GIC_SPI_BASE;
	} else if (cells[0] == GIC_SPEC_PPI && cells[1] < GIC_MAX_PPI) {
		*intid = cells[1] + GIC_PPI_BASE;
	} else {
		return -EINVAL;
	}
	*flags = trigger[type];
	return 0;
}

int gic_xlate(const struct resource *res, int irq_base, unsigned int lines,
	      unsigned int *irq, unsigned int *trigger)
{
	uint32_t intid;

	if (irq_base < 0 || gic_decode_specifier(res->cells, res->ncells,
						 &intid, trigger) < 0) {
		return -EINVAL;
	}
	if (intid >= lines) {
		return -EINVAL;
	}
	*irq = (unsigned int)irq_base + intid;
	return 0;
}
