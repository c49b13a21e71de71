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

/*
 * SMP: the SGIs kite's IPIs use (kern/smp.h enum ipi_kind order), each
 * CPU's per-CPU lines, and the values that route and send.
 *
 * IPIs take SGIs 8-10, not 0-2: the self-tests pend the lowest free
 * software-pendable line (irq_find_pendable(false)), SGI 0 as before.
 */
#define GIC_IPI_SGI_FIRST 8

/*
 * On a CPU that comes up (gic_smp.c): put its banked SGI/PPI state back as the
 * irq core has it: each per-CPU line of the GIC numbered from irq_base that has
 * a trigger gets it (set_type: PPIs' GICD/GICR_ICFGR1 is per CPU), each one the
 * core has unmasked (desc->masked false) is unmasked on this CPU. Under each
 * line's lock, so an irq_enable() racing with it is seen either here or by its
 * own unmask. Returns how many it unmasked.
 */
unsigned int gic_restore_private(int irq_base);

/* MPIDR_EL1 affinity fields (Arm ARM D19.2: Aff0 7:0, Aff1 15:8, Aff2
 * 23:16, Aff3 39:32), the layout cpu_info.hwid keeps. */
#define GIC_MPIDR_AFF0(m) ((m)&0xff)
#define GIC_MPIDR_AFF1(m) (((m) >> 8) & 0xff)
#define GIC_MPIDR_AFF2(m) (((m) >> 16) & 0xff)
#define GIC_MPIDR_AFF3(m) (((m) >> 32) & 0xff)

/*
 * GICv3 ICC_SGI1R_EL1 (IHI 0069, the ICC_SGI1R_EL1 description): SGI intid to
 * the one PE mpidr: TargetList bit Aff0 % 16 (bits 15:0), Aff1 23:16,
 * INTID 27:24, Aff2 39:32, IRM 40 = 0 (the list, not "all but self"), RS
 * 47:44 = Aff0 / 16 (which 16 Aff0 values the list covers; above 15 the
 * GIC must implement range selection, GICD_TYPER.RSS), Aff3 55:48.
 */
uint64_t gic_v3_sgi1r(uint32_t intid, uint64_t mpidr);

/* GICD_IROUTER<n>: the PE mpidr alone (Interrupt_Routing_Mode, bit 31,
 * 0), Aff0-Aff2 in bits 23:0 and Aff3 in 39:32: the MPIDR layout. */
uint64_t gic_v3_irouter(uint64_t mpidr);

/* GICv2 GICD_ITARGETSR byte for the CPUs of mask: the OR of their CPU
 * interface bits iface[cpu] (0: not known, skipped), for cpu < n. */
uint8_t gic_v2_targets(uint32_t mask, const uint8_t *iface, unsigned int n);

/* GICv2 GICD_SGIR (IHI 0048B 4.3.15): TargetListFilter 0 (the list),
 * CPUTargetList bits 23:16, SGIINTID 3:0. */
uint32_t gic_v2_sgir(uint32_t intid, uint8_t targets);

#endif
