/*
 * What the OS answers to the firmware (ACPI 6.5 5.7 "Predefined
 * Objects"): \_OSI (5.7.2, a host method), \_OS (5.7.3), \_REV (5.7.4)
 * and the Global Lock mutex \_GL (5.7.1). \_OSI's interface list is per
 * namespace: Linux's by default (the kernel answers as Linux does), and
 * aml_ns_osi_set changes it (the host tool answers as acpiexec does).
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

/* Linux's default (drivers/acpi/osi.c over ACPICA's table, as aml.h
 * documents it). */
static const char *const osi_default[] = {
    "Windows 2000",	   "Windows 2001",
    "Windows 2001 SP1",	   "Windows 2001.1",
    "Windows 2001 SP2",	   "Windows 2001.1 SP1",
    "Windows 2006",	   "Windows 2006.1",
    "Windows 2006 SP1",	   "Windows 2006 SP2",
    "Windows 2009",	   "Windows 2012",
    "Windows 2013",	   "Windows 2015",
    "Windows 2016",	   "Windows 2017",
    "Windows 2017.2",	   "Windows 2018",
    "Windows 2018.2",	   "Windows 2019",
    "Windows 2020",	   "Windows 2021",
    "Windows 2022",	   "Extended Address Space Descriptor",
    "Module Device",	   "Processor Device",
    "3.0 _SCP Extensions", "Processor Aggregator Device",
};

/* The namespace's list: a Package of Strings (ns->osi, released with
 * the namespace). */
static struct aml_obj **osi_slot(struct aml_ns *ns)
{
	return &ns->osi;
}

static int osi_find(struct aml_obj *list, const char *s, size_t len)
{
	uint32_t i;

	for (i = 0; list != NULL && i < list->pkg.count; i++) {
		struct aml_obj *e = list->pkg.elems[i];

		if (e->str.len == len && memcmp(e->str.ptr, s, len) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* \_OSI (Arg0 String): Ones when the interface is supported, else 0. */
static int osi_native(struct aml_ns *ns, struct aml_obj **args,
		      unsigned int nargs, struct aml_obj **ret)
{
	struct aml_obj **slot = osi_slot(ns);

	*ret = NULL;
	if (nargs < 1 || args[0] == NULL || args[0]->type != AML_STRING ||
	    slot == NULL) {
		aml_log(ns, "_OSI: argument is not a String");
		return -EINVAL;
	}
	*ret = aml_int_new(
	    ns, osi_find(*slot, args[0]->str.ptr, args[0]->str.len) >= 0 ? ~0ull
									 : 0);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* The list without element drop (drop < 0: none), plus add when given. */
static struct aml_obj *osi_rebuild(struct aml_ns *ns, struct aml_obj *old,
				   int drop, const char *add)
{
	uint32_t n = old != NULL ? old->pkg.count : 0, i, j = 0;
	struct aml_obj *p =
	    aml_pkg_new(ns, n - (drop >= 0 ? 1 : 0) + (add != NULL ? 1 : 0));

	if (p == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((int)i != drop) {
			p->pkg.elems[j++] = aml_obj_get(old->pkg.elems[i]);
		}
	}
	if (add != NULL) {
		p->pkg.elems[j] = aml_str_new(ns, add, strlen(add));
		if (p->pkg.elems[j] == NULL) {
			aml_obj_put(p);
			return NULL;
		}
	}
	return p;
}

int aml_ns_osi_set(struct aml_ns *ns, const char *iface, bool supported)
{
	struct aml_obj **slot, *p;
	int at;

	if (ns == NULL || iface == NULL || (slot = osi_slot(ns)) == NULL) {
		return -EINVAL;
	}
	at = osi_find(*slot, iface, strlen(iface));
	if ((at >= 0) == supported) {
		return 0;
	}
	p = osi_rebuild(ns, *slot, supported ? -1 : at,
			supported ? iface : NULL);
	if (p == NULL) {
		return -ENOMEM;
	}
	aml_obj_put(*slot);
	*slot = p;
	return 0;
}

/* Attach obj (a reference is taken) as \<name>. */
static int predef_node(struct aml_ns *ns, const char *name, struct aml_obj *obj)
{
	struct aml_name n = {0};
	struct aml_node *node;
	int rc;

	if (obj == NULL) {
		return -ENOMEM;
	}
	n.root = true;
	n.nseg = 1;
	n.segs = (const uint8_t *)name;
	rc = aml_ns_create_node(ns, aml_ns_root(ns), &n, obj, 0, &node);
	aml_obj_put(obj);
	return rc;
}

int aml_predef_install(struct aml_ns *ns)
{
	static const char os[] = "Microsoft Windows NT";
	struct aml_obj *m = aml_obj_new(ns, AML_METHOD);
	unsigned int i;
	int rc;

	if (m != NULL) {
		m->method.flags = 1; /* one argument */
		m->method.native = osi_native;
	}
	rc = predef_node(ns, "_OSI", m);
	for (i = 0; rc == 0 && i < sizeof(osi_default) / sizeof(osi_default[0]);
	     i++) {
		rc = aml_ns_osi_set(ns, osi_default[i], true);
	}
	if (rc == 0) {
		rc = predef_node(ns, "_OS_",
				 aml_str_new(ns, os, sizeof(os) - 1));
	}
	if (rc == 0) {
		rc = predef_node(ns, "_REV", aml_int_new(ns, 2));
	}
	if (rc == 0) {
		rc = predef_node(ns, "_GL_", aml_obj_new(ns, AML_MUTEX));
	}
	return rc;
}
