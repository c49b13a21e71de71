/*
 * The 8042 keyboard controller's driver core, for the drivers of devices
 * that are one: the i8042 driver (ACPI's PNP0303 class) and the KBD0001
 * product an SSDT may describe. Each attaches the device's controller
 * under its own interrupt-action name and may watch every byte.
 */
#ifndef DRIVERS_INPUT_I8042_H
#define DRIVERS_INPUT_I8042_H

#include "kern/compiler.h"

struct device;

struct i8042_client {
	const char *name; /* the interrupt action's name (irqstat) */
	/* Each byte the keyboard sent, before it is decoded; may be NULL.
	 * Runs in the interrupt handler. */
	void (*byte)(uint8_t byte);
};

/*
 * Bring up the controller at dev's ports (data, then status/command) and
 * the keyboard on its first port, and take dev's first interrupt. The
 * bytes go to kern/input. One controller: -EBUSY if one is attached.
 */
int i8042_attach(struct device *dev, const struct i8042_client *client);

#endif
