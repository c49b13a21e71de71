/*
 * The GICv2 driver (kernel/drivers/irqchip/gicv2.c) and the code both GICs
 * share (gic_common.c) against a model of the distributor and CPU
 * interface registers (Arm IHI 0048B, 4.1):
 *
 *   - INTIDs 1020-1023 read from GICC_IAR were never acknowledged: no
 *     write to GICC_EOIR may follow (the rule GICv3 shares);
 *   - a line's interrupt is ended once, with GICC_IAR's value, after a DSB;
 *   - an INTID beyond the lines we number was acknowledged: it is EOI'd
 *     and counted as an error;
 *   - set_type writes the edge bit of GICD_ICFGR; xlate decodes the raw
 *     device-tree cells.
 *
 * The driver's source is included with its register accessors renamed to
 * this file's model (see test_i8259.c for why).
 */
#define io_read8    gic_model_read8
#define io_read16   gic_model_read16
#define io_read32   gic_model_read32
#define io_write8   gic_model_write8
#define io_write16  gic_model_write16
#define io_write32  gic_model_write32
#define device_regs gic_model_device_regs
#include "drivers/irqchip/gicv2.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_arch.h"
#include "unit.h"

#define DIST_BASE 0x08000000u
#define CPU_BASE  0x08010000u
#define DIST_SIZE 0x10000u
#define CPU_SIZE  0x10000u

unsigned long fake_dsb_count;

/* The SMP side the driver calls (kern/smp.c, kern/ipi.c, gic_smp.c) is
 * not in the host build: one CPU online, hooks and IPI lines accepted and
 * counted, and a CPU the driver would halt fails the test instead. */
static unsigned int fake_init_hooks, fake_ipi_first;

cpumask_t cpu_online_mask(void)
{
	return CPUMASK_CPU(0);
}

void smp_cpu_init_register(const char *name, void (*init)(void))
{
	(void)name;
	(void)init;
	fake_init_hooks++;
}

int ipi_register_lines(unsigned int first_irq)
{
	fake_ipi_first = first_irq;
	return 0;
}

unsigned int gic_restore_private(int irq_base)
{
	(void)irq_base;
	return 0;
}

void arch_halt(void)
{
	fprintf(stderr, "test_gic: the driver halted the CPU\n");
	abort();
}

/* The registers as the model keeps them. */
static struct {
	uint32_t typer;
	uint32_t icfgr[64];
	uint32_t ispendr[32];
	uint32_t pmr;
	uint32_t iar;	    /* what the next GICC_IAR read returns */
	unsigned int eois;  /* writes to GICC_EOIR */
	uint32_t last_eoi;  /* the last value written there */
	bool eoi_after_dsb; /* a DSB came between the IAR read and it */
	unsigned long dsb_at_iar;
	uint8_t bytes[0x1000]; /* IPRIORITYR, ITARGETSR (byte registers) */
} m;

static bool is_dist(const struct io_regs *r)
{
	return r->space == IO_SPACE_MMIO && r->base == DIST_BASE;
}

static bool is_cpu(const struct io_regs *r)
{
	return r->space == IO_SPACE_MMIO && r->base == CPU_BASE;
}

uint8_t gic_model_read8(const struct io_regs *r, unsigned int reg)
{
	if (is_dist(r) && reg >= GICD_IPRIORITYR && reg < 0xc00) {
		/* ITARGETSR0-7 read back this interface's own bit. */
		if (reg >= GICD_ITARGETSR && reg < GICD_ITARGETSR + 32) {
			return 0x01;
		}
		return m.bytes[reg - GICD_IPRIORITYR];
	}
	unit_fail(__FILE__, __LINE__, "gic: 8-bit read of 0x%x", reg);
	return 0;
}

void gic_model_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	if (is_dist(r) && reg >= GICD_IPRIORITYR && reg < 0xc00) {
		m.bytes[reg - GICD_IPRIORITYR] = v;
		return;
	}
	unit_fail(__FILE__, __LINE__, "gic: 8-bit write of 0x%x", reg);
}

