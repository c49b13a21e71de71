/*
 * The ACPI System Control Interrupt (ACPI 6.x, 4.8 "ACPI Hardware
 * Features"; 5.2.9, the FADT's SCI_INT: "a sharable, level, active low
 * interrupt" unless the MADT overrides it; QEMU's override makes it GSI
 * 9, level, high). Here it carries the power button's fixed event and
 * the general-purpose events (gpe.c: hotplug, EC, thermal, ...).
 *
 * A threaded handler, oneshot: the primary (hard interrupt context) only
 * checks PM1 and GPE status against their enables and declines an
 * interrupt that was not its own; if it is, it returns IRQ_WAKE_THREAD,
 * and the core keeps the level line masked until the thread
 * ("irq/N-acpi-sci") has cleared the fixed events' status (writing the
 * bits back) and run each pending GPE's method, so the still-asserted
 * line cannot storm meanwhile. A GPE method may sleep: it runs in the
 * thread.
 *
 * Switching the chipset to ACPI mode is the OS's job (4.8.3.2.1 and
 * 5.2.9): write ACPI_ENABLE to SMI_CMD, then wait (bounded) for
 * PM1_CNT.SCI_EN. Registers come from the device (sci.h).
 */
#include "drivers/acpi/sci.h"
#include "drivers/acpi/gpe.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/printf.h"

/* The device's ranges, in order. */
#define RANGE_PM1_EVT 0
#define RANGE_PM1_CNT 1
#define RANGE_SMI_CMD 2

#define PM1_CNT_SCI_EN (1u << 0) /* 4.8.3.2.1, table 4.16 */
#define PM1_PWRBTN     (1u << 8) /* PWRBTN_STS / PWRBTN_EN, 4.8.3.1 */
#define ENABLE_POLLS   1000000

struct sci {
	struct io_regs evt, cnt, smi_cmd;
	unsigned int enable_reg; /* PM1_EN: the event block's second half */
	bool has_smi_cmd;
};

static struct sci sci;
static unsigned long power_button_presses;

unsigned long acpi_sci_power_button_presses(void)
{
	return __atomic_load_n(&power_button_presses, __ATOMIC_RELAXED);
}

static uint16_t sci_pending(void)
{
	return io_read16(&sci.evt, 0) & io_read16(&sci.evt, sci.enable_reg);
}

/* Hard interrupt context: ours or not; the thread does the rest. */
static enum irq_return sci_primary(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	return sci_pending() || acpi_gpe_pending() ? IRQ_WAKE_THREAD : IRQ_NONE;
}

static enum irq_return sci_thread(unsigned int irq, void *dev)
{
	uint16_t pending = sci_pending();
	unsigned int gpes;

	(void)irq;
	(void)dev;
	/* Status bits clear by writing 1: the line drops before the core
	 * unmasks it. */
	if (pending) {
		io_write16(&sci.evt, 0, pending);
	}
	if (pending & PM1_PWRBTN) {
		power_button_presses++;
		kprintf("acpi: power button pressed (%lu); type poweroff to "
			"turn off\n",
			power_button_presses);
	}
	gpes = acpi_gpe_dispatch();
	return pending || gpes ? IRQ_HANDLED : IRQ_NONE;
}

static bool sci_enabled(void)
{
	return io_read16(&sci.cnt, 0) & PM1_CNT_SCI_EN;
}

static int acpi_mode_on(uint8_t acpi_enable)
{
	if (sci_enabled()) {
		return 0;
	}
	if (!sci.has_smi_cmd || !acpi_enable) {
		return -ENODEV;
	}
	io_write8(&sci.smi_cmd, 0, acpi_enable);
	for (int i = 0; i < ENABLE_POLLS; i++) {
		if (sci_enabled()) {
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/* The ranges sci.h lists; the event block holds two 16-bit halves. */
static int take_ranges(struct device *dev)
{
	const struct resource *evt = device_resource(dev, RES_IO, 0);

	if (!evt || evt->size < 4 ||
	    device_regs(dev, RANGE_PM1_EVT, 0, &sci.evt) < 0 ||
	    device_regs(dev, RANGE_PM1_CNT, 0, &sci.cnt) < 0) {
		return -ENODEV;
	}
	sci.enable_reg = (unsigned int)(evt->size / 2);
	sci.has_smi_cmd = device_regs(dev, RANGE_SMI_CMD, 0, &sci.smi_cmd) == 0;
	return 0;
}

static int sci_probe(struct device *dev)
{
	const struct acpi_sci_data *pd = dev->platform_data;
	int irq = device_irq(dev, 0), ret;

	if (irq < 0) {
		return irq;
	}
	ret = take_ranges(dev);
	if (ret < 0) {
		return ret;
	}
	ret = acpi_mode_on(pd ? pd->acpi_enable : 0);
	if (ret < 0) {
		kprintf("acpi: could not enter ACPI mode (%d)\n", ret);
		return ret;
	}
	io_write16(&sci.evt, 0, 0xffff); /* stale status */
	/* GPEs quiet, then those with methods enabled; none fires before
	 * interrupts are on. */
	if (pd && pd->gpe.count) {
		acpi_gpe_init(&pd->gpe);
	}
	ret = irq_request_threaded(irq, sci_primary, sci_thread,
				   device_irq_flags(dev, 0) | IRQF_SHARED |
				       IRQF_ONESHOT,
				   "acpi-sci", dev);
	if (ret < 0) {
		return ret;
	}
	io_write16(&sci.evt, sci.enable_reg, PM1_PWRBTN);
	kprintf("acpi: SCI on irq %d, power button enabled\n", irq);
	return 0;
}

static const char *const sci_ids[] = {"kite,acpi-sci", NULL};

struct driver acpi_sci_driver = {
    .name = "acpi-sci",
    .ids = sci_ids,
    .probe = sci_probe,
};
