/*
 * The device core's resource ownership (kernel/kern/device.c): a bound
 * device owns its I/O and memory ranges; an overlapping device is not
 * probed; the more specific of two overlapping matches binds first.
 *
 * The device list is global and has no reset: one test builds it whole.
 */
#include <string.h>

#include "fake_arch.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "unit.h"

static int probes_class, probes_product, probes_other;

static int probe_class(struct device *dev)
{
	(void)dev;
	probes_class++;
	return 0;
}

static int probe_product(struct device *dev)
{
	(void)dev;
	probes_product++;
	return 0;
}

static int probe_other(struct device *dev)
{
	(void)dev;
	probes_other++;
	return 0;
}

static const char *const class_ids[] = {"PNP0303", NULL};
static const char *const product_ids[] = {"KBD0001", NULL};
static const char *const other_ids[] = {"PNP0501", NULL};
static struct driver class_drv = {
    .name = "i8042", .ids = class_ids, .probe = probe_class};
static struct driver product_drv = {
    .name = "kbd0001", .ids = product_ids, .probe = probe_product};
static struct driver other_drv = {
    .name = "uart", .ids = other_ids, .probe = probe_other};

#define IO(first, len)                                                         \
	{                                                                      \
		.type = RES_IO, .start = (first), .size = (len)                \
	}

/* Listed first, as the DSDT's device is on the PC. */
static struct device dsdt_kbd = {.name = "KBD",
				 .path = "\\_SB.PCI0.S08.KBD",
				 .ids = {"PNP0303"},
				 .res = {IO(0x60, 1), IO(0x64, 1)},
				 .nres = 2};
/* A second class device over the same status port only. */
static struct device again = {.name = "KBD2",
			      .path = "\\_SB.KBD2",
			      .ids = {"PNP0303"},
			      .res = {IO(0x64, 1)},
			      .nres = 1};
static struct device ssdt_kbd = {.name = "KBD",
				 .path = "\\_SB.KBD",
				 .ids = {"KBD0001"},
				 .res = {IO(0x60, 1), IO(0x64, 1)},
				 .nres = 2};
/* Adjacent, not overlapping: 0x3f8-0x3ff and 0x400. */
static struct device com = {.name = "COM1",
			    .path = "\\_SB.COM1",
			    .ids = {"PNP0501"},
			    .res = {IO(0x3f8, 8)},
			    .nres = 1};
static struct device next_to_com = {.name = "COMX",
				    .path = "\\_SB.COMX",
				    .ids = {"PNP0501"},
				    .res = {IO(0x400, 1)},
				    .nres = 1};

TEST(device_ranges_owned_specific_first)
{
	fake_arch_reset();
	driver_register(&class_drv);
	driver_register(&product_drv);
	driver_register(&other_drv);
	device_add(&dsdt_kbd);
	device_add(&again);
	device_add(&ssdt_kbd);
	device_add(&com);
	device_add(&next_to_com);
	devices_probe();

	/* KBD0001 names a product, PNP0303 a class: the product binds. */
	CHECK(ssdt_kbd.driver == &product_drv);
	CHECK_EQ_INT(probes_product, 1);
	/* Neither class device touched the hardware. */
	CHECK_EQ_INT(probes_class, 0);
	CHECK(dsdt_kbd.driver == NULL);
	CHECK_EQ_INT(dsdt_kbd.probe_result, -EADDRINUSE);
	CHECK_EQ_INT(again.probe_result, -EADDRINUSE);
	/* Ranges that only touch do not overlap. */
	CHECK(com.driver == &other_drv && next_to_com.driver == &other_drv);
	CHECK_EQ_INT(probes_other, 2);

	/* `devices` names the holder. */
	fake_console_clear();
	devices_print();
	CHECK(strstr(fake_console_text(),
		     "[PNP0303]  not probed: io 0x60 held by \\_SB.KBD "
		     "(kbd0001)") != NULL);
	CHECK(strstr(fake_console_text(),
		     "[PNP0303]  not probed: io 0x64 held by \\_SB.KBD "
		     "(kbd0001)") != NULL);
}
