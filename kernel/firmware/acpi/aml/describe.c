/*
 * A Device's identification and configuration, for enumeration (ACPI
 * 6.5 section 6.1 "Device Identification Objects": _HID, _CID, _UID,
 * _ADR; 6.2.2 _CRS; 6.3.7 _STA), through the public API only (aml.h):
 * this file knows nothing of the interpreter's insides.
 *
 * Each object is looked up as a child of the device (never by the 5.3
 * upward search, which would hand a child the _HID of its parent) and
 * evaluated; a missing object is not an error, a failing or mistyped one
 * is recorded (the first in info->errmsg) and left out, and the rest is
 * still described.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/aml.h"

/* _STA when the device has none: present, enabled, shown, functioning
 * (6.3.7). */
#define STA_DEFAULT 0x0Fu
#define STA_PRESENT 0x01u

/* Record the first failure: "\\_SB.PCI0.EC0._STA: <reason>". The
 * interpreter's own message names the object already (aml.h). */
static void describe_fail(struct aml_devinfo *info, struct aml_node *dev,
			  const char *name, int err, const char *why)
{
	char path[96];

	if (info->error) {
		return;
	}
	aml_node_path(dev, path, sizeof(path));
	info->error = err;
	if (why && why[0] == '\\') {
		ksnprintf(info->errmsg, sizeof(info->errmsg), "%s", why);
	} else if (why && why[0]) {
		ksnprintf(info->errmsg, sizeof(info->errmsg), "%s.%s: %s", path,
			  name, why);
	} else {
		ksnprintf(info->errmsg, sizeof(info->errmsg), "%s.%s: error %d",
			  path, name, err);
	}
}

/*
 * Evaluate dev's child `name` into *out. Returns 0, -ENOENT when dev has
 * no such child (not a failure), or the evaluation's error (recorded).
 */
static int describe_eval(struct aml_ns *ns, struct aml_node *dev,
			 const char *name, struct aml_devinfo *info,
			 struct aml_value *out)
{
	struct aml_node *n = aml_ns_lookup(ns, dev, name);
	int r;

	out->type = AML_UNINIT;
	if (!n || aml_node_parent(n) != dev) {
		return -ENOENT;
	}
	r = aml_ns_eval(ns, n, NULL, NULL, 0, out);
	if (r < 0) {
		describe_fail(info, dev, name, r, aml_ns_last_error(ns));
	}
	return r;
}

/* A value of the wrong type: recorded, freed. */
static void describe_mistyped(struct aml_devinfo *info, struct aml_node *dev,
			      const char *name, struct aml_value *v)
{
	char why[48];

	ksnprintf(why, sizeof(why), "returned type %d, not what 6.1 allows",
		  (int)v->type);
	describe_fail(info, dev, name, -EINVAL, why);
	aml_value_free(v);
}

/*
 * A compressed EISA ID (6.1.5: the EisaId() macro of 19.3.4): the 32-bit
 * value in memory order is three 5-bit letters ('A' = 1) then a 16-bit
 * product number, big-endian; printed as "PNP0303". Bits above 32 are
 * ignored, as ACPICA does.
 */
static void describe_eisa_id(uint64_t value, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t v = (uint32_t)value;
	uint32_t s = ((v & 0xFFu) << 24) | ((v & 0xFF00u) << 8) |
		     ((v >> 8) & 0xFF00u) | (v >> 24);

	out[0] = (char)('@' + ((s >> 26) & 0x1F));
	out[1] = (char)('@' + ((s >> 21) & 0x1F));
	out[2] = (char)('@' + ((s >> 16) & 0x1F));
	out[3] = hex[(s >> 12) & 0xF];
	out[4] = hex[(s >> 8) & 0xF];
	out[5] = hex[(s >> 4) & 0xF];
	out[6] = hex[s & 0xF];
	out[7] = '\0';
}

/*
 * A string ID, cut to fit. Repaired as ACPICA repairs a _HID/_CID string
 * (and as Linux therefore sees it): a leading '*' dropped, lower case
 * raised, since 6.1.5 defines IDs as upper case.
 */
