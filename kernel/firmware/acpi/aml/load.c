/*
 * Loading a definition block (ACPI 6.5 5.2.11 DSDT/SSDT; 20.2.1
 * TermList): the table's terms run as module-level code, so a Scope,
 * Device, Name, Method, Field ... creates its object and any other term
 * (If/Else/While, Store, a method call) executes. A term that fails is
 * counted and skipped (the rest of the table still loads). The
 * named-object declarations (20.2.5.2) are here too; in a method the same
 * functions create method-local objects (deleted at return, 19.6.85).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

#define OP_REGION     AML_OP_EXT(0x80)
#define OP_PROCESSOR  AML_OP_EXT(0x83)
#define OP_POWERRES   AML_OP_EXT(0x84)
#define OP_THERMAL    AML_OP_EXT(0x85)
#define OP_INDEXFIELD AML_OP_EXT(0x86)
#define OP_BANKFIELD  AML_OP_EXT(0x87)

/* One failed module-level term: counted, its message logged, and the
 * cursor moved past it (PkgLength, or parsed without running). */
static int load_term_failed(struct aml_walk *w, size_t start)
{
	unsigned int depth;
	int rc;

	w->ns->st.load_errors++;
	w->ns->errmsg_set = false; /* each load failure gets its line */
	w->flow = AML_FLOW_NEXT;
	w->c.pos = start;
	/* the skip has its own nesting bound: a term that failed for being
	 * too deep is still stepped over */
	depth = w->depth;
	w->depth = 0;
	rc = aml_skip_term(w);
	w->depth = depth;
	if (rc != 0 || w->c.pos <= start) {
		aml_log(w->ns,
			"aml: %s: cannot step over the term at 0x%zx; "
			"the rest of its list is dropped",
			w->c.t->sig, start);
		w->c.pos = w->c.end;
		return -EBADMSG;
	}
	return 0;
}

int aml_load_list(struct aml_walk *w)
{
	size_t start;
	int rc;

	while (w->c.pos < w->c.end) {
		start = w->c.pos;
		if (w->depth == 0) { /* each top-level term has a budget */
			w->ns->budget = w->ns->lim.ops_per_eval;
		}
		rc = aml_exec_term(w);
		if (rc != 0) {
			rc = load_term_failed(w, start);
			if (rc) {
				return rc;
			}
		} else if (w->flow != AML_FLOW_NEXT) {
			break;
		}
	}
	return 0;
}

int aml_declare(struct aml_walk *w, const struct aml_name *n,
		struct aml_obj *obj, struct aml_node **out)
{
	bool temp = w->f->method != NULL;
	char text[64];
	int rc;

	rc = aml_ns_create_node(w->ns, w->f->scope, n, obj,
				temp ? AML_NODE_TEMP : 0, out);
	aml_obj_put(obj); /* the node has its own reference now */
	if (rc == -EEXIST || rc == -ENOENT || rc == -EINVAL) {
		aml_name_text(n, text, sizeof(text));
		return aml_fail(w, rc, "%s: %s", text,
				rc == -EEXIST ? "already exists"
					      : "its scope does not exist");
	}
	if (rc) {
		return aml_fail(w, rc, "no memory for a node");
	}
	(*out)->table = w->c.t != NULL ? w->c.t->id : 0;
	return 0;
}

static struct aml_obj *new_obj(struct aml_walk *w, enum aml_type type)
{
	struct aml_obj *o = aml_obj_new(w->ns, type);

	if (o == NULL) {
		aml_fail(w, -ENOMEM, "no memory for an object");
	}
	return o;
}

static int read_name(struct aml_walk *w, struct aml_name *n)
{
	if (aml_name_string(&w->c, n)) {
		return aml_fail(w, -EBADMSG, "bad NameString");
	}
	return 0;
}

/* Name (19.6.90): NameString DataRefObject */
AML_DECL_OP(aml_op_name)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *v;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	rc = read_name(w, &name);
	if (rc == 0) {
		rc = aml_eval_term(w, &v);
	}
	return rc ? rc : aml_declare(w, &name, v, &n);
}

