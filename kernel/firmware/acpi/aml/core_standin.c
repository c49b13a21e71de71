/* TEMPORARY stand-ins for helper "ops"'s symbols (weak): deleted before
 * core's final commit. */
#include "kern/errno.h"
#include "kern/string.h"
#include "kern/mm.h"
#include "firmware/acpi/aml/internal.h"

#define W __attribute__((weak))


static int sb_math(struct aml_walk *w, const struct aml_opinfo *info,
		   struct aml_operand *o, struct aml_obj **res)
{
	uint64_t a = o[0].integer, b = o[1].integer, r = 0;
	unsigned int t = 2;

	switch (info->op) {
	case 0x72: r = a + b; break;
	case 0x74: r = a - b; break;
	case 0x77: r = a * b; break;
	case 0x79: r = b < 64 ? a << b : 0; break;
	case 0x7A: r = b < 64 ? a >> b : 0; break;
	case 0x7B: r = a & b; break;
	case 0x7C: r = ~(a & b); break;
	case 0x7D: r = a | b; break;
	case 0x7E: r = ~(a | b); break;
	case 0x7F: r = a ^ b; break;
	case 0x85: r = b ? a % b : 0; break;
	case 0x80: r = ~a; t = 1; break;
	case 0x78: /* Divide */
		if (b == 0) return aml_fail(w, -EINVAL, "div 0");
		{
			struct aml_obj *rem = aml_int_new(w->ns, a % b);
			aml_store(w, &o[2].tgt, rem);
			aml_obj_put(rem);
		}
		r = a / b; t = 3; break;
	}
	r &= aml_int_mask(w);
	*res = aml_int_new(w->ns, r);
	return aml_store(w, &o[t].tgt, *res);
}

static int sb_incdec(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *o, struct aml_obj **res)
{
	struct aml_obj *v;
	uint64_t x;
	int rc = aml_target_read(w, &o[0].tgt, &v);

	if (rc) return rc;
	rc = aml_to_integer(w, v, &x);
	aml_obj_put(v);
	if (rc) return rc;
	x = (info->op == 0x75 ? x + 1 : x - 1) & aml_int_mask(w);
	*res = aml_int_new(w->ns, x);
	return aml_store(w, &o[0].tgt, *res);
}

static int sb_logic(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *o, struct aml_obj **res)
{
	uint64_t a = o[0].integer, b = o[1].integer;
	bool r = false;

	if (info->op >= 0x93 && info->op <= 0x95 && o[0].obj->type == AML_STRING && o[1].obj && o[1].obj->type == AML_STRING) {
		int c = strcmp(o[0].obj->str.ptr, o[1].obj->str.ptr);
		r = info->op == 0x93 ? c == 0 : info->op == 0x94 ? c > 0 : c < 0;
	} else {
		if (info->op >= 0x93) {
			if (aml_to_integer(w, o[0].obj, &a) || aml_to_integer(w, o[1].obj, &b))
				return -EINVAL;
		}
		switch (info->op) {
		case 0x90: r = a && b; break;
		case 0x91: r = a || b; break;
		case 0x92: r = !a; break;
		case 0x93: r = a == b; break;
		case 0x94: r = a > b; break;
		case 0x95: r = a < b; break;
		}
	}
	*res = aml_int_new(w->ns, r ? aml_int_mask(w) : 0);
	return 0;
}

static int sb_lnot2(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *o, struct aml_obj **res)
{
	/* 0x92 0x93 = LNotEqual etc. handled as LNot(LEqual) by the parser */
	return sb_logic(w, info, o, res);
}

static int sb_index(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *o, struct aml_obj **res)
{
	struct aml_obj *r = aml_obj_new(w->ns, AML_REFERENCE);
	(void)info;
	r->ref.kind = AML_REF_INDEX;
	r->ref.target = aml_obj_get(o[0].obj);
	r->ref.index = o[1].integer;
	*res = r;
	return aml_store(w, &o[2].tgt, r);
}

