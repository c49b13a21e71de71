/*
 * The operators on objects and references (ACPI 6.5 19.6.62 Index,
 * 19.6.126 SizeOf, 19.6.97 ObjectType, 19.6.115 RefOf, 19.6.30 DerefOf,
 * 19.6.14 CondRefOf, 19.6.80 Match) and the buffer fields (19.6.16-21
 * CreateBitField ... CreateQWordField, 19.6.17 CreateField); encodings
 * in 20.2.5.2 and 20.2.5.4.
 */
#include "kern/errno.h"
#include "firmware/acpi/aml/ops_local.h"

#define OP_CREATE_BIT	0x8D
#define OP_CREATE_FIELD 0x5B13

static struct aml_obj *ref_new(struct aml_walk *w, enum aml_ref_kind kind)
{
	struct aml_obj *r = aml_obj_new(w->ns, AML_REFERENCE);

	if (r != NULL) {
		r->ref.kind = kind;
	}
	return r;
}

static int give(struct aml_walk *w, struct aml_operand *tgt, struct aml_obj *o,
		struct aml_obj **result)
{
	int rc;

	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	rc = tgt != NULL ? aml_ops_store(w, tgt, o) : 0;
	if (rc) {
		aml_obj_put(o);
		return rc;
	}
	*result = o;
	return 0;
}

/* Index (Source, Index, Destination): a reference to element i of a
 * Package, or to byte i of a Buffer or String (19.6.62). */
static int op_index(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *src = ops[0].obj, *r;
	uint64_t i = ops[1].integer, len;

	(void)info;
	if (src->type == AML_PACKAGE) {
		len = src->pkg.count;
	} else if (src->type == AML_BUFFER) {
		len = src->buf.len;
	} else if (src->type == AML_STRING) {
		len = src->str.len;
	} else {
		return aml_fail(w, -EINVAL, "Index into type %d", src->type);
	}
	if (i >= len) {
		return aml_fail(w, -ERANGE, "Index %llu past the end (%llu)",
				(unsigned long long)i, (unsigned long long)len);
	}
	r = ref_new(w, AML_REF_INDEX);
	if (r != NULL) {
		r->ref.target = aml_obj_get(src);
		r->ref.index = i;
	}
	return give(w, &ops[2], r, result);
}

/* What a reference points at, as ObjectType reports it: a byte of a
 * Buffer or String is a Buffer Field (as ACPICA says). */
static enum aml_type ref_type(struct aml_walk *w, struct aml_obj *r)
{
	struct aml_obj *e;
	struct aml_node *n;

	switch (r->ref.kind) {
	case AML_REF_NAME:
		n = aml_ref_node(w->ns, r);
		return n != NULL && n->obj != NULL ? n->obj->type : AML_UNINIT;
	case AML_REF_INDEX:
		if (r->ref.target->type != AML_PACKAGE) {
			return AML_BUFFER_FIELD;
		}
		e = r->ref.target->pkg.elems[r->ref.index];
		if (e != NULL && e->type == AML_REFERENCE &&
		    e->ref.kind == AML_REF_NAME) {
			return ref_type(w, e);
		}
		return e != NULL ? e->type : AML_UNINIT;
	case AML_REF_LOCAL:
	case AML_REF_ARG:
		e = r->ref.slot != NULL ? *r->ref.slot : NULL;
		return e != NULL ? e->type : AML_UNINIT;
	default:
		return AML_DEBUG;
	}
}

static enum aml_type target_type(struct aml_walk *w, const struct aml_target *t)
{
	struct aml_obj *o = NULL;

	switch (t->kind) {
	case AML_TGT_NODE:
		o = t->node->obj;
		break;
	case AML_TGT_LOCAL:
		o = w->f->locals[t->slot];
		break;
	case AML_TGT_ARG:
		o = w->f->args[t->slot];
		break;
	case AML_TGT_REF:
		return ref_type(w, t->ref);
	case AML_TGT_DEBUG:
		return AML_DEBUG;
	default:
		return AML_UNINIT;
	}
	if (o != NULL && o->type == AML_REFERENCE) {
		return ref_type(w, o); /* a Local holding RefOf(X): X's type */
	}
	return o != NULL ? o->type : AML_UNINIT;
}

/* ObjectType (SuperName) 19.6.97: never reads a field or runs a method */
static int op_objtype(struct aml_walk *w, const struct aml_opinfo *info,
		      struct aml_operand *ops, struct aml_obj **result)
{
	enum aml_type t = target_type(w, &ops[0].tgt);

	(void)info;
	if (t > AML_DEBUG) { /* a Scope (\_GPE, \_PR): "Any" */
		t = AML_UNINIT;
	}
	return give(w, NULL, aml_int_new(w->ns, t), result);
}

/* SizeOf (SuperName) 19.6.126: bytes of a Buffer or String, elements of
 * a Package; an Integer gives its width in bytes (ACPICA). */