/* Alias (19.6.4): a second name for an existing object. */
AML_DECL_OP(aml_op_alias)
{
	struct aml_name src, dst;
	struct aml_node *target, *n;
	struct aml_obj *r;
	char text[64];
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	if (read_name(w, &src) || read_name(w, &dst)) {
		return -EBADMSG;
	}
	target = aml_ns_resolve(w->ns, w->f->scope, &src);
	if (target == NULL) {
		aml_name_text(&src, text, sizeof(text));
		return aml_fail(w, -ENOENT, "Alias of %s: not found", text);
	}
	r = new_obj(w, AML_REFERENCE);
	if (r == NULL) {
		return -ENOMEM;
	}
	r->ref.kind = AML_REF_NAME;
	r->ref.node = target;
	rc = aml_declare(w, &dst, r, &n);
	if (rc == 0) {
		n->flags |= AML_NODE_ALIAS;
	}
	return rc;
}

/* Scope (19.6.122): open an existing object's scope. */
AML_DECL_OP(aml_op_scope)
{
	struct aml_name name;
	struct aml_node *n;
	size_t end;
	char text[64];

	(void)info;
	(void)ops;
	(void)result;
	if (aml_pkg_length(&w->c, &end) || read_name(w, &name)) {
		return aml_fail(w, -EBADMSG, "bad Scope header");
	}
	n = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (n == NULL) {
		aml_name_text(&name, text, sizeof(text));
		return aml_fail(w, -ENOENT, "Scope(%s): not found", text);
	}
	return aml_run_block(w, end, n);
}

/* Method (19.6.85): the body is kept where it is, run when called. */
AML_DECL_OP(aml_op_method)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *m;
	uint64_t flags;
	size_t end;

	(void)info;
	(void)ops;
	(void)result;
	if (aml_pkg_length(&w->c, &end) || read_name(w, &name) ||
	    aml_rdn(&w->c, 1, &flags)) {
		return aml_fail(w, -EBADMSG, "bad Method header");
	}
	m = new_obj(w, AML_METHOD);
	if (m == NULL) {
		return -ENOMEM;
	}
	m->method.t = w->c.t;
	m->method.start = w->c.pos;
	m->method.end = end;
	m->method.flags = (uint8_t)flags;
	if (flags & 0x08) { /* Serialized: its implicit mutex */
		m->method.mutex = aml_obj_new(w->ns, AML_MUTEX);
		if (m->method.mutex != NULL) {
			m->method.mutex->mutex.sync_level =
			    (uint8_t)(flags >> 4);
		}
	}
	w->c.pos = end;
	return aml_declare(w, &name, m, &n);
}

/* External (19.6.45): a placeholder so that later terms parse (a
 * method's argument count) and resolve; the real object replaces it. */
AML_DECL_OP(aml_op_external)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *o;
	uint64_t type, nargs;

	(void)info;
	(void)ops;
	(void)result;
	if (read_name(w, &name) || aml_rdn(&w->c, 1, &type) ||
	    aml_rdn(&w->c, 1, &nargs)) {
		return aml_fail(w, -EBADMSG, "bad External");
	}
	if (w->f->method != NULL ||
	    aml_ns_resolve(w->ns, w->f->scope, &name) != NULL) {
		return 0;
	}
	o = aml_obj_new(w->ns,
			type <= AML_DEBUG ? (enum aml_type)type : AML_UNINIT);
	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for an External");
	}
	o->method.flags = o->type == AML_METHOD ? (uint8_t)(nargs & 7) : 0;
	/* a missing scope only means the External is not needed */
	aml_ns_create_node(w->ns, w->f->scope, &name, o, AML_NODE_EXTERNAL, &n);
	aml_obj_put(o);
	return 0;
}

/* The fixed operands after a Processor's or PowerResource's name. */
static int device_extra(struct aml_walk *w, uint16_t op, struct aml_obj *o)
{
	uint64_t a, b, c;

	if (op == OP_PROCESSOR) {
		if (aml_rdn(&w->c, 1, &a) || aml_rdn(&w->c, 4, &b) ||
		    aml_rdn(&w->c, 1, &c)) {
			return -EBADMSG;
		}
		o->processor.id = (uint8_t)a;
		o->processor.pblk = (uint32_t)b;
		o->processor.pblk_len = (uint8_t)c;
	} else if (op == OP_POWERRES) {
		if (aml_rdn(&w->c, 1, &a) || aml_rdn(&w->c, 2, &b)) {
			return -EBADMSG;
		}
		o->power.level = (uint8_t)a;
		o->power.order = (uint16_t)b;
	}
	return 0;
}

/* Device, Processor, PowerResource, ThermalZone (19.6.31, .112, .110,
 * .141): an object with a scope of its own. */