uint32_t gic_model_read32(const struct io_regs *r, unsigned int reg)
{
	if (is_dist(r) && reg == GICD_TYPER) {
		return m.typer;
	}
	if (is_dist(r) && reg >= GICD_ICFGR && reg < GICD_ICFGR + 0x100) {
		return m.icfgr[(reg - GICD_ICFGR) / 4];
	}
	if (is_cpu(r) && reg == GICC_IAR) {
		uint32_t v = m.pmr == 0 ? GIC_SPURIOUS : m.iar;

		m.iar = GIC_SPURIOUS; /* acknowledged: nothing left */
		m.dsb_at_iar = fake_dsb_count;
		return v;
	}
	if (is_cpu(r) && reg == GICC_PMR) {
		return m.pmr;
	}
	unit_fail(__FILE__, __LINE__, "gic: 32-bit read of 0x%x", reg);
	return 0;
}

void gic_model_write32(const struct io_regs *r, unsigned int reg, uint32_t v)
{
	if (is_cpu(r) && reg == GICC_EOIR) {
		m.eois++;
		m.last_eoi = v;
		m.eoi_after_dsb = fake_dsb_count > m.dsb_at_iar;
	} else if (is_cpu(r) && reg == GICC_PMR) {
		m.pmr = v;
	} else if (is_dist(r) && reg >= GICD_ICFGR &&
		   reg < GICD_ICFGR + 0x100) {
		m.icfgr[(reg - GICD_ICFGR) / 4] = v;
	} else if (is_dist(r) && reg >= GICD_ISPENDR &&
		   reg < GICD_ISPENDR + 0x80) {
		m.ispendr[(reg - GICD_ISPENDR) / 4] |= v;
	} else if (!is_dist(r) && !is_cpu(r)) {
		unit_fail(__FILE__, __LINE__, "gic: write to 0x%lx",
			  (unsigned long)r->base);
	}
	/* Enables, clears, CTLR, BPR, SGIR: accepted, not modelled. */
}

uint16_t gic_model_read16(const struct io_regs *r, unsigned int reg)
{
	(void)r;
	unit_fail(__FILE__, __LINE__, "gic: 16-bit read of 0x%x", reg);
	return 0;
}

void gic_model_write16(const struct io_regs *r, unsigned int reg, uint16_t v)
{
	(void)r;
	(void)v;
	unit_fail(__FILE__, __LINE__, "gic: 16-bit write of 0x%x", reg);
}

int gic_model_device_regs(const struct device *dev, unsigned int index,
			  unsigned int shift, struct io_regs *out)
{
	for (unsigned int i = 0; i < dev->nres; i++) {
		if (dev->res[i].type == RES_MEM && index-- == 0) {
			*out = (struct io_regs){
			    IO_SPACE_MMIO, (uintptr_t)dev->res[i].start, shift};
			return 0;
		}
	}
	return -ENOENT;
}

static struct device gic_dev = {
    .name = "intc",
    .ids = {"arm,cortex-a15-gic"},
    .res = {{.type = RES_MEM, .start = DIST_BASE, .size = DIST_SIZE},
	    {.type = RES_MEM, .start = CPU_BASE, .size = CPU_SIZE}},
    .nres = 2,
};

static unsigned int calls;

static enum irq_return count_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	calls++;
	return IRQ_HANDLED;
}

/* 96 INTIDs (ITLinesNumber 2), probed on a fresh core. */
static int gic_setup(void)
{
	fake_arch_reset();
	irq_core_init();
	memset(&m, 0, sizeof(m));
	m.typer = 2;
	m.iar = GIC_SPURIOUS;
	calls = 0;
	gic_dev.irq_xlate = NULL;
	return gicv2_probe(&gic_dev);
}

/* The entry the driver claimed: the fake port's highest, as it asks. */
#define GIC_ENTRY 255

/* The GIC signals an interrupt whose acknowledge reads iar. */
static void raise_iar(uint32_t iar)
{
	m.iar = iar;
	CHECK(fake_entry_raise(GIC_ENTRY));
}

TEST(gic_probe_sizes_and_claims_the_entry)
{
	REQUIRE_EQ_INT(gic_setup(), 0);
	CHECK_EQ_INT(gic.lines, 96);
	CHECK_EQ_INT(m.pmr, GIC_PMR_ALL);
	CHECK(gic_dev.irq_xlate == gicv2_xlate);
	/* The root hook's entry is the GIC's now. */
	CHECK_EQ_INT(
	    arch_irq_entry_claim(1, 1, IRQ_ENTRY_HIGH, gicv2_dispatch, NULL),
	    GIC_ENTRY - 1);
}

