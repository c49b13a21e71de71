/*
 * The local APIC (Intel SDM Vol. 3A, chapter 11), in xAPIC (MMIO) or,
 * when CPUID offers it, x2APIC (MSR) mode. Enabled through the spurious
 * vector register; its spurious vector is counted, never EOI'd. EOI is a
 * write of 0 (one wrmsr in x2APIC mode).
 *
 * It claims the top priority class of vectors (0xf0-0xff, SDM 11.8.3)
 * at the CPU's interrupt entry: the timer, three self-IPI lines that
 * software can raise (the ICR with the "self" shorthand, SDM 11.6.1),
 * the error interrupt and the spurious vector. It is also the fallback
 * for vectors nobody claimed: one with its In-Service bit set is EOI'd,
 * or its priority class would stay blocked.
 *
 * The local timer replaces the PIT as the clock event device, one-shot
 * (tickless): TSC-deadline mode, or one-shot mode with its rate
 * calibrated against the TSC; the platform hands it the TSC's rate
 * (struct apic_timer_data), which it measured against the PIT before any
 * driver probed.
 *
 * Many CPUs: every CPU has its own local APIC at the same address (or
 * the same MSRs), so each register access here is the calling CPU's. The
 * boot CPU's probe registers per-CPU init hooks (kern/smp.h) that give a
 * started CPU the same setup: enabled, same mode, same vectors, the
 * per-CPU lines unmasked that are unmasked on the boot CPU, its timer in
 * the same mode at the rate measured on the boot CPU (one bus clock).
 * Inter-processor interrupts are NR_IPI fixed vectors of the same class,
 * per-CPU lines whose chip sends them through the ICR to the target's
 * APIC ID (physical destination); the ICR also sends INIT-SIPI-SIPI
 * (lapic_start_cpu).
 */
#include "asm/msr.h"
#include "drivers/irqchip/apic.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "kern/timer.h"
#include "kern/boot.h"
#include "kern/arch.h"
#include "kern/vm.h"
#include "kern/cpu.h"
#include "kern/irqflags.h"
#include "kern/smp.h"

/* Register offsets (xAPIC); x2APIC MSR = 0x800 + offset / 16. */
#define LAPIC_ID	 0x020
#define LAPIC_VERSION	 0x030
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ISR	 0x100 /* 8 registers, 0x10 apart, 32 vectors each */
#define LAPIC_ESR	 0x280
#define LAPIC_ICR_LOW	 0x300 /* x2APIC: the whole 64-bit ICR */
#define LAPIC_ICR_HIGH	 0x310 /* xAPIC: destination in bits 31:24 */
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0
#define LAPIC_WINDOW	 0x1000 /* the xAPIC register page (SDM 11.4.1) */

#define LAPIC_ID_XAPIC_SHIFT 24	   /* xAPIC: APIC ID in bits 31:24 */
#define LAPIC_VERSION_MASK   0xffu /* Version, bits 7:0 */
#define LAPIC_ISR_REG(v)     (LAPIC_ISR + ((v) / 32) * 0x10)
#define LAPIC_ISR_BIT(v)     (1u << ((v) % 32))

/* ICR fields (SDM 11.6.1, Figure 11-12; the rest in apic.h). */
#define ICR_SHORTHAND_SELF (1u << 18)

#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_LEVEL		(1u << 15)
#define LVT_ACTIVE_LOW		(1u << 13)
#define LVT_NMI			(4u << 8)
#define LVT_TIMER_TSC_DEADLINE	(2u << 17)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define TIMER_DIV_16		0x3

#define CPUID1_ECX_X2APIC     (1u << 21)
#define CPUID1_EDX_APIC	      (1u << 9)
#define LVT_EXTINT	      (7u << 8)
#define VIRTUAL_WIRE_SPURIOUS 0xff /* low four bits 1111 (SDM 11.9) */

#define CALIBRATE_MS   10
#define ICR_POLL_LIMIT 100000

/* Our vectors: offsets in the claimed class. The spurious vector's low
 * four bits must be 1111 on P6-family APICs (SDM 11.9). */
enum lapic_slot {
	SLOT_TIMER = 0x0,
	SLOT_SELF0 = 0x1, /* to SLOT_SELF0 + NR_SELF - 1 */
	SLOT_IPI0 = 0x4,  /* to SLOT_IPI0 + NR_IPI - 1: kern/smp.h's IPIs */
	SLOT_ERROR = 0xe,
	SLOT_UNUSED = 0x8, /* for the unclaimed-vector self-test */
	SLOT_SPURIOUS = 0xf,
	NR_SLOTS = 0x10,
};

