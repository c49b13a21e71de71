/*
 * KBD0001: a keyboard an SSDT declares with _HID "KBD0001", IO 0x60,
 * IO 0x64 and IRQNoFlags(){1} (tests/fixtures/acpi/aml/kbd0001.dsl): an
 * 8042-compatible controller under a product ID. Its _HID is a more
 * specific match than the DSDT's PNP0303 at the same ports, so the device
 * core binds this driver first and gives it the ports; the i8042 driver
 * is then not probed (kern/device.c: resource ownership). As the
 * keyboard's only reader it runs the 8042 core (i8042.h) under its own
 * interrupt-action name, "kbd0001", logs each byte the keyboard sends
 * ("kbd0001: scan code: 0x10", then 0x90 for the release of Q), and the
 * bytes go on to kern/input, so typing still works.
 */
#include "drivers/input/i8042.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/printf.h"

static void kbd0001_byte(uint8_t code)
{
	kprintf("kbd0001: scan code: 0x%02x\n", code);
}

static const struct i8042_client kbd0001_client = {
    .name = "kbd0001",
    .byte = kbd0001_byte,
};

static int kbd0001_probe(struct device *dev)
{
	int ret = i8042_attach(dev, &kbd0001_client);

	if (ret < 0) {
		return ret;
	}
	kprintf("kbd0001: %s, ports 0x%llx/0x%llx, irq %d, the keyboard's "
		"reader\n",
		dev->path, (unsigned long long)device_io(dev, 0),
		(unsigned long long)device_io(dev, 1), device_irq(dev, 0));
	return 0;
}

static const char *const kbd0001_ids[] = {"KBD0001", NULL};

struct driver kbd0001_driver = {
    .name = "kbd0001",
    .ids = kbd0001_ids,
    .probe = kbd0001_probe,
};