static int sb_sizeof(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *o, struct aml_obj **res)
{
	struct aml_obj *v;
	uint64_t n = 0;
	int rc = aml_target_read(w, &o[0].tgt, &v);
	(void)info;
	if (rc) return rc;
	if (v->type == AML_STRING) n = v->str.len;
	else if (v->type == AML_BUFFER) n = v->buf.len;
	else if (v->type == AML_PACKAGE) n = v->pkg.count;
	aml_obj_put(v);
	*res = aml_int_new(w->ns, n);
	return 0;
}

static int sb_deref(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *o, struct aml_obj **res)
{
	(void)info;
	return aml_deref(w, o[0].obj, res);
}

static struct aml_obj *sb_ref_of(struct aml_walk *w, struct aml_target *t)
{
	struct aml_obj *r;
	if (t->kind == AML_TGT_REF) return aml_obj_get(t->ref);
	r = aml_obj_new(w->ns, AML_REFERENCE);
	if (t->kind == AML_TGT_NODE) { r->ref.kind = AML_REF_NAME; r->ref.node = t->node; }
	else if (t->kind == AML_TGT_LOCAL) { r->ref.kind = AML_REF_LOCAL; r->ref.slot = &w->f->locals[t->slot]; }
	else { r->ref.kind = AML_REF_ARG; r->ref.slot = &w->f->args[t->slot]; }
	return r;
}

static int sb_refof(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *o, struct aml_obj **res)
{
	(void)info;
	*res = sb_ref_of(w, &o[0].tgt);
	return 0;
}

static int sb_condrefof(struct aml_walk *w, const struct aml_opinfo *info,
			struct aml_operand *o, struct aml_obj **res)
{
	(void)info;
	if (o[0].exists) {
		struct aml_obj *r = sb_ref_of(w, &o[0].tgt);
		aml_store(w, &o[1].tgt, r);
		aml_obj_put(r);
	}
	*res = aml_int_new(w->ns, o[0].exists ? aml_int_mask(w) : 0);
	return 0;
}

static int sb_create(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *o, struct aml_obj **res)
{
	struct aml_obj *bf = aml_obj_new(w->ns, AML_BUFFER_FIELD);
	struct aml_node *n;
	unsigned int ni = 2;
	(void)res;
	bf->bfield.buffer = aml_obj_get(o[0].obj);
	switch (info->op) {
	case 0x8D: bf->bfield.bit_offset = o[1].integer; bf->bfield.bit_length = 1; break;
	case 0x8C: bf->bfield.bit_offset = o[1].integer * 8; bf->bfield.bit_length = 8; break;
	case 0x8B: bf->bfield.bit_offset = o[1].integer * 8; bf->bfield.bit_length = 16; break;
	case 0x8A: bf->bfield.bit_offset = o[1].integer * 8; bf->bfield.bit_length = 32; break;
	case 0x8F: bf->bfield.bit_offset = o[1].integer * 8; bf->bfield.bit_length = 64; break;
	default: bf->bfield.bit_offset = o[1].integer; bf->bfield.bit_length = o[2].integer; ni = 3; break;
	}
	bf->bfield.resolved = true;
	return aml_declare(w, &o[ni].name, bf, &n);
}