static int op_sizeof(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *o, *d;
	uint64_t n;
	int rc = aml_target_read(w, &ops[0].tgt, &o);

	(void)info;
	if (rc == 0 && o->type == AML_REFERENCE) {
		rc = aml_deref(w, o, &d);
		aml_obj_put(o);
		o = d;
	}
	if (rc) {
		return rc;
	}
	switch (o->type) {
	case AML_STRING:
		n = o->str.len;
		break;
	case AML_BUFFER:
		n = o->buf.len;
		break;
	case AML_PACKAGE:
		n = o->pkg.count;
		break;
	case AML_INTEGER:
		n = aml_int_bytes(w);
		break;
	default:
		rc = aml_fail(w, -EINVAL, "SizeOf type %d", o->type);
	}
	aml_obj_put(o);
	return rc ? rc : give(w, NULL, aml_int_new(w->ns, n), result);
}

/* The reference RefOf and CondRefOf make of a SuperName (19.6.115). */
static int make_ref(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj **out)
{
	struct aml_obj *r = NULL;

	switch (t->kind) {
	case AML_TGT_NODE:
		r = ref_new(w, AML_REF_NAME);
		if (r != NULL) {
			r->ref.node = t->node;
		}
		break;
	case AML_TGT_LOCAL:
	case AML_TGT_ARG:
		r = ref_new(w, t->kind == AML_TGT_LOCAL ? AML_REF_LOCAL
							: AML_REF_ARG);
		if (r != NULL) {
			r->ref.slot = t->kind == AML_TGT_LOCAL
					  ? &w->f->locals[t->slot]
					  : &w->f->args[t->slot];
		}
		break;
	case AML_TGT_REF:
		r = aml_obj_get(t->ref);
		break;
	case AML_TGT_DEBUG:
		r = ref_new(w, AML_REF_DEBUG);
		break;
	default:
		return aml_fail(w, -EINVAL, "RefOf nothing");
	}
	*out = r;
	return r != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

static int op_refof(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *r;
	int rc = make_ref(w, &ops[0].tgt, &r);

	(void)info;
	return rc ? rc : give(w, NULL, r, result);
}

/* CondRefOf (SimpleName, Result) 19.6.14: Zero, and no store, when the
 * name does not exist (an External never defined counts as absent). */
static int op_condrefof(struct aml_walk *w, const struct aml_opinfo *info,
			struct aml_operand *ops, struct aml_obj **result)
{
	const struct aml_target *t = &ops[0].tgt;
	struct aml_obj *r;
	int rc;

	(void)info;
	if (!ops[0].exists ||
	    (t->kind == AML_TGT_NODE && (t->node->flags & AML_NODE_EXTERNAL))) {
		return give(w, NULL, aml_int_new(w->ns, 0), result);
	}
	rc = make_ref(w, t, &r);
	if (rc == 0) {
		rc = aml_ops_store(w, &ops[1], r);
		aml_obj_put(r);
	}
	return rc ? rc
		  : give(w, NULL, aml_int_new(w->ns, aml_int_mask(w)), result);
}

/* DerefOf (ObjReference) 19.6.30: a reference, or a String naming an
 * object; anything else fails, as in ACPICA. */
static int op_derefof(struct aml_walk *w, const struct aml_opinfo *info,
		      struct aml_operand *ops, struct aml_obj **result)
{
	(void)info;
	return aml_deref(w, ops[0].obj, result);
}

int aml_match_one(struct aml_walk *w, uint8_t op, struct aml_obj *elem,
		  struct aml_obj *obj, bool *hit)
{
	int cmp, rc;

	*hit = false;
	if (op > 5) {
		return aml_fail(w, -EINVAL, "MatchOpcode %u", op);
	}
	if (op == 0) { /* MTR: always */
		*hit = true;
		return 0;
	}
	if (elem == NULL ||
	    (elem->type != AML_INTEGER && elem->type != AML_STRING &&
	     elem->type != AML_BUFFER)) {
		return 0;
	}
	/* the element is Source1, obj takes its type (19.6.80); the one
	 * conversion that fails, an empty Buffer to Integer, never matches */
	if (elem->type == AML_INTEGER && obj->type == AML_BUFFER &&
	    obj->buf.len == 0) {
		return 0;
	}
	rc = aml_data_cmp(w, elem, obj, &cmp);
	if (rc) {
		return rc;
	}
	switch (op) {
	case 1:
		*hit = cmp == 0;
		break; /* MEQ */
	case 2:
		*hit = cmp <= 0;
		break; /* MLE */
	case 3:
		*hit = cmp < 0;
		break; /* MLT */
	case 4:
		*hit = cmp >= 0;
		break; /* MGE */
	default:
		*hit = cmp > 0;
		break; /* MGT */
	}
	return 0;
}

/* Match (SearchPackage, Op1, Object1, Op2, Object2, StartIndex)
 * 19.6.80: the first index from StartIndex whose element satisfies both
 * tests, Ones when none does. */
static int op_match(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *p = ops[0].obj, *e;
	uint64_t i = ops[5].integer, found = aml_int_mask(w);
	bool a, b;
	int rc;

	(void)info;
	if (ops[1].integer > 5 || ops[3].integer > 5) {
		return aml_fail(w, -EINVAL, "MatchOpcode above 5");
	}
	if (i >= p->pkg.count) {
		return aml_fail(w, -ERANGE, "Match StartIndex %llu past %u",
				(unsigned long long)i, p->pkg.count);
	}
	for (; i < p->pkg.count; i++) {
		rc = aml_tick(w); /* a long package is still bounded work */
		if (rc) {
			return rc;
		}
		e = p->pkg.elems[i];
		rc = aml_match_one(w, (uint8_t)ops[1].integer, e, ops[2].obj,
				   &a);
		if (rc == 0 && a) {
			rc = aml_match_one(w, (uint8_t)ops[3].integer, e,
					   ops[4].obj, &b);
		}
		if (rc) {
			return rc;
		}
		if (a && b) {
			found = i;
			break;
		}
	}
	return give(w, NULL, aml_int_new(w->ns, found), result);
}

/* Create{Bit,Byte,Word,DWord,QWord}Field (Source, Index, Name) and
 * CreateField (Source, BitIndex, NumBits, Name): a Buffer Field object
 * over the source buffer, named in the running scope (temporary in a
 * method). The window must lie inside the buffer (ACPICA: BUFFER_LIMIT
 * at creation). */
static int op_create_field(struct aml_walk *w, const struct aml_opinfo *info,
			   struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *buf = ops[0].obj, *bf;
	uint64_t off = ops[1].integer, len;
	struct aml_operand *name = &ops[2];
	struct aml_node *n;
	int rc;

	(void)result;
	switch (info->op) {
	case OP_CREATE_BIT:
		len = 1;
		break;
	case 0x8C:
		len = 8;
		off *= 8;
		break;
	case 0x8B:
		len = 16;
		off *= 8;
		break;
	case 0x8A:
		len = 32;
		off *= 8;
		break;
	case 0x8F:
		len = 64;
		off *= 8;
		break;
	default: /* CreateField */
		len = ops[2].integer;
		name = &ops[3];
		if (len == 0) {
			return aml_fail(w, -EINVAL, "CreateField of 0 bits");
		}
	}
	if (off > (uint64_t)buf->buf.len * 8 ||
	    len > (uint64_t)buf->buf.len * 8 - off) {
		return aml_fail(w, -ERANGE,
				"field at bit %llu, %llu bits, past %u bytes",
				(unsigned long long)off,
				(unsigned long long)len, buf->buf.len);
	}
	bf = aml_obj_new(w->ns, AML_BUFFER_FIELD);
	if (bf == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	bf->bfield.buffer = aml_obj_get(buf);
	bf->bfield.bit_offset = off;
	bf->bfield.bit_length = len;
	bf->bfield.resolved = true;
	bf->bfield.opcode = info->op;
	bf->bfield.scope = w->f->scope;
	rc = aml_ns_create_node(w->ns, w->f->scope, &name->name, bf,
				w->f->method != NULL ? AML_NODE_TEMP : 0, &n);
	aml_obj_put(bf);
	if (rc) {
		return aml_fail(w, rc, "cannot create the buffer field");
	}
	return 0;
}

#define T  AML_ARG_TERM
#define I  AML_ARG_INT
#define B  AML_ARG_BUF
#define N  AML_ARG_NAME
#define TG AML_ARG_TARGET
#define FIELD_OP(op, name)                                                     \
	{                                                                      \
		op, name, {B, I, N}, AML_OPF_STMT, op_create_field             \
	}

const struct aml_opinfo aml_ops_data[] = {
    {0x71, "RefOf", {AML_ARG_SUPER}, 0, op_refof},
    {0x83, "DerefOf", {T}, 0, op_derefof},
    {0x87, "SizeOf", {AML_ARG_SUPER}, 0, op_sizeof},
    {0x88, "Index", {T, I, TG}, 0, op_index},
    {0x89,
     "Match",
     {AML_ARG_PKG, AML_ARG_BYTE, AML_ARG_DATA, AML_ARG_BYTE, AML_ARG_DATA, I},
     0,
     op_match},
    {0x8E, "ObjectType", {AML_ARG_SUPER}, 0, op_objtype},
    {0x5B12, "CondRefOf", {AML_ARG_SIMPLE, TG}, 0, op_condrefof},
    FIELD_OP(0x8A, "CreateDWordField"),
    FIELD_OP(0x8B, "CreateWordField"),
    FIELD_OP(0x8C, "CreateByteField"),
    FIELD_OP(0x8D, "CreateBitField"),
    FIELD_OP(0x8F, "CreateQWordField"),
    {OP_CREATE_FIELD,
     "CreateField",
     {B, I, I, N},
     AML_OPF_STMT,
     op_create_field},
    {0, NULL, {0}, 0, NULL},
};
