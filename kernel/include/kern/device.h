/*
 * Devices and drivers. Firmware (ACPI, the device tree) or, failing that,
 * a platform file describes devices with their resources; drivers match
 * them by ID and ask for resources by index:
 *
 *	int irq = device_irq(dev, 0);       never a literal IRQ number
 *	uint16_t port = device_io(dev, 1);  never a literal port
 *
 * IDs share one namespace: ACPI/PNP IDs ("PNP0303") and device-tree
 * compatible strings ("arm,pl011").
 */
#ifndef KERN_DEVICE_H
#define KERN_DEVICE_H

#include "kern/compiler.h"

#define DEVICE_MAX_RES 8
#define DEVICE_MAX_IDS 4

enum resource_type {
	RES_IO,	 /* I/O ports: start, size */
	RES_MEM, /* MMIO: start, size */
	RES_IRQ, /* an interrupt on the parent: see struct resource */
};

#define RES_IRQ_MAX_CELLS 4

/*
 * A RES_IRQ comes in one of two forms. Decoded (ncells 0), as ACPI and
 * the PC give it: start = the line on the interrupt parent (ISA IRQ, GSI),
 * flags = IRQF_TRIGGER_* and IRQF_SHARED. Raw (ncells > 0), as a device
 * tree gives it: cells = the specifier, in the parent's own format, which
 * only the parent's irq_xlate decodes; flags may add IRQF_SHARED.
 */
struct resource {
	enum resource_type type;
	uint64_t start;
	uint64_t size;
	unsigned int flags;
	unsigned int ncells;
	uint32_t cells[RES_IRQ_MAX_CELLS];
};

struct device;

/*
 * An interrupt controller's translate operation (Linux's
 * irq_domain_ops.xlate): one of its RES_IRQ resources -> the kernel IRQ
 * number and the trigger (IRQF_TRIGGER_*, 0 if the specifier names none).
 * Returns 0, or -EINVAL for a specifier it does not accept.
 */
typedef int (*irq_xlate_fn)(struct device *ctrl, const struct resource *res,
			    unsigned int *irq, unsigned int *trigger);

struct device {
	const char *name;
	const char *path; /* where firmware described it */
	const char *ids[DEVICE_MAX_IDS];
	struct resource res[DEVICE_MAX_RES];
	unsigned int nres;
	struct device *irq_parent; /* controller its RES_IRQs belong to */
	irq_xlate_fn irq_xlate;	   /* set by a controller's driver */
	const struct driver *driver;
	int probe_result; /* last probe's error, 0 if bound or not tried */
	void *driver_data;
	/*
	 * Register layout and input clock, for chips that sit at many
	 * strides and clocks (a 16550): from the device tree's reg-shift,
	 * reg-io-width and clock-frequency, or the platform's description.
	 */
	unsigned int reg_shift; /* register n at base + (n << reg_shift) */
	unsigned int reg_width; /* bytes per access; 0 = the chip's own */
	uint32_t clock_hz;	/* input clock; 0 = not described */
	/* What the platform tells the driver beyond resources. */
	const void *platform_data;
	struct device *next;
};

struct driver {
	const char *name;
	const char *const *ids; /* NULL-terminated match table */
	int (*probe)(struct device *dev);
	/*
	 * An ACPI Notify (ACPI 6.5, 5.6.6) aimed at the firmware node the
	 * device was described from: value as Notify gave it (0 bus check,
	 * 1 device check, 3 eject request, 0x80 and up the device's own).
	 * Thread context, the namespace unlocked: it may sleep and
	 * evaluate methods (drivers/acpi/notify.c). NULL: the Notify is
	 * logged as having no driver.
	 */
	void (*notify)(struct device *dev, uint32_t value);
	struct driver *next;
};

void device_add(struct device *dev);
void driver_register(struct driver *drv);

/*
 * Bind every unbound device to the first driver that matches it. A device
 * whose interrupt parent is not bound yet waits for a later pass, so
 * controllers always probe before their children.
 */
void devices_probe(void);

/* The index-th resource of a type, or NULL. */
const struct resource *device_resource(const struct device *dev,
				       enum resource_type type,
				       unsigned int index);
/* The index-th interrupt as a kernel IRQ number, or a negative errno. */
int device_irq(const struct device *dev, unsigned int index);
/* IRQF_TRIGGER_* (as the parent decodes it) and IRQF_SHARED of the
 * index-th interrupt; 0 if there is none or it does not decode. */
unsigned int device_irq_flags(const struct device *dev, unsigned int index);
/* The start of the index-th I/O or MMIO range; 0 if there is none. */
uint64_t device_io(const struct device *dev, unsigned int index);
uint64_t device_mem(const struct device *dev, unsigned int index);

bool device_has_id(const struct device *dev, const char *id);
struct device *device_first(void);

/* The shell's `devices`. */
void devices_print(void);

#endif
