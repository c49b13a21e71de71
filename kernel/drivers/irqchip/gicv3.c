/*
 * Arm Generic Interrupt Controller v3 (Arm IHI 0069, "GICv3 and GICv4
 * Architecture Specification"), non-secure EL1, affinity routing on.
 *
 * Distributor (GICD): SPIs, routed with GICD_IROUTER to the boot CPU.
 * Redistributor (GICR): this CPU's SGIs and PPIs; found by matching
 * GICR_TYPER's affinity, woken from ProcessorSleep. CPU interface: system
 * registers (ICC_*). Acknowledge with ICC_IAR1_EL1, end with
 * ICC_EOIR1_EL1 after a DSB; INTIDs 1020-1023 are special and never EOI'd.
 * Bases and the line of every device come from the device tree.
 */
#include "arch/aarch64/irq.h"
#include "asm/sysreg.h"
#include "drivers/irqchip/gic_dt.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mmio.h"
#include "kern/panic.h"
#include "kern/printf.h"

/* Distributor registers. */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000

#define GICD_CTLR_ENABLE_G1 (1u << 1) /* EnableGrp1(A) */
#define GICD_CTLR_ARE	    (1u << 4) /* affinity routing (ARE_NS) */
#define GICD_CTLR_RWP	    (1u << 31)

/* Redistributor: RD_base frame, then the SGI_base frame 64 KiB on. */
#define GICR_CTLR	0x0000
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_SGI_BASE	0x10000
#define GICR_IGROUPR0	(GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ISPENDR0	(GICR_SGI_BASE + 0x0200)
#define GICR_ICPENDR0	(GICR_SGI_BASE + 0x0280)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR1	(GICR_SGI_BASE + 0x0c04)

#define GICR_CTLR_RWP		   (1u << 3)
#define GICR_TYPER_VLPIS	   (1ull << 1)
#define GICR_TYPER_LAST		   (1ull << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_FRAME_V3		   0x20000 /* RD + SGI */
#define GICR_FRAME_V4		   0x40000 /* RD + SGI + VLPI + reserved */

/* CPU interface system registers (by encoding: older assemblers). */
#define ICC_SRE_EL1	 s3_0_c12_c12_5
#define ICC_PMR_EL1	 s3_0_c4_c6_0
#define ICC_BPR1_EL1	 s3_0_c12_c12_3
#define ICC_IGRPEN1_EL1	 s3_0_c12_c12_7
#define ICC_IAR1_EL1	 s3_0_c12_c12_0
#define ICC_EOIR1_EL1	 s3_0_c12_c12_1
#define ICC_SGI1R_EL1	 s3_0_c12_c11_5
#define ICC_CTLR_EL1	 s3_0_c12_c12_4
#define ICC_CTLR_EOIMODE (1u << 1)
#define GICD_ICACTIVER	 0x0380
#define GICR_ICACTIVER0	 (GICR_SGI_BASE + 0x0380)

#define DEFAULT_PRIORITY 0xa0
#define POLL_LIMIT	 1000000
#define MAX_INTID	 1020

struct gicv3 {
	uintptr_t dist;
	uintptr_t rdist; /* this CPU's RD_base */
	unsigned int lines;
	int irq_base;
	unsigned long eois;
};

static struct gicv3 gic;

/* Bounded wait for a register bit to clear; panics with what it saw. */
static void wait_clear(uintptr_t reg, uint32_t bit, const char *what)
{
	uint32_t v = 0;

	for (int i = 0; i < POLL_LIMIT; i++) {
		v = mmio_read32(reg);
		if (!(v & bit)) {
			return;
		}
	}
	panic("gicv3: %s stuck (register 0x%x)", what, v);
}

