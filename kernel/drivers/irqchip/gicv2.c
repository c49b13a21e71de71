/*
 * Arm Generic Interrupt Controller v2 (Arm IHI 0048B), the same interrupt
 * core interface as gicv3.c over the memory-mapped distributor (GICD) and
 * CPU interface (GICC). SPIs are targeted with GICD_ITARGETSR at a set of
 * CPU interfaces (the boot CPU's at first; set_affinity moves them);
 * INTIDs 1020-1023 from GICC_IAR are special and never EOI'd
 * (gic_common.c).
 *
 * Per CPU (4.1.4 "banked registers"): the GICD registers of INTIDs 0-31
 * (enables, pending, active, priorities, ITARGETSR0-7, ICFGR1) and the
 * whole GICC frame are banked: each CPU reaches its own copy at the same
 * address. So per-CPU lines act on the calling CPU by nature; each CPU
 * sets its copy up in gicv2_cpu_init() (an smp_cpu_init_register hook),
 * the boot CPU in probe, and records its CPU interface's bit
 * (ITARGETSR0 reads it) for SGIs and SPI targets. IPIs are SGIs 8-10
 * through GICD_SGIR.
 */
#include "asm/sysreg.h"
#include "drivers/irqchip/gic_common.h"
#include "kern/arch.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "kern/smp.h"

/* Distributor (4.1.2, Table 4-1), byte offsets. */
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

#define GICD_CTLR_ENABLE     (1u << 0)
#define GICD_SGIR_SELF	     (2u << 24) /* TargetListFilter: this CPU only */
#define GICD_SGIR_INTID_MASK 0xfu	/* SGIINTID, bits 3:0 */

/* CPU interface (4.1.3, Table 4-2). */
#define GICC_CTLR	    0x000
#define GICC_PMR	    0x004
#define GICC_BPR	    0x008
#define GICC_IAR	    0x00c
#define GICC_EOIR	    0x010
#define GICC_CTLR_ENABLE    (1u << 0)
#define GICC_IAR_INTID_MASK 0x3ffu	 /* InterruptID, bits 9:0 */
#define GICC_IAR_CPUID_MASK (0x7u << 10) /* an SGI's source CPU */

#define DEFAULT_PRIORITY 0xa0

struct gicv2 {
	struct io_regs dist, cpu;
	unsigned int lines;
	/* Each logical CPU's interface bit in ITARGETSR (0: not up yet). */
	uint8_t cpu_mask[NR_CPUS];
	/* GICC_IAR of the interrupt each CPU is handling. */
	uint32_t acked[NR_CPUS];
	int irq_base;
	unsigned long eois[NR_CPUS];
};

static struct gicv2 gic;

/* One bit per INTID: 32 to a register. */
static void write_bit(unsigned int reg, uint32_t intid)
{
	io_write32(&gic.dist, reg + (intid / 32) * 4, 1u << (intid % 32));
}

static void gicv2_mask(struct irq_desc *desc)
{
	write_bit(GICD_ICENABLER, desc->hwirq);
}

static void gicv2_unmask(struct irq_desc *desc)
{
	write_bit(GICD_ISENABLER, desc->hwirq);
}

/* The acknowledged value goes back whole (GICv2 4.4.5: GICC_EOIR takes
 * GICC_IAR's value). A DSB first: the device's state change must be
 * visible before the line is deactivated. */
static void gicv2_end(uint32_t iar)
{
	dsb_sy();
	io_write32(&gic.cpu, GICC_EOIR, iar);
	gic.eois[arch_cpu_id()]++;
}

/* An SGI's EOI names its source CPU too, as the acknowledge gave it
 * (GICv2 4.4.5); handlers run with interrupts off, so this CPU's `acked`
 * is the interrupt being ended. */
static void gicv2_eoi(struct irq_desc *desc)
{
	uint32_t v = (uint32_t)desc->hwirq, acked = gic.acked[arch_cpu_id()];

	if ((acked & GICC_IAR_INTID_MASK) == v) {
		v = acked & (GICC_IAR_INTID_MASK | GICC_IAR_CPUID_MASK);
	}
	gicv2_end(v);
}

static int gicv2_set_type(struct irq_desc *desc, unsigned int type)
{
	uint32_t intid = desc->hwirq;
	unsigned int reg = GICD_ICFGR + GICD_ICFGR_REG(intid);
	uint32_t v = intid < GIC_PPI_BASE ? 0 : io_read32(&gic.dist, reg);
	int ret = gic_icfgr_update(intid, type, &v);

	if (ret == 0 && intid >= GIC_PPI_BASE) {
		io_write32(&gic.dist, reg, v);
	}
	return ret;
}

