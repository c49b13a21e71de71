/*
 * Field units over operation regions (ACPI 6.5 19.6.46 Field, 19.6.63
 * IndexField, 19.6.7 BankField, 19.6.100 OperationRegion, 5.5.2.4 access
 * rules) and buffer fields (19.6.17 CreateField and friends).
 *
 * A field is read and written in units of its access width, aligned to
 * that width; bits of a unit outside the field follow the UpdateRule on a
 * write. The Lock rule is ignored: the interpreter is single-threaded and
 * \_GL belongs to no one else. A field wider than an Integer reads as a
 * Buffer. Region addresses are resolved on first access (deferred
 * arguments; PCI_Config's device from _ADR, bus from the host bridge's
 * _BBN, segment from its _SEG, 6.5.6 / 6.1.1).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

#define EISA_PNP0A03 0x030AD041u /* PCI host bridge */
#define EISA_PNP0A08 0x080AD041u /* PCI Express host bridge */

static const char *const space_names[] = {
    "SystemMemory",	"SystemIO", "PCI_Config",
    "EmbeddedControl",	"SMBus",    "SystemCMOS",
    "PciBarTarget",	"IPMI",	    "GeneralPurposeIO",
    "GenericSerialBus", "PCC",
};

static const char *space_name(uint8_t s)
{
	if (s < sizeof(space_names) / sizeof(space_names[0])) {
		return space_names[s];
	}
	return s == AML_SPACE_TABLE ? "DataRegion" : "OEM space";
}

/* ---- bit copies ---------------------------------------------------------- */

static uint64_t bits_get(const uint8_t *p, size_t plen, uint64_t at,
			 unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t b = at + i;

		if (b / 8 < plen && (p[b / 8] >> (b % 8)) & 1) {
			v |= 1ull << i;
		}
	}
	return v;
}

static void bits_put(uint8_t *p, uint64_t at, unsigned int n, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t b = at + i;

		if ((v >> i) & 1) {
			p[b / 8] |= (uint8_t)(1u << (b % 8));
		} else {
			p[b / 8] &= (uint8_t) ~(1u << (b % 8));
		}
	}
}

