/*
 * /cpus reader (see fdt_cpus.h). Spec 3.7: /cpus has #address-cells 1 or
 * 2 and #size-cells 0; each cpu node's reg is its hardware id, for Arm
 * the MPIDR_EL1 affinity fields (Linux bindings/arm/cpus.yaml: with two
 * cells the first holds Aff3 in bits [7:0], the second Aff2..Aff0).
 */
#include "firmware/fdt/fdt_cpus.h"
#include "kern/errno.h"
#include "kern/string.h"

static bool is_cpu(const struct fdt *fdt, int node)
{
	const char *type;

	return fdt_prop_string(fdt, node, "device_type", &type) == 0 &&
	       strcmp(type, "cpu") == 0;
}

/* /cpus's cell counts, checked against what spec 3.7 allows. */
static int cpus_cells(const struct fdt *fdt, int cpus, uint32_t *acells)
{
	uint32_t scells;
	int err = fdt_prop_u32(fdt, cpus, "#address-cells", acells);

	if (err < 0) {
		return err == -ENOENT ? -ERANGE : err;
	}
	if (*acells != 1 && *acells != 2) {
		return -ERANGE;
	}
	err = fdt_prop_u32(fdt, cpus, "#size-cells", &scells);
	if (err < 0 || scells != 0) {
		return -EBADMSG;
	}
	return 0;
}

/* The node's reg as one id of acells cells; false if missing or odd. */
static bool cpu_reg(const struct fdt *fdt, int node, uint32_t acells,
		    uint64_t *id)
{
	const uint8_t *p;
	const void *val;
	uint32_t len;

	if (fdt_get_prop(fdt, node, "reg", &val, &len) < 0 ||
	    len != 4 * acells) {
		return false;
	}
	p = val;
	*id = 0;
	for (uint32_t i = 0; i < len; i++) {
		*id = *id << 8 | p[i];
	}
	return true;
}

int fdt_cpus_walk(const struct fdt *fdt, fdt_cpu_fn fn, void *ctx,
		  unsigned int *bad)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), n = 0, err;
	uint32_t acells;

	if (cpus < 0) {
		return cpus;
	}
	err = cpus_cells(fdt, cpus, &acells);
	if (err < 0) {
		return err;
	}
	for (int node = fdt_first_child(fdt, cpus); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		struct fdt_cpu c = {.node = node};

		if (!is_cpu(fdt, node)) {
			continue;
		}
		if (!cpu_reg(fdt, node, acells, &c.mpidr)) {
			if (bad) {
				(*bad)++;
			}
			continue;
		}
		c.mpidr &= FDT_MPIDR_AFF_MASK;
		c.enabled = fdt_node_enabled(fdt, node);
		if (fdt_prop_string(fdt, node, "enable-method",
				    &c.enable_method) < 0) {
			c.enable_method = NULL;
		}
		err = fn(&c, ctx);
		if (err) {
			return err;
		}
		n++;
	}
	return n;
}

int fdt_psci_method(const struct fdt *fdt, const char **method)
{
	int psci = fdt_path_offset(fdt, "/psci");

	if (psci < 0) {
		return psci;
	}
	return fdt_prop_string(fdt, psci, "method", method);
}