static int gicv2_set_pending(struct irq_desc *desc)
{
	if (desc->hwirq < GIC_PPI_BASE) {
		io_write32(&gic.dist, GICD_SGIR,
			   GICD_SGIR_SELF |
			       ((uint32_t)desc->hwirq & GICD_SGIR_INTID_MASK));
	} else {
		write_bit(GICD_ISPENDR, desc->hwirq);
	}
	return 0;
}

/* An SGI to the CPU interfaces of targets. The DSB first: the receiver
 * must see what the IPI is about before it can take it (a Device write
 * is not ordered after Normal memory writes without one, Arm ARM B2.3). */
static void send_sgi(uint32_t intid, uint8_t targets)
{
	dsb_ish();
	io_write32(&gic.dist, GICD_SGIR, gic_v2_sgir(intid, targets));
}

static int gicv2_send_ipi(struct irq_desc *desc, unsigned int cpu)
{
	if (cpu >= NR_CPUS || !gic.cpu_mask[cpu] ||
	    desc->hwirq >= GIC_PPI_BASE) {
		return -EINVAL; /* not up: its interface is not known */
	}
	send_sgi((uint32_t)desc->hwirq, gic.cpu_mask[cpu]);
	return 0;
}

/*
 * Target an SPI at the interfaces of every online CPU of mask (the
 * GICD_ITARGETSR byte). GICv2's 1-N model: it is pending on each of them
 * and the first to acknowledge takes it; the others then read 1023,
 * counted as spurious.
 *
 * Nothing in flight is lost (4.3.12, GICD_ITARGETSRn): a change "has an
 * effect on any pending interrupts": the pending state is the
 * Distributor's, and a target added receives it, a target removed loses
 * only its copy; so a pending SPI is forwarded to the new targets. A
 * change "has no effect on any active interrupt": one the old CPU
 * acknowledged stays active there until that CPU's EOI (GICC_EOIR is the
 * CPU interface's own); an edge arriving meanwhile waits as
 * active-and-pending and then goes to the new target, a level line still
 * asserted becomes pending again and does the same.
 */
static int gicv2_set_affinity(struct irq_desc *desc, uint32_t mask)
{
	uint32_t online = mask & cpu_online_mask();
	uint8_t targets = gic_v2_targets(online, gic.cpu_mask, NR_CPUS);

	if (desc->hwirq < GIC_SPI_BASE || !targets) {
		return -EINVAL;
	}
	io_write8(&gic.dist, GICD_ITARGETSR + (unsigned int)desc->hwirq,
		  targets);
	/* A set: every CPU of it whose interface is known is a target
	 * (kern/irq.h, desc->effective). */
	desc->effective = 0;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if ((online & CPUMASK_CPU(cpu)) && gic.cpu_mask[cpu]) {
			desc->effective |= CPUMASK_CPU(cpu);
		}
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
    .set_affinity = gicv2_set_affinity,
    .send_ipi = gicv2_send_ipi,
};

/* The IRQ exception: acknowledge, then one exit per kind of INTID. */
static void gicv2_dispatch(unsigned int entry, void *data)
{
	uint32_t iar = io_read32(&gic.cpu, GICC_IAR);
	uint32_t intid = iar & GICC_IAR_INTID_MASK;

	(void)entry;
	(void)data;
	switch (gic_ack_kind(intid, gic.lines)) {
	case GIC_ACK_SPECIAL:
		irq_note_spurious(); /* nothing acknowledged: no EOI */
		return;
	case GIC_ACK_BAD:
		irq_note_error();
		gicv2_end(iar);
		return;
	case GIC_ACK_LINE:
		gic.acked[arch_cpu_id()] = iar;
		irq_handle((unsigned int)gic.irq_base + intid);
		return;
	}
}

/* Every priority masked, the acknowledge reads 1023: no EOI may follow. */
static int gicv2_spurious_selftest(void)
{
	uint32_t pmr = io_read32(&gic.cpu, GICC_PMR);
	unsigned long before = gic.eois[arch_cpu_id()];

	io_write32(&gic.cpu, GICC_PMR, 0);
	gicv2_dispatch(0, &gic);
	io_write32(&gic.cpu, GICC_PMR, pmr);
	return (int)(gic.eois[arch_cpu_id()] - before);
}

static int gicv2_xlate(struct device *ctrl, const struct resource *res,
		       unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	return gic_xlate(res, gic.irq_base, gic.lines, irq, trigger);
}

/*
 * The calling CPU's banked part: its interface's bit (ITARGETSR0-7 read
 * back the reading CPU's own, 4.3.12), its SGIs and PPIs masked, idle,
 * at the default priority, and its CPU interface on.
 */
