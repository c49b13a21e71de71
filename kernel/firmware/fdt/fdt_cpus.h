/*
 * The device tree's CPUs: /cpus and its cpu@ nodes (Devicetree
 * Specification v0.4, section 3.7 and 3.8), and the PSCI node's conduit
 * (Linux Documentation/devicetree/bindings/arm/psci.yaml: "method").
 *
 * Pure functions over a struct fdt that fdt_init accepted (fdt.h).
 *
 * Errors: -ENOENT (no /cpus, no /psci or no method), -ERANGE (/cpus has
 * #address-cells other than 1 or 2), -EBADMSG (/cpus has #size-cells
 * other than 0, or a property of the wrong size).
 */
#ifndef FIRMWARE_FDT_FDT_CPUS_H
#define FIRMWARE_FDT_FDT_CPUS_H

#include "firmware/fdt/fdt.h"

/* Arm MPIDR_EL1 affinity fields: Aff3 [39:32], Aff2..Aff0 [23:0]. */
#define FDT_MPIDR_AFF_MASK 0xff00ffffffull

struct fdt_cpu {
	int node;
	uint64_t mpidr;		   /* reg, masked with FDT_MPIDR_AFF_MASK */
	bool enabled;		   /* status absent, "okay" or "ok" */
	const char *enable_method; /* "psci", "spin-table"; NULL if absent */
};

/* Called once per good cpu node, in tree order; nonzero stops the walk. */
typedef int (*fdt_cpu_fn)(const struct fdt_cpu *cpu, void *ctx);

/*
 * Walk /cpus: every child with device_type "cpu" (others, such as
 * cpu-map, are skipped). A cpu node with no reg, or a reg of the wrong
 * length for #address-cells, is skipped and counted in *bad (may be
 * NULL). Returns the number of CPUs passed to fn, or -errno for /cpus
 * itself (then fn was never called). A nonzero return from fn stops the
 * walk and is returned.
 */
int fdt_cpus_walk(const struct fdt *fdt, fdt_cpu_fn fn, void *ctx,
		  unsigned int *bad);

/* The /psci node's "method" ("hvc" or "smc"); -ENOENT if none. */
int fdt_psci_method(const struct fdt *fdt, const char **method);

#endif