TEST(gic_special_intids_are_never_eoied)
{
	REQUIRE_EQ_INT(gic_setup(), 0);
	for (uint32_t intid = GIC_SPECIAL_FIRST; intid <= GIC_SPECIAL_LAST;
	     intid++) {
		raise_iar(intid);
	}
	CHECK_EQ_INT(m.eois, 0);
	CHECK_EQ_INT(irq_spurious_count(), 4);
	CHECK_EQ_INT(irq_error_count(), 0);
	/* The rule itself, as both GICs use it. */
	CHECK_EQ_INT(gic_ack_kind(1019, 1020), GIC_ACK_LINE);
	CHECK_EQ_INT(gic_ack_kind(1020, 1020), GIC_ACK_SPECIAL);
	CHECK_EQ_INT(gic_ack_kind(1023, 96), GIC_ACK_SPECIAL);
	CHECK_EQ_INT(gic_ack_kind(1024, 8192), GIC_ACK_LINE); /* an LPI */
	CHECK_EQ_INT(gic_ack_kind(96, 96), GIC_ACK_BAD);
}

TEST(gic_line_is_eoied_once_after_a_dsb)
{
	static int cookie;

	REQUIRE_EQ_INT(gic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)gic.irq_base + 33,
				   count_handler, IRQF_TRIGGER_HIGH, "uart",
				   &cookie),
		       0);
	raise_iar(33);
	CHECK_EQ_INT(calls, 1);
	CHECK_EQ_INT(m.eois, 1);
	CHECK_EQ_INT(m.last_eoi, 33);
	CHECK(m.eoi_after_dsb);
	CHECK_EQ_INT(irq_spurious_count(), 0);
}

TEST(gic_sgi_eoi_names_its_source_cpu)
{
	static int cookie;

	REQUIRE_EQ_INT(gic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)gic.irq_base + 3,
				   count_handler, IRQF_TRIGGER_RISING, "sgi",
				   &cookie),
		       0);
	raise_iar(1u << 10 | 3); /* SGI 3 from CPU 1 */
	CHECK_EQ_INT(calls, 1);
	CHECK_EQ_INT(m.eois, 1);
	CHECK_EQ_INT(m.last_eoi, 1u << 10 | 3);
}

TEST(gic_unnumbered_intid_is_eoied_as_an_error)
{
	REQUIRE_EQ_INT(gic_setup(), 0);
	raise_iar(200); /* beyond our 96 lines, but acknowledged */
	CHECK_EQ_INT(m.eois, 1);
	CHECK_EQ_INT(m.last_eoi, 200);
	CHECK_EQ_INT(irq_error_count(), 1);
	CHECK_EQ_INT(irq_spurious_count(), 0);
}

TEST(gic_spurious_selftest_sees_no_eoi)
{
	REQUIRE_EQ_INT(gic_setup(), 0);
	CHECK_EQ_INT(irq_spurious_selftest(), 0);
	CHECK_EQ_INT(irq_spurious_count(), 1);
	CHECK_EQ_INT(m.pmr, GIC_PMR_ALL); /* put back */
}

TEST(gic_set_type_writes_the_edge_bit)
{
	static int cookie;

	REQUIRE_EQ_INT(gic_setup(), 0);
	/* INTID 40: GICD_ICFGR2, Int_config bit (40 % 16) * 2 + 1 = 17. */
	REQUIRE_EQ_INT(irq_request((unsigned int)gic.irq_base + 40,
				   count_handler, IRQF_TRIGGER_RISING, "edge",
				   &cookie),
		       0);
	CHECK_EQ_INT(m.icfgr[2], 1u << 17);
	REQUIRE_EQ_INT(irq_free((unsigned int)gic.irq_base + 40, &cookie), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)gic.irq_base + 40,
				   count_handler, IRQF_TRIGGER_HIGH, "level",
				   &cookie),
		       0);
	CHECK_EQ_INT(m.icfgr[2], 0);
	/* Active-low and falling do not exist on a GIC. */
	CHECK_EQ_INT(irq_request((unsigned int)gic.irq_base + 41, count_handler,
				 IRQF_TRIGGER_LOW, "low", &cookie),
		     -EINVAL);
	/* A pended SPI goes to GICD_ISPENDR1, bit 40 % 32. */
	CHECK_EQ_INT(irq_set_pending((unsigned int)gic.irq_base + 40), 0);
	CHECK_EQ_INT(m.ispendr[1], 1u << 8);
}