/* Our lines (hwirq): the platform's RES_IRQ 0 is the timer. The self-IPI
 * lines are a chip of their own, hwirq 0 to NR_SELF - 1. */
enum lapic_hwirq { LAPIC_TIMER, LAPIC_ERROR, LAPIC_LINES };
#define NR_SELF 3
_Static_assert(SLOT_SELF0 + NR_SELF <= SLOT_IPI0, "self lines before IPIs");
_Static_assert(SLOT_IPI0 + NR_IPI <= SLOT_UNUSED, "IPIs fit in the class");

static struct io_regs mmio;
static bool have_mmio, x2apic;
static int irq_base = -1, self_irq_base = -1, ipi_irq_base = -1;
static unsigned long icr_timeouts; /* ICR still busy: an IPI not sent */
static unsigned int vector_base;
static unsigned int self_masked, self_latched; /* bit n: self line n */
#define SELF_ALL       ((1u << NR_SELF) - 1)
#define ISR_POLL_LIMIT 1000000

#define APIC_TIMER_VECTOR    (vector_base + SLOT_TIMER)
#define APIC_ERROR_VECTOR    (vector_base + SLOT_ERROR)
#define APIC_SPURIOUS_VECTOR (vector_base + SLOT_SPURIOUS)

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16)
		      : io_read32(&mmio, reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + reg / 16, v);
	} else {
		io_write32(&mmio, reg, v);
	}
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	if (!have_mmio && !x2apic) {
		return 0;
	}
	return x2apic ? lapic_read(LAPIC_ID)
		      : lapic_read(LAPIC_ID) >> LAPIC_ID_XAPIC_SHIFT;
}

/*
 * xAPIC: wait, bounded, until the ICR's delivery status says the last
 * IPI left (SDM 11.6.1: a write while it is pending may be lost). The
 * x2APIC ICR has no such bit: a write is accepted at once (SDM 11.12.9).
 */
static int icr_wait_idle(void)
{
	for (int i = 0; i < ICR_POLL_LIMIT; i++) {
		if (!(lapic_read(LAPIC_ICR_LOW) & APIC_ICR_PENDING)) {
			return 0;
		}
		arch_cpu_relax();
	}
	return -ETIMEDOUT;
}

static int icr_busy(uint32_t dest, uint32_t low)
{
	unsigned long n =
	    __atomic_add_fetch(&icr_timeouts, 1, __ATOMIC_RELAXED);

	irq_note_error();
	if ((n & (n - 1)) == 0) {
		kprintf("lapic: ICR still busy: IPI 0x%x to APIC ID %u not "
			"sent (#%lu)\n",
			low, dest, n);
	}
	return -ETIMEDOUT;
}

/*
 * One ICR write to a physical destination (or with low's shorthand).
 * x2APIC: one 64-bit WRMSR, which is not serializing (SDM 11.12.3):
 * the MFENCE before it makes this CPU's earlier stores (the request an
 * IPI announces) visible before the IPI can arrive. xAPIC: two MMIO
 * writes, high (destination) then low (which sends), with interrupts off
 * between them: a handler here sending its own IPI would change the
 * destination under us. MMIO writes to the uncached APIC page are
 * ordered after earlier stores already.
 */
static int icr_send(uint32_t dest, uint32_t low)
{
	unsigned long flags;
	int ret;

	if (x2apic) {
		__asm__ volatile("mfence" ::: "memory");
		wrmsr(MSR_X2APIC_BASE + LAPIC_ICR_LOW / 16,
		      apic_icr_x2apic(dest, low));
		return 0;
	}
	flags = arch_irq_save();
	ret = icr_wait_idle();
	if (ret == 0) {
		lapic_write(LAPIC_ICR_HIGH, apic_icr_xapic_high(dest));
		lapic_write(LAPIC_ICR_LOW, low);
	}
	arch_irq_restore(flags);
	return ret == 0 ? 0 : icr_busy(dest, low);
}

/* A fixed interrupt to ourselves (SDM 11.6.1), the "self" shorthand. */
static int send_self_ipi(unsigned int vector)
{
	return icr_send(0, ICR_SHORTHAND_SELF | apic_icr_fixed(vector));
}

