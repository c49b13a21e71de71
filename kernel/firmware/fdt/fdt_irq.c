/* Interrupt parents and specifiers (see fdt_irq.h). */
#include "firmware/fdt/fdt_irq.h"
#include "kern/bytes.h"
#include "kern/errno.h"

static int controller_cells(const struct fdt *fdt, int ctrl, uint32_t *cells)
{
	int ret = fdt_prop_u32(fdt, ctrl, "#interrupt-cells", cells);

	if (ret < 0) {
		return ret == -ENOENT ? -EBADMSG : ret;
	}
	if (*cells == 0 || *cells > FDT_IRQ_MAX_CELLS) {
		return -ERANGE;
	}
	return 0;
}

int fdt_irq_parent(const struct fdt *fdt, int node)
{
	/* Bounded by the tree depth fdt_init() enforces. */
	for (int depth = 0; node >= 0 && depth <= FDT_MAX_DEPTH; depth++) {
		uint32_t phandle;
		int ret = fdt_prop_u32(fdt, node, "interrupt-parent", &phandle);

		if (ret == 0) {
			return fdt_node_by_phandle(fdt, phandle);
		}
		if (ret != -ENOENT) {
			return ret;
		}
		node = fdt_parent(fdt, node);
	}
	return -ENOENT;
}

static int get_extended(const struct fdt *fdt, const uint8_t *p, uint32_t len,
			unsigned int index, struct fdt_irq *out)
{
	uint32_t off = 0;

	/* Each entry: <phandle cell...>, its length set by the phandle. */
	for (unsigned int i = 0; off + 4 <= len; i++) {
		uint32_t cells;
		int ctrl = fdt_node_by_phandle(fdt, get_be32(p + off)), ret;

		if (ctrl < 0) {
			return -EBADMSG;
		}
		ret = controller_cells(fdt, ctrl, &cells);
		if (ret < 0) {
			return ret;
		}
		if (cells > (len - off - 4) / 4) {
			return -EBADMSG;
		}
		if (i == index) {
			out->ctrl = ctrl;
			out->ncells = cells;
			for (uint32_t c = 0; c < cells; c++) {
				out->cells[c] = get_be32(p + off + 4 + 4 * c);
			}
			return 0;
		}
		off += 4 + 4 * cells;
	}
	return off == len ? -ENOENT : -EBADMSG;
}

int fdt_irq_get(const struct fdt *fdt, int node, unsigned int index,
		struct fdt_irq *out)
{
	const void *val;
	uint32_t len, cells;
	int ctrl, ret;

	if (fdt_get_prop(fdt, node, "interrupts-extended", &val, &len) == 0) {
		return get_extended(fdt, val, len, index, out);
	}
	ret = fdt_get_prop(fdt, node, "interrupts", &val, &len);
	if (ret < 0) {
		return ret;
	}
	ctrl = fdt_irq_parent(fdt, node);
	if (ctrl < 0) {
		return ctrl == -ENOENT ? -EBADMSG : ctrl;
	}
	ret = controller_cells(fdt, ctrl, &cells);
	if (ret < 0) {
		return ret;
	}
	if (len % (4 * cells)) {
		return -EBADMSG;
	}
	if (index >= len / (4 * cells)) {
		return -ENOENT;
	}
	out->ctrl = ctrl;
	out->ncells = cells;
	for (uint32_t c = 0; c < cells; c++) {
		out->cells[c] =
		    get_be32((const uint8_t *)val + 4 * (index * cells + c));
	}
	return 0;
}

int fdt_irq_count(const struct fdt *fdt, int node)
{
	struct fdt_irq irq;
	int n = 0;

	/* Bounded: a property of at most the struct block's size. */
	while (fdt_irq_get(fdt, node, (unsigned int)n, &irq) == 0) {
		n++;
	}
	return n;
}
