/*
 * Logical operators (ACPI 6.5 19.6 ASL operator reference: LAnd, LEqual,
 * LGreater, LLess, LNot, LOr; encodings in
 * 20.2.5.4). LNotEqual, LLessEqual and LGreaterEqual have no opcode of
 * their own: the byte stream is LNot (0x92) followed by the comparison,
 * which this table handles as plain nesting (LNot's operand is a term).
 * True is Ones cut to the integer width (as ACPICA answers), False 0.
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

static int bytes_cmp(const uint8_t *a, uint32_t la, const uint8_t *b,
		     uint32_t lb)
{
	uint32_t n = la < lb ? la : lb;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0) {
		return c;
	}
	return la < lb ? -1 : la > lb ? 1 : 0;
}

/*
 * 19.6 LEqual/LGreater/LLess: the second operand is converted to the first's
 * type (Integer, String or Buffer); strings and buffers compare byte by byte,
 * a shorter one that is a prefix of the other is the lesser.
 */
int aml_compare(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		int *cmp)
{
	struct aml_obj *c;
	int rc = aml_convert_to(w, b, a->type, &c);

	if (rc) {
		return rc;
	}
	switch (a->type) {
	case AML_INTEGER:
		*cmp = a->integer < c->integer ? -1 : a->integer > c->integer;
		break;
	case AML_STRING:
		*cmp = bytes_cmp((const uint8_t *)a->str.ptr, a->str.len,
				 (const uint8_t *)c->str.ptr, c->str.len);
		break;
	case AML_BUFFER:
		*cmp =
		    bytes_cmp(a->buf.ptr, a->buf.len, c->buf.ptr, c->buf.len);
		break;
	default:
		rc = aml_fail(w, -EINVAL, "cannot compare objects of type %d",
			      a->type);
	}
	aml_obj_put(c);
	return rc;
}

static int give_bool(struct aml_walk *w, bool v, struct aml_obj **result)
{
	return aml_op_int_result(w, NULL, v ? ~0ull : 0, result);
}

/* LAnd, LOr (both operands are always evaluated), LNot */
AML_DECL_OPS(op_bool)
{
	uint64_t a = ops[0].integer;

	switch (info->op) {
	case 0x90:
		return give_bool(w, a != 0 && ops[1].integer != 0, result);
	case 0x91:
		return give_bool(w, a != 0 || ops[1].integer != 0, result);
	default:
		return give_bool(w, a == 0, result);
	}
}

/* LEqual, LGreater, LLess */
AML_DECL_OPS(op_compare)
{
	int cmp, rc = aml_compare(w, ops[0].obj, ops[1].obj, &cmp);

	if (rc) {
		return rc;
	}
	switch (info->op) {
	case 0x93:
		return give_bool(w, cmp == 0, result);
	case 0x94:
		return give_bool(w, cmp > 0, result);
	default:
		return give_bool(w, cmp < 0, result);
	}
}

const struct aml_opinfo aml_ops_logic[] = {
    {0x90, "LAnd", {OA_I, OA_I}, 0, op_bool},
    {0x91, "LOr", {OA_I, OA_I}, 0, op_bool},
    {0x92, "LNot", {OA_I}, 0, op_bool},
    {0x93, "LEqual", {OA_D, OA_D}, 0, op_compare},
    {0x94, "LGreater", {OA_D, OA_D}, 0, op_compare},
    {0x95, "LLess", {OA_D, OA_D}, 0, op_compare},
    {0, NULL, {0}, 0, NULL},
};