static unsigned int self_bit(unsigned long hwirq)
{
	return 1u << hwirq;
}

static unsigned int self_vector(unsigned long hwirq)
{
	return vector_base + SLOT_SELF0 + (unsigned int)hwirq;
}

/* The timer and error lines: their LVT's mask bit. */
static const uint32_t lvt_of[] = {
    [LAPIC_TIMER] = LAPIC_LVT_TIMER, [LAPIC_ERROR] = LAPIC_LVT_ERROR};

static void lapic_mask(struct irq_desc *desc)
{
	lapic_write(lvt_of[desc->hwirq],
		    lapic_read(lvt_of[desc->hwirq]) | LVT_MASKED);
}

static void lapic_unmask(struct irq_desc *desc)
{
	lapic_write(lvt_of[desc->hwirq],
		    lapic_read(lvt_of[desc->hwirq]) & ~LVT_MASKED);
}

static void lapic_chip_eoi(struct irq_desc *desc)
{
	(void)desc;
	lapic_eoi();
}

static struct irq_chip lapic_chip = {
    .name = "LAPIC",
    .mask = lapic_mask,
    .unmask = lapic_unmask,
    .eoi = lapic_chip_eoi,
};

/* The self-IPI lines: a mask kept here, with an interrupt raised or
 * arriving meanwhile latched for the unmask, as a mask bit would. */
static void self_mask(struct irq_desc *desc)
{
	self_masked |= self_bit(desc->hwirq);
}

static void self_unmask(struct irq_desc *desc)
{
	self_masked &= ~self_bit(desc->hwirq);
	if (self_latched & self_bit(desc->hwirq)) {
		self_latched &= ~self_bit(desc->hwirq);
		send_self_ipi(self_vector(desc->hwirq));
	}
}

/* An IPI is an edge. */
static int self_set_type(struct irq_desc *desc, unsigned int type)
{
	(void)desc;
	return type == IRQF_TRIGGER_RISING ? 0 : -EINVAL;
}

static int self_set_pending(struct irq_desc *desc)
{
	if (self_masked & self_bit(desc->hwirq)) {
		self_latched |= self_bit(desc->hwirq);
		return 0;
	}
	return send_self_ipi(self_vector(desc->hwirq));
}

static struct irq_chip lapic_self_chip = {
    .name = "LAPIC-self",
    .mask = self_mask,
    .unmask = self_unmask,
    .eoi = lapic_chip_eoi,
    .set_type = self_set_type,
    .set_pending = self_set_pending,
};

/*
 * The IPI lines (kern/smp.h), hwirq = enum ipi_kind: one fixed vector
 * each, sent to the target CPU's APIC ID. No mask bit exists for a fixed
 * IPI (only IF and the TPR hold it): the core's disable depth does the
 * masking (the fast-EOI flow then remembers the edge as pending).
 */
static unsigned int ipi_vector(unsigned long kind)
{
	return vector_base + SLOT_IPI0 + (unsigned int)kind;
}

static int lapic_send_ipi(struct irq_desc *desc, unsigned int cpu)
{
	const struct cpu_info *ci = cpu_get(cpu);

	if (!ci || (!x2apic && !apic_xapic_dest_ok(ci->hwid))) {
		return -EINVAL;
	}
	return icr_send((uint32_t)ci->hwid,
			apic_icr_fixed(ipi_vector(desc->hwirq)));
}

static struct irq_chip lapic_ipi_chip = {
    .name = "LAPIC-IPI",
    .eoi = lapic_chip_eoi,
    .set_type = self_set_type,
    .send_ipi = lapic_send_ipi,
};

/* A vector nobody owns: end it only if it is in service (a software
 * "int n" sets no ISR bit, and an EOI would end another interrupt). */
static void lapic_unowned(unsigned int vector, void *data)
{
	(void)data;
	if (vector < 256 &&
	    (lapic_read(LAPIC_ISR_REG(vector)) & LAPIC_ISR_BIT(vector))) {
		lapic_eoi();
	}
}

/* A self-IPI that arrives masked (already sent when the mask came) is
 * latched for the unmask, as a controller with a mask bit would. */
static void self_arrived(unsigned int hwirq)
{
	if (self_masked & self_bit(hwirq)) {
		self_latched |= self_bit(hwirq);
		lapic_eoi();
		return;
	}
	irq_handle((unsigned int)self_irq_base + hwirq);
}

