/*
 * Targets and stores (ACPI 6.5 19.3.5.8 "Store", 19.6.132 Store, 19.6.16
 * CopyObject): what a Target / SuperName operand names, how a value is
 * written there (converted to the type of a named Integer, String or
 * Buffer; written through a field unit or buffer field; copied into a
 * Local; stored through the reference an Arg holds) and how a reference
 * is read back (DerefOf, an Index element, a named object's value).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

#define OP_LOCAL0  0x60
#define OP_ARG0	   0x68
#define OP_ARG6	   0x6E
#define OP_DEREFOF 0x83

int aml_slot_get(struct aml_walk *w, uint16_t op, struct aml_obj ***slot)
{
	if (op >= OP_LOCAL0 && op < OP_ARG0) {
		*slot = &w->f->locals[op - OP_LOCAL0];
		return 0;
	}
	if (op >= OP_ARG0 && op <= OP_ARG6) {
		*slot = &w->f->args[op - OP_ARG0];
		return 0;
	}
	return -EINVAL;
}

/* DerefOf(x) as a target names what x refers to (a store goes there). */
static int target_derefof(struct aml_walk *w, struct aml_target *t)
{
	struct aml_obj *r;
	int rc = aml_eval_term(w, &r);

	if (rc) {
		return rc;
	}
	/* 19.6.30: a String names the object (SizeOf (DerefOf ("PKG1"))) */
	if (r->type == AML_STRING) {
		t->node = aml_ns_lookup(w->ns, w->f->scope, r->str.ptr);
		aml_obj_put(r);
		if (t->node == NULL) {
			return aml_fail(w, -ENOENT, "DerefOf: no such object");
		}
		t->kind = AML_TGT_NODE;
		return 0;
	}
	if (r->type != AML_REFERENCE) {
		aml_obj_put(r);
		return aml_fail(w, -EINVAL,
				"DerefOf target is not a reference");
	}
	t->kind = AML_TGT_REF;
	t->ref = r;
	return 0;
}

/* A Type6Opcode (RefOf, Index, DerefOf, a method call) as a target: its
 * result must be a reference. */
static int target_expr(struct aml_walk *w, struct aml_target *t)
{
	struct aml_obj *r;
	int rc;

	if (w->c.pos < w->c.end && w->c.t->aml[w->c.pos] == OP_DEREFOF) {
		w->c.pos++;
		return target_derefof(w, t);
	}
	rc = aml_eval_term(w, &r);
	if (rc) {
		return rc;
	}
	if (r->type != AML_REFERENCE) {
		aml_obj_put(r);
		return aml_fail(w, -EINVAL, "target is not a reference");
	}
	t->kind = AML_TGT_REF;
	t->ref = r;
	return 0;
}

static int target_name(struct aml_walk *w, struct aml_target *t)
{
	struct aml_name name;
	char text[64];

	if (aml_name_string(&w->c, &name)) {
		return aml_fail(w, -EBADMSG, "bad target NameString");
	}
	t->node = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (t->node == NULL) {
		aml_name_text(&name, text, sizeof(text));
		return aml_fail(w, -ENOENT, "target %s not found", text);
	}
	t->kind = AML_TGT_NODE;
	return 0;
}

int aml_parse_supername(struct aml_walk *w, struct aml_target *t)
{
	uint8_t b, x;

	memset(t, 0, sizeof(*t));
	if (aml_peek8(&w->c, &b)) {
		return aml_fail(w, -EBADMSG, "target past the end");
	}
	if (b == 0x00) { /* NullName: the result is dropped */
		w->c.pos++;
		return 0;
	}
	if (aml_name_start(b)) {
		return target_name(w, t);
	}
	if (b >= OP_LOCAL0 && b <= OP_ARG6) {
		w->c.pos++;
		t->kind = b < OP_ARG0 ? AML_TGT_LOCAL : AML_TGT_ARG;
		t->slot = b < OP_ARG0 ? b - OP_LOCAL0 : b - OP_ARG0;
		return 0;
	}
	if (b == 0x5B && w->c.pos + 1 < w->c.end) {
		x = w->c.t->aml[w->c.pos + 1];
		if (x == 0x31) { /* Debug */
			w->c.pos += 2;
			t->kind = AML_TGT_DEBUG;
			return 0;
		}
	}
	return target_expr(w, t);
}

int aml_parse_target(struct aml_walk *w, struct aml_target *t)
{
	return aml_parse_supername(w, t);
}

void aml_target_release(struct aml_target *t)
{
	aml_obj_put(t->ref);
	t->ref = NULL;
}

