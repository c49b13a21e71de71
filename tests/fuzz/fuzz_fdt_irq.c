/*
 * libFuzzer target for the device tree's interrupt specifiers
 * (kernel/firmware/fdt/fdt_irq.c) and the GIC decoder
 * (kernel/drivers/irqchip/gic_dt.c): for every node of any tree fdt_init
 * accepts, resolve the interrupt parent and fetch and decode every
 * interrupt. Nothing may read out of bounds or loop forever; what is
 * returned must be consistent.
 */
#include <stddef.h>
#include <stdint.h>

#include "drivers/irqchip/gic_common.h"
#include "firmware/fdt/fdt_irq.h"
#include "kern/errno.h"

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

#define MAX_NODES 64 /* per input, to keep each run quick */
#define MAX_IRQS  16

static void check_node(const struct fdt *fdt, int node)
{
	struct fdt_irq spec;
	uint32_t intid;
	unsigned int flags;
	int parent = fdt_irq_parent(fdt, node), n = 0;

	ASSERT(parent >= 0 || parent == -ENOENT || parent == -EINVAL ||
	       parent == -EBADMSG || parent == -ERANGE);
	for (unsigned int i = 0; i < MAX_IRQS; i++) {
		int ret = fdt_irq_get(fdt, node, i, &spec);

		if (ret < 0) {
			break;
		}
		n++;
		ASSERT(spec.ncells >= 1 && spec.ncells <= FDT_IRQ_MAX_CELLS);
		ASSERT(spec.ctrl >= 0);
		if (gic_decode_specifier(spec.cells, spec.ncells, &intid,
					 &flags) == 0) {
			ASSERT(intid >= GIC_PPI_BASE && intid < 1020);
			ASSERT(flags != 0);
		}
	}
	if (n < MAX_IRQS) {
		ASSERT(fdt_irq_count(fdt, node) == n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdt fdt;
	int nodes = 0;

	if (fdt_init(&fdt, data, size) < 0) {
		return 0;
	}
	/* Document order: first child, else next sibling, else climb. */
	for (int node = fdt_root(&fdt); node >= 0 && nodes < MAX_NODES;
	     nodes++) {
		int next;

		check_node(&fdt, node);
		next = fdt_first_child(&fdt, node);
		while (next < 0 && node >= 0) {
			next = fdt_next_sibling(&fdt, node);
			if (next < 0) {
				node = fdt_parent(&fdt, node);
			}
		}
		node = next;
	}
	return 0;
}