static void lapic_dispatch(unsigned int vector, void *data)
{
	unsigned int slot = vector - vector_base;

	if (slot >= SLOT_SELF0 && slot < SLOT_SELF0 + NR_SELF) {
		self_arrived(slot - SLOT_SELF0);
		return;
	}
	if (slot >= SLOT_IPI0 && slot < SLOT_IPI0 + NR_IPI &&
	    ipi_irq_base >= 0) {
		irq_handle((unsigned int)ipi_irq_base + (slot - SLOT_IPI0));
		return;
	}
	switch ((enum lapic_slot)slot) {
	case SLOT_TIMER:
		irq_handle((unsigned int)irq_base + LAPIC_TIMER);
		return;
	case SLOT_ERROR:
		irq_handle((unsigned int)irq_base + LAPIC_ERROR);
		return;
	case SLOT_SPURIOUS:
		/* The APIC withdrew the interrupt; no EOI (SDM 11.9). */
		irq_note_spurious();
		return;
	default:
		/* In our class but unused. */
		irq_note_unclaimed(vector);
		lapic_unowned(vector, data);
		return;
	}
}

/*
 * An interrupt on a vector of our class that nothing uses must be ended
 * like an unowned one: returns 0 once it came and its In-Service bit is
 * clear again, -EIO if the bit stayed set (its class would be blocked).
 * Called with interrupts on.
 */
static int lapic_unclaimed_selftest(void)
{
	unsigned int v = vector_base + SLOT_UNUSED;
	unsigned long before = irq_unclaimed_count();

	if (send_self_ipi(v) < 0) {
		return -EIO;
	}
	for (int i = 0; i < ISR_POLL_LIMIT && irq_unclaimed_count() == before;
	     i++) {
		arch_cpu_relax();
	}
	if (irq_unclaimed_count() == before) {
		return -ETIMEDOUT;
	}
	return lapic_read(LAPIC_ISR_REG(v)) & LAPIC_ISR_BIT(v) ? -EIO : 0;
}

static int lapic_xlate(struct device *ctrl, const struct resource *res,
		       unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	if (res->ncells || res->start >= LAPIC_LINES || irq_base < 0) {
		return -EINVAL;
	}
	*irq = (unsigned int)irq_base + (unsigned int)res->start;
	*trigger = res->flags & IRQF_TRIGGER_MASK;
	return 0;
}

static void program_lint(const struct apic_lapic_data *pd)
{
	for (int i = 0; i < 2; i++) {
		uint32_t reg = i ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0;
		uint32_t v = LVT_MASKED;

		if (pd && pd->lint_nmi[i]) {
			v = LVT_NMI |
			    (pd->lint_nmi_low[i] ? LVT_ACTIVE_LOW : 0) |
			    (pd->lint_nmi_level[i] ? LVT_LEVEL : 0);
		}
		lapic_write(reg, v);
	}
}

/*
 * The xAPIC's registers where IA32_APIC_BASE says they are: that is the
 * address the CPU decodes, whatever the MADT claims (SDM 11.4.4). A
 * disagreement is reported, and the page mapped (ioremap) where it is.
 */
static int lapic_use_msr_address(const struct device *dev, uint64_t base_msr)
{
	uint64_t real = apic_base_address(base_msr);

	have_mmio = device_regs(dev, 0, 0, &mmio) == 0;
	if (have_mmio && mmio.base == real) {
		return 0;
	}
	kprintf("lapic: the MADT says 0x%llx, IA32_APIC_BASE says 0x%llx: "
		"using IA32_APIC_BASE\n",
		have_mmio ? (unsigned long long)mmio.base : 0ull,
		(unsigned long long)real);
	if (!ioremap(real, LAPIC_WINDOW)) {
		kprintf("lapic: 0x%llx cannot be mapped: not used\n",
			(unsigned long long)real);
		return -ENODEV;
	}
	mmio = (struct io_regs){IO_SPACE_MMIO, (uintptr_t)real, 0};
	have_mmio = true;
	return 0;
}

/* On, in x2APIC mode when the CPU has it (SDM 11.12.1); then it must
 * answer like a local APIC. */