AML_DECL_OP(aml_op_device)
{
	enum aml_type type = info->op == OP_PROCESSOR  ? AML_PROCESSOR
			     : info->op == OP_POWERRES ? AML_POWER
			     : info->op == OP_THERMAL  ? AML_THERMAL
						       : AML_DEVICE;
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *o;
	size_t end;
	int rc;

	(void)ops;
	(void)result;
	if (aml_pkg_length(&w->c, &end) || read_name(w, &name)) {
		return aml_fail(w, -EBADMSG, "bad %s header", info->name);
	}
	o = new_obj(w, type);
	if (o == NULL) {
		return -ENOMEM;
	}
	if (device_extra(w, info->op, o)) {
		aml_obj_put(o);
		return aml_fail(w, -EBADMSG, "bad %s header", info->name);
	}
	rc = aml_declare(w, &name, o, &n);
	return rc ? rc : aml_run_block(w, end, n);
}

AML_DECL_OP(aml_op_mutex)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *o;
	uint64_t sync;

	(void)info;
	(void)ops;
	(void)result;
	if (read_name(w, &name) || aml_rdn(&w->c, 1, &sync)) {
		return aml_fail(w, -EBADMSG, "bad Mutex");
	}
	o = new_obj(w, AML_MUTEX);
	if (o == NULL) {
		return -ENOMEM;
	}
	o->mutex.sync_level = (uint8_t)(sync & 0x0F);
	return aml_declare(w, &name, o, &n);
}

AML_DECL_OP(aml_op_event)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *o;

	(void)info;
	(void)ops;
	(void)result;
	if (read_name(w, &name)) {
		return -EBADMSG;
	}
	o = new_obj(w, AML_EVENT);
	return o == NULL ? -ENOMEM : aml_declare(w, &name, o, &n);
}

/* OperationRegion (19.6.100): at load time the offset and length terms
 * are only stepped over, and evaluated at the first access of a field in
 * the region (they may read fields or call methods not yet usable). */
static int region_args(struct aml_walk *w, struct aml_obj *o)
{
	struct aml_region *r = &o->region;
	int rc;

	r->t = w->c.t;
	r->args_start = w->c.pos;
	if (!w->load) {
		rc = aml_eval_integer(w, &r->base);
		if (rc == 0) {
			rc = aml_eval_integer(w, &r->length);
		}
		r->resolved = rc == 0;
		r->args_end = w->c.pos;
		return rc;
	}
	if (aml_skip_term(w) || aml_skip_term(w)) {
		return aml_fail(w, -EBADMSG,
				"cannot parse the region's "
				"offset and length");
	}
	r->args_end = w->c.pos;
	return 0;
}

AML_DECL_OP(aml_op_region)
{
	struct aml_name name;
	struct aml_node *n;
	struct aml_obj *o;
	uint64_t space;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	if (read_name(w, &name) || aml_rdn(&w->c, 1, &space)) {
		return aml_fail(w, -EBADMSG, "bad OperationRegion");
	}
	o = new_obj(w, AML_REGION);
	if (o == NULL) {
		return -ENOMEM;
	}
	o->region.space = (uint8_t)space;
	o->region.scope = w->f->scope;
	rc = region_args(w, o);
	if (rc) {
		aml_obj_put(o);
		return rc;
	}
	rc = aml_declare(w, &name, o, &n);
	if (rc == 0) {
		n->obj->region.node = n;
	}
	return rc;
}

/* DataRegion (19.6.26): a region over a loaded table's bytes, found by
 * its signature and OEM ids; fields in it read the table. */
static struct aml_table *find_loaded(struct aml_ns *ns, struct aml_obj *sig,
				     struct aml_obj *oem_tid)
{
	unsigned int i;

	for (i = 0; i < ns->ntables; i++) {
		struct aml_table *t = ns->tables[i];

		if (sig->str.len >= 4 && memcmp(t->sig, sig->str.ptr, 4) == 0 &&
		    (oem_tid->str.len == 0 ||
		     strncmp(t->oem_table_id, oem_tid->str.ptr, 8) == 0)) {
			return t;
		}
	}
	return NULL;
}