/* ---- reading ------------------------------------------------------------- */

int aml_node_value(struct aml_walk *w, struct aml_node *n, struct aml_obj **out)
{
	*out = NULL;
	if (n->obj == NULL) {
		return aml_fail(w, -EINVAL, "the root has no value");
	}
	switch (n->obj->type) {
	case AML_FIELD_UNIT:
		return aml_field_read(w, n, out);
	case AML_BUFFER_FIELD:
		return aml_bfield_read(w, n->obj, out);
	default:
		*out = aml_obj_get(n->obj);
		return 0;
	}
}

/* Element i of a package (the object, a name resolved to its value),
 * buffer or string (an Integer of the byte), 19.6.62 Index. */
static int index_read(struct aml_walk *w, struct aml_obj *ref,
		      struct aml_obj **out)
{
	struct aml_obj *t = ref->ref.target, *e;
	uint64_t i = ref->ref.index;
	struct aml_node *n;

	if (t->type == AML_PACKAGE) {
		if (i >= t->pkg.count) {
			return aml_fail(w, -ERANGE,
					"Index %llu past %u elements",
					(unsigned long long)i, t->pkg.count);
		}
		e = t->pkg.elems[i];
		if (e == NULL) {
			*out = aml_obj_new(w->ns, AML_UNINIT);
		} else if (e->type == AML_REFERENCE &&
			   e->ref.kind == AML_REF_NAME &&
			   (n = aml_ref_node(w->ns, e)) != NULL &&
			   n->obj != NULL && n->obj->type <= AML_PACKAGE) {
			return aml_node_value(w, n, out);
		} else {
			*out = aml_obj_get(e);
		}
		return *out != NULL ? 0 : -ENOMEM;
	}
	if (t->type == AML_BUFFER || t->type == AML_STRING) {
		uint32_t len = t->type == AML_BUFFER ? t->buf.len : t->str.len;
		const uint8_t *p = t->type == AML_BUFFER
				       ? t->buf.ptr
				       : (const uint8_t *)t->str.ptr;

		if (i >= len) {
			return aml_fail(w, -ERANGE, "Index %llu past %u bytes",
					(unsigned long long)i, len);
		}
		*out = aml_int_new(w->ns, p[i]);
		return *out != NULL ? 0 : -ENOMEM;
	}
	return aml_fail(w, -EINVAL, "Index into type %d", t->type);
}

/* A string names an object (19.6.27 DerefOf: "a string containing a
 * name"); resolved from the running scope. */
static int deref_string(struct aml_walk *w, struct aml_obj *s,
			struct aml_obj **out)
{
	struct aml_node *n = aml_ns_lookup(w->ns, w->f->scope, s->str.ptr);

	if (n == NULL) {
		return aml_fail(w, -ENOENT, "DerefOf(\"%s\"): no such object",
				s->str.ptr);
	}
	return aml_node_value(w, n, out);
}

int aml_deref(struct aml_walk *w, struct aml_obj *ref, struct aml_obj **out)
{
	struct aml_node *n;

	*out = NULL;
	if (ref->type == AML_STRING) {
		return deref_string(w, ref, out);
	}
	if (ref->type != AML_REFERENCE) {
		return aml_fail(w, -EINVAL, "DerefOf a non-reference (type %d)",
				ref->type);
	}
	switch (ref->ref.kind) {
	case AML_REF_NAME:
		n = aml_ref_node(w->ns, ref);
		if (n == NULL) {
			return aml_fail(w, -ENOENT, "reference to nothing");
		}
		return aml_node_value(w, n, out);
	case AML_REF_INDEX:
		return index_read(w, ref, out);
	case AML_REF_LOCAL:
	case AML_REF_ARG:
		if (ref->ref.slot == NULL || *ref->ref.slot == NULL) {
			return aml_fail(w, -EINVAL,
					"reference to an empty slot");
		}
		*out = aml_obj_get(*ref->ref.slot);
		return 0;
	default:
		return aml_fail(w, -EINVAL, "DerefOf(Debug)");
	}
}

static struct aml_obj **target_slot(struct aml_walk *w,
				    const struct aml_target *t)
{
	return t->kind == AML_TGT_LOCAL ? &w->f->locals[t->slot]
					: &w->f->args[t->slot];
}

