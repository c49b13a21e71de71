/* Devices from a flattened device tree. */
#ifndef PLATFORM_DT_H
#define PLATFORM_DT_H

#include "firmware/fdt/fdt.h"

/*
 * Add a struct device for every enabled node that has a `compatible`:
 * its compatible strings as IDs, `reg` as MMIO ranges (with the parent's
 * cells), `reg-shift`, `reg-io-width` and `clock-frequency` as its
 * register layout and clock, and its interrupts as RES_IRQs holding the
 * specifier's raw cells, with the controller's device as the interrupt
 * parent: that controller's irq_xlate decodes them. Returns the number of
 * devices added.
 */
int dt_devices_add(const struct fdt *fdt);

/*
 * Register /cpus's cpu nodes in the CPU table (kern/cpu.h), each with its
 * enable-method and, for "psci", the /psci node's conduit. The caller
 * names the boot CPU (cpu_set_boot). Returns the number registered or the
 * -errno of fdt_cpus_walk (said on the console).
 */
int dt_cpus_add(const struct fdt *fdt);

#endif