static int lapic_enable(struct device *dev)
{
	uint32_t a, b, c, d, version;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	cpuid(1, &a, &b, &c, &d);
	if (c & CPUID1_ECX_X2APIC) {
		wrmsr(MSR_APIC_BASE,
		      base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
		x2apic = true;
	} else if (lapic_use_msr_address(dev, base) < 0) {
		return -ENODEV;
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	}
	version = lapic_read(LAPIC_VERSION);
	if (!apic_version_plausible(version)) {
		kprintf("lapic: version register reads 0x%08x: no local APIC "
			"answers there; not used\n",
			version);
		return -ENODEV;
	}
	return 0;
}

/* A per-CPU line's LVT mask bit as the boot CPU has it: the core's
 * state of the line (unmasked by its irq_request there). */
static uint32_t lvt_mask_as_boot(unsigned int irq)
{
	return irq_to_desc(irq)->masked ? LVT_MASKED : 0;
}

/*
 * A started CPU's local APIC, as the probe set up the boot CPU's (the
 * per-CPU init hook, kern/smp.h; interrupts off). INIT left it enabled
 * in xAPIC mode at its reset base; x2APIC mode is entered from there,
 * never from disabled (SDM 11.12.5: that transition faults). LINT0 and
 * LINT1 stay masked: the 8259's ExtINT and the MADT's NMI pins are the
 * boot CPU's (Linux does the same with LINT1).
 */
static void lapic_cpu_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_APIC_BASE, base);
	}
	if (x2apic && !(base & APIC_BASE_X2APIC)) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	}
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_LVT_ERROR,
		    lvt_mask_as_boot((unsigned int)irq_base + LAPIC_ERROR) |
			APIC_ERROR_VECTOR);
	lapic_write(LAPIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	/* ESR: a write latches the errors, the next clears (SDM 11.5.3). */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
}

/* The IPI lines: per-CPU, in this chip's class, handed to kern/ipi.c. */
static int add_ipi_lines(void)
{
	int ret =
	    irq_domain_add(&lapic_ipi_chip, NULL, 0, NR_IPI, irq_flow_fasteoi);

	if (ret < 0) {
		kprintf("lapic: no IRQ numbers for the IPIs (%d)\n", ret);
		return ret;
	}
	irq_mark_per_cpu((unsigned int)ret, NR_IPI);
	ipi_irq_base = ret;
	return ipi_register_lines((unsigned int)ret);
}

static int lapic_probe(struct device *dev)
{
	int ret = lapic_enable(dev);

	if (ret < 0) {
		return ret;
	}
	ret = arch_irq_entry_claim(NR_SLOTS, NR_SLOTS, IRQ_ENTRY_HIGH,
				   lapic_dispatch, NULL);
	if (ret < 0) {
		kprintf("lapic: no free priority class of vectors (%d)\n", ret);
		return ret;
	}
	vector_base = (unsigned int)ret;
	lapic_write(LAPIC_TPR, 0);
	program_lint(dev->platform_data);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | APIC_ERROR_VECTOR);
	lapic_write(LAPIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	self_masked = SELF_ALL;
	ret =
	    irq_domain_add(&lapic_chip, NULL, 0, LAPIC_LINES, irq_flow_fasteoi);
	if (ret < 0) {
		return ret;
	}
	irq_base = ret;
	/* The LVT lines (timer, error) are each CPU's own. */
	irq_mark_per_cpu((unsigned int)irq_base, LAPIC_LINES);
	ret = irq_domain_add(&lapic_self_chip, NULL, 0, NR_SELF,
			     irq_flow_fasteoi);
	if (ret < 0) {
		return ret;
	}
	self_irq_base = ret;
	if (add_ipi_lines() < 0) {
		kprintf("lapic: no IPIs: one CPU only\n");
	}
	smp_cpu_init_register("lapic", lapic_cpu_init);
	/* From now on an unowned vector has an ISR bit to clear. */
	arch_irq_entry_fallback(lapic_unowned, NULL);
	irq_set_unclaimed_selftest(lapic_unclaimed_selftest);
	dev->irq_xlate = lapic_xlate;
	kprintf("lapic: id %u, version 0x%x, %s mode, vectors 0x%x-0x%x\n",
		lapic_id(), lapic_read(LAPIC_VERSION) & LAPIC_VERSION_MASK,
		x2apic ? "x2APIC" : "xAPIC", vector_base,
		vector_base + NR_SLOTS - 1);
	return 0;
}