AML_DECL_OP(aml_op_data_region)
{
	struct aml_obj *a[3] = {0}, *o = NULL;
	struct aml_table *t = NULL;
	struct aml_name name;
	struct aml_node *n;
	unsigned int i;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	rc = read_name(w, &name);
	for (i = 0; i < 3 && rc == 0; i++) {
		rc = aml_eval_term(w, &a[i]);
		if (rc == 0 && a[i]->type != AML_STRING) {
			rc = aml_fail(w, -EINVAL, "DataRegion wants strings");
		}
	}
	if (rc == 0 && (t = find_loaded(w->ns, a[0], a[2])) == NULL) {
		rc = aml_fail(w, -ENOENT, "DataRegion: table %s not loaded",
			      a[0]->str.ptr);
	}
	if (rc == 0 && (o = new_obj(w, AML_REGION)) == NULL) {
		rc = -ENOMEM;
	}
	for (i = 0; i < 3; i++) {
		aml_obj_put(a[i]);
	}
	if (rc) {
		return rc;
	}
	o->region.space = AML_SPACE_TABLE;
	o->region.t = t;
	o->region.length = t->len;
	o->region.resolved = true;
	rc = aml_declare(w, &name, o, &n);
	if (rc == 0) {
		n->obj->region.node = n;
	}
	return rc;
}

/* ---- field lists (20.2.5.2 FieldList) ------------------------------------ */

struct field_ctx {
	struct aml_field proto; /* kind, region/index/data/bank, flags */
	uint32_t bit;		/* the next field's offset */
};

static int named_field(struct aml_walk *w, struct field_ctx *fc)
{
	struct aml_name name = {0};
	struct aml_node *n;
	struct aml_obj *o;
	size_t bits;

	if (w->c.end - w->c.pos < 4) {
		return aml_fail(w, -EBADMSG, "field name past the end");
	}
	name.nseg = 1;
	name.segs = w->c.t->aml + w->c.pos;
	w->c.pos += 4;
	if (aml_pkg_value(&w->c, &bits)) {
		return aml_fail(w, -EBADMSG, "bad field width");
	}
	o = new_obj(w, AML_FIELD_UNIT);
	if (o == NULL) {
		return -ENOMEM;
	}
	o->field = fc->proto;
	o->field.bit_offset = fc->bit;
	o->field.bit_length = (uint32_t)bits;
	fc->bit += (uint32_t)bits;
	if (bits == 0) { /* a zero-width name is legal and reads 0 */
		o->field.bit_length = 0;
	}
	return aml_declare(w, &name, o, &n);
}

/* ConnectField (0x02): a NameString or a BufferData; not used by the
 * spaces this interpreter serves (GPIO / serial bus), stepped over. */
static int connect_field(struct aml_walk *w)
{
	struct aml_name name;
	size_t end;
	uint8_t b;

	if (aml_peek8(&w->c, &b)) {
		return -EBADMSG;
	}
	if (b == 0x11) {
		w->c.pos++;
		if (aml_pkg_length(&w->c, &end)) {
			return -EBADMSG;
		}
		w->c.pos = end;
		return 0;
	}
	return aml_name_string(&w->c, &name);
}

static int field_elem(struct aml_walk *w, struct field_ctx *fc)
{
	uint64_t type, attr, len;
	size_t bits;
	uint8_t b;

	aml_peek8(&w->c, &b);
	if (b > 0x03) {
		return named_field(w, fc);
	}
	w->c.pos++;
	switch (b) {
	case 0x00: /* ReservedField */
		if (aml_pkg_value(&w->c, &bits)) {
			return -EBADMSG;
		}
		fc->bit += (uint32_t)bits;
		return 0;
	case 0x01: /* AccessField: AccessType AccessAttrib */
	case 0x03: /* ExtendedAccessField: ... AccessLength */
		if (aml_rdn(&w->c, 1, &type) || aml_rdn(&w->c, 1, &attr)) {
			return -EBADMSG;
		}
		len = 0;
		if (b == 0x03 && aml_rdn(&w->c, 1, &len)) {
			return -EBADMSG;
		}
		fc->proto.flags =
		    (uint8_t)((fc->proto.flags & ~0x0F) | (type & 0x0F));
		fc->proto.attrib = (uint8_t)attr;
		fc->proto.access_len = (uint8_t)len;
		return 0;
	default: /* ConnectField */
		return connect_field(w);
	}
}

static int resolve_named(struct aml_walk *w, enum aml_type type,
			 struct aml_node **out)
{
	struct aml_name name;
	char text[64];

	if (read_name(w, &name)) {
		return -EBADMSG;
	}
	*out = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (*out == NULL || aml_node_type(*out) != type) {
		aml_name_text(&name, text, sizeof(text));
		return aml_fail(w, -ENOENT, "%s: %s", text,
				*out == NULL ? "not found" : "wrong type");
	}
	return 0;
}