static void cpu_local_init(void)
{
	unsigned int cpu = arch_cpu_id();

	gic.cpu_mask[cpu] = io_read8(&gic.dist, GICD_ITARGETSR);
	io_write32(&gic.dist, GICD_ICENABLER, ~0u);
	io_write32(&gic.dist, GICD_ICPENDR, ~0u);
	io_write32(&gic.dist, GICD_ICACTIVER, ~0u);
	for (uint32_t i = 0; i < GIC_SPI_BASE; i++) {
		io_write8(&gic.dist, GICD_IPRIORITYR + i, DEFAULT_PRIORITY);
	}
	io_write32(&gic.cpu, GICC_PMR, GIC_PMR_ALL);
	io_write32(&gic.cpu, GICC_BPR, 0);
	io_write32(&gic.cpu, GICC_CTLR, GICC_CTLR_ENABLE);
}

/* The shared part, the boot CPU's bit as every SPI's target. */
static void dist_init(void)
{
	uint8_t boot_mask = gic.cpu_mask[arch_cpu_id()];

	io_write32(&gic.dist, GICD_CTLR, 0);
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i += 32) {
		io_write32(&gic.dist, GICD_ICENABLER + i / 8, ~0u);
		io_write32(&gic.dist, GICD_ICPENDR + i / 8, ~0u);
		io_write32(&gic.dist, GICD_ICACTIVER + i / 8, ~0u);
	}
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i++) {
		io_write8(&gic.dist, GICD_IPRIORITYR + i, DEFAULT_PRIORITY);
		io_write8(&gic.dist, GICD_ITARGETSR + i, boot_mask);
	}
	io_write32(&gic.dist, GICD_CTLR, GICD_CTLR_ENABLE);
}

/*
 * A CPU that comes up (smp_cpu_init_register hook, interrupts off): its
 * banked registers and CPU interface, then the per-CPU lines the irq
 * core has unmasked (the IPIs, the timer PPI). A GIC that reads back no
 * interface bit for it cannot send it an SGI or target it: it stops
 * here, and the boot CPU reports it did not come up.
 */
static void gicv2_cpu_init(void)
{
	unsigned int cpu = arch_cpu_id();

	cpu_local_init();
	if (!gic.cpu_mask[cpu]) {
		kprintf("gicv2: CPU %u: GICD_ITARGETSR0 reads 0 (no CPU "
			"interface bit): CPU halted\n",
			cpu);
		arch_halt();
	}
	gic_restore_private(gic.irq_base);
}

static int gicv2_probe(struct device *dev)
{
	int base, ret;

	if (device_regs(dev, 0, 0, &gic.dist) < 0 ||
	    device_regs(dev, 1, 0, &gic.cpu) < 0) {
		return -ENODEV;
	}
	gic.lines = GICD_TYPER_LINES(io_read32(&gic.dist, GICD_TYPER));
	if (gic.lines > GIC_SPECIAL_FIRST) {
		gic.lines = GIC_SPECIAL_FIRST;
	}
	/* Lines we could not number would never be handled: take fewer. */
	if (gic.lines > NR_IRQS / 2) {
		gic.lines = NR_IRQS / 2;
	}
	cpu_local_init();
	dist_init();
	base =
	    irq_domain_add(&gicv2_chip, &gic, 0, gic.lines, irq_flow_fasteoi);
	if (base < 0) {
		return base;
	}
	gic.irq_base = base;
	/* SGIs and PPIs are banked per CPU (GICv3 2.2.1). */
	irq_mark_per_cpu((unsigned int)base, GIC_SPI_BASE);
	/* Last: from here on the CPU's interrupts come to us. */
	ret = arch_irq_entry_claim(1, 1, IRQ_ENTRY_HIGH, gicv2_dispatch, &gic);
	if (ret < 0) {
		kprintf("gicv2: the CPU's interrupt entry is taken (%d)\n",
			ret);
		return ret;
	}
	dev->irq_xlate = gicv2_xlate;
	irq_set_spurious_selftest(gicv2_spurious_selftest);
	smp_cpu_init_register("gicv2", gicv2_cpu_init);
	ret = ipi_register_lines((unsigned int)base + GIC_IPI_SGI_FIRST);
	if (ret < 0) {
		kprintf("gicv2: IPI lines refused (%d): no IPIs\n", ret);
	}
	kprintf("gicv2: %u INTIDs, CPU interface mask 0x%x\n", gic.lines,
		gic.cpu_mask[arch_cpu_id()]);
	return 0;
}

static const char *const gicv2_ids[] = {"arm,cortex-a15-gic", "arm,gic-400",
					NULL};

struct driver gicv2_driver = {
    .name = "gicv2",
    .ids = gicv2_ids,
    .probe = gicv2_probe,
};
