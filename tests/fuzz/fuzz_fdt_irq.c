/*
 * libFuzzer target for the device tree's interrupt specifiers
 * (kernel/firmware/fdt/fdt_irq.c) and the GIC's translate operation
 * (kernel/drivers/irqchip/gic_common.c): for every node of any tree
 * fdt_init accepts, resolve the interrupt parent, fetch every interrupt,
 * keep its raw cells in a RES_IRQ as platform/dt.c does and let the GIC
 * decode them. Nothing may read out of bounds or loop forever; what is
 * returned must be consistent.
 */
#include <stddef.h>
#include <stdint.h>

#include "drivers/irqchip/gic_common.h"
#include "firmware/fdt/fdt_irq.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/string.h"

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
	unsigned int flags, irq, trigger;
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
		struct resource res = {.type = RES_IRQ, .ncells = spec.ncells};
		int dec;

		memcpy(res.cells, spec.cells,
		       spec.ncells * sizeof(res.cells[0]));
		dec = gic_decode_specifier(spec.cells, spec.ncells, &intid,
					   &flags);
		if (dec == 0) {
			ASSERT(intid >= GIC_PPI_BASE && intid < 1020);
			ASSERT(flags != 0);
		}
		/* The xlate agrees with the decoder, and keeps to its lines. */
		ret = gic_xlate(&res, 0, 64, &irq, &trigger);
		ASSERT(ret == 0 || ret == -EINVAL);
		ASSERT(ret != 0 || (dec == 0 && irq == intid && irq < 64 &&
				    trigger == flags));
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
