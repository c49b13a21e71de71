/*
 * What GICv2 (Arm IHI 0048B) and GICv3 (Arm IHI 0069) share: INTID
 * ranges, the special INTIDs, the trigger field of GICD_ICFGR and the
 * device-tree interrupt specifier. Pure code: no register access.
 */
#ifndef DRIVERS_IRQCHIP_GIC_COMMON_H
#define DRIVERS_IRQCHIP_GIC_COMMON_H

#include "kern/compiler.h"

struct resource;

#define GIC_SGI_BASE	  0  /* INTIDs 0..15: software-generated interrupts */
#define GIC_PPI_BASE	  16 /* INTIDs 16..31: private peripheral interrupts */
#define GIC_SPI_BASE	  32 /* INTIDs 32..1019: shared peripheral interrupts */
#define GIC_SPECIAL_FIRST 1020 /* 1020-1023: special (GICv3 2.2.1) */
#define GIC_SPECIAL_LAST  1023
#define GIC_SPURIOUS	  1023 /* no pending interrupt */

/* GICD_TYPER.ITLinesNumber, bits 4:0: 32 * (N + 1) INTIDs (both GICs). */
#define GICD_TYPER_ITLINES_MASK 0x1f
#define GICD_TYPER_LINES(typer) ((((typer)&GICD_TYPER_ITLINES_MASK) + 1) * 32)

/* GICD_ICFGR<n>: two bits per INTID, 16 INTIDs per register; the upper
 * bit of each pair is Int_config, 1 = edge-triggered, 0 = level. */
#define GICD_ICFGR_REG(intid)  ((intid) / 16 * 4)
#define GICD_ICFGR_EDGE(intid) (1u << ((intid) % 16 * 2 + 1))

/* The one priority mask that lets every priority through. */
#define GIC_PMR_ALL 0xff

/* What an INTID read from the acknowledge register asks of the driver. */
enum gic_ack {
	GIC_ACK_LINE,	 /* one of our lines: hand it to the core */
	GIC_ACK_SPECIAL, /* 1020-1023: nothing was acknowledged; no EOI */
	GIC_ACK_BAD,	 /* acknowledged, but not a line we number: EOI */
};

/* The special-INTID rule, once for both GICs: 1020-1023 were never
 * acknowledged, so writing them to an EOI register is wrong (GICv3
 * 12.2.9, GICv2 4.4.5). */
enum gic_ack gic_ack_kind(uint32_t intid, unsigned int lines);

/*
 * The new ICFGR value for one INTID's trigger: edge (IRQF_TRIGGER_RISING)
 * or level (IRQF_TRIGGER_HIGH), the only ones a GIC takes; SGIs are
 * always edge. -EINVAL for any other type (the register is untouched).
 */
int gic_icfgr_update(uint32_t intid, unsigned int type, uint32_t *icfgr);

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

/*
 * Both GICs' irq_xlate: a RES_IRQ's raw specifier -> irq_base + INTID
 * and the trigger, for a GIC that numbers lines INTIDs from irq_base.
 * -EINVAL for a bad specifier or an INTID at or beyond lines.
 */
int gic_xlate(const struct resource *res, int irq_base, unsigned int lines,
	      unsigned int *irq, unsigned int *trigger);

#endif
