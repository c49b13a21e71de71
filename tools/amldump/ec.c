/*
 * The EmbeddedControl _REG(3, 1) calls as acpiexec 20200925 makes them,
 * so that what AML does in them (an EC's "ECON = One", say) matches the
 * golden files. acpiexec's EC handler is installed at the root before
 * any table loads, which runs no _REG; later it installs one more under
 * every Device whose _HID or _CID is PNP0C09 and that ACPICA's device
 * search accepts (no _STA, or _STA saying present or functioning), and
 * that install runs _REG(EmbeddedControl, 1) for the EC regions below
 * that device (ACPI 6.5 6.5.4). So an EC whose _STA says absent never
 * gets its _REG, and neither does an EC region outside an EC device.
 *
 * The public API does not say a region's space, so _REG(3, 1) runs once
 * in the scope of each region below the EC device (the EC's own region
 * in every table seen): a device holding an EC region and another would
 * see one call where acpiexec may make one per region.
 */
#include <string.h>
#include "amldump.h"

#define EC_EISA_ID		   0x090CD041u /* EisaId ("PNP0C09") */
#define STA_PRESENT_OR_FUNCTIONING 0x09u

/* dev's own child `name` (never a parent's through the 5.3 search). */
static struct aml_node *child(struct aml_ns *ns, struct aml_node *dev,
			      const char *name)
{
	struct aml_node *n = aml_ns_lookup(ns, dev, name);

	return n && aml_node_parent(n) == dev ? n : NULL;
}

static bool id_is_ec(const struct aml_value *v)
{
	if (v->type == AML_INTEGER) {
		return (uint32_t)v->integer == EC_EISA_ID;
	}
	return v->type == AML_STRING && !strcmp(v->string.ptr, "PNP0C09");
}

/* _HID, else any _CID entry, is PNP0C09. */
static bool is_ec(struct aml_ns *ns, struct aml_node *dev)
{
	static const char *const names[] = {"_HID", "_CID"};
	struct aml_value v;
	bool yes = false;
	uint32_t i, k;

	for (k = 0; k < 2 && !yes; k++) {
		struct aml_node *n = child(ns, dev, names[k]);

		if (!n || aml_ns_eval(ns, n, NULL, NULL, 0, &v) < 0) {
			continue;
		}
		if (v.type == AML_PACKAGE) {
			for (i = 0; i < v.package.count && !yes; i++) {
				yes = id_is_ec(&v.package.elems[i]);
			}
		} else {
			yes = id_is_ec(&v);
		}
		aml_value_free(&v);
	}
	return yes;
}

static bool accepted(struct aml_ns *ns, struct aml_node *dev)
{
	struct aml_node *n = child(ns, dev, "_STA");
	struct aml_value v;
	bool ok;

	if (!n) {
		return true;
	}
	if (aml_ns_eval(ns, n, NULL, NULL, 0, &v) < 0) {
		return false;
	}
	ok = v.type == AML_INTEGER && (v.integer & STA_PRESENT_OR_FUNCTIONING);
	aml_value_free(&v);
	return ok;
}

struct reg_walk {
	struct aml_ns *ns;
	struct aml_node *last; /* the scope whose _REG ran last */
};

static int run_reg(struct aml_node *region, void *arg)
{
	struct reg_walk *w = arg;
	struct aml_node *scope = aml_node_parent(region), *reg;
	struct aml_value args[2] = {
	    {.type = AML_INTEGER, .integer = AML_SPACE_EC},
	    {.type = AML_INTEGER, .integer = 1}, /* connect */
	};
	struct aml_value out;

	if (scope == w->last) {
		return 0;
	}
	w->last = scope;
	reg = child(w->ns, scope, "_REG");
	if (reg && aml_ns_eval(w->ns, reg, NULL, args, 2, &out) == 0) {
		aml_value_free(&out);
	}
	return 0;
}

static int ec_device(struct aml_node *dev, void *arg)
{
	struct aml_ns *ns = arg;
	struct reg_walk w = {ns, NULL};

	if (is_ec(ns, dev) && accepted(ns, dev)) {
		aml_ns_walk(ns, dev, AML_REGION, run_reg, &w);
	}
	return 0;
}

void amldump_ec_reg(struct aml_ns *ns)
{
	aml_ns_walk(ns, NULL, AML_DEVICE, ec_device, ns);
}
