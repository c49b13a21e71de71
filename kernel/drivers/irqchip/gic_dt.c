/* The GIC interrupt specifier, decoded once (see gic_dt.h). */
#include "drivers/irqchip/gic_dt.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/string.h"

#define GIC_SPEC_SPI 0
#define GIC_SPEC_PPI 1
#define GIC_MAX_SPI  988 /* INTIDs up to 1019 */
#define GIC_MAX_PPI  16

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

	if (ncells != 3) {
		return -EINVAL;
	}
	type = cells[2] & 0xf;
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

bool gic_compatible(const char *compat)
{
	return strcmp(compat, "arm,gic-v3") == 0 ||
	       strcmp(compat, "arm,cortex-a15-gic") == 0 ||
	       strcmp(compat, "arm,gic-400") == 0;
}
