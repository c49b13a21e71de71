/*
 * The legacy PC's fixed devices, at the conventional ISA addresses every
 * PC-compatible has used since the IBM PC/AT. Drivers are handed these
 * through their struct device and never spell them themselves. The IDs are
 * the ACPI/PNP ones, so the same drivers bind when ACPI describes the
 * devices instead.
 */
#include "platform/pc.h"
#include "kern/irq.h"

#define ISA_EDGE IRQF_TRIGGER_RISING
#define IO(start, size)                                                        \
	{                                                                      \
		RES_IO, (start), (size), 0                                     \
	}
#define MEM(start, size)                                                       \
	{                                                                      \
		RES_MEM, (start), (size), 0                                    \
	}
#define IRQ(line, flags)                                                       \
	{                                                                      \
		RES_IRQ, (line), 1, (flags)                                    \
	}

static struct device pic = {
    .name = "pic",
    .path = "pc:pic",
    .ids = {"PNP0000"},
    .res = {IO(0x20, 2), IO(0xa0, 2)},
    .nres = 2,
};

static struct device pit = {
    .name = "pit",
    .path = "pc:pit",
    .ids = {"PNP0100"},
    /* counters and mode; port 0x61: channel 2 gate, speaker, output */
    .res = {IO(0x40, 4), IO(0x61, 1), IRQ(0, ISA_EDGE)},
    .nres = 3,
    .irq_parent = &pic,
};

static struct device i8042 = {
    .name = "i8042",
    .path = "pc:i8042",
    .ids = {"PNP0303"},
    /* data port, status/command port, keyboard IRQ, mouse IRQ */
    .res = {IO(0x60, 1), IO(0x64, 1), IRQ(1, ISA_EDGE | IRQF_SHARED),
	    IRQ(12, ISA_EDGE | IRQF_SHARED)},
    .nres = 4,
    .irq_parent = &pic,
};

/* COM1/COM3 and COM2/COM4 share their IRQs by convention. */
static struct device com[4] = {
    {.name = "com1",
     .path = "pc:com1",
     .ids = {"PNP0501"},
     .res = {IO(0x3f8, 8), IRQ(4, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .irq_parent = &pic},
    {.name = "com2",
     .path = "pc:com2",
     .ids = {"PNP0501"},
     .res = {IO(0x2f8, 8), IRQ(3, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .irq_parent = &pic},
    {.name = "com3",
     .path = "pc:com3",
     .ids = {"PNP0501"},
     .res = {IO(0x3e8, 8), IRQ(4, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .irq_parent = &pic},
    {.name = "com4",
     .path = "pc:com4",
     .ids = {"PNP0501"},
     .res = {IO(0x2e8, 8), IRQ(3, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .irq_parent = &pic},
};

static struct device vga = {
    .name = "vga",
    .path = "pc:vga",
    .ids = {"PNP0900"},
    /* text buffer, CRT controller index/data */
    .res = {MEM(0xb8000, 0x8000), IO(0x3d4, 2)},
    .nres = 2,
};

const struct pc_platform pc_platform = {
    .name = "pc",
    .console = &com[0],
    .console_baud = 115200,
    /* QEMU's isa-debug-exit, placed there by scripts/qemu.py. */
    .debug_exit_port = 0xf4,
};

extern struct driver i8259_driver, pit_driver, uart16550_driver, i8042_driver,
    vga_driver;

void pc_platform_init(void)
{
	static struct driver *const drivers[] = {
	    &i8259_driver, &pit_driver,	  &uart16550_driver,
	    &vga_driver,   &i8042_driver,
	};

	device_add(&pic);
	device_add(&pit);
	device_add(&i8042);
	for (unsigned int i = 0; i < 4; i++) {
		device_add(&com[i]);
	}
	device_add(&vga);
	for (unsigned int i = 0; i < sizeof(drivers) / sizeof(drivers[0]);
	     i++) {
		driver_register(drivers[i]);
	}
}