/*
 * Point the accessors at the APIC IA32_APIC_BASE names, in the mode it
 * is in, and read its version register: 0 if it reads plausibly, -ENODEV
 * if there is no enabled APIC or it does not answer like one.
 */
static int lapic_as_firmware_left(uint32_t *version)
{
	uint32_t a, b, c, d;
	uint64_t base;

	cpuid(1, &a, &b, &c, &d);
	if (!(d & CPUID1_EDX_APIC)) {
		return -ENODEV;
	}
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE)) {
		return -ENODEV;
	}
	x2apic = base & APIC_BASE_X2APIC;
	if (!x2apic) {
		if (!ioremap(apic_base_address(base), LAPIC_WINDOW)) {
			return -ENODEV;
		}
		mmio = (struct io_regs){IO_SPACE_MMIO,
					(uintptr_t)apic_base_address(base), 0};
		have_mmio = true;
	}
	*version = lapic_read(LAPIC_VERSION);
	return apic_version_plausible(*version) ? 0 : -ENODEV;
}

bool lapic_answers(void)
{
	uint32_t version = 0;
	bool ok = lapic_as_firmware_left(&version) == 0;

	if (!ok) {
		kprintf(
		    "lapic: none answers at IA32_APIC_BASE (version register "
		    "0x%08x)\n",
		    version);
	}
	return ok;
}

int lapic_virtual_wire(void)
{
	uint32_t version = 0;

	if (lapic_as_firmware_left(&version) < 0) {
		/* No APIC, or disabled: the 8259 drives INTR itself (SDM
		 * 11.4.3). One that reads wrong cannot be programmed. */
		if (version) {
			kprintf("lapic: version register reads 0x%08x: no "
				"virtual wire for the 8259\n",
				version);
		}
		return version ? -ENODEV : 0;
	}
	lapic_write(LAPIC_SVR, SVR_ENABLE | VIRTUAL_WIRE_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	/* ExtINT is level-sensitive by definition; the trigger bit is only
	 * for Fixed delivery (SDM 11.5.1). */
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
	kprintf("lapic: virtual-wire mode for the 8259 (LINT0 ExtINT, LINT1 "
		"NMI), version 0x%x\n",
		version & LAPIC_VERSION_MASK);
	return 0;
}

/* ---- Starting the other CPUs (lapic_start_cpu) ------------------------ */

int lapic_cpu_reachable(uint64_t apic_id)
{
	static bool said;

	if (irq_base < 0) {
		if (!said) {
			kprintf("lapic: no local APIC driver (the 8259 path): "
				"no INIT-SIPI-SIPI, one CPU\n");
			said = true;
		}
		return -ENODEV;
	}
	if (!x2apic && !apic_xapic_dest_ok(apic_id)) {
		kprintf("lapic: APIC ID %llu is above 255 and this CPU has no "
			"x2APIC: the xAPIC ICR cannot name it\n",
			(unsigned long long)apic_id);
		return -ERANGE;
	}
	return apic_id > 0xffffffffull ? -ERANGE : 0;
}

/* Busy-wait ns by the clocksource; the iteration bound keeps it finite
 * should time_ns() not advance (no clocksource: it then counts ticks). */
static void delay_ns(uint64_t ns)
{
	uint64_t t0 = time_ns();

	for (unsigned long i = 0; i < 100000000ul && time_ns() - t0 < ns; i++) {
		arch_cpu_relax();
	}
}

#define INIT_DELAY_NS 10000000ull /* 10 ms after INIT (SDM 8.4.4.1) */
#define SIPI_DELAY_NS 200000ull	  /* 200 us after each SIPI */

/*
 * The universal start-up algorithm (MP spec B.4; SDM 8.4.4.1): INIT
 * (assert; then de-assert, which the 82489DX needed and integrated xAPICs
 * ignore; x2APIC mode has no de-assert, SDM 11.12.9), 10 ms, then two
 * Start-up IPIs 200 us apart: a CPU already running ignores the second.
 * The ESR is read after, to say an IPI the APIC refused.
 */
int lapic_start_cpu(uint32_t apic_id, unsigned int sipi_page)
{
	uint32_t esr;
	int ret;

	__asm__ volatile("mfence" ::: "memory"); /* its parameters first */
	lapic_write(LAPIC_ESR, 0);
	ret = icr_send(apic_id, apic_icr_init(true));
	if (ret == 0 && !x2apic) {
		ret = icr_send(apic_id, apic_icr_init(false));
	}
	delay_ns(INIT_DELAY_NS);
	for (int i = 0; ret == 0 && i < 2; i++) {
		ret = icr_send(apic_id, apic_icr_startup(sipi_page));
		delay_ns(SIPI_DELAY_NS);
	}
	if (ret == 0 && !x2apic && icr_wait_idle() < 0) {
		ret = icr_busy(apic_id, apic_icr_startup(sipi_page));
	}
	lapic_write(LAPIC_ESR, 0);
	esr = lapic_read(LAPIC_ESR);
	if (esr) {
		kprintf("lapic: start-up of APIC ID %u: error status 0x%x\n",
			apic_id, esr);
	}
	return ret;
}

static const char *const lapic_ids[] = {"kite,lapic", NULL};

struct driver lapic_driver = {
    .name = "lapic",
    .ids = lapic_ids,
    .probe = lapic_probe,
};

/* ---- The local timer: a one-shot clock event device ---------------- */

#define LAPIC_TIMER_RATING 300	       /* over the PIT's periodic tick */
#define LAPIC_TIMER_MAX	   0xffffffffu /* the 32-bit initial count */

static uint64_t timer_rate;	/* counts per second (bus clock / 16) */
static uint64_t timer_max_ns;	/* the longest one-shot the count allows */
static bool timer_tsc_deadline; /* the mode setup_mode() chose */

/*
 * One-shot mode (SDM 11.5.4: the LVT's mode field 00): writing the
 * initial count starts the countdown, which interrupts once at zero and
 * stops. Rounded up, so it never interrupts before the deadline. The
 * count is 32 bits (about 68 s at QEMU's 62.5 MHz): a farther deadline
 * gets the longest count, and the queue re-arms when that interrupt
 * finds nothing due (kern/ktimer.c).
 */
static int oneshot_set_next(struct clockevent *ce, uint64_t deadline_ns)
{
	uint64_t now = time_ns(),
		 delta = deadline_ns > now ? deadline_ns - now : 0;
	uint64_t count = LAPIC_TIMER_MAX;

	(void)ce;
	if (delta < timer_max_ns) {
		count = apic_timer_counts(delta, timer_rate);
	}
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(count ? count : 1));
	return 0;
}