/* The names and values before the FieldFlags of each field kind. */
static int field_head(struct aml_walk *w, uint16_t op, struct aml_field *p)
{
	uint64_t flags = 0;
	int rc;

	if (op == OP_INDEXFIELD) {
		p->kind = AML_FIELD_INDEX;
		rc = resolve_named(w, AML_FIELD_UNIT, &p->index);
		if (rc == 0) {
			rc = resolve_named(w, AML_FIELD_UNIT, &p->data);
		}
	} else {
		p->kind =
		    op == OP_BANKFIELD ? AML_FIELD_BANK : AML_FIELD_REGION;
		rc = resolve_named(w, AML_REGION, &p->region);
		if (rc == 0 && op == OP_BANKFIELD) {
			rc = resolve_named(w, AML_FIELD_UNIT, &p->bank);
			if (rc == 0) {
				rc = aml_eval_integer(w, &p->bank_value);
			}
		}
	}
	if (rc == 0 && aml_rdn(&w->c, 1, &flags)) {
		rc = aml_fail(w, -EBADMSG, "FieldFlags past the end");
	}
	p->flags = (uint8_t)flags;
	return rc;
}

/* Field, IndexField, BankField (19.6.46, .63, .7) */
AML_DECL_OP(aml_op_field)
{
	struct field_ctx fc;
	size_t end, old_end = w->c.end;
	int rc;

	(void)ops;
	(void)result;
	memset(&fc, 0, sizeof(fc));
	if (aml_pkg_length(&w->c, &end)) {
		return aml_fail(w, -EBADMSG, "bad %s PkgLength", info->name);
	}
	w->c.end = end;
	rc = field_head(w, info->op, &fc.proto);
	while (rc == 0 && w->c.pos < end) {
		rc = field_elem(w, &fc);
		if (rc == -EBADMSG) {
			rc = aml_fail(w, rc, "bad FieldList element");
		}
	}
	w->c.end = old_end;
	w->c.pos = end;
	return rc;
}

/* ---- a whole table ------------------------------------------------------ */

static int table_add(struct aml_ns *ns, struct aml_table *t)
{
	struct aml_table **v;
	unsigned int cap;

	if (ns->ntables == ns->captables) {
		cap = ns->captables ? 2 * ns->captables : 8;
		v = krealloc(ns->tables, cap * sizeof(*v), 0);
		if (v == NULL) {
			return -ENOMEM;
		}
		ns->tables = v;
		ns->captables = cap;
	}
	t->id = (uint16_t)ns->ntables;
	ns->tables[ns->ntables++] = t;
	return 0;
}

static struct aml_table *table_new(const uint8_t *aml, size_t hlen, bool owned)
{
	struct aml_table *t = kzalloc(sizeof(*t), 0);

	if (t == NULL) {
		return NULL;
	}
	t->aml = aml;
	t->len = hlen;
	t->revision = aml[8];
	t->owned = owned;
	memcpy(t->sig, aml, 4);
	memcpy(t->oem_table_id, aml + 16, 8);
	return t;
}

int aml_load_table_bytes(struct aml_ns *ns, const uint8_t *aml, size_t len,
			 bool owned, struct aml_table **out)
{
	struct aml_frame f;
	struct aml_walk w;
	struct aml_table *t;
	size_t hlen;
	int rc;

	*out = NULL;
	hlen = len >= AML_HDR_LEN
		   ? (size_t)aml[4] | (size_t)aml[5] << 8 |
			 (size_t)aml[6] << 16 | (size_t)aml[7] << 24
		   : 0;
	if (len < AML_HDR_LEN || hlen < AML_HDR_LEN || hlen > len) {
		ns->st.bad_tables++;
		aml_log(ns,
			"aml: table refused: header length %zu, %zu bytes "
			"given",
			hlen, len);
		return -EBADMSG;
	}
	t = table_new(aml, hlen, owned);
	if (t == NULL || table_add(ns, t) != 0) {
		kfree(t);
		return -ENOMEM;
	}
	ns->st.tables++;
	memset(&f, 0, sizeof(f));
	f.scope = ns->root;
	aml_walk_init(&w, ns, &f, t, AML_HDR_LEN, hlen);
	w.load = true;
	rc = aml_load_list(&w);
	aml_frame_release(ns, &f);
	*out = t;
	return rc;
}