static void dist_wait(void)
{
	wait_clear(gic.dist + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
}

static void rdist_wait(void)
{
	wait_clear(gic.rdist + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP");
}

static bool is_private(uint32_t intid)
{
	return intid < GIC_SPI_BASE;
}

/* One bit per INTID in a register bank, in the right frame. */
static void write_bit(uint32_t intid, uintptr_t dist_reg, uintptr_t rd_reg)
{
	uintptr_t reg = is_private(intid)
			    ? gic.rdist + rd_reg
			    : gic.dist + dist_reg + (intid / 32) * 4;

	mmio_write32(reg, 1u << (intid % 32));
}

static void gicv3_mask(struct irq_desc *desc)
{
	write_bit(desc->hwirq, GICD_ICENABLER, GICR_ICENABLER0);
	/* The disable has taken effect once RWP clears. */
	is_private(desc->hwirq) ? rdist_wait() : dist_wait();
}

static void gicv3_unmask(struct irq_desc *desc)
{
	write_bit(desc->hwirq, GICD_ISENABLER, GICR_ISENABLER0);
}

/* A DSB first: the device's state change must be visible before the
 * line is deactivated, or a level interrupt fires again. */
static void gicv3_eoi(struct irq_desc *desc)
{
	dsb_sy();
	write_sysreg(ICC_EOIR1_EL1, desc->hwirq);
	gic.eois++;
}

static int gicv3_set_type(struct irq_desc *desc, unsigned int type)
{
	uint32_t intid = desc->hwirq, shift = (intid % 16) * 2 + 1;
	uintptr_t reg;
	uint32_t v;

	if (intid < GIC_PPI_BASE) {
		return type == IRQF_TRIGGER_RISING ? 0 : -EINVAL; /* SGIs */
	}
	if (type != IRQF_TRIGGER_RISING && type != IRQF_TRIGGER_HIGH) {
		return -EINVAL; /* the GIC takes active-high only */
	}
	reg = is_private(intid) ? gic.rdist + GICR_ICFGR1
				: gic.dist + GICD_ICFGR + (intid / 16) * 4;
	v = mmio_read32(reg);
	v = type == IRQF_TRIGGER_RISING ? v | 1u << shift : v & ~(1u << shift);
	mmio_write32(reg, v);
	return 0;
}

static uint64_t mpidr_affinity(void)
{
	uint64_t m = read_sysreg(mpidr_el1);

	/* Aff3.Aff2.Aff1.Aff0 packed as GICR_TYPER and IROUTER want. */
	return (m & 0xffffff) | ((m >> 32) & 0xff) << 24;
}

static void send_sgi_self(uint32_t intid)
{
	uint64_t m = read_sysreg(mpidr_el1);
	uint64_t v = (uint64_t)intid << 24 | 1u << (m & 0xf) |
		     ((m >> 8) & 0xff) << 16 | ((m >> 16) & 0xff) << 32 |
		     ((m >> 32) & 0xff) << 48;

	write_sysreg(ICC_SGI1R_EL1, v);
	__asm__ volatile("isb" ::: "memory");
}

static int gicv3_set_pending(struct irq_desc *desc)
{
	if (desc->hwirq < GIC_PPI_BASE) {
		send_sgi_self(desc->hwirq);
	} else {
		write_bit(desc->hwirq, GICD_ISPENDR, GICR_ISPENDR0);
	}
	return 0;
}

static struct irq_chip gicv3_chip = {
    .name = "GICv3",
    .mask = gicv3_mask,
    .unmask = gicv3_unmask,
    .eoi = gicv3_eoi,
    .set_type = gicv3_set_type,
    .set_pending = gicv3_set_pending,
};

/* The IRQ exception: acknowledge, dispatch, and the flow ends it. */
static void gicv3_dispatch(void)
{
	uint32_t intid = read_sysreg(ICC_IAR1_EL1) & 0xffffff;
	if (intid >= MAX_INTID && intid <= GIC_SPURIOUS) {
		/* 1020-1023: nothing to acknowledge, so nothing to EOI. */
		irq_note_spurious();
		return;
	}
	if (intid >= gic.lines) {
		irq_note_error();
		write_sysreg(ICC_EOIR1_EL1, intid);
		gic.eois++;
		return;
	}
	irq_handle((unsigned int)gic.irq_base + intid);
}

/* Every priority masked, the acknowledge reads 1023: no EOI may follow. */
static int gicv3_spurious_selftest(void)
{
	uint64_t pmr = read_sysreg(ICC_PMR_EL1);
	unsigned long before = gic.eois;

	write_sysreg(ICC_PMR_EL1, 0);
	__asm__ volatile("isb" ::: "memory");
	gicv3_dispatch();
	write_sysreg(ICC_PMR_EL1, pmr);
	__asm__ volatile("isb" ::: "memory");
	return (int)(gic.eois - before);
}

static int gicv3_xlate(struct device *ctrl, const struct resource *res)
{
	(void)ctrl;
	return res->start < gic.lines ? gic.irq_base + (int)res->start
				      : -EINVAL;
}

/* Step over redistributor frames to the one whose affinity is ours. */
static int find_rdist(uint64_t base, uint64_t size)
{
	uint64_t aff = mpidr_affinity();

	for (uint64_t off = 0; off + GICR_FRAME_V3 <= size;) {
		uintptr_t rd = (uintptr_t)(base + off);
		uint64_t typer = (uint64_t)mmio_read32(rd + GICR_TYPER) |
				 (uint64_t)mmio_read32(rd + GICR_TYPER + 4)
				     << 32;

		if ((typer >> 32) == aff) {
			gic.rdist = rd;
			return 0;
		}
		if (typer & GICR_TYPER_LAST) {
			break;
		}
		off += typer & GICR_TYPER_VLPIS ? GICR_FRAME_V4 : GICR_FRAME_V3;
	}
	return -ENODEV;
}

static void dist_init(void)
{
	/* 1. Off while configured. */
	mmio_write32(gic.dist + GICD_CTLR, 0);
	dist_wait();
	/* 2. Every SPI: group 1, masked, not pending, default priority. */
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i += 32) {
		mmio_write32(gic.dist + GICD_IGROUPR + i / 8, ~0u);
		mmio_write32(gic.dist + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gic.dist + GICD_ICPENDR + i / 8, ~0u);
		mmio_write32(gic.dist + GICD_ICACTIVER + i / 8, ~0u);
	}
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i++) {
		mmio_write8(gic.dist + GICD_IPRIORITYR + i, DEFAULT_PRIORITY);
	}
	dist_wait();
	/* 3. Affinity routing on, group 1 on; then route SPIs to us. */
	mmio_write32(gic.dist + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	dist_wait();
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i++) {
		uintptr_t r = gic.dist + GICD_IROUTER + 8 * i;
		uint64_t aff = mpidr_affinity();

		mmio_write32(r, (uint32_t)(aff & 0xffffff));
		mmio_write32(r + 4, (uint32_t)(aff >> 24));
	}
}

