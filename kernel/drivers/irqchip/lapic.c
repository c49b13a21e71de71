/*
 * The local APIC (Intel SDM Vol. 3A, chapter 11), in xAPIC (MMIO) or,
 * when CPUID offers it, x2APIC (MSR) mode. Enabled through the spurious
 * vector register; its spurious vector is counted, never EOI'd. EOI is a
 * write of 0 (one wrmsr in x2APIC mode).
 *
 * The local timer replaces the PIT as the tick: TSC-deadline mode, or
 * periodic mode calibrated against the TSC; the platform hands it the
 * TSC's rate (struct apic_timer_data), which it measured against the PIT
 * before any driver probed.
 */
#include "asm/msr.h"
#include "arch/x86_64/vectors.h"
#include "drivers/irqchip/apic.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mmio.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "kern/timer.h"
#include "kern/boot.h"

/* Register offsets (xAPIC); x2APIC MSR = 0x800 + offset / 16. */
#define LAPIC_ID	 0x020
#define LAPIC_VERSION	 0x030
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ESR	 0x280
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0

#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_LEVEL		(1u << 15)
#define LVT_ACTIVE_LOW		(1u << 13)
#define LVT_NMI			(4u << 8)
#define LVT_TIMER_PERIODIC	(1u << 17)
#define LVT_TIMER_TSC_DEADLINE	(2u << 17)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define TIMER_DIV_16		0x3

#define APIC_BASE_ENABLE  (1ull << 11)
#define APIC_BASE_X2APIC  (1ull << 10)
#define CPUID1_ECX_X2APIC (1u << 21)

#define CALIBRATE_MS 10

enum lapic_hwirq { LAPIC_TIMER, LAPIC_ERROR, LAPIC_LINES };

static uintptr_t mmio;
static bool x2apic;
static int irq_base = -1;

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16)
		      : mmio_read32(mmio + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + reg / 16, v);
	} else {
		mmio_write32(mmio + reg, v);
	}
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	if (!mmio && !x2apic) {
		return 0;
	}
	return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

/* Local interrupts, one line each: mask = their LVT mask bit. */
static const uint32_t lvt_of[LAPIC_LINES] = {LAPIC_LVT_TIMER, LAPIC_LVT_ERROR};

static void lapic_mask(struct irq_desc *desc)
{
	uint32_t reg = lvt_of[desc->hwirq];

	lapic_write(reg, lapic_read(reg) | LVT_MASKED);
}