#define T AML_ARG_TERM
#define I AML_ARG_INT
#define D AML_ARG_DATA
#define G AML_ARG_TARGET
#define S AML_ARG_SUPER
W const struct aml_opinfo aml_ops_math[] = {
    {0x72, "Add", {I, I, G}, 0, sb_math},
    {0x74, "Subtract", {I, I, G}, 0, sb_math},
    {0x77, "Multiply", {I, I, G}, 0, sb_math},
    {0x78, "Divide", {I, I, G, G}, 0, sb_math},
    {0x79, "ShiftLeft", {I, I, G}, 0, sb_math},
    {0x7A, "ShiftRight", {I, I, G}, 0, sb_math},
    {0x7B, "And", {I, I, G}, 0, sb_math},
    {0x7C, "NAnd", {I, I, G}, 0, sb_math},
    {0x7D, "Or", {I, I, G}, 0, sb_math},
    {0x7E, "NOr", {I, I, G}, 0, sb_math},
    {0x7F, "XOr", {I, I, G}, 0, sb_math},
    {0x80, "Not", {I, G}, 0, sb_math},
    {0x85, "Mod", {I, I, G}, 0, sb_math},
    {0x75, "Increment", {S}, 0, sb_incdec},
    {0x76, "Decrement", {S}, 0, sb_incdec},
    {0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_logic[] = {
    {0x90, "LAnd", {I, I}, 0, sb_logic},
    {0x91, "LOr", {I, I}, 0, sb_logic},
    {0x92, "LNot", {I}, 0, sb_lnot2},
    {0x93, "LEqual", {D, D}, 0, sb_logic},
    {0x94, "LGreater", {D, D}, 0, sb_logic},
    {0x95, "LLess", {D, D}, 0, sb_logic},
    {0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_string[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_convert[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_data[] = {
    {0x88, "Index", {T, I, G}, 0, sb_index},
    {0x87, "SizeOf", {S}, 0, sb_sizeof},
    {0x83, "DerefOf", {T}, 0, sb_deref},
    {0x71, "RefOf", {S}, 0, sb_refof},
    {0x5B12, "CondRefOf", {AML_ARG_SIMPLE, G}, 0, sb_condrefof},
    {0x8A, "CreateDWordField", {T, I, AML_ARG_NAME}, 0, sb_create},
    {0x8B, "CreateWordField", {T, I, AML_ARG_NAME}, 0, sb_create},
    {0x8C, "CreateByteField", {T, I, AML_ARG_NAME}, 0, sb_create},
    {0x8D, "CreateBitField", {T, I, AML_ARG_NAME}, 0, sb_create},
    {0x8F, "CreateQWordField", {T, I, AML_ARG_NAME}, 0, sb_create},
    {0x5B13, "CreateField", {T, I, I, AML_ARG_NAME}, 0, sb_create},
    {0, NULL, {0}, 0, NULL}};

W uint64_t aml_int_mask(const struct aml_walk *w)
{
	if (w->c.t != NULL && w->c.t->revision < 2) {
		return 0xFFFFFFFFull;
	}
	return ~0ull;
}

W int aml_to_integer(struct aml_walk *w, struct aml_obj *o, uint64_t *out)
{
	uint32_t i;

	*out = 0;
	if (o->type == AML_INTEGER) {
		*out = o->integer;
		return 0;
	}
	if (o->type == AML_BUFFER) {
		for (i = 0; i < o->buf.len && i < 8; i++) {
			*out |= (uint64_t)o->buf.ptr[i] << (8 * i);
		}
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to integer of %d", o->type);
}

W int aml_to_buffer(struct aml_walk *w, struct aml_obj *o,
		    struct aml_obj **out)
{
	uint8_t b[8];
	unsigned int i;

	if (o->type == AML_BUFFER) {
		*out = aml_obj_get(o);
		return 0;
	}
	if (o->type == AML_INTEGER) {
		for (i = 0; i < 8; i++) {
			b[i] = (uint8_t)(o->integer >> (8 * i));
		}
		*out = aml_buf_new(w->ns, b, 8);
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to buffer");
}

W int aml_to_string(struct aml_walk *w, struct aml_obj *o,
		    struct aml_obj **out)
{
	if (o->type == AML_STRING) {
		*out = aml_obj_get(o);
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to string");
}

W int aml_convert_to(struct aml_walk *w, struct aml_obj *v,
		     enum aml_type type, struct aml_obj **out)
{
	uint64_t x;
	int rc;

	if (v->type == type) {
		*out = aml_obj_get(v);
		return 0;
	}
	if (type == AML_INTEGER) {
		rc = aml_to_integer(w, v, &x);
		*out = rc ? NULL : aml_int_new(w->ns, x);
		return rc;
	}
	if (type == AML_BUFFER) {
		return aml_to_buffer(w, v, out);
	}
	return aml_to_string(w, v, out);
}

W int aml_predef_install(struct aml_ns *ns)
{
	(void)ns;
	return 0;
}