TEST(gic_xlate_decodes_the_raw_cells)
{
	struct resource spi1 = {
	    .type = RES_IRQ, .ncells = 3, .cells = {0, 1, 4}};
	struct resource ppi14 = {
	    .type = RES_IRQ, .ncells = 3, .cells = {1, 14, 0xf08}};
	struct resource big = {
	    .type = RES_IRQ, .ncells = 3, .cells = {0, 64, 4}};
	struct resource decoded = {.type = RES_IRQ, .start = 33, .size = 1};
	unsigned int irq = 0, trigger = 0;

	REQUIRE_EQ_INT(gic_setup(), 0);
	CHECK_EQ_INT(gic_dev.irq_xlate(&gic_dev, &spi1, &irq, &trigger), 0);
	CHECK_EQ_INT(irq, gic.irq_base + 33);
	CHECK_EQ_INT(trigger, IRQF_TRIGGER_HIGH);
	/* GICv2's PPI CPU mask (bits 15:8) is ignored. */
	CHECK_EQ_INT(gic_dev.irq_xlate(&gic_dev, &ppi14, &irq, &trigger), 0);
	CHECK_EQ_INT(irq, gic.irq_base + 30);
	CHECK_EQ_INT(trigger, IRQF_TRIGGER_LOW);
	/* SPI 64 is INTID 96: past this GIC's lines. */
	CHECK_EQ_INT(gic_dev.irq_xlate(&gic_dev, &big, &irq, &trigger),
		     -EINVAL);
	/* An already-decoded line is not a GIC specifier. */
	CHECK_EQ_INT(gic_dev.irq_xlate(&gic_dev, &decoded, &irq, &trigger),
		     -EINVAL);
}

/* ---- SMP register values (gic_common.c), worked out from the specs ---- */

/* ICC_SGI1R_EL1 (IHI 0069): TargetList 15:0, Aff1 23:16, INTID 27:24,
 * Aff2 39:32, RS 47:44, Aff3 55:48. MPIDR Aff3.Aff2.Aff1.Aff0 = 1.2.3.5. */
TEST(gic_v3_sgi1r_targets_one_pe)
{
	CHECK(gic_v3_sgi1r(9, 0x0000000100020305ull) == 0x0001000209030020ull);
	/* Aff0 17: bit 1 of the list in range 1 (RS). */
	CHECK(gic_v3_sgi1r(8, 0x11) == 0x0000100008000002ull);
	/* Only INTID 3:0 exists: an SGI number is below 16. */
	CHECK(gic_v3_sgi1r(0x1a, 0) == 0x000000000a000001ull);
}

/* GICD_IROUTER: Aff3 39:32, Aff2-Aff0 23:0, Interrupt_Routing_Mode (31)
 * 0; MPIDR's RES1 bit 31, U (30) and MT (24) do not belong there. */
TEST(gic_v3_irouter_is_the_affinity_alone)
{
	CHECK(gic_v3_irouter(0x0000000181020304ull) == 0x0000000100020304ull);
	CHECK(gic_v3_irouter(0x80000000ull) == 0);
}

/* GICD_ITARGETSR byte: the OR of the CPU interfaces of the mask's CPUs;
 * an interface not recorded (0) and CPUs past n add nothing. */
TEST(gic_v2_targets_or_the_cpu_interfaces)
{
	const uint8_t iface[4] = {0x01, 0x02, 0x04, 0x08};
	const uint8_t partly[2] = {0x01, 0x00};

	CHECK_EQ_INT(gic_v2_targets(0x5, iface, 4), 0x05);
	CHECK_EQ_INT(gic_v2_targets(0xf, iface, 4), 0x0f);
	CHECK_EQ_INT(gic_v2_targets(0x3, partly, 2), 0x01);
	CHECK_EQ_INT(gic_v2_targets(0x10, iface, 4), 0);
	CHECK_EQ_INT(gic_v2_targets(0, iface, 4), 0);
}

/* GICD_SGIR (IHI 0048B 4.3.15): TargetListFilter 25:24 = 0 (the list),
 * CPUTargetList 23:16, SGIINTID 3:0. */
TEST(gic_v2_sgir_uses_the_target_list)
{
	CHECK_EQ_INT(gic_v2_sgir(9, 0x06), 0x00060009);
	CHECK_EQ_INT(gic_v2_sgir(0x11, 0x80), 0x00800001);
}
