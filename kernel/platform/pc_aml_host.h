/*
 * What the AML interpreter (firmware/acpi/aml/aml.h) asks of the PC: the
 * operation region handlers (ACPI 6.5, 5.5.2.4 "Access to Operation
 * Regions", 19.6.100 OperationRegion's RegionSpace keywords), Sleep,
 * Stall, the Timer, Debug, Fatal, log lines, and Notify, which goes to
 * drivers/acpi/notify.c (the bound driver, or a log line).
 *
 *   SystemMemory  firmware_map() (kern/vm.h): an address it refuses fails
 *                 the access, counted and said
 *   SystemIO      port I/O, 8/16/32 bits (64 as two 32-bit accesses)
 *   PCI_Config    ECAM through the MCFG's windows when one covers the
 *                 function, else configuration mechanism #1 (CF8h/CFCh,
 *                 PCI Local Bus 3.0, 3.2.2.3.2) for segment 0
 *   others        a handler a driver registers (an EC driver for
 *                 EmbeddedControl); until then -ENODEV, which the
 *                 interpreter reports naming the region and its device
 *
 * Region accesses run under the namespace's lock (the interpreter is not
 * reentrant), in thread context: a handler may sleep.
 */
#ifndef PLATFORM_PC_AML_HOST_H
#define PLATFORM_PC_AML_HOST_H

#include "kern/compiler.h"
#include "firmware/acpi/aml/aml.h"

/* The host operations; their ctx is NULL. */
const struct aml_host_ops *pc_aml_host_ops(void);

/* Bit n set: space n has a handler now (aml_ns_initialize's _REG). */
uint32_t pc_aml_host_spaces(void);

/* The MCFG (the whole table, NULL if the machine has none): its ECAM
 * windows serve PCI_Config from then on. Bad entries are said. */
void pc_aml_host_set_mcfg(const uint8_t *mcfg, size_t len);

/* A handler for one address space: 0 or a negative errno, as
 * aml_host_ops.region_rw. */
typedef int (*pc_aml_space_fn)(void *ctx, const struct aml_region_access *a,
			       bool write, uint64_t *value);

/*
 * Install (fn) or remove (NULL) the handler of a space the PC has none
 * of its own for (EmbeddedControl, SMBus, ...): 0, -EINVAL for a space
 * out of range, -EBUSY for SystemMemory/SystemIO/PCI_Config or a space
 * that has one already.
 */
int pc_aml_set_space_handler(uint8_t space, pc_aml_space_fn fn, void *ctx);

struct pc_aml_host_stats {
	unsigned long reads[AML_SPACE_COUNT], writes[AML_SPACE_COUNT];
	unsigned long refused;	  /* unmapped memory, bad port, bad width */
	unsigned long no_handler; /* -ENODEV: a space nobody handles */
	unsigned long ecam, cf8;  /* PCI_Config accesses by mechanism */
};
void pc_aml_host_get_stats(struct pc_aml_host_stats *st);

#endif
