/*
 * Arm Generic Interrupt Controller v3 (Arm IHI 0069, "GICv3 and GICv4
 * Architecture Specification"), non-secure EL1, affinity routing on.
 *
 * Distributor (GICD): SPIs, routed with GICD_IROUTER to one CPU each
 * (the boot CPU at first; set_affinity moves them). Redistributor (GICR):
 * one per CPU, its SGIs and PPIs; each CPU finds its own by matching
 * GICR_TYPER's affinity and wakes it from ProcessorSleep, the boot CPU in
 * probe, the others in gicv3_cpu_init() (an smp_cpu_init_register hook).
 * Per-CPU lines (SGI, PPI) are masked, unmasked and pended on the calling
 * CPU's redistributor. CPU interface: system registers (ICC_*), per CPU.
 * Acknowledge with ICC_IAR1_EL1, end with ICC_EOIR1_EL1 after a DSB;
 * INTIDs 1020-1023 are special and never EOI'd. IPIs are SGIs 8-10 sent
 * through ICC_SGI1R_EL1. Bases and the line of every device come from the
 * device tree.
 */
#include "asm/sysreg.h"
#include "drivers/irqchip/gic_common.h"
#include "kern/arch.h"
#include "kern/cpu.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/smp.h"

/* Distributor registers. */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000 /* 64 bits per INTID */

#define GICD_TYPER_RSS (1u << 26) /* SGIs to Aff0 16-255 (RS field) */

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
#define GICR_ICACTIVER0 (GICR_SGI_BASE + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR1	(GICR_SGI_BASE + 0x0c04)

#define GICR_CTLR_RWP		   (1u << 3)
#define GICR_TYPER_VLPIS	   (1ull << 1)
#define GICR_TYPER_LAST		   (1ull << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_FRAME_V3		   0x20000 /* RD + SGI */
#define GICR_FRAME_V4		   0x40000 /* RD + SGI + VLPI + reserved */
#define GICR_TYPER_AFF_SHIFT	   32	   /* Affinity_Value, bits 63:32 */

/* CPU interface system registers (by encoding: older assemblers). */
#define ICC_SRE_EL1	s3_0_c12_c12_5
#define ICC_PMR_EL1	s3_0_c4_c6_0
#define ICC_BPR1_EL1	s3_0_c12_c12_3
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ICC_IAR1_EL1	s3_0_c12_c12_0
#define ICC_EOIR1_EL1	s3_0_c12_c12_1
#define ICC_SGI1R_EL1	s3_0_c12_c11_5
#define ICC_CTLR_EL1	s3_0_c12_c12_4

#define ICC_SRE_EL1_SRE	     (1u << 0)	/* system register interface on */
#define ICC_CTLR_EOIMODE     (1u << 1)	/* 1: EOI drops priority only */
#define ICC_IGRPEN1_ENABLE   (1u << 0)	/* group 1 interrupts on */
#define ICC_CTLR_RSS	     (1u << 18) /* RS accepted in ICC_SGI1R_EL1 */
#define ICC_IAR1_INTID_MASK  0xffffffu	/* INTID, bits 23:0 */
#define ICC_SGI1R_TARGET_MAX 16 /* one TargetList covers 16 Aff0 values */
#define MPIDR_AFF_MASK	     0xff00ffffffull /* Aff3, Aff2-Aff0 */

#define DEFAULT_PRIORITY 0xa0
#define POLL_LIMIT	 1000000

struct gicv3 {
	struct io_regs dist;
	struct io_regs rd_region; /* every redistributor frame, in a row */
	uint64_t rd_size;
	/* Each CPU's RD_base frame (SGI_base follows), by logical number. */
	struct io_regs rdist[NR_CPUS];
	unsigned int lines;
	int irq_base;
	bool rss; /* the GIC and CPU interface take RS (Aff0 > 15) */
	unsigned long eois[NR_CPUS];
};

static struct gicv3 gic;

/* The calling CPU's redistributor: per-CPU lines act on it. */
static const struct io_regs *this_rdist(void)
{
	return &gic.rdist[arch_cpu_id()];
}

