/*
 * Interrupt specifiers in a device tree (Devicetree Specification v0.4,
 * chapter 2.4): which controller a node's interrupts go to and the raw
 * cells that name each one. What the cells mean is the controller's
 * business: its driver's irq_xlate (drivers/irqchip/gic_common.c for
 * the GIC) decodes them from the device's RES_IRQ.
 */
#ifndef FIRMWARE_FDT_FDT_IRQ_H
#define FIRMWARE_FDT_FDT_IRQ_H

#include "firmware/fdt/fdt.h"

#define FDT_IRQ_MAX_CELLS 4

struct fdt_irq {
	int ctrl;	 /* the interrupt controller's node */
	uint32_t ncells; /* its #interrupt-cells */
	uint32_t cells[FDT_IRQ_MAX_CELLS];
};

/*
 * The node's interrupt parent: its own `interrupt-parent` if it has one,
 * else the nearest ancestor's (QEMU's virt puts it on the root). The
 * phandle must name a node with `interrupt-controller` or
 * `#interrupt-cells`. -ENOENT if there is none.
 */
int fdt_irq_parent(const struct fdt *fdt, int node);

/*
 * The index-th interrupt of a node, from `interrupts-extended` (phandle
 * and cells for each) if present, else from `interrupts` with the
 * parent's `#interrupt-cells`. -ENOENT past the last one, -EBADMSG for a
 * malformed property, -ERANGE for more than FDT_IRQ_MAX_CELLS cells.
 */
int fdt_irq_get(const struct fdt *fdt, int node, unsigned int index,
		struct fdt_irq *out);

/* How many interrupts fdt_irq_get() can return for the node. */
int fdt_irq_count(const struct fdt *fdt, int node);

#endif
