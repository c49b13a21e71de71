/*
 * Arm Generic Interrupt Controller v2 (Arm IHI 0048B), the same interrupt
 * core interface as gicv3.c over the memory-mapped distributor (GICD) and
 * CPU interface (GICC). SPIs are targeted with GICD_ITARGETSR at this CPU's
 * interface; 1023 (and 1022) from GICC_IAR are spurious and never EOI'd.
 */
#include "arch/aarch64/irq.h"
#include "asm/sysreg.h"
#include "drivers/irqchip/gic_dt.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mmio.h"
#include "kern/printf.h"

#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_ISENABLER	0x100
#define GICD_ICENABLER	0x180
#define GICD_ISPENDR	0x200
#define GICD_ICPENDR	0x280
#define GICD_ICACTIVER	0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR	0x800
#define GICD_ICFGR	0xc00
#define GICD_SGIR	0xf00

#define GICD_CTLR_ENABLE 1u
#define GICD_SGIR_SELF	 (2u << 24) /* TargetListFilter: this CPU only */

#define GICC_CTLR	 0x000
#define GICC_PMR	 0x004
#define GICC_BPR	 0x008
#define GICC_IAR	 0x00c
#define GICC_EOIR	 0x010
#define GICC_CTLR_ENABLE 1u

#define DEFAULT_PRIORITY 0xa0
#define SPECIAL_INTID	 1020 /* 1020-1023 */

struct gicv2 {
	uintptr_t dist, cpu;
	unsigned int lines;
	uint8_t cpu_mask; /* our interface's bit in ITARGETSR */
	int irq_base;
	unsigned long eois;
};

static struct gicv2 gic;

static void write_bit(uintptr_t reg, uint32_t intid)
{
	mmio_write32(gic.dist + reg + (intid / 32) * 4, 1u << (intid % 32));
}

static void gicv2_mask(struct irq_desc *desc)
{
	write_bit(GICD_ICENABLER, desc->hwirq);
}

static void gicv2_unmask(struct irq_desc *desc)
{
	write_bit(GICD_ISENABLER, desc->hwirq);
}

static void gicv2_eoi(struct irq_desc *desc)
{
	dsb_sy();
	mmio_write32(gic.cpu + GICC_EOIR, desc->hwirq);
	gic.eois++;
}

static int gicv2_set_type(struct irq_desc *desc, unsigned int type)
{
	uint32_t intid = desc->hwirq, shift = (intid % 16) * 2 + 1;
	uintptr_t reg = gic.dist + GICD_ICFGR + (intid / 16) * 4;
	uint32_t v;

	if (intid < GIC_PPI_BASE) {
		return type == IRQF_TRIGGER_RISING ? 0 : -EINVAL;
	}
	if (type != IRQF_TRIGGER_RISING && type != IRQF_TRIGGER_HIGH) {
		return -EINVAL;
	}
	v = mmio_read32(reg);
	v = type == IRQF_TRIGGER_RISING ? v | 1u << shift : v & ~(1u << shift);
	mmio_write32(reg, v);
	return 0;
}

static int gicv2_set_pending(struct irq_desc *desc)
{
	if (desc->hwirq < GIC_PPI_BASE) {
		mmio_write32(gic.dist + GICD_SGIR,
			     GICD_SGIR_SELF | (uint32_t)desc->hwirq);
	} else {
		write_bit(GICD_ISPENDR, desc->hwirq);
	}
	return 0;
}

static struct irq_chip gicv2_chip = {
    .name = "GICv2",
    .mask = gicv2_mask,
    .unmask = gicv2_unmask,
    .eoi = gicv2_eoi,
    .set_type = gicv2_set_type,
    .set_pending = gicv2_set_pending,
};

static void gicv2_dispatch(void)
{
	uint32_t iar = mmio_read32(gic.cpu + GICC_IAR);
	uint32_t intid = iar & 0x3ff;

	if (intid >= SPECIAL_INTID) {
		irq_note_spurious(); /* nothing acknowledged: no EOI */
		return;
	}
	if (intid >= gic.lines) {
		irq_note_error();
		mmio_write32(gic.cpu + GICC_EOIR, iar);
		gic.eois++;
		return;
	}
	irq_handle((unsigned int)gic.irq_base + intid);
}

/* Every priority masked, the acknowledge reads 1023: no EOI may follow. */
static int gicv2_spurious_selftest(void)
{
	uint32_t pmr = mmio_read32(gic.cpu + GICC_PMR);
	unsigned long before = gic.eois;

	mmio_write32(gic.cpu + GICC_PMR, 0);
	gicv2_dispatch();
	mmio_write32(gic.cpu + GICC_PMR, pmr);
	return (int)(gic.eois - before);
}

static int gicv2_xlate(struct device *ctrl, const struct resource *res)
{
	(void)ctrl;
	return res->start < gic.lines ? gic.irq_base + (int)res->start
				      : -EINVAL;
}

static void dist_init(void)
{
	mmio_write32(gic.dist + GICD_CTLR, 0);
	/* ITARGETSR0-7 read back this CPU's own bit (GICv2 4.3.12). */
	gic.cpu_mask = mmio_read8(gic.dist + GICD_ITARGETSR);
	for (uint32_t i = 0; i < gic.lines; i += 32) {
		mmio_write32(gic.dist + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gic.dist + GICD_ICPENDR + i / 8, ~0u);
		mmio_write32(gic.dist + GICD_ICACTIVER + i / 8, ~0u);
	}
	for (uint32_t i = 0; i < gic.lines; i++) {
		mmio_write8(gic.dist + GICD_IPRIORITYR + i, DEFAULT_PRIORITY);
		if (i >= GIC_SPI_BASE) {
			mmio_write8(gic.dist + GICD_ITARGETSR + i,
				    gic.cpu_mask);
		}
	}
	mmio_write32(gic.dist + GICD_CTLR, GICD_CTLR_ENABLE);
}

static int gicv2_probe(struct device *dev)
{
	int base;

	gic.dist = device_mem(dev, 0);
	gic.cpu = device_mem(dev, 1);
	if (!gic.dist || !gic.cpu) {
		return -ENODEV;
	}
	gic.lines = ((mmio_read32(gic.dist + GICD_TYPER) & 0x1f) + 1) * 32;
	if (gic.lines > SPECIAL_INTID) {
		gic.lines = SPECIAL_INTID;
	}
	/* Lines we could not number would never be handled: take fewer. */
	if (gic.lines > NR_IRQS / 2) {
		gic.lines = NR_IRQS / 2;
	}
	dist_init();
	mmio_write32(gic.cpu + GICC_PMR, 0xff);
	mmio_write32(gic.cpu + GICC_BPR, 0);
	mmio_write32(gic.cpu + GICC_CTLR, GICC_CTLR_ENABLE);
	base =
	    irq_domain_add(&gicv2_chip, &gic, 0, gic.lines, irq_flow_fasteoi);
	if (base < 0) {
		return base;
	}
	gic.irq_base = base;
	dev->irq_xlate = gicv2_xlate;
	aarch64_set_irq_handler(gicv2_dispatch);
	irq_set_spurious_selftest(gicv2_spurious_selftest);
	kprintf("gicv2: %u INTIDs, CPU interface mask 0x%x\n", gic.lines,
		gic.cpu_mask);
	return 0;
}

static const char *const gicv2_ids[] = {"arm,cortex-a15-gic", "arm,gic-400",
					NULL};

struct driver gicv2_driver = {
    .name = "gicv2",
    .ids = gicv2_ids,
    .probe = gicv2_probe,
};