/* Bounded wait for a register bit to clear; panics with what it saw. */
static void wait_clear(const struct io_regs *regs, unsigned int reg,
		       uint32_t bit, const char *what)
{
	uint32_t v = 0;

	for (int i = 0; i < POLL_LIMIT; i++) {
		v = io_read32(regs, reg);
		if (!(v & bit)) {
			return;
		}
	}
	panic("gicv3: %s stuck (register 0x%x)", what, v);
}

static void dist_wait(void)
{
	wait_clear(&gic.dist, GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
}

static void rdist_wait(void)
{
	wait_clear(this_rdist(), GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP");
}

static bool is_private(uint32_t intid)
{
	return intid < GIC_SPI_BASE;
}

/* One bit per INTID in a register bank, in the right frame. */
static void write_bit(uint32_t intid, unsigned int dist_reg,
		      unsigned int rd_reg)
{
	if (is_private(intid)) {
		io_write32(this_rdist(), rd_reg, 1u << intid);
	} else {
		io_write32(&gic.dist, dist_reg + (intid / 32) * 4,
			   1u << (intid % 32));
	}
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
static void gicv3_end(uint32_t intid);

static void gicv3_eoi(struct irq_desc *desc)
{
	gicv3_end((uint32_t)desc->hwirq);
}

static int gicv3_set_type(struct irq_desc *desc, unsigned int type)
{
	uint32_t intid = desc->hwirq;
	const struct io_regs *regs =
	    is_private(intid) ? this_rdist() : &gic.dist;
	unsigned int reg = is_private(intid)
			       ? GICR_ICFGR1
			       : GICD_ICFGR + GICD_ICFGR_REG(intid);
	uint32_t v = intid < GIC_PPI_BASE ? 0 : io_read32(regs, reg);
	int ret = gic_icfgr_update(intid, type, &v);

	if (ret == 0 && intid >= GIC_PPI_BASE) {
		io_write32(regs, reg, v);
	}
	return ret;
}

static uint64_t this_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

/* GICR_TYPER's Affinity_Value (bits 63:32): Aff3.Aff2.Aff1.Aff0. */
static uint64_t typer_affinity(uint64_t mpidr)
{
	return GIC_MPIDR_AFF0(mpidr) | GIC_MPIDR_AFF1(mpidr) << 8 |
	       GIC_MPIDR_AFF2(mpidr) << 16 | GIC_MPIDR_AFF3(mpidr) << 24;
}

/*
 * An SGI to the PE mpidr. The DSB first: a system register write is not
 * ordered after earlier memory writes (only a DSB orders them, Arm ARM
 * B2.3), and the receiver must see what the IPI is about (a call queue,
 * need_resched); the ISB makes the write take effect now rather than at
 * the next context synchronization event.
 */
static int send_sgi(uint32_t intid, uint64_t mpidr)
{
	static bool said;

	if (GIC_MPIDR_AFF0(mpidr) >= ICC_SGI1R_TARGET_MAX && !gic.rss) {
		if (!said) {
			said = true;
			kprintf("gicv3: no SGI to MPIDR 0x%llx: Aff0 above "
				"15 needs range selection (GICD_TYPER.RSS)\n",
				(unsigned long long)mpidr);
		}
		return -EINVAL;
	}
	dsb_ish();
	write_sysreg(ICC_SGI1R_EL1, gic_v3_sgi1r(intid, mpidr));
	isb();
	return 0;
}

static int gicv3_send_ipi(struct irq_desc *desc, unsigned int cpu)
{
	const struct cpu_info *ci = cpu_get(cpu);

	if (!ci || desc->hwirq >= GIC_PPI_BASE) {
		return -EINVAL;
	}
	return send_sgi((uint32_t)desc->hwirq, ci->hwid);
}

static int gicv3_set_pending(struct irq_desc *desc)
{
	if (desc->hwirq < GIC_PPI_BASE) {
		return send_sgi((uint32_t)desc->hwirq, this_mpidr());
	}
	write_bit(desc->hwirq, GICD_ISPENDR, GICR_ISPENDR0);
	return 0;
}

static void write_irouter(uint32_t intid, uint64_t mpidr)
{
	uint64_t v = gic_v3_irouter(mpidr);
	unsigned int r = GICD_IROUTER + 8 * intid;

	/* Two 32-bit halves (GICD takes them: 12.1.3), Aff3 first: on
	 * machines with one Aff3 value the second write is the only change. */
	io_write32(&gic.dist, r + 4, (uint32_t)(v >> 32));
	io_write32(&gic.dist, r, (uint32_t)v);
}

/*
 * Route an SPI to the lowest online CPU of mask (GICD_IROUTER holds one
 * PE with Interrupt_Routing_Mode 0; mode 1, "any PE", is not used since
 * the core's counts and tests want to know where it goes).
 *
 * Nothing in flight is lost (IHI 0069, 4.1 "Interrupt lifecycle", and
 * the GICD_IROUTER<n> description): an SPI's pending state is kept by
 * the Distributor, not by the PE it was routed to; IROUTER only chooses
 * which Redistributor the Distributor forwards the highest-priority
 * pending interrupt to, and the Distributor re-evaluates that choice when
 * the register changes. So an SPI pending when it moves is delivered at
 * the new target. One already acknowledged on the old CPU is active
 * there: that CPU runs the handler and its own EOI (ICC_EOIR1_EL1 ends
 * the interrupt the PE itself acknowledged) deactivates it; an edge that
 * came meanwhile waits as active-and-pending and goes to the new target
 * after the deactivation, and a level line still asserted becomes pending
 * again and does the same.
 */
static int gicv3_set_affinity(struct irq_desc *desc, uint32_t mask)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct cpu_info *ci = cpu_get(cpu);

		if (!(mask & CPUMASK_CPU(cpu)) || !ci || !cpu_online(cpu)) {
			continue;
		}
		if (is_private((uint32_t)desc->hwirq)) {
			return -EINVAL;
		}
		write_irouter((uint32_t)desc->hwirq, ci->hwid);
		return 0;
	}
	return -EINVAL;
}

static struct irq_chip gicv3_chip = {
    .name = "GICv3",
    .mask = gicv3_mask,
    .unmask = gicv3_unmask,
    .eoi = gicv3_eoi,
    .set_type = gicv3_set_type,
    .set_pending = gicv3_set_pending,
    .set_affinity = gicv3_set_affinity,
    .send_ipi = gicv3_send_ipi,
};

/* ICC_EOIR1_EL1 ends an acknowledged INTID; a DSB first (gicv3_eoi). */
static void gicv3_end(uint32_t intid)
{
	dsb_sy();
	write_sysreg(ICC_EOIR1_EL1, intid);
	gic.eois[arch_cpu_id()]++;
}

/* The IRQ exception: acknowledge, then one exit per kind of INTID. */
static void gicv3_dispatch(unsigned int entry, void *data)
{
	uint32_t intid = read_sysreg(ICC_IAR1_EL1) & ICC_IAR1_INTID_MASK;

	(void)entry;
	(void)data;
	switch (gic_ack_kind(intid, gic.lines)) {
	case GIC_ACK_SPECIAL:
		irq_note_spurious(); /* nothing acknowledged: no EOI */
		return;
	case GIC_ACK_BAD:
		irq_note_error();
		gicv3_end(intid);
		return;
	case GIC_ACK_LINE:
		irq_handle((unsigned int)gic.irq_base + intid);
		return;
	}
}

/* Every priority masked, the acknowledge reads 1023: no EOI may follow. */
static int gicv3_spurious_selftest(void)
{
	uint64_t pmr = read_sysreg(ICC_PMR_EL1);
	unsigned long before = gic.eois[arch_cpu_id()];

	write_sysreg(ICC_PMR_EL1, 0);
	isb();
	gicv3_dispatch(0, &gic);
	write_sysreg(ICC_PMR_EL1, pmr);
	isb();
	return (int)(gic.eois[arch_cpu_id()] - before);
}

static int gicv3_xlate(struct device *ctrl, const struct resource *res,
		       unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	return gic_xlate(res, gic.irq_base, gic.lines, irq, trigger);
}

/* What a refused GIC leaves the machine with. */
#define NO_GIC "not used; no interrupt controller: polling, no tick"

/* Step over redistributor frames to the one whose affinity is mpidr's
 * (GICR_TYPER.Affinity_Value, bits 63:32), into *out. */
static int find_rdist(const struct io_regs *region, uint64_t size,
		      uint64_t mpidr, struct io_regs *out)
{
	uint64_t aff = typer_affinity(mpidr);

	for (uint64_t off = 0; off + GICR_FRAME_V3 <= size;) {
		uintptr_t at = region->base + (uintptr_t)off + GICR_TYPER;
		uint32_t lo, hi;
		uint64_t typer;

		/* The address is the firmware's word: a frame that is not
		 * there aborts, which the exception table turns into a no. */
		if (arch_probe_read32(at, &lo) < 0 ||
		    arch_probe_read32(at + 4, &hi) < 0) {
			kprintf("gicv3: no redistributor frame answers at %p: "
				"the device tree's address is wrong\n",
				(void *)at);
			return -EFAULT;
		}
		typer = (uint64_t)hi << 32 | lo;

		if ((typer >> GICR_TYPER_AFF_SHIFT) == aff) {
			*out = *region;
			out->base += (uintptr_t)off;
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
	io_write32(&gic.dist, GICD_CTLR, 0);
	dist_wait();
	/* 2. Every SPI: group 1, masked, not pending, default priority. */
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i += 32) {
		io_write32(&gic.dist, GICD_IGROUPR + i / 8, ~0u);
		io_write32(&gic.dist, GICD_ICENABLER + i / 8, ~0u);
		io_write32(&gic.dist, GICD_ICPENDR + i / 8, ~0u);
		io_write32(&gic.dist, GICD_ICACTIVER + i / 8, ~0u);
	}
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i++) {
		io_write8(&gic.dist, GICD_IPRIORITYR + i, DEFAULT_PRIORITY);
	}
	dist_wait();
	/* 3. Affinity routing on, group 1 on; then route SPIs to us. */
	io_write32(&gic.dist, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	dist_wait();
	for (uint32_t i = GIC_SPI_BASE; i < gic.lines; i++) {
		write_irouter(i, this_mpidr());
	}
}

/* The calling CPU's redistributor (found already): awake, its SGIs and
 * PPIs group 1, masked, idle, at the default priority. */
static void rdist_init(void)
{
	const struct io_regs *rd = this_rdist();

	/* Wake it: with ProcessorSleep set every interrupt is dropped. */
	io_write32(rd, GICR_WAKER,
		   io_read32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	wait_clear(rd, GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP,
		   "GICR_WAKER.ChildrenAsleep");
	io_write32(rd, GICR_IGROUPR0, ~0u);
	io_write32(rd, GICR_ICENABLER0, ~0u);
	io_write32(rd, GICR_ICPENDR0, ~0u);
	io_write32(rd, GICR_ICACTIVER0, ~0u);
	rdist_wait();
	for (uint32_t i = 0; i < GIC_SPI_BASE; i++) {
		io_write8(rd, GICR_IPRIORITYR + i, DEFAULT_PRIORITY);
	}
}

static void cpu_interface_init(void)
{
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | ICC_SRE_EL1_SRE);
	isb();
	write_sysreg(ICC_PMR_EL1, GIC_PMR_ALL); /* every priority through */
	write_sysreg(ICC_BPR1_EL1, 0);
	/* EOImode 0: the EOI both drops priority and deactivates, whatever
	 * firmware left there. */
	write_sysreg(ICC_CTLR_EL1,
		     read_sysreg(ICC_CTLR_EL1) & ~ICC_CTLR_EOIMODE);
	write_sysreg(ICC_IGRPEN1_EL1, ICC_IGRPEN1_ENABLE);
	isb();
}

/*
 * A CPU that comes up (smp_cpu_init_register hook, interrupts off): its
 * own redistributor, found by its MPIDR and woken, its CPU interface,
 * then the per-CPU lines the irq core has unmasked (the IPIs, the timer
 * PPI). A CPU without a redistributor could take no interrupt, IPIs
 * included: it stops here, and the boot CPU reports it did not come up.
 */
static void gicv3_cpu_init(void)
{
	unsigned int cpu = arch_cpu_id();
	uint64_t mpidr = this_mpidr();

	if (find_rdist(&gic.rd_region, gic.rd_size, mpidr, &gic.rdist[cpu]) <
	    0) {
		kprintf("gicv3: CPU %u (MPIDR 0x%llx) has no redistributor in "
			"the %llu bytes the device tree gives: CPU halted\n",
			cpu, (unsigned long long)mpidr,
			(unsigned long long)gic.rd_size);
		arch_halt();
	}
	rdist_init();
	cpu_interface_init();
	gic_restore_private(gic.irq_base);
}

/* The distributor and this CPU's redistributor, from the device's reg
 * entries; the line count the distributor reports, capped. */
static int gicv3_find(struct device *dev)
{
	const struct resource *rd = device_resource(dev, RES_MEM, 1);
	struct io_regs rd_region;
	uint32_t typer;
	int ret;

	if (device_regs(dev, 0, 0, &gic.dist) < 0 || !rd ||
	    device_regs(dev, 1, 0, &rd_region) < 0) {
		kprintf("gicv3: %s: reg names no distributor and "
			"redistributor: %s\n",
			dev->name, NO_GIC);
		return -ENODEV;
	}
	if (arch_probe_read32(gic.dist.base + GICD_TYPER, &typer) < 0) {
		kprintf("gicv3: no distributor answers at %p: %s\n",
			(void *)gic.dist.base, NO_GIC);
		return -EFAULT;
	}
	gic.rd_region = rd_region;
	gic.rd_size = rd->size;
	ret = find_rdist(&rd_region, rd->size, this_mpidr(),
			 &gic.rdist[arch_cpu_id()]);
	if (ret < 0) {
		if (ret == -ENODEV) {
			kprintf("gicv3: no redistributor for this CPU\n");
		}
		kprintf("gicv3: %s\n", NO_GIC);
		return ret;
	}
	gic.lines = GICD_TYPER_LINES(typer);
	if (gic.lines > GIC_SPECIAL_FIRST) {
		gic.lines = GIC_SPECIAL_FIRST;
	}
	/* Lines we could not number would never be handled: take fewer. */
	if (gic.lines > NR_IRQS / 2) {
		gic.lines = NR_IRQS / 2;
	}
	gic.rss = (typer & GICD_TYPER_RSS) &&
		  (read_sysreg(ICC_CTLR_EL1) & ICC_CTLR_RSS);
	return 0;
}

static int gicv3_probe(struct device *dev)
{
	int base, ret = gicv3_find(dev);

	if (ret < 0) {
		return ret;
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
	/* SGIs and PPIs are banked per CPU (GICv3 2.2.1). */
	irq_mark_per_cpu((unsigned int)base, GIC_SPI_BASE);
	/* Last: from here on the CPU's interrupts come to us. */
	ret = arch_irq_entry_claim(1, 1, IRQ_ENTRY_HIGH, gicv3_dispatch, &gic);
	if (ret < 0) {
		kprintf("gicv3: the CPU's interrupt entry is taken (%d)\n",
			ret);
		return ret;
	}
	dev->irq_xlate = gicv3_xlate;
	irq_set_spurious_selftest(gicv3_spurious_selftest);
	smp_cpu_init_register("gicv3", gicv3_cpu_init);
	ret = ipi_register_lines((unsigned int)base + GIC_IPI_SGI_FIRST);
	if (ret < 0) {
		kprintf("gicv3: IPI lines refused (%d): no IPIs\n", ret);
	}
	kprintf("gicv3: %u INTIDs, redistributor at %p\n", gic.lines,
		(void *)this_rdist()->base);
	return 0;
}

static const char *const gicv3_ids[] = {"arm,gic-v3", NULL};

struct driver gicv3_driver = {
    .name = "gicv3",
    .ids = gicv3_ids,
    .probe = gicv3_probe,
};
