/*
 * The integer operators (ACPI 6.5 19.6.3 Add, 19.6.4 And, 19.6.29
 * Decrement, 19.6.32 Divide, 19.6.49/50 FindSetLeftBit/RightBit,
 * 19.6.61 Increment, 19.6.85 Mod, 19.6.86 Multiply, 19.6.88 NAnd,
 * 19.6.89 NOr, 19.6.90 Not, 19.6.98 Or, 19.6.122/123 ShiftLeft/Right,
 * 19.6.132 Subtract, 19.6.156 XOr; encodings in 20.2.5.4). Operands come
 * converted to Integer (AML_ARG_INT); results are cut to the table's
 * integer width and stored to the Target operand.
 */
#include "kern/errno.h"
#include "firmware/acpi/aml/ops_local.h"

#define INT2                                                                   \
	{                                                                      \
		AML_ARG_INT, AML_ARG_INT, AML_ARG_TARGET                       \
	}
#define INT1                                                                   \
	{                                                                      \
		AML_ARG_INT, AML_ARG_TARGET                                    \
	}

int aml_ops_store(struct aml_walk *w, struct aml_operand *o, struct aml_obj *v)
{
	if (o->tgt.kind == AML_TGT_NULL) {
		return 0;
	}
	return aml_store(w, &o->tgt, v);
}

/* The result object: stored to the target operand, returned. */
static int give_int(struct aml_walk *w, struct aml_operand *tgt, uint64_t v,
		    struct aml_obj **result)
{
	struct aml_obj *o = aml_int_new(w->ns, v & aml_int_mask(w));
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

/* Source1 op Source2 => Target, for the two-operand integer operators. */
static int op_binary(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *ops, struct aml_obj **result)
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
		r = b >= 64 ? 0 : (a & aml_int_mask(w)) >> b;
		break;
	case 0x85: /* Mod */
		if (b == 0) {
			return aml_fail(w, -ERANGE, "Mod by zero");
		}
		r = a % b;
		break;
	default:
		return aml_fail(w, -ENOSYS, "not an integer operator");
	}
	return give_int(w, &ops[2], r, result);
}

/* Divide (Dividend, Divisor, Remainder, Result) => Quotient (19.6.32) */
static int op_divide(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *ops, struct aml_obj **result)
{
	uint64_t a = ops[0].integer, b = ops[1].integer;
	struct aml_obj *rem;
	int rc;

	(void)info;
	if (b == 0) {
		return aml_fail(w, -ERANGE, "Divide by zero");
	}
	rc = give_int(w, &ops[2], a % b, &rem);
	if (rc) {
		return rc;
	}
	aml_obj_put(rem);
	return give_int(w, &ops[3], a / b, result);
}

/* Not, FindSetLeftBit, FindSetRightBit (Source, Target): the bit numbers
 * count from 1, 0 meaning no bit set. */
static int op_unary(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	uint64_t a = ops[0].integer & aml_int_mask(w), r = 0;

	if (info->op == 0x80) {
		r = ~a;
	} else if (a != 0 && info->op == 0x81) {
		for (r = 64; !(a >> (r - 1) & 1); r--) {
		}
	} else if (a != 0) {
		for (r = 1; !(a >> (r - 1) & 1); r++) {
		}
	}
	return give_int(w, &ops[1], r, result);
}

/* Increment / Decrement (SuperName): read, add one, write back. */
static int op_incdec(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *ops, struct aml_obj **result)
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
	return give_int(w, &ops[0], v, result);
}

const struct aml_opinfo aml_ops_math[] = {
    {0x72, "Add", INT2, 0, op_binary},
    {0x74, "Subtract", INT2, 0, op_binary},
    {0x75, "Increment", {AML_ARG_SUPER}, 0, op_incdec},
    {0x76, "Decrement", {AML_ARG_SUPER}, 0, op_incdec},
    {0x77, "Multiply", INT2, 0, op_binary},
    {0x78,
     "Divide",
     {AML_ARG_INT, AML_ARG_INT, AML_ARG_TARGET, AML_ARG_TARGET},
     0,
     op_divide},
    {0x79, "ShiftLeft", INT2, 0, op_binary},
    {0x7A, "ShiftRight", INT2, 0, op_binary},
    {0x7B, "And", INT2, 0, op_binary},
    {0x7C, "NAnd", INT2, 0, op_binary},
    {0x7D, "Or", INT2, 0, op_binary},
    {0x7E, "NOr", INT2, 0, op_binary},
    {0x7F, "XOr", INT2, 0, op_binary},
    {0x80, "Not", INT1, 0, op_unary},
    {0x81, "FindSetLeftBit", INT1, 0, op_unary},
    {0x82, "FindSetRightBit", INT1, 0, op_unary},
    {0x85, "Mod", INT2, 0, op_binary},
    {0, NULL, {0}, 0, NULL},
};
