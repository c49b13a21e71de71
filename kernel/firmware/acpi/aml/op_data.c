/*
 * Operators on objects and references (ACPI 6.5 19.6 ASL operator
 * reference: CondRefOf, Create*Field, DerefOf, Index, Match, ObjectType,
 * RefOf, SizeOf; encodings 20.2.5.2 and
 * 20.2.5.4). A reference is an AML_REFERENCE object: to a named object
 * (REF_NAME), an element of a package/buffer/string (REF_INDEX) or a
 * method's Local/Arg slot; reading and storing through it is the core's
 * (aml_deref, aml_store).
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

static struct aml_obj *ref_new(struct aml_walk *w, enum aml_ref_kind kind)
{
	struct aml_obj *r = aml_obj_new(w->ns, AML_REFERENCE);

	if (r != NULL) {
		r->ref.kind = kind;
	}
	return r;
}

/* Index (BuffPkgStrObj, IndexValue, Target): a reference to element i,
 * checked against the object's size now (ACPICA fails here too). */
AML_DECL_OPS(op_index)
{
	struct aml_obj *o = ops[0].obj, *d = NULL, *r;
	uint64_t i = ops[1].integer, n;
	int rc;

	(void)info;
	if (o->type == AML_REFERENCE) { /* an Arg passed by reference */
		rc = aml_deref(w, o, &d);
		if (rc) {
			return rc;
		}
		o = d;
	}
	n = o->type == AML_PACKAGE  ? o->pkg.count
	    : o->type == AML_BUFFER ? o->buf.len
	    : o->type == AML_STRING ? o->str.len
				    : (uint64_t)-1;
	if (n == (uint64_t)-1 || i >= n) {
		aml_obj_put(d);
		if (n == (uint64_t)-1) {
			return aml_fail(w, -EINVAL, "Index into type %d",
					o->type);
		}
		return aml_fail(w, -ERANGE, "Index %llu past the end (%llu)",
				(unsigned long long)i, (unsigned long long)n);
	}
	r = ref_new(w, AML_REF_INDEX);
	if (r != NULL) {
		r->ref.target = aml_obj_get(o);
		r->ref.index = i;
	}
	aml_obj_put(d);
	return aml_op_result(w, &ops[2], r, result);
}