int aml_target_read(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj **out)
{
	struct aml_obj **slot;

	*out = NULL;
	switch (t->kind) {
	case AML_TGT_NODE:
		return aml_node_value(w, t->node, out);
	case AML_TGT_LOCAL:
	case AML_TGT_ARG:
		slot = target_slot(w, t);
		if (*slot == NULL) {
			return aml_fail(w, -EINVAL, "%s%u is uninitialized",
					t->kind == AML_TGT_LOCAL ? "Local"
								 : "Arg",
					t->slot);
		}
		if (t->kind == AML_TGT_ARG && (*slot)->type == AML_REFERENCE) {
			return aml_deref(w, *slot, out);
		}
		*out = aml_obj_get(*slot);
		return 0;
	case AML_TGT_REF:
		return aml_deref(w, t->ref, out);
	default:
		return aml_fail(w, -EINVAL, "operand cannot be read");
	}
}

/* ---- writing ------------------------------------------------------------- */

/* A named Buffer keeps its object and length (buffer fields over it see
 * the new bytes): shorter sources are zero-padded, longer ones cut, as
 * ACPICA does; only an empty buffer takes the source's length. */
static int store_buffer(struct aml_walk *w, struct aml_obj *dst,
			struct aml_obj *src)
{
	uint32_t n = src->buf.len;
	uint8_t *p;

	if (src == dst) { /* BUF = BUF: the memset below would clear it */
		return 0;
	}
	if (dst->buf.len == 0 && n > 0) {
		p = kzalloc((size_t)src->buf.len + 1, 0);
		if (p == NULL) {
			return aml_fail(w, -ENOMEM, "Store: no memory");
		}
		kfree(dst->buf.ptr);
		dst->buf.ptr = p;
		dst->buf.len = src->buf.len;
	}
	memset(dst->buf.ptr, 0, dst->buf.len);
	memcpy(dst->buf.ptr, src->buf.ptr, n < dst->buf.len ? n : dst->buf.len);
	return 0;
}

/* Integer, String, Buffer targets keep their type (19.3.5.8) and their
 * object, updated in place. */
static int store_fixed(struct aml_walk *w, struct aml_obj *dst,
		       struct aml_obj *v)
{
	struct aml_obj *c;
	char *s;
	int rc = aml_convert_to(w, v, dst->type, &c);

	if (rc) {
		return rc;
	}
	if (dst->type == AML_INTEGER) {
		dst->integer = c->integer;
	} else if (dst->type == AML_BUFFER) {
		rc = store_buffer(w, dst, c);
	} else {
		s = kmalloc((size_t)c->str.len + 1, 0);
		if (s == NULL) {
			rc = aml_fail(w, -ENOMEM, "Store: no memory");
		} else {
			memcpy(s, c->str.ptr, (size_t)c->str.len + 1);
			kfree(dst->str.ptr);
			dst->str.ptr = s;
			dst->str.len = c->str.len;
		}
	}
	aml_obj_put(c);
	return rc;
}

static int replace_node_obj(struct aml_walk *w, struct aml_node *n,
			    struct aml_obj *v)
{
	struct aml_obj *c = aml_obj_copy(w->ns, v);

	if (c == NULL) {
		return aml_fail(w, -ENOMEM, "Store: no memory");
	}
	aml_obj_put(n->obj);
	n->obj = c;
	return 0;
}

static int store_node(struct aml_walk *w, struct aml_node *n, struct aml_obj *v)
{
	char path[64];

	if (n->obj == NULL) {
		return aml_fail(w, -EINVAL, "Store to the root");
	}
	switch (n->obj->type) {
	case AML_FIELD_UNIT:
		return aml_field_write(w, n, v);
	case AML_BUFFER_FIELD:
		return aml_bfield_write(w, n->obj, v);
	case AML_INTEGER:
	case AML_STRING:
	case AML_BUFFER:
		return store_fixed(w, n->obj, v);
	case AML_UNINIT:
	case AML_PACKAGE:
	case AML_REFERENCE:
		return replace_node_obj(w, n, v);
	default:
		aml_path_buf(n, path, sizeof(path));
		return aml_fail(w, -EINVAL, "Store to %s of type %d", path,
				n->obj->type);
	}
}

static int store_slot(struct aml_walk *w, struct aml_obj **slot,
		      struct aml_obj *v)
{
	struct aml_obj *c = aml_obj_copy(w->ns, v);

	if (c == NULL) {
		return aml_fail(w, -ENOMEM, "Store: no memory");
	}
	aml_obj_put(*slot);
	*slot = c;
	return 0;
}

/* Store(v, Index(obj, i)): a package element is replaced; a buffer or
 * string byte takes the value's low 8 bits. */
static int store_index(struct aml_walk *w, struct aml_obj *ref,
		       struct aml_obj *v)
{
	struct aml_obj *t = ref->ref.target;
	uint64_t i = ref->ref.index, x;
	int rc;

