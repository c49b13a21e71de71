/*
 * Integer arithmetic and bitwise operators (ACPI 6.5 19.6 ASL operator
 * reference: Add, And, Decrement, Divide, FindSetLeftBit, FindSetRightBit,
 * Increment, Mod, Multiply, NAnd, NOr, Not, Or, ShiftLeft, ShiftRight,
 * Subtract, XOr; encodings in
 * 20.2.5.4). Operands arrive converted to Integer (19.3.5.7); every
 * result is cut to the table's integer width and stored to the Target
 * operand when there is one.
 */
#include "kern/errno.h"
#include "firmware/acpi/aml/op_common.h"

/* Operand Operand Target: the two-operand integer operators. */
AML_DECL_OPS(op_binary)
{
	uint64_t a = ops[0].integer, b = ops[1].integer, r;

	switch (info->op) {
	case 0x72:
		r = a + b;
		break;
	case 0x74:
		r = a - b;
		break;
	case 0x77:
		r = a * b;
		break;
	case 0x7B:
		r = a & b;
		break;
	case 0x7C:
		r = ~(a & b);
		break;
	case 0x7D:
		r = a | b;
		break;
	case 0x7E:
		r = ~(a | b);
		break;
	case 0x7F:
		r = a ^ b;
		break;
	case 0x79: /* a count past the width shifts everything out */
		r = b >= 64 ? 0 : a << b;
		break;
	case 0x7A:
		r = b >= 64 ? 0 : a >> b;
		break;
	case 0x85: /* Mod */
		if (b == 0) {
			return aml_fail(w, -ERANGE, "Mod by zero");
		}
		r = a % b;
		break;
	default:
		return aml_fail(w, -ENOSYS, "not a binary operator");
	}
	return aml_op_int_result(w, &ops[2], r, result);
}

/* Store an integer to a target (NullName: nothing), masked. */
static int store_int(struct aml_walk *w, struct aml_operand *tgt, uint64_t v)
{
	struct aml_obj *o = aml_int_new(w->ns, v & aml_int_mask(w));
	int rc;

	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for the result");
	}
	rc = aml_store(w, &tgt->tgt, o);
	aml_obj_put(o);
	return rc;
}

/* Divide (Dividend, Divisor, Remainder, Result): both targets stored,
 * the quotient is the value (19.6). */
AML_DECL_OPS(op_divide)
{
	uint64_t a = ops[0].integer, b = ops[1].integer;
	int rc;

	(void)info;
	if (b == 0) {
		return aml_fail(w, -ERANGE, "Divide by zero");
	}
	rc = store_int(w, &ops[2], a % b);
	if (rc) {
		return rc;
	}
	return aml_op_int_result(w, &ops[3], a / b, result);
}

/* Operand Target: Not, FindSetLeftBit (1-based index of the highest set
 * bit, 0 for none), FindSetRightBit (the lowest). */
AML_DECL_OPS(op_unary)
{
	uint64_t a = ops[0].integer & aml_int_mask(w), r = 0;
	unsigned int i;

	if (info->op == 0x80) {
		r = ~a;
	} else if (a != 0 && info->op == 0x81) {
		for (i = 63; !(a >> i & 1); i--) {
		}
		r = i + 1;
	} else if (a != 0) {
		for (i = 0; !(a >> i & 1); i++) {
		}
		r = i + 1;
	}
	return aml_op_int_result(w, &ops[1], r, result);
}

/* Increment / Decrement (SuperName): read, convert, step, store back;
 * the new value is the result (19.6). */
AML_DECL_OPS(op_step)
{
	struct aml_obj *cur;
	uint64_t v;
	int rc = aml_target_read(w, &ops[0].tgt, &cur);

	if (rc) {
		return rc;
	}
	rc = aml_to_integer(w, cur, &v);
	aml_obj_put(cur);
	if (rc) {
		return rc;
	}
	v = info->op == 0x75 ? v + 1 : v - 1;
	return aml_op_int_result(w, &ops[0], v, result);
}

const struct aml_opinfo aml_ops_math[] = {
    {0x72, "Add", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x74, "Subtract", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x77, "Multiply", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x78, "Divide", {OA_I, OA_I, OA_TG, OA_TG}, 0, op_divide},
    {0x85, "Mod", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x79, "ShiftLeft", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7A, "ShiftRight", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7B, "And", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7C, "NAnd", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7D, "Or", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7E, "NOr", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x7F, "XOr", {OA_I, OA_I, OA_TG}, 0, op_binary},
    {0x80, "Not", {OA_I, OA_TG}, 0, op_unary},
    {0x81, "FindSetLeftBit", {OA_I, OA_TG}, 0, op_unary},
    {0x82, "FindSetRightBit", {OA_I, OA_TG}, 0, op_unary},
    {0x75, "Increment", {OA_SN}, 0, op_step},
    {0x76, "Decrement", {OA_SN}, 0, op_step},
    {0, NULL, {0}, 0, NULL},
};
