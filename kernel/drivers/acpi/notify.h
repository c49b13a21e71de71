/*
 * ACPI Notify delivery (ACPI 6.5, 5.6.6 "Device Object Notifications"),
 * and the one way the ACPI drivers reach the platform's namespace.
 *
 * The interpreter calls its host's notify while a method runs, with the
 * namespace locked; a driver's handler may want to evaluate methods
 * itself (an eject runs _EJ0), so a Notify is only queued there and
 * delivered afterwards from a work queue, the namespace unlocked: to the
 * notify op of the driver bound to the device described by that node
 * (aml_node_data() is its struct device), else logged:
 *
 *   acpi: Notify(\_SB.PCI0.S18, 1 device check): no driver
 *
 * An eject request (3) that no driver takes runs the node's _EJ0(1), so
 * the platform (QEMU's PCI hotplug) completes the removal.
 */
#ifndef DRIVERS_ACPI_NOTIFY_H
#define DRIVERS_ACPI_NOTIFY_H

#include "kern/compiler.h"
#include "firmware/acpi/aml/aml.h"

/*
 * The platform's namespace and the lock every evaluation after boot
 * holds (the interpreter is not reentrant). Set once, by the platform,
 * when the namespace is loaded.
 */
void acpi_ns_access_set(struct aml_ns *(*lock)(void), void (*unlock)(void));
/* The namespace, locked; NULL (nothing locked) when there is none. */
struct aml_ns *acpi_ns_lock(void);
void acpi_ns_unlock(void);

/* From the interpreter's notify op (namespace locked): queue it. */
void acpi_notify_queue(struct aml_node *node, uint32_t value);

/* Notify's value as the spec names it ("device check"), or NULL. */
const char *acpi_notify_name(uint32_t value);

struct acpi_notify_stats {
	unsigned long queued;	    /* Notify operations the AML ran */
	unsigned long delivered;    /* to a driver's notify op */
	unsigned long unclaimed;    /* no driver: logged */
	unsigned long ejects;	    /* _EJ0 run for an unclaimed eject */
	unsigned long eject_failed; /* ... that failed or had no _EJ0 */
	unsigned long dropped;	    /* the queue was full: said */
};
void acpi_notify_get_stats(struct acpi_notify_stats *st);

/* The shell's view: the counts, then each node notified, with its
 * count and last value. */
void acpi_notify_print(void);

#endif
