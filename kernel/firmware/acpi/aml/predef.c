/*
 * What the OS answers (ACPI 6.5 5.7 "Predefined Objects"): \_OSI (5.7.2),
 * \_OS (5.7.3), \_REV (5.7.4) and the Global Lock's mutex \_GL (5.7.1).
 *
 * kite answers as the reference it is compared against: ACPICA 20200925,
 * which Debian's acpiexec carries (the golden files were made with it).
 * That differs from today's Linux in three ways, kept on purpose:
 *  - "Windows 2020", "Windows 2021", "Windows 2022" are refused: that
 *    ACPICA predates them (Linux answers True since ACPICA 20201113 and
 *    later releases);
 *  - "Module Device", "Processor Device", "3.0 Thermal Model",
 *    "3.0 _SCP Extensions", "Processor Aggregator Device" are refused:
 *    ACPICA lists them as optional features, which acpiexec leaves off
 *    (Linux's drivers/acpi/osi.c turns four of them on);
 *  - "Windows 2006" is refused: acpiexec removes it at start-up to test
 *    AcpiRemoveInterface (aeinitfile/aetests); Linux answers True.
 *    (acpiexec also adds "AnotherTestString"; kite does not.)
 * "Linux" and "Darwin" are refused, as both do.
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/ops_local.h"

/* Checked against acpiexec 20200925 (`evaluate` of a method storing each
 * _OSI answer): exactly these are True. */
static const char *const osi_true[] = {
    "Windows 2000",			 /* Windows 2000 */
    "Windows 2001",			 /* Windows XP */
    "Windows 2001 SP1",			 /* Windows XP SP1 */
    "Windows 2001.1",			 /* Windows Server 2003 */
    "Windows 2001 SP2",			 /* Windows XP SP2 */
    "Windows 2001.1 SP1",		 /* Windows Server 2003 SP1 */
    "Windows 2006.1",			 /* Windows Server 2008 */
    "Windows 2006 SP1",			 /* Windows Vista SP1 */
    "Windows 2006 SP2",			 /* Windows Vista SP2 */
    "Windows 2009",			 /* Windows 7 */
    "Windows 2012",			 /* Windows 8 */
    "Windows 2013",			 /* Windows 8.1 */
    "Windows 2015",			 /* Windows 10 */
    "Windows 2016",			 /* Windows 10 1607 */
    "Windows 2017",			 /* Windows 10 1703 */
    "Windows 2017.2",			 /* Windows 10 1709 */
    "Windows 2018",			 /* Windows 10 1803 */
    "Windows 2018.2",			 /* Windows 10 1809 */
    "Windows 2019",			 /* Windows 10 1903 */
    "Extended Address Space Descriptor", /* a feature, on by default */
};

bool aml_osi_supported(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(osi_true) / sizeof(osi_true[0]); i++) {
		if (strcmp(s, osi_true[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* \_OSI (String): Ones or Zero (5.7.2); not a String is an error */
static int osi_native(struct aml_ns *ns, struct aml_obj **args,
		      unsigned int nargs, struct aml_obj **ret)
{
	*ret = NULL;
	if (nargs < 1 || args[0] == NULL || args[0]->type != AML_STRING) {
		aml_log(ns, "\\_OSI: the argument is not a String");
		return -EINVAL;
	}
	*ret = aml_int_new(ns, aml_osi_supported(args[0]->str.ptr) ? ~0ull : 0);
	return *ret != NULL ? 0 : -ENOMEM;
}

static int install(struct aml_ns *ns, const char *seg, struct aml_obj *o)
{
	struct aml_name n = {0};
	struct aml_node *node;
	int rc;

	if (o == NULL) {
		return -ENOMEM;
	}
	n.root = true;
	n.nseg = 1;
	n.segs = (const uint8_t *)seg;
	rc = aml_ns_create_node(ns, aml_ns_root(ns), &n, o, 0, &node);
	aml_obj_put(o);
	return rc;
}

int aml_predef_install(struct aml_ns *ns)
{
	static const char os[] = "Microsoft Windows NT"; /* 5.7.3 */
	struct aml_obj *m = aml_obj_new(ns, AML_METHOD);
	int rc;

	if (m != NULL) {
		m->method.flags = 1; /* one argument, not serialized */
		m->method.native = osi_native;
	}
	rc = install(ns, "_OSI", m);
	if (rc == 0) {
		rc = install(ns, "_OS_", aml_str_new(ns, os, sizeof(os) - 1));
	}
	if (rc == 0) { /* 5.7.4: 2 = ACPI 2.0 and later (acpiexec: 2) */
		rc = install(ns, "_REV", aml_int_new(ns, 2));
	}
	if (rc == 0) { /* 5.7.1: the Global Lock, a Mutex at SyncLevel 0 */
		rc = install(ns, "_GL_", aml_obj_new(ns, AML_MUTEX));
	}
	return rc;
}