static uint64_t mask_of(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* ---- helpers evaluating a device's objects ------------------------------- */

static int child_int(struct aml_walk *w, struct aml_node *dev,
		     const char name[4], uint64_t *v, bool *found)
{
	struct aml_node *c =
	    aml_node_child(dev, AML_NAME4(name[0], name[1], name[2], name[3]));
	struct aml_obj *o;
	int rc;

	*found = c != NULL;
	if (c == NULL) {
		return 0;
	}
	rc = aml_eval_node(w->ns, c, NULL, 0, &o);
	if (rc == 0) {
		rc = aml_to_integer(w, o, v);
		aml_obj_put(o);
	}
	return rc;
}

static bool id_is_host_bridge(struct aml_obj *o)
{
	if (o->type == AML_INTEGER) {
		return o->integer == EISA_PNP0A03 || o->integer == EISA_PNP0A08;
	}
	if (o->type == AML_STRING) {
		return strcmp(o->str.ptr, "PNP0A03") == 0 ||
		       strcmp(o->str.ptr, "PNP0A08") == 0;
	}
	return false;
}

static bool is_host_bridge(struct aml_walk *w, struct aml_node *dev)
{
	static const uint32_t ids[2] = {AML_NAME4('_', 'H', 'I', 'D'),
					AML_NAME4('_', 'C', 'I', 'D')};
	struct aml_node *c;
	struct aml_obj *o;
	bool yes = false;
	uint32_t i, k;

	for (k = 0; k < 2 && !yes; k++) {
		c = aml_node_child(dev, ids[k]);
		if (c == NULL || aml_eval_node(w->ns, c, NULL, 0, &o) != 0) {
			continue;
		}
		if (o->type == AML_PACKAGE) {
			for (i = 0; i < o->pkg.count && !yes; i++) {
				yes = o->pkg.elems[i] != NULL &&
				      id_is_host_bridge(o->pkg.elems[i]);
			}
		} else {
			yes = id_is_host_bridge(o);
		}
		aml_obj_put(o);
	}
	return yes;
}

/* PCI_Config (19.6.100): device and function from the _ADR of the
 * region's device, bus and segment from its host bridge's _BBN / _SEG
 * (bridges in between are not followed: their bus numbers would have to
 * be read from config space). */
static int region_pci(struct aml_walk *w, struct aml_region *r)
{
	struct aml_node *dev = r->node->parent, *hb;
	uint64_t adr = 0, bbn = 0, seg = 0;
	bool found;
	int rc;

	while (dev != NULL && aml_node_type(dev) != AML_DEVICE) {
		dev = dev->parent;
	}
	if (dev == NULL) {
		r->pci_resolved = true; /* bus 0, device 0 */
		return 0;
	}
	rc = child_int(w, dev, "_ADR", &adr, &found);
	for (hb = dev; rc == 0 && hb != NULL; hb = hb->parent) {
		if (aml_node_type(hb) == AML_DEVICE && is_host_bridge(w, hb)) {
			break;
		}
	}
	if (rc == 0 && hb != NULL) {
		rc = child_int(w, hb, "_BBN", &bbn, &found);
		if (rc == 0) {
			rc = child_int(w, hb, "_SEG", &seg, &found);
		}
	}
	if (rc) {
		return rc;
	}
	r->pci.segment = (uint16_t)seg;
	r->pci.bus = (uint8_t)bbn;
	r->pci.device = (uint8_t)(adr >> 16);
	r->pci.function = (uint8_t)adr;
	r->pci_resolved = true;
	return 0;
}

/* The deferred RegionOffset and RegionLen, evaluated in the scope the
 * region was declared in. */
static int region_args(struct aml_walk *w, struct aml_region *r)
{
	struct aml_frame f;
	struct aml_walk sub;
	int rc;

	memset(&f, 0, sizeof(f));
	f.scope = r->scope;
	aml_walk_init(&sub, w->ns, &f, r->t, r->args_start, r->args_end);
	sub.depth = w->depth;
	rc = aml_eval_integer(&sub, &r->base);
	if (rc == 0) {
		rc = aml_eval_integer(&sub, &r->length);
	}
	aml_frame_release(w->ns, &f);
	return rc;
}

int aml_region_resolve(struct aml_walk *w, struct aml_obj *region)
{
	struct aml_region *r = &region->region;
	char path[64];
	int rc = 0;

	if (r->resolved && (r->space != AML_SPACE_PCI || r->pci_resolved)) {
		return 0;
	}
	if (r->resolving) {
		aml_path_buf(r->node, path, sizeof(path));
		return aml_fail(w, -EINVAL, "region %s needs itself to resolve",
				path);
	}
	r->resolving = true;
	if (!r->resolved) {
		rc = region_args(w, r);
		r->resolved = rc == 0;
	}
	if (rc == 0 && r->space == AML_SPACE_PCI) {
		rc = region_pci(w, r);
	}
	r->resolving = false;
	return rc;
}

/* ---- one access unit ------------------------------------------------------
 */

static int region_fail(struct aml_walk *w, struct aml_region *r, int rc,
		       const char *why, uint64_t off)
{
	char path[64], dev[64];

	aml_path_buf(r->node, path, sizeof(path));
	aml_path_buf(r->node != NULL ? r->node->parent : NULL, dev,
		     sizeof(dev));
	return aml_fail(w, rc, "region %s (%s) of %s: %s at offset 0x%llx",
			path, space_name(r->space), dev, why,
			(unsigned long long)off);
}

static int table_rw(struct aml_walk *w, struct aml_region *r, uint64_t off,
		    unsigned int width, bool write, uint64_t *v)
{
	unsigned int i;

	if (write) {
		return region_fail(w, r, -EPERM, "a table is read-only", off);
	}
	*v = 0;
	for (i = 0; i < width / 8; i++) {
		*v |= (uint64_t)r->t->aml[off + i] << (8 * i);
	}
	return 0;
}

static int region_rw(struct aml_walk *w, struct aml_node *rn, uint64_t off,
		     unsigned int width, bool write, uint64_t *v)
{
	struct aml_region *r = &rn->obj->region;
	struct aml_region_access a;
	int rc = aml_region_resolve(w, rn->obj);

	if (rc) {
		return rc;
	}
	if (off + width / 8 > r->length || off + width / 8 < off) {
		return region_fail(w, r, -ERANGE,
				   "access past the region's end", off);
	}
	if (r->space == AML_SPACE_TABLE) {
		return table_rw(w, r, off, width, write, v);
	}
	memset(&a, 0, sizeof(a));
	a.space = r->space;
	a.addr = r->base + off;
	a.width = width;
	a.pci.segment = r->pci.segment;
	a.pci.bus = r->pci.bus;
	a.pci.device = r->pci.device;
	a.pci.function = r->pci.function;
	a.region = rn;
	rc = w->ns->ops.region_rw == NULL
		 ? -ENODEV
		 : w->ns->ops.region_rw(w->ns->ctx, &a, write, v);
	if (rc) {
		return region_fail(w, r, rc,
				   rc == -ENODEV ? "no handler for the space"
						 : "access failed",
				   off);
	}
	*v &= mask_of(width);
	return 0;
}

static int field_int_rw(struct aml_walk *w, struct aml_node *fn, bool write,
			uint64_t *v)
{
	struct aml_obj *o;
	int rc;

	if (write) {
		o = aml_int_new(w->ns, *v);
		if (o == NULL) {
			return aml_fail(w, -ENOMEM, "no memory");
		}
		rc = aml_field_write(w, fn, o);
		aml_obj_put(o);
		return rc;
	}
	rc = aml_field_read(w, fn, &o);
	if (rc == 0) {
		rc = aml_to_integer(w, o, v);
		aml_obj_put(o);
	}
	return rc;
}

/* One unit of a field at byte offset off (of the region, the index
 * space, or the bank). */
static int unit_rw(struct aml_walk *w, struct aml_field *f, uint64_t off,
		   unsigned int width, bool write, uint64_t *v)
{
	uint64_t x;
	int rc;

	switch (f->kind) {
	case AML_FIELD_INDEX: /* 19.6.63: the index gets the byte offset */
		x = off;
		rc = field_int_rw(w, f->index, true, &x);
		return rc ? rc : field_int_rw(w, f->data, write, v);
	case AML_FIELD_BANK: /* 19.6.7: select the bank, then the region */
		x = f->bank_value;
		rc = field_int_rw(w, f->bank, true, &x);
		return rc ? rc : region_rw(w, f->region, off, width, write, v);
	default:
		return region_rw(w, f->region, off, width, write, v);
	}
}

/* The access width in bits (FieldFlags 3:0, 19.6.46). AnyAcc is byte
 * access, as ACPICA does it (and so the region's neighbouring bytes
 * are not touched, nor bytes past its end). */
static unsigned int access_width(const struct aml_field *f)
{
	switch (f->flags & 0x0F) {
	case 2:
		return 16;
	case 3:
		return 32;
	case 4:
		return 64;
	default: /* AnyAcc, ByteAcc, BufferAcc */
		return 8;
	}
}

/* ---- field read / write ---------------------------------------------------
 */

static unsigned int int_bits(struct aml_walk *w)
{
	return aml_int_mask(w) == 0xFFFFFFFFull ? 32 : 64;
}

static int bytes_to_obj(struct aml_walk *w, const uint8_t *p, uint64_t bits,
			struct aml_obj **out)
{
	if (bits <= int_bits(w)) {
		*out =
		    aml_int_new(w->ns, bits_get(p, 8, 0, (unsigned int)bits));
	} else {
		*out = aml_buf_new(w->ns, p, (size_t)((bits + 7) / 8));
	}
	return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

static int field_read_bits(struct aml_walk *w, struct aml_field *f,
			   uint8_t *buf)
{
	unsigned int width = access_width(f);
	uint64_t off = f->bit_offset, end = off + f->bit_length, u, v, lo, hi;
	int rc;

	for (u = off / width * width; u < end; u += width) {
		rc = unit_rw(w, f, u / 8, width, false, &v);
		if (rc) {
			return rc;
		}
		lo = u > off ? u : off;
		hi = u + width < end ? u + width : end;
		bits_put(buf, lo - off, (unsigned int)(hi - lo), v >> (lo - u));
	}
	return 0;
}

int aml_field_read(struct aml_walk *w, struct aml_node *field,
		   struct aml_obj **out)
{
	struct aml_field *f = &field->obj->field;
	size_t n = ((size_t)f->bit_length + 7) / 8;
	uint8_t *buf;
	int rc;

	*out = NULL;
	if (n > w->ns->lim.max_alloc) {
		return aml_fail(w, -E2BIG, "field of %u bits", f->bit_length);
	}
	buf = kzalloc(n + 8, 0);
	if (buf == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	rc = field_read_bits(w, f, buf);
	if (rc == 0) {
		rc = bytes_to_obj(w, buf, f->bit_length, out);
	}
	kfree(buf);
	return rc;
}

/* The bytes of a value to write: an Integer's (little-endian), a
 * Buffer's or a String's. */
static int value_bytes(struct aml_walk *w, struct aml_obj *v, uint8_t *ibuf,
		       const uint8_t **p, size_t *len)
{
	uint64_t x;
	unsigned int i;
	int rc;

	if (v->type == AML_BUFFER) {
		*p = v->buf.ptr;
		*len = v->buf.len;
		return 0;
	}
	if (v->type == AML_STRING) {
		*p = (const uint8_t *)v->str.ptr;
		*len = v->str.len;
		return 0;
	}
	rc = aml_to_integer(w, v, &x);
	for (i = 0; i < 8; i++) {
		ibuf[i] = (uint8_t)(x >> (8 * i));
	}
	*p = ibuf;
	*len = 8;
	return rc;
}

/* The unit's value with the field's bits in: the others from the
 * UpdateRule (FieldFlags 6:5): Preserve reads them first. */
static int unit_merge(struct aml_walk *w, struct aml_field *f, uint64_t u,
		      unsigned int width, uint64_t umask, uint64_t *v)
{
	uint64_t old = 0;
	int rc;

	if (umask == mask_of(width)) {
		return 0;
	}
	switch ((f->flags >> 5) & 3) {
	case 1: /* WriteAsOnes */
		old = mask_of(width);
		break;
	case 2: /* WriteAsZeros */
		break;
	default: /* Preserve */
		rc = unit_rw(w, f, u / 8, width, false, &old);
		if (rc) {
			return rc;
		}
	}
	*v = (old & ~umask) | (*v & umask);
	return 0;
}

int aml_field_write(struct aml_walk *w, struct aml_node *field,
		    struct aml_obj *val)
{
	struct aml_field *f = &field->obj->field;
	unsigned int width = access_width(f);
	uint64_t off = f->bit_offset, end = off + f->bit_length, u, v, lo, hi,
		 umask;
	const uint8_t *p;
	uint8_t ibuf[8];
	size_t plen;
	int rc = value_bytes(w, val, ibuf, &p, &plen);

	for (u = off / width * width; rc == 0 && u < end; u += width) {
		lo = u > off ? u : off;
		hi = u + width < end ? u + width : end;
		umask = mask_of((unsigned int)(hi - lo)) << (lo - u);
		v = bits_get(p, plen, lo - off, (unsigned int)(hi - lo))
		    << (lo - u);
		rc = unit_merge(w, f, u, width, umask, &v);
		if (rc == 0) {
			rc = unit_rw(w, f, u / 8, width, true, &v);
		}
	}
	return rc;
}

/* ---- buffer fields --------------------------------------------------------
 */

static int bfield_check(struct aml_walk *w, struct aml_obj *bf)
{
	struct aml_obj *b = bf->bfield.buffer;

	if (b == NULL || b->type != AML_BUFFER) {
		return aml_fail(w, -EINVAL, "buffer field without a buffer");
	}
	if (bf->bfield.bit_offset + bf->bfield.bit_length >
	    (uint64_t)b->buf.len * 8) {
		return aml_fail(w, -ERANGE,
				"buffer field at bit %llu (%llu bits) past a "
				"%u-byte buffer",
				(unsigned long long)bf->bfield.bit_offset,
				(unsigned long long)bf->bfield.bit_length,
				b->buf.len);
	}
	return 0;
}

int aml_bfield_read(struct aml_walk *w, struct aml_obj *bf,
		    struct aml_obj **out)
{
	uint64_t bits = bf->bfield.bit_length, i;
	const uint8_t *src;
	uint8_t *buf;
	int rc = bfield_check(w, bf);

	*out = NULL;
	if (rc) {
		return rc;
	}
	buf = kzalloc((size_t)(bits + 7) / 8 + 8, 0);
	if (buf == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	src = bf->bfield.buffer->buf.ptr;
	for (i = 0; i < bits; i += 64) {
		unsigned int n = bits - i < 64 ? (unsigned int)(bits - i) : 64;

		bits_put(buf, i, n,
			 bits_get(src, bf->bfield.buffer->buf.len,
				  bf->bfield.bit_offset + i, n));
	}
	/* CreateField (19.6.17) makes a Buffer whatever its width, as
	 * ACPICA 20200925 does; the fixed-width Create*Field an Integer */
	if (bf->bfield.opcode == 0x5B13) {
		*out = aml_buf_new(w->ns, buf, (size_t)(bits + 7) / 8);
		rc = *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
	} else {
		rc = bytes_to_obj(w, buf, bits, out);
	}
	kfree(buf);
	return rc;
}

int aml_bfield_write(struct aml_walk *w, struct aml_obj *bf, struct aml_obj *v)
{
	uint64_t bits = bf->bfield.bit_length, i;
	const uint8_t *p;
	uint8_t ibuf[8];
	size_t plen;
	int rc = bfield_check(w, bf);

	if (rc == 0) {
		rc = value_bytes(w, v, ibuf, &p, &plen);
	}
	for (i = 0; rc == 0 && i < bits; i += 64) {
		unsigned int n = bits - i < 64 ? (unsigned int)(bits - i) : 64;

		bits_put(bf->bfield.buffer->buf.ptr, bf->bfield.bit_offset + i,
			 n, bits_get(p, plen, i, n));
	}
	return rc;
}
