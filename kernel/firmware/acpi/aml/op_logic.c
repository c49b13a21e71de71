/*
 * The logical operators (ACPI 6.5 19.6.69 LAnd, 19.6.70 LEqual, 19.6.71
 * LGreater, 19.6.74 LLess, 19.6.76 LNot, 19.6.78 LOr; 20.2.5.4). True is
 * Ones (every bit of the table's integer width), false Zero.
 *
 * LNotEqual, LLessEqual and LGreaterEqual have no opcodes of their own:
 * they are encoded as LNot (0x92) followed by LEqual (0x93), LGreater
 * (0x94) or LLess (0x95) (20.2.5.4 "LNotEqualOp := LnotOp LequalOp"), so
 * LNot evaluating its operand, the comparison, is all they need.
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/ops_local.h"

/* Bytes compared as unsigned, then the shorter is the lesser (ACPICA). */
static int bytes_cmp(const void *a, uint32_t alen, const void *b, uint32_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0) {
		return c;
	}
	return alen < blen ? -1 : alen > blen;
}

int aml_data_cmp(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		 int *cmp)
{
	struct aml_obj *c;
	uint64_t x, y;
	int rc;

	/* 19.6.70: Source2 is converted to Source1's type */
	if (a->type == AML_INTEGER) {
		rc = aml_to_integer(w, b, &y);
		if (rc == 0) {
			x = a->integer & aml_int_mask(w);
			*cmp = x < y ? -1 : x > y;
		}
		return rc;
	}
	if (a->type != AML_STRING && a->type != AML_BUFFER) {
		return aml_fail(w, -EINVAL, "compare of type %d", a->type);
	}
	rc = aml_convert_to(w, b, a->type, &c);
	if (rc) {
		return rc;
	}
	if (a->type == AML_STRING) {
		*cmp =
		    bytes_cmp(a->str.ptr, a->str.len, c->str.ptr, c->str.len);
	} else {
		*cmp =
		    bytes_cmp(a->buf.ptr, a->buf.len, c->buf.ptr, c->buf.len);
	}
	aml_obj_put(c);
	return 0;
}

static int give_bool(struct aml_walk *w, bool v, struct aml_obj **result)
{
	*result = aml_int_new(w->ns, v ? aml_int_mask(w) : 0);
	return *result != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

/* LEqual, LGreater, LLess (Source1, Source2) */
static int op_compare(struct aml_walk *w, const struct aml_opinfo *info,
		      struct aml_operand *ops, struct aml_obj **result)
{
	int cmp, rc = aml_data_cmp(w, ops[0].obj, ops[1].obj, &cmp);

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

/* LAnd, LOr (Source1, Source2), LNot (Source): both operands are always
 * evaluated, as in ACPICA (AML has no short circuit). */
static int op_bool(struct aml_walk *w, const struct aml_opinfo *info,
		   struct aml_operand *ops, struct aml_obj **result)
{
	bool a = (ops[0].integer & aml_int_mask(w)) != 0;

	switch (info->op) {
	case 0x90:
		return give_bool(w, a && ops[1].integer != 0, result);
	case 0x91:
		return give_bool(w, a || ops[1].integer != 0, result);
	default:
		return give_bool(w, !a, result);
	}
}

const struct aml_opinfo aml_ops_logic[] = {
    {0x90, "LAnd", {AML_ARG_INT, AML_ARG_INT}, 0, op_bool},
    {0x91, "LOr", {AML_ARG_INT, AML_ARG_INT}, 0, op_bool},
    {0x92, "LNot", {AML_ARG_INT}, 0, op_bool},
    {0x93, "LEqual", {AML_ARG_DATA, AML_ARG_DATA}, 0, op_compare},
    {0x94, "LGreater", {AML_ARG_DATA, AML_ARG_DATA}, 0, op_compare},
    {0x95, "LLess", {AML_ARG_DATA, AML_ARG_DATA}, 0, op_compare},
    {0, NULL, {0}, 0, NULL},
};