/* The object a RefOf / CondRefOf operand names, as a reference. */
static int make_ref(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj **out)
{
	switch (t->kind) {
	case AML_TGT_NODE:
		*out = ref_new(w, AML_REF_NAME);
		if (*out != NULL) {
			(*out)->ref.node = t->node;
		}
		break;
	case AML_TGT_LOCAL:
	case AML_TGT_ARG:
		*out = ref_new(w, t->kind == AML_TGT_LOCAL ? AML_REF_LOCAL
							   : AML_REF_ARG);
		if (*out != NULL) {
			(*out)->ref.slot = t->kind == AML_TGT_LOCAL
					       ? &w->f->locals[t->slot]
					       : &w->f->args[t->slot];
		}
		break;
	case AML_TGT_REF:
		*out = aml_obj_get(t->ref);
		break;
	case AML_TGT_DEBUG:
		*out = ref_new(w, AML_REF_DEBUG);
		break;
	default:
		return aml_fail(w, -EINVAL, "RefOf of nothing");
	}
	return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

AML_DECL_OPS(op_refof)
{
	struct aml_obj *r;
	int rc = make_ref(w, &ops[0].tgt, &r);

	(void)info;
	return rc ? rc : aml_op_result(w, NULL, r, result);
}

/* CondRefOf (SuperName, Target): False, and no store, when the name
 * does not resolve (or is only an External placeholder). */
AML_DECL_OPS(op_condrefof)
{
	struct aml_obj *r;
	int rc;

	(void)info;
	if (!ops[0].exists || ops[0].tgt.kind == AML_TGT_NULL ||
	    (ops[0].tgt.kind == AML_TGT_NODE &&
	     (ops[0].tgt.node->flags & AML_NODE_EXTERNAL))) {
		return aml_op_int_result(w, NULL, 0, result);
	}
	rc = make_ref(w, &ops[0].tgt, &r);
	if (rc == 0) {
		rc = aml_store(w, &ops[1].tgt, r);
		aml_obj_put(r);
	}
	return rc ? rc : aml_op_int_result(w, NULL, ~0ull, result);
}

AML_DECL_OPS(op_derefof)
{
	(void)info;
	return aml_deref(w, ops[0].obj, result);
}

/* SizeOf (SuperName): bytes of a buffer or string, elements of a
 * package; a reference is followed once. ACPICA also answers for an
 * Integer: its width in bytes. */
AML_DECL_OPS(op_sizeof)
{
	struct aml_obj *o, *d = NULL;
	enum aml_type type;
	uint64_t n;
	int rc = aml_target_read(w, &ops[0].tgt, &o);

	(void)info;
	if (rc) {
		return rc;
	}
	if (o->type == AML_REFERENCE) {
		rc = aml_deref(w, o, &d);
		aml_obj_put(o);
		if (rc) {
			return rc;
		}
		o = d;
	}
	type = o->type;
	n = type == AML_INTEGER	  ? aml_int_bytes(w) /* as ACPICA */
	    : type == AML_PACKAGE ? o->pkg.count
	    : type == AML_BUFFER  ? o->buf.len
	    : type == AML_STRING  ? o->str.len
				  : (uint64_t)-1;
	aml_obj_put(o);
	if (n == (uint64_t)-1) {
		return aml_fail(w, -EINVAL, "SizeOf an object of type %d",
				(int)type);
	}
	return aml_op_int_result(w, NULL, n, result);
}

/* A Local/Arg reference is only followed while its method runs: the
 * slot must be one of a frame on the running call chain (a reference
 * that outlived its method points into freed memory). */
static bool in_slots(struct aml_obj **slot, struct aml_obj *const *base,
		     size_t n)
{
	uintptr_t p = (uintptr_t)slot, b = (uintptr_t)base;

	return p >= b && p < b + n * sizeof(*base);
}

static bool slot_live(const struct aml_walk *w, struct aml_obj **slot)
{
	const struct aml_frame *f;

	for (f = w->f; f != NULL && slot != NULL; f = f->caller) {
		if (in_slots(slot, f->locals, AML_NLOCALS) ||
		    in_slots(slot, f->args, AML_NARGS)) {
			return true;
		}
	}
	return false;
}

/* What a reference refers to, for ObjectType: an element of a buffer or
 * string is a Buffer Field (as ACPICA reports it). */
static enum aml_type ref_type(struct aml_walk *w, struct aml_obj *r)
{
	struct aml_node *n;
	struct aml_obj *t = r->ref.target;

	switch (r->ref.kind) {
	case AML_REF_NAME:
		n = aml_ref_node(w->ns, r);
		return n != NULL ? aml_obj_kind(w->ns, n->obj) : AML_UNINIT;
	case AML_REF_INDEX:
		if (t->type != AML_PACKAGE) {
			return AML_BUFFER_FIELD;
		}
		return r->ref.index < t->pkg.count
			   ? aml_obj_kind(w->ns, t->pkg.elems[r->ref.index])
			   : AML_UNINIT;
	case AML_REF_LOCAL:
	case AML_REF_ARG:
		return slot_live(w, r->ref.slot)
			   ? aml_obj_kind(w->ns, *r->ref.slot)
			   : AML_UNINIT;
	default:
		return AML_DEBUG;
	}
}

/* ObjectType (SuperName), 19.6: the type of the object itself, not
 * of its value (a field unit is 5, a method 8, not called). */
AML_DECL_OPS(op_objecttype)
{
	const struct aml_target *t = &ops[0].tgt;
	struct aml_obj *o;
	uint64_t type;

	(void)info;
	switch (t->kind) {
	case AML_TGT_NODE:
		type = aml_obj_kind(w->ns, t->node->obj);
		break;
	case AML_TGT_LOCAL:
	case AML_TGT_ARG:
		o = t->kind == AML_TGT_LOCAL ? w->f->locals[t->slot]
					     : w->f->args[t->slot];
		type = o != NULL && o->type == AML_REFERENCE
			   ? ref_type(w, o)
			   : aml_obj_kind(w->ns, o);
		break;
	case AML_TGT_REF:
		type = ref_type(w, t->ref);
		break;
	case AML_TGT_DEBUG:
		type = AML_DEBUG;
		break;
	default:
		type = AML_UNINIT;
	}
	return aml_op_int_result(w, NULL, type, result);
}

/* One MatchOpcode test (19.6): MTR, MEQ, MLE, MLT, MGE, MGT of
 * element e against the match object m (converted to e's type). */
static bool match_one(struct aml_walk *w, uint64_t mop, struct aml_obj *e,
		      struct aml_obj *m)
{
	int cmp;

	if (mop == 0) {
		return true;
	}
	if (e == NULL || (e->type != AML_INTEGER && e->type != AML_STRING &&
			  e->type != AML_BUFFER)) {
		return false; /* ACPICA: an element that cannot compare is no
				 match, not an error */
	}
	if (aml_compare(w, e, m, &cmp)) {
		return false;
	}
	switch (mop) {
	case 1:
		return cmp == 0;
	case 2:
		return cmp <= 0;
	case 3:
		return cmp < 0;
	case 4:
		return cmp >= 0;
	default:
		return cmp > 0;
	}
}

/* Match (SearchPackage, Op1, Object1, Op2, Object2, StartIndex): the
 * index of the first element from StartIndex satisfying both tests, or
 * Ones. */
AML_DECL_OPS(op_match)
{
	struct aml_obj *p = ops[0].obj, *e;
	uint64_t i = ops[5].integer;

	(void)info;
	if (ops[1].integer > 5 || ops[3].integer > 5) {
		return aml_fail(w, -EINVAL, "Match opcode %llu/%llu",
				(unsigned long long)ops[1].integer,
				(unsigned long long)ops[3].integer);
	}
	if (i >= p->pkg.count) {
		return aml_fail(w, -ERANGE, "Match start %llu past %u elements",
				(unsigned long long)i, p->pkg.count);
	}
	for (; i < p->pkg.count; i++) {
		e = p->pkg.elems[i];
		if (match_one(w, ops[1].integer, e, ops[2].obj) &&
		    match_one(w, ops[3].integer, e, ops[4].obj)) {
			return aml_op_int_result(w, NULL, i, result);
		}
	}
	return aml_op_int_result(w, NULL, ~0ull, result);
}

/* Where a Create*Field's field lies, in bits (19.6: the fixed widths
 * take a byte index, CreateField a bit index and a width). */
static int field_span(struct aml_walk *w, const struct aml_opinfo *info,
		      const struct aml_operand *ops, uint64_t *bit,
		      uint64_t *len)
{
	static const struct {
		uint16_t op;
		uint8_t bits;
	} fixed[] = {{0x8D, 1}, {0x8C, 8}, {0x8B, 16}, {0x8A, 32}, {0x8F, 64}};
	unsigned int i;

	*bit = ops[1].integer;
	*len = info->op == OP_X(0x13) ? ops[2].integer : 0;
	/* no buffer is longer than 4 GiB: larger values can only fail, and
	 * must not wrap around in the bit arithmetic here or in field.c */
	if (*bit > (1ull << 35) || *len > (1ull << 35)) {
		return aml_fail(w, -ERANGE, "%s at %llu: past any buffer",
				info->name, (unsigned long long)*bit);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (fixed[i].op == info->op) {
			*len = fixed[i].bits;
			*bit *= fixed[i].bits == 1 ? 1 : 8;
		}
	}
	if (*len == 0) {
		return aml_fail(w, -EINVAL, "CreateField of 0 bits");
	}
	return 0;
}

/*
 * CreateBitField / ByteField / WordField / DWordField / QWordField
 * (SourceBuffer, Index, Name) and CreateField (SourceBuffer, BitIndex,
 * NumBits, Name): a Buffer Field object over the buffer itself (stores
 * through it change the buffer), created as a named node; in a method
 * the node is temporary (gone at return).
 */
AML_DECL_OPS(op_create_field)
{
	struct aml_obj *b = ops[0].obj, *bf;
	uint64_t bit, len;
	struct aml_node *node;
	int rc = field_span(w, info, ops, &bit, &len);

	(void)result;
	if (rc) {
		return rc;
	}
	if (b->type != AML_BUFFER) {
		return aml_fail(w, -EINVAL, "%s over an object of type %d",
				info->name, b->type);
	}
	/* In a method the bounds are checked now (ACPICA does); at load
	 * ACPICA defers the arguments, so only a use fails. */
	if (w->f->method != NULL && bit + len > (uint64_t)b->buf.len * 8) {
		return aml_fail(w, -ERANGE,
				"%s at bit %llu (%llu bits) past a %u-byte "
				"buffer",
				info->name, (unsigned long long)bit,
				(unsigned long long)len, b->buf.len);
	}
	bf = aml_obj_new(w->ns, AML_BUFFER_FIELD);
	if (bf == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	bf->bfield.buffer = aml_obj_get(b);
	bf->bfield.bit_offset = bit;
	bf->bfield.bit_length = len;
	bf->bfield.resolved = true;
	bf->bfield.opcode = info->op;
	bf->bfield.scope = w->f->scope;
	/* aml_declare takes bf's reference and names the object when it
	 * fails (a name that exists, a missing parent) */
	return aml_declare(w, &ops[info->op == OP_X(0x13) ? 3 : 2].name, bf,
			   &node);
}

const struct aml_opinfo aml_ops_data[] = {
    {0x88, "Index", {OA_T, OA_I, OA_TG}, 0, op_index},
    {0x87, "SizeOf", {OA_SN}, 0, op_sizeof},
    {0x8E, "ObjectType", {OA_SN}, 0, op_objecttype},
    {0x71, "RefOf", {OA_SN}, 0, op_refof},
    {0x83, "DerefOf", {OA_T}, 0, op_derefof},
    {OP_X(0x12), "CondRefOf", {OA_SI, OA_TG}, 0, op_condrefof},
    {0x89, "Match", {OA_P, OA_BY, OA_D, OA_BY, OA_D, OA_I}, 0, op_match},
    {0x8D,
     "CreateBitField",
     {OA_T, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {0x8C,
     "CreateByteField",
     {OA_T, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {0x8B,
     "CreateWordField",
     {OA_T, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {0x8A,
     "CreateDWordField",
     {OA_T, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {0x8F,
     "CreateQWordField",
     {OA_T, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {OP_X(0x13),
     "CreateField",
     {OA_T, OA_I, OA_I, OA_NM},
     AML_OPF_STMT,
     op_create_field},
    {0, NULL, {0}, 0, NULL},
};
