/* The GIC's device-tree interrupt specifier (shared by GICv2 and GICv3). */
#ifndef DRIVERS_IRQCHIP_GIC_DT_H
#define DRIVERS_IRQCHIP_GIC_DT_H

#include "kern/compiler.h"

#define GIC_SPI_BASE 32 /* INTIDs 32..1019: shared peripheral interrupts */
#define GIC_PPI_BASE 16 /* INTIDs 16..31: private peripheral interrupts */
#define GIC_SPURIOUS 1023

/*
 * Decode the 3-cell GIC specifier (Linux's binding
 * arm,gic.yaml / arm,gic-v3.yaml):
 *   cell 0: 0 = SPI, 1 = PPI;
 *   cell 1: the SPI number (INTID = n + 32) or PPI number (INTID = n + 16);
 *   cell 2: bits 3:0 the trigger, 1 edge rising, 2 edge falling, 4 level
 *           high, 8 level low; on GICv2, bits 15:8 a CPU mask for PPIs,
 *           which we ignore.
 * Gives the INTID and IRQF_TRIGGER_* flags; -EINVAL for anything else.
 */
int gic_decode_specifier(const uint32_t *cells, unsigned int ncells,
			 uint32_t *intid, unsigned int *flags);

bool gic_compatible(const char *compat);

#endif
