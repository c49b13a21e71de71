/*
 * aml_describe (kernel/firmware/acpi/aml/describe.c) on
 * tests/fixtures/acpi/aml/describe.dsl: the ID forms of ACPI 6.5 6.1
 * (EISA integers, strings repaired as ACPICA repairs them, _CID as one
 * ID or a package), _UID as integer or string, _STA's default (0x0F)
 * and _CRS only for a present device (6.3.7), failures recorded per
 * object while the rest is still described.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "kern/errno.h"
#include "firmware/acpi/aml/aml.h"

static const struct aml_host_ops no_host; /* every callback NULL */

/* The fixture loaded and initialized; NULL (after a failed check) if not. */
static struct aml_ns *describe_ns(void **table)
{
	struct aml_ns *ns = NULL;
	size_t len;

	*table = unit_load_fixture("acpi/aml/describe.aml", &len);
	if (!*table || aml_ns_create(&no_host, NULL, NULL, &ns) < 0) {
		free(*table);
		return NULL;
	}
	if (aml_ns_load_table(ns, *table, len) < 0) {
		aml_ns_destroy(ns);
		free(*table);
		return NULL;
	}
	aml_ns_initialize(ns, 0, -1);
	return ns;
}

static void done(struct aml_ns *ns, void *table, struct aml_devinfo *d)
{
	aml_devinfo_free(d);
	aml_ns_destroy(ns);
	free(table);
}

static int describe(struct aml_ns *ns, const char *path, struct aml_devinfo *d)
{
	struct aml_node *n = aml_ns_lookup(ns, NULL, path);

	memset(d, 0, sizeof(*d));
	if (!n) {
		return -ENOENT;
	}
	return aml_describe(ns, n, d);
}

TEST(aml_describe_eisa_ids_and_integer_uid)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(describe(ns, "\\_SB.EISA", &d), 0);
	CHECK(d.has_hid);
	CHECK_EQ_STR(d.hid, "PNP0303");
	CHECK_EQ_INT(d.ncid, 3);
	CHECK_EQ_STR(d.cid[0], "PNP030B");
	CHECK_EQ_STR(d.cid[1], "ACPI0003"); /* upper-cased */
	CHECK_EQ_STR(d.cid[2], "PNP0C0A");  /* '*' dropped */
	CHECK(d.has_uid);
	CHECK_EQ_STR(d.uid, "4886718345"); /* 0x123456789, in decimal */
	CHECK(!d.has_sta);
	CHECK_EQ_INT(d.sta, 0x0F);
	CHECK(d.has_crs);
	CHECK_EQ_INT(d.crs_len, 10); /* IO descriptor + end tag */
	CHECK_EQ_INT(d.crs[0], 0x47);
	CHECK_EQ_INT(d.error, 0);
	aml_devinfo_free(&d);

	/* A child with no IDs: the 5.3 upward search must not lend it the
	 * parent's _HID or _CRS. */
	CHECK_EQ_INT(describe(ns, "\\_SB.EISA.KID", &d), 0);
	CHECK(!d.has_hid && !d.has_uid && d.ncid == 0 && !d.has_crs);
	CHECK(d.has_adr);
	CHECK_EQ_INT(d.adr, 0x00020001);
	done(ns, t, &d);
}

TEST(aml_describe_strings_and_methods)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(describe(ns, "\\_SB.STR", &d), 0);
	CHECK_EQ_STR(d.hid, "PNP0C0A");
	CHECK_EQ_INT(d.ncid, 1);
	CHECK_EQ_STR(d.cid[0], "ACPI0003");
	CHECK_EQ_STR(d.uid, "BAT0");
	CHECK(d.has_sta);
	CHECK_EQ_INT(d.sta, 0x1F);
	CHECK(d.has_crs);
	CHECK_EQ_INT(d.crs_len, 5); /* IRQNoFlags + end tag */
	done(ns, t, &d);
}

TEST(aml_describe_absent_device_has_no_crs)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;
	struct aml_value v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(describe(ns, "\\_SB.ABS", &d), 0);
	CHECK_EQ_INT(d.sta, 0x0C);
	CHECK(!d.has_crs);
	/* ... and its _CRS method never ran (6.3.7: no resources to ask
	 * a device that is not present for). */
	CHECK_EQ_INT(aml_ns_eval(ns, NULL, "\\CRSN", NULL, 0, &v), 0);
	CHECK(v.type == AML_INTEGER && v.integer == 0);
	aml_value_free(&v);
	done(ns, t, &d);
}

TEST(aml_describe_mistyped_objects_recorded)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;

	REQUIRE(ns != NULL);
	CHECK(describe(ns, "\\_SB.BAD", &d) < 0);
	CHECK(!d.has_hid);	  /* a Buffer _HID */
	CHECK_EQ_INT(d.ncid, 0);  /* a package with a Buffer: refused */
	CHECK_EQ_STR(d.uid, "3"); /* still described */
	CHECK(!d.has_crs);	  /* an Integer _CRS */
	CHECK(strstr(d.errmsg, "_HID") != NULL); /* the first failure */
	CHECK(strstr(d.errmsg, "\\_SB.BAD") != NULL);
	done(ns, t, &d);
}

TEST(aml_describe_failing_sta)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;

	REQUIRE(ns != NULL);
	CHECK(describe(ns, "\\_SB.FAIL", &d) < 0);
	CHECK_EQ_STR(d.hid, "FAIL0001");
	CHECK(d.sta_failed);
	CHECK(!d.has_crs);
	CHECK(strstr(d.errmsg, "_STA") != NULL);
	done(ns, t, &d);
}

TEST(aml_describe_too_many_cids_counted)
{
	void *t;
	struct aml_ns *ns = describe_ns(&t);
	struct aml_devinfo d;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(describe(ns, "\\_SB.MANY", &d), 0);
	CHECK_EQ_INT(d.ncid, AML_MAX_CID);
	CHECK_EQ_INT(d.cid_dropped, 10 - AML_MAX_CID);
	CHECK_EQ_STR(d.cid[7], "C7");
	done(ns, t, &d);
}
