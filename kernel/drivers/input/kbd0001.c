/*
 * The seeds' firmware-described keyboard (seed 003): a device an SSDT
 * declares with _HID "KBD0001", IO 0x60, IO 0x64 and IRQNoFlags(){1}.
 * This small driver matches the ID, takes its ports and its interrupt by
 * index from the device, and registers a shared handler named "kbd0001"
 * beside the i8042 driver's. It checks the status port's output-buffer
 * bit before touching the data port, logs each byte it gets
 * ("scan code: 0x1e"), and says IRQ_NONE when there was nothing: on this
 * shared line the i8042 handler, asked first, usually has the byte.
 */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "arch/x86_64/cpu.h"

#define STATUS_OBF 0x01
#define STATUS_AUX 0x20

struct kbd0001 {
	uint16_t data, status;
	unsigned long bytes;
};

static struct kbd0001 kbd;

static enum irq_return kbd0001_interrupt(unsigned int irq, void *dev)
{
	struct kbd0001 *k = dev;
	uint8_t status = inb(k->status);
	uint8_t code;

	(void)irq;
	if (!(status & STATUS_OBF) || (status & STATUS_AUX)) {
		return IRQ_NONE;
	}
	code = inb(k->data);
	k->bytes++;
	kprintf("kbd0001: scan code: 0x%02x\n", code);
	return IRQ_HANDLED;
}

static int kbd0001_probe(struct device *dev)
{
	int irq = device_irq(dev, 0), ret;

	kbd.data = device_io(dev, 0);
	kbd.status = device_io(dev, 1);
	if (!kbd.data || !kbd.status || irq < 0) {
		return irq < 0 ? irq : -ENODEV;
	}
	/* Shared, whatever the firmware said: the i8042 has this line too. */
	ret = irq_request(irq, kbd0001_interrupt,
			  device_irq_flags(dev, 0) | IRQF_SHARED, "kbd0001",
			  &kbd);
	if (ret < 0) {
		return ret;
	}
	kprintf("kbd0001: %s, ports 0x%x/0x%x, irq %d (shared)\n", dev->path,
		kbd.data, kbd.status, irq);
	return 0;
}

static const char *const kbd0001_ids[] = {"KBD0001", NULL};

struct driver kbd0001_driver = {
    .name = "kbd0001",
    .ids = kbd0001_ids,
    .probe = kbd0001_probe,
};