	if (t->type == AML_PACKAGE) {
		if (i >= t->pkg.count) {
			return aml_fail(w, -ERANGE,
					"Index %llu past %u elements",
					(unsigned long long)i, t->pkg.count);
		}
		return store_slot(w, &t->pkg.elems[i], v);
	}
	/* a String or Buffer gives its first byte, an Integer its low byte
	 * (ACPICA AcpiExStoreObjectToIndex) */
	if (v->type == AML_STRING) {
		x = (uint8_t)v->str.ptr[0]; /* the NUL of an empty string */
	} else if (v->type == AML_BUFFER) {
		x = v->buf.len > 0 ? v->buf.ptr[0] : 0;
	} else {
		rc = aml_to_integer(w, v, &x);
		if (rc) {
			return rc;
		}
	}
	if (t->type == AML_BUFFER && i < t->buf.len) {
		t->buf.ptr[i] = (uint8_t)x;
		return 0;
	}
	if (t->type == AML_STRING && i < t->str.len) {
		t->str.ptr[i] = (char)x;
		return 0;
	}
	return aml_fail(w, -ERANGE, "Index %llu out of range",
			(unsigned long long)i);
}

static int store_ref(struct aml_walk *w, struct aml_obj *ref, struct aml_obj *v)
{
	struct aml_node *n;

	switch (ref->ref.kind) {
	case AML_REF_NAME:
		n = aml_ref_node(w->ns, ref);
		if (n == NULL) {
			return aml_fail(w, -ENOENT,
					"Store through a reference "
					"to nothing");
		}
		return store_node(w, n, v);
	case AML_REF_INDEX:
		return store_index(w, ref, v);
	case AML_REF_LOCAL:
	case AML_REF_ARG:
		return ref->ref.slot != NULL ? store_slot(w, ref->ref.slot, v)
					     : -EINVAL;
	default:
		return 0; /* Debug */
	}
}

static void store_debug(struct aml_walk *w, struct aml_obj *v)
{
	char text[AML_ERRMSG_LEN];

	if (w->ns->ops.debug == NULL) {
		return;
	}
	switch (v->type) {
	case AML_INTEGER:
		ksnprintf(text, sizeof(text), "0x%llx",
			  (unsigned long long)v->integer);
		break;
	case AML_STRING:
		ksnprintf(text, sizeof(text), "%s", v->str.ptr);
		break;
	case AML_BUFFER:
		ksnprintf(text, sizeof(text), "Buffer(%u)", v->buf.len);
		break;
	case AML_PACKAGE:
		ksnprintf(text, sizeof(text), "Package(%u)", v->pkg.count);
		break;
	default:
		ksnprintf(text, sizeof(text), "object of type %d", v->type);
		break;
	}
	w->ns->ops.debug(w->ns->ctx, text);
}

int aml_store(struct aml_walk *w, const struct aml_target *t, struct aml_obj *v)
{
	struct aml_obj **slot;

	switch (t->kind) {
	case AML_TGT_NULL:
		return 0;
	case AML_TGT_DEBUG:
		store_debug(w, v);
		return 0;
	case AML_TGT_NODE:
		return store_node(w, t->node, v);
	case AML_TGT_LOCAL:
		return store_slot(w, target_slot(w, t), v);
	case AML_TGT_ARG:
		/* an Arg holding a reference (RefOf passed in) stores
		 * through it; otherwise it is a local copy. An Index
		 * reference is not stored through (ACPICA: only RefOf's
		 * class, AcpiDsStoreObjectToLocal) */
		slot = target_slot(w, t);
		if (*slot != NULL && (*slot)->type == AML_REFERENCE &&
		    (*slot)->ref.kind != AML_REF_INDEX) {
			return store_ref(w, *slot, v);
		}
		return store_slot(w, slot, v);
	case AML_TGT_REF:
		return store_ref(w, t->ref, v);
	}
	return -EINVAL;
}

int aml_copy_object(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj *v)
{
	switch (t->kind) {
	case AML_TGT_NODE:
		if (t->node->obj != NULL &&
		    (t->node->obj->type == AML_FIELD_UNIT ||
		     t->node->obj->type == AML_BUFFER_FIELD)) {
			return store_node(w, t->node, v);
		}
		return replace_node_obj(w, t->node, v);
	case AML_TGT_LOCAL:
	case AML_TGT_ARG:
		return store_slot(w, target_slot(w, t), v);
	default:
		return aml_store(w, t, v);
	}
}
