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

/* Register offsets (xAPIC); x2APIC MSR = 0x800 + offset / 16. */
#define LAPIC_ID	 0x020
#define LAPIC_VERSION	 0x030
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ISR	 0x100 /* 8 registers, 0x10 apart, 32 vectors each */
#define LAPIC_ESR	 0x280
#define LAPIC_ICR_LOW	 0x300 /* x2APIC: the whole 64-bit ICR */
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

/* ICR fields (SDM 11.6.1, Figure 11-12). */
#define ICR_FIXED	     (0u << 8)
#define ICR_DELIVERY_PENDING (1u << 12) /* xAPIC only */
#define ICR_ASSERT	     (1u << 14)
#define ICR_SHORTHAND_SELF   (1u << 18)

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
	SLOT_ERROR = 0xe,
	SLOT_UNUSED = 0x8, /* for the unclaimed-vector self-test */
	SLOT_SPURIOUS = 0xf,
	NR_SLOTS = 0x10,
};

/* Our lines (hwirq): the platform's RES_IRQ 0 is the timer. The self-IPI
 * lines are a chip of their own, hwirq 0 to NR_SELF - 1. */
enum lapic_hwirq { LAPIC_TIMER, LAPIC_ERROR, LAPIC_LINES };
#define NR_SELF 3

static struct io_regs mmio;
static bool have_mmio, x2apic;
static int irq_base = -1, self_irq_base = -1;
static unsigned int vector_base;
static unsigned int self_masked, self_latched; /* bit n: self line n */
#define SELF_ALL       ((1u << NR_SELF) - 1)
#define ISR_POLL_LIMIT 1000000
#define SELF_ALL       ((1u << NR_SELF) - 1)

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

/* A fixed interrupt to ourselves (SDM 11.6.1): in xAPIC mode, after the
 * previous one has left (bounded wait); in x2APIC mode one wrmsr. */
static int send_self_ipi(unsigned int vector)
{
	uint32_t icr = ICR_SHORTHAND_SELF | ICR_ASSERT | ICR_FIXED | vector;

	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + LAPIC_ICR_LOW / 16, icr);
		return 0;
	}
	for (int i = 0; i < ICR_POLL_LIMIT; i++) {
		if (!(lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING)) {
			lapic_write(LAPIC_ICR_LOW, icr);
			return 0;
		}
	}
	kprintf("lapic: ICR still busy, self-IPI 0x%x not sent\n", vector);
	irq_note_error();
	return -ETIMEDOUT;
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
    .name = "LAPIC-IPI",
    .mask = self_mask,
    .unmask = self_unmask,
    .eoi = lapic_chip_eoi,
    .set_type = self_set_type,
    .set_pending = self_set_pending,
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

static const char *const lapic_ids[] = {"kite,lapic", NULL};

struct driver lapic_driver = {
    .name = "lapic",
    .ids = lapic_ids,
    .probe = lapic_probe,
};

/* ---- The local timer: a one-shot clock event device ---------------- */

#define LAPIC_TIMER_RATING 300	       /* over the PIT's periodic tick */
#define LAPIC_TIMER_MAX	   0xffffffffu /* the 32-bit initial count */

static uint64_t timer_rate;   /* counts per second (bus clock / 16) */
static uint64_t timer_max_ns; /* the longest one-shot the count allows */

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
	return 0;
}

static const char *const lapic_timer_ids[] = {"kite,lapic-timer", NULL};

struct driver lapic_timer_driver = {
    .name = "lapic-timer",
    .ids = lapic_timer_ids,
    .probe = lapic_timer_probe,
};
