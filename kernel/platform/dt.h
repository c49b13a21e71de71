/* Devices from a flattened device tree. */
#ifndef PLATFORM_DT_H
#define PLATFORM_DT_H

#include "firmware/fdt/fdt.h"

/*
 * Add a struct device for every enabled node that has a `compatible`:
 * its compatible strings as IDs, `reg` as MMIO ranges (with the parent's
 * cells), and its interrupts, decoded by the format of their controller
 * (the GIC's 3-cell specifier), with the controller's device as the
 * interrupt parent. Returns the number of devices added.
 */
int dt_devices_add(const struct fdt *fdt);

#endif