/* A zero initial count stops the timer (SDM 11.5.4). */
static void oneshot_stop(struct clockevent *ce)
{
	(void)ce;
	lapic_write(LAPIC_TIMER_INIT, 0);
}

/* TSC-deadline mode (SDM 11.5.4.1): the timer interrupts once when the
 * TSC reaches IA32_TSC_DEADLINE (at once if it already has), and writing
 * 0 disarms it. The clocksource is the TSC, so a deadline converts to a
 * TSC value exactly. */
static int tsc_deadline_set_next(struct clockevent *ce, uint64_t deadline_ns)
{
	uint64_t tsc = timer_raw_at_ns(deadline_ns);

	(void)ce;
	wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
	return 0;
}

static void tsc_deadline_stop(struct clockevent *ce)
{
	(void)ce;
	wrmsr(MSR_TSC_DEADLINE, 0);
}

static struct clockevent lapic_clockevent = {
    .features = CLOCKEVENT_ONESHOT,
    .rating = LAPIC_TIMER_RATING,
};

static enum irq_return lapic_timer_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	clockevent_interrupt(&lapic_clockevent);
	return IRQ_HANDLED;
}

static bool cpu_has_tsc_deadline(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & CPUID1_ECX_TSC_DEADLINE;
}

/* The timer's count, and the TSC at that read (the midpoint of two
 * reads bracketing it). */
static uint32_t timer_count_at(uint64_t *tsc)
{
	uint64_t before = rdtsc();
	uint32_t count = lapic_read(LAPIC_TIMER_CUR);

	*tsc = before + (rdtsc() - before) / 2;
	return count;
}

/*
 * Timer counts per second: two reads of the running count CALIBRATE_MS
 * of TSC time apart, each timed by the TSC reads around it. Between two
 * reads, not from the start: the write that starts the count is an MMIO
 * exit whose length (under emulation, tens of microseconds) would
 * otherwise count as time, and a 0.2 % fast rate makes every one-shot
 * 0.2 % late.
 */