static void lapic_unmask(struct irq_desc *desc)
{
	uint32_t reg = lvt_of[desc->hwirq];

	lapic_write(reg, lapic_read(reg) & ~LVT_MASKED);
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

static void lapic_dispatch(unsigned int vector, void *data)
{
	(void)data;
	irq_handle((unsigned int)irq_base +
		   (vector == APIC_TIMER_VECTOR ? LAPIC_TIMER : LAPIC_ERROR));
}

/* Spurious: the APIC withdrew the interrupt; no EOI (SDM 11.9). */
static void lapic_spurious(unsigned int vector, void *data)
{
	(void)vector;
	(void)data;
	irq_note_spurious();
}

static int lapic_xlate(struct device *ctrl, const struct resource *res)
{
	(void)ctrl;
	return res->start < LAPIC_LINES && irq_base >= 0
		   ? irq_base + (int)res->start
		   : -EINVAL;
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

static int lapic_probe(struct device *dev)
{
	uint32_t a, b, c, d;
	uint64_t base = rdmsr(MSR_APIC_BASE);
	int ret;

	cpuid(1, &a, &b, &c, &d);
	mmio = device_mem(dev, 0);
	if (c & CPUID1_ECX_X2APIC) {
		wrmsr(MSR_APIC_BASE,
		      base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
		x2apic = true;
	} else if (!mmio) {
		return -ENODEV;
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	}
	lapic_write(LAPIC_TPR, 0);
	program_lint(dev->platform_data);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | APIC_ERROR_VECTOR);
	lapic_write(LAPIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	ret =
	    irq_domain_add(&lapic_chip, NULL, 0, LAPIC_LINES, irq_flow_fasteoi);
	if (ret < 0) {
		return ret;
	}
	irq_base = ret;
	x86_vector_set(APIC_TIMER_VECTOR, lapic_dispatch, NULL);
	x86_vector_set(APIC_ERROR_VECTOR, lapic_dispatch, NULL);
	x86_vector_set(APIC_SPURIOUS_VECTOR, lapic_spurious, NULL);
	dev->irq_xlate = lapic_xlate;
	kprintf("lapic: id %u, version 0x%x, %s mode\n", lapic_id(),
		lapic_read(LAPIC_VERSION) & 0xff, x2apic ? "x2APIC" : "xAPIC");
	return 0;
}

static const char *const lapic_ids[] = {"kite,lapic", NULL};

struct driver lapic_driver = {
    .name = "lapic",
    .ids = lapic_ids,
    .probe = lapic_probe,
};

/* ---- The local timer as the tick -------------------------------------- */

/* TSC-deadline mode: the next deadline, one tick after the previous one
 * (never "now + interval": no drift), skipping any already passed. */
static uint64_t deadline, deadline_step;

static enum irq_return lapic_timer_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	if (deadline_step) {
		uint64_t now = rdtsc();

		deadline += deadline_step;
		if (deadline <= now) {
			deadline += ((now - deadline) / deadline_step + 1) *
				    deadline_step;
		}
		wrmsr(MSR_TSC_DEADLINE, deadline);
	}
	timer_tick();
	return IRQ_HANDLED;
}

static bool cpu_has_tsc_deadline(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & CPUID1_ECX_TSC_DEADLINE;
}

/* The tick from IA32_TSC_DEADLINE, when the CPU offers it (SDM 11.5.4.1). */
static int start_tsc_deadline(unsigned int irq, struct device *dev,
			      uint64_t tsc_hz)
{
	int ret;

	lapic_write(LAPIC_LVT_TIMER,
		    LVT_MASKED | LVT_TIMER_TSC_DEADLINE | APIC_TIMER_VECTOR);
	ret = irq_request(irq, lapic_timer_interrupt, 0, "timer", dev);
	if (ret < 0) {
		return ret;
	}
	deadline_step = tsc_hz / HZ;
	deadline = rdtsc() + deadline_step;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	timer_set_source("lapic-tsc-deadline");
	kprintf("lapic-timer: TSC-deadline mode, %llu.%03llu MHz TSC, %u Hz "
		"tick\n",
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000), HZ);
	return 0;
}

/* Timer counts per second: count down for CALIBRATE_MS of TSC time. */
static uint64_t calibrate(uint64_t tsc_hz)
{
	uint64_t start, wait = tsc_hz / 1000 * CALIBRATE_MS;
	uint32_t left;

	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	start = rdtsc();
	while (rdtsc() - start < wait) {
	}
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	return (uint64_t)(0xffffffffu - left) * (1000 / CALIBRATE_MS);
}

static int lapic_timer_probe(struct device *dev)
{
	const struct apic_timer_data *pd = dev->platform_data;
	int irq = device_irq(dev, 0), ret;
	uint64_t tsc_hz = pd ? pd->tsc_hz : 0, rate;

	if (irq < 0) {
		return irq;
	}
	if (!tsc_hz) {
		kprintf("lapic-timer: no calibrated TSC to measure against\n");
		return -ENODEV;
	}
	if (cpu_has_tsc_deadline() && !cmdline_has("notscdeadline")) {
		return start_tsc_deadline((unsigned int)irq, dev, tsc_hz);
	}
	rate = calibrate(tsc_hz);
	if (rate < HZ) {
		kprintf("lapic-timer: measured %llu Hz: unusable\n",
			(unsigned long long)rate);
		return -ENODEV;
	}
	lapic_write(LAPIC_LVT_TIMER,
		    LVT_MASKED | LVT_TIMER_PERIODIC | APIC_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	ret = irq_request(irq, lapic_timer_interrupt, 0, "timer", dev);
	if (ret < 0) {
		return ret;
	}
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(rate / HZ));
	timer_set_source("lapic-timer");
	kprintf("lapic-timer: %llu.%03llu MHz (bus clock / 16, against the "
		"TSC), %u Hz tick\n",
		(unsigned long long)(rate / 1000000),
		(unsigned long long)(rate / 1000 % 1000), HZ);
	return 0;
}

static const char *const lapic_timer_ids[] = {"kite,lapic-timer", NULL};

struct driver lapic_timer_driver = {
    .name = "lapic-timer",
    .ids = lapic_timer_ids,
    .probe = lapic_timer_probe,
};