static void rdist_init(void)
{
	/* Wake it: with ProcessorSleep set every interrupt is dropped. */
	mmio_write32(gic.rdist + GICR_WAKER,
		     mmio_read32(gic.rdist + GICR_WAKER) &
			 ~GICR_WAKER_PROCESSOR_SLEEP);
	wait_clear(gic.rdist + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP,
		   "GICR_WAKER.ChildrenAsleep");
	mmio_write32(gic.rdist + GICR_IGROUPR0, ~0u);
	mmio_write32(gic.rdist + GICR_ICENABLER0, ~0u);
	mmio_write32(gic.rdist + GICR_ICPENDR0, ~0u);
	mmio_write32(gic.rdist + GICR_ICACTIVER0, ~0u);
	rdist_wait();
	for (uint32_t i = 0; i < GIC_SPI_BASE; i++) {
		mmio_write8(gic.rdist + GICR_IPRIORITYR + i, DEFAULT_PRIORITY);
	}
}

static void cpu_interface_init(void)
{
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb" ::: "memory");
	write_sysreg(ICC_PMR_EL1, 0xff); /* let every priority through */
	write_sysreg(ICC_BPR1_EL1, 0);
	/* EOImode 0: the EOI both drops priority and deactivates, whatever
	 * firmware left there. */
	write_sysreg(ICC_CTLR_EL1,
		     read_sysreg(ICC_CTLR_EL1) & ~ICC_CTLR_EOIMODE);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb" ::: "memory");
}

static int gicv3_probe(struct device *dev)
{
	const struct resource *rd = device_resource(dev, RES_MEM, 1);
	int base;

	gic.dist = device_mem(dev, 0);
	if (!gic.dist || !rd) {
		return -ENODEV;
	}
	if (find_rdist(rd->start, rd->size) < 0) {
		kprintf("gicv3: no redistributor for this CPU\n");
		return -ENODEV;
	}
	gic.lines = ((mmio_read32(gic.dist + GICD_TYPER) & 0x1f) + 1) * 32;
	if (gic.lines > MAX_INTID) {
		gic.lines = MAX_INTID;
	}
	/* Lines we could not number would never be handled: take fewer. */
	if (gic.lines > NR_IRQS / 2) {
		gic.lines = NR_IRQS / 2;
	}
	dist_init();
	rdist_init();
	cpu_interface_init();
	base =
	    irq_domain_add(&gicv3_chip, &gic, 0, gic.lines, irq_flow_fasteoi);
	if (base < 0) {
		return base;
	}
	gic.irq_base = base;
	dev->irq_xlate = gicv3_xlate;
	aarch64_set_irq_handler(gicv3_dispatch);
	irq_set_spurious_selftest(gicv3_spurious_selftest);
	kprintf("gicv3: %u INTIDs, redistributor at %p\n", gic.lines,
		(void *)gic.rdist);
	return 0;
}

static const char *const gicv3_ids[] = {"arm,gic-v3", NULL};

struct driver gicv3_driver = {
    .name = "gicv3",
    .ids = gicv3_ids,
    .probe = gicv3_probe,
};