static uint64_t calibrate(uint64_t tsc_hz)
{
	uint64_t t0, t1, wait = tsc_hz / 1000 * CALIBRATE_MS;
	uint32_t c0, c1;

	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	c0 = timer_count_at(&t0);
	while (rdtsc() - t0 < wait) {
	}
	c1 = timer_count_at(&t1);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (c1 == 0 || c1 >= c0 || t1 <= t0) {
		return 0; /* did not count, or ran out: unusable */
	}
	return apic_timer_counts_per_s(c0 - c1, t1 - t0, tsc_hz);
}

/* The mode, before the line is unmasked (irq_request). 0 or -errno. */
static int setup_mode(uint64_t tsc_hz)
{
	if (cpu_has_tsc_deadline() && !cmdline_has("notscdeadline") &&
	    strcmp(timer_clocksource(), "tsc") == 0) {
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED |
						 LVT_TIMER_TSC_DEADLINE |
						 APIC_TIMER_VECTOR);
		/* The mode switch must land before the first MSR write
		 * (SDM 11.5.4.1, xAPIC: MMIO and WRMSR are not ordered). */
		__asm__ volatile("mfence" ::: "memory");
		timer_tsc_deadline = true;
		lapic_clockevent.name = "lapic-tsc-deadline";
		lapic_clockevent.set_next = tsc_deadline_set_next;
		lapic_clockevent.stop = tsc_deadline_stop;
		kprintf("lapic-timer: TSC-deadline mode, %llu.%03llu MHz TSC\n",
			(unsigned long long)(tsc_hz / 1000000),
			(unsigned long long)(tsc_hz / 1000 % 1000));
		return 0;
	}
	timer_rate = calibrate(tsc_hz);
	if (timer_rate < HZ) {
		kprintf("lapic-timer: its count did not run plausibly (%llu "
			"Hz): unusable\n",
			(unsigned long long)timer_rate);
		return -ENODEV;
	}
	timer_max_ns = apic_timer_ns(LAPIC_TIMER_MAX, timer_rate);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_clockevent.name = "lapic-timer";
	lapic_clockevent.set_next = oneshot_set_next;
	lapic_clockevent.stop = oneshot_stop;
	kprintf("lapic-timer: one-shot, %llu.%03llu MHz (bus clock / 16, "
		"against the TSC), at most %llu ms a shot\n",
		(unsigned long long)(timer_rate / 1000000),
		(unsigned long long)(timer_rate / 1000 % 1000),
		(unsigned long long)(timer_max_ns / 1000000));
	return 0;
}

/*
 * A started CPU's timer in the boot CPU's mode (per-CPU init hook, after
 * lapic_cpu_init): TSC-deadline, or one-shot with the same divider (the
 * rate measured on the boot CPU holds: every local APIC counts the same
 * bus clock), stopped, its LVT unmasked if the boot CPU's is. The
 * clockevent's set_next then programs whichever CPU calls it.
 */
static void lapic_timer_cpu_init(void)
{
	uint32_t lvt = APIC_TIMER_VECTOR |
		       lvt_mask_as_boot((unsigned int)irq_base + LAPIC_TIMER);

	if (timer_tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, 0);
		lapic_write(LAPIC_LVT_TIMER, lvt | LVT_TIMER_TSC_DEADLINE);
		/* As in setup_mode: the mode before the first MSR write. */
		__asm__ volatile("mfence" ::: "memory");
		return;
	}
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_LVT_TIMER, lvt);
}

static int lapic_timer_probe(struct device *dev)
{
	const struct apic_timer_data *pd = dev->platform_data;
	int irq = device_irq(dev, 0), ret;
	uint64_t tsc_hz = pd ? pd->tsc_hz : 0;

	if (irq < 0) {
		return irq;
	}
	if (!tsc_hz || !timer_has_clocksource()) {
		kprintf("lapic-timer: no calibrated TSC to measure against\n");
		return -ENODEV;
	}
	ret = setup_mode(tsc_hz);
	if (ret < 0) {
		return ret;
	}
	ret = irq_request(irq, lapic_timer_interrupt, 0, "timer", dev);
	if (ret < 0) {
		return ret;
	}
	clockevent_register(&lapic_clockevent);
	smp_cpu_init_register("lapic-timer", lapic_timer_cpu_init);
	return 0;
}

static const char *const lapic_timer_ids[] = {"kite,lapic-timer", NULL};

struct driver lapic_timer_driver = {
    .name = "lapic-timer",
    .ids = lapic_timer_ids,
    .probe = lapic_timer_probe,
};