static void describe_string_id(const struct aml_value *v, char *out)
{
	const char *s = v->string.ptr;
	uint32_t len = v->string.len, i;

	if (len && s[0] == '*') {
		s++;
		len--;
	}
	for (i = 0; i < len && i < AML_ID_LEN - 1 && s[i]; i++) {
		char c = s[i];

		out[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	out[i] = '\0';
}

/* One ID (_HID, or a _CID entry): integer or string. */
static bool describe_id(const struct aml_value *v, char *out)
{
	if (v->type == AML_INTEGER) {
		describe_eisa_id(v->integer, out);
		return true;
	}
	if (v->type == AML_STRING) {
		describe_string_id(v, out);
		return true;
	}
	return false;
}

static void describe_hid(struct aml_ns *ns, struct aml_node *dev,
			 struct aml_devinfo *info)
{
	struct aml_value v;

	if (describe_eval(ns, dev, "_HID", info, &v) < 0) {
		return;
	}
	if (!describe_id(&v, info->hid)) {
		describe_mistyped(info, dev, "_HID", &v);
		return;
	}
	info->has_hid = true;
	aml_value_free(&v);
}

/* _CID (6.1.2): one ID or a package of them; a package with an entry
 * of another type is refused whole, as ACPICA refuses it. */
static void describe_cid(struct aml_ns *ns, struct aml_node *dev,
			 struct aml_devinfo *info)
{
	struct aml_value v;
	const struct aml_value *e = &v;
	uint32_t i, n = 1;

	if (describe_eval(ns, dev, "_CID", info, &v) < 0) {
		return;
	}
	if (v.type == AML_PACKAGE) {
		e = v.package.elems;
		n = v.package.count;
	}
	for (i = 0; i < n; i++) {
		if (e[i].type != AML_INTEGER && e[i].type != AML_STRING) {
			info->ncid = info->cid_dropped = 0;
			describe_mistyped(info, dev, "_CID", &v);
			return;
		}
		if (info->ncid == AML_MAX_CID) {
			info->cid_dropped++;
			continue;
		}
		describe_id(&e[i], info->cid[info->ncid++]);
	}
	aml_value_free(&v);
}

/* _UID (6.1.12): an integer (printed in decimal) or a string. */
static void describe_uid(struct aml_ns *ns, struct aml_node *dev,
			 struct aml_devinfo *info)
{
	struct aml_value v;
	uint32_t i;

	if (describe_eval(ns, dev, "_UID", info, &v) < 0) {
		return;
	}
	if (v.type == AML_INTEGER) {
		ksnprintf(info->uid, sizeof(info->uid), "%llu",
			  (unsigned long long)v.integer);
	} else if (v.type == AML_STRING) {
		for (i = 0; i < v.string.len && i < sizeof(info->uid) - 1;
		     i++) {
			info->uid[i] = v.string.ptr[i];
		}
		info->uid[i] = '\0';
	} else {
		describe_mistyped(info, dev, "_UID", &v);
		return;
	}
	info->has_uid = true;
	aml_value_free(&v);
}

/* An integer object (_ADR, _STA): true when there is one. */
static bool describe_integer(struct aml_ns *ns, struct aml_node *dev,
			     const char *name, struct aml_devinfo *info,
			     uint64_t *out, bool *failed)
{
	struct aml_value v;
	int r = describe_eval(ns, dev, name, info, &v);

	*failed = r < 0 && r != -ENOENT;
	if (r < 0) {
		return false;
	}
	if (v.type != AML_INTEGER) {
		describe_mistyped(info, dev, name, &v);
		*failed = true;
		return false;
	}
	*out = v.integer;
	return true;
}

/* _CRS (6.2.2): a resource template buffer, kept as raw bytes. */
static void describe_crs(struct aml_ns *ns, struct aml_node *dev,
			 struct aml_devinfo *info)
{
	struct aml_value v;

	if (describe_eval(ns, dev, "_CRS", info, &v) < 0) {
		return;
	}
	if (v.type != AML_BUFFER) {
		describe_mistyped(info, dev, "_CRS", &v);
		return;
	}
	info->crs = kmalloc(v.buffer.len ? v.buffer.len : 1, 0);
	if (!info->crs) {
		describe_fail(info, dev, "_CRS", -ENOMEM, "out of memory");
		aml_value_free(&v);
		return;
	}
	memcpy(info->crs, v.buffer.ptr, v.buffer.len);
	info->crs_len = v.buffer.len;
	info->has_crs = true;
	aml_value_free(&v);
}

int aml_describe(struct aml_ns *ns, struct aml_node *dev,
		 struct aml_devinfo *info)
{
	uint64_t sta = STA_DEFAULT;
	bool failed;

	memset(info, 0, sizeof(*info));
	describe_hid(ns, dev, info);
	describe_cid(ns, dev, info);
	describe_uid(ns, dev, info);
	info->has_adr =
	    describe_integer(ns, dev, "_ADR", info, &info->adr, &failed);
	info->has_sta = describe_integer(ns, dev, "_STA", info, &sta, &failed);
	info->sta_failed = failed;
	info->sta = failed ? 0 : (uint32_t)sta;
	/* A device that is not present has no resources to speak of
	 * (6.3.7); one whose _STA failed is taken as absent too. */
	if (!failed && (info->sta & STA_PRESENT)) {
		describe_crs(ns, dev, info);
	}
	return info->error;
}

void aml_devinfo_free(struct aml_devinfo *info)
{
	kfree(info->crs);
	info->crs = NULL;
	info->crs_len = 0;
	info->has_crs = false;
}
