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

#define ICC_SGI1R_TARGETS 0  /* TargetList, bits 15:0 */
#define ICC_SGI1R_AFF1	  16 /* bits 23:16 */
#define ICC_SGI1R_INTID	  24 /* bits 27:24 */
#define ICC_SGI1R_AFF2	  32 /* bits 39:32 */
#define ICC_SGI1R_RS	  44 /* bits 47:44 */
#define ICC_SGI1R_AFF3	  48 /* bits 55:48 */
#define ICC_SGI1R_LIST	  16 /* Aff0 values one TargetList covers */

uint64_t gic_v3_sgi1r(uint32_t intid, uint64_t mpidr)
{
	uint64_t aff0 = GIC_MPIDR_AFF0(mpidr);

	return (1ull << (aff0 % ICC_SGI1R_LIST)) << ICC_SGI1R_TARGETS |
	       GIC_MPIDR_AFF1(mpidr) << ICC_SGI1R_AFF1 |
	       (uint64_t)(intid & 0xf) << ICC_SGI1R_INTID |
	       GIC_MPIDR_AFF2(mpidr) << ICC_SGI1R_AFF2 |
	       (aff0 / ICC_SGI1R_LIST) << ICC_SGI1R_RS |
	       GIC_MPIDR_AFF3(mpidr) << ICC_SGI1R_AFF3;
}

#define GICD_IROUTER_AFF_MASK 0xff00ffffffull /* Aff3, Aff2-Aff0; IRM 0 */

uint64_t gic_v3_irouter(uint64_t mpidr)
{
	return mpidr & GICD_IROUTER_AFF_MASK;
}

uint8_t gic_v2_targets(uint32_t mask, const uint8_t *iface, unsigned int n)
{
	uint8_t targets = 0;

	for (unsigned int cpu = 0; cpu < n && cpu < 32; cpu++) {
		if (mask & (1u << cpu)) {
			targets |= iface[cpu];
		}
	}
	return targets;
}

#define GICD_SGIR_TARGETS    16	 /* CPUTargetList, bits 23:16 */
#define GICD_SGIR_INTID_MASK 0xf /* SGIINTID, bits 3:0 */

uint32_t gic_v2_sgir(uint32_t intid, uint8_t targets)
{
	return (uint32_t)targets << GICD_SGIR_TARGETS |
	       (intid & GICD_SGIR_INTID_MASK);
}
