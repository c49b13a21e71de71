/*
 * Explicit conversions (ACPI 6.5 19.6 ASL operator reference: FromBCD,
 * ToBCD, ToBuffer, ToDecimalString, ToHexString, ToInteger, ToString;
 * encodings 20.2.5.4). The text
 * forms are convert.c's, shared with the implicit rules.
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

/* ToBuffer, ToDecimalString, ToHexString, ToInteger (Data, Result) */
AML_DECL_OPS(op_to)
{
	struct aml_obj *o = ops[0].obj, *r = NULL;
	uint64_t v;
	int rc;

	switch (info->op) {
	case 0x96:
		rc = aml_to_buffer(w, o, &r);
		break;
	case 0x97:
		rc = aml_conv_string(w, o, AML_STRCONV_DEC, &r);
		break;
	case 0x98:
		rc = aml_conv_string(w, o, AML_STRCONV_HEX, &r);
		break;
	default:
		if (o->type == AML_STRING) {
			rc = aml_str_integer(w, o->str.ptr, o->str.len, true,
					     &v);
		} else {
			rc = aml_to_integer(w, o, &v);
		}
		return rc ? rc : aml_op_int_result(w, &ops[1], v, result);
	}
	return rc ? rc : aml_op_result(w, &ops[1], r, result);
}

/* ToString (Buffer, Length, Result): the bytes up to the first NUL or
 * Length (Ones: no limit), 19.6. */
AML_DECL_OPS(op_tostring)
{
	struct aml_obj *b = ops[0].obj;
	uint64_t max = ops[1].integer;
	uint32_t n = 0;

	(void)info;
	while (n < b->buf.len && n < max && b->buf.ptr[n] != 0) {
		n++;
	}
	return aml_op_result(w, &ops[2],
			     aml_str_new(w->ns, (const char *)b->buf.ptr, n),
			     result);
}

/* ToBCD / FromBCD (Integer, Result): packed BCD, one decimal digit per
 * nibble (19.6); a nibble above 9 is an error. */
AML_DECL_OPS(op_bcd)
{
	uint64_t v = ops[0].integer, r = 0, scale = 1;
	unsigned int shift = 0;

	if (info->op == OP_X(0x29)) { /* ToBCD */
		for (; v != 0 && shift < 64; shift += 4, v /= 10) {
			r |= (v % 10) << shift;
		}
		if (v != 0) {
			return aml_fail(w, -ERANGE, "ToBCD: too many digits");
		}
		return aml_op_int_result(w, &ops[1], r, result);
	}
	for (; v != 0; v >>= 4, scale *= 10) {
		if ((v & 0xF) > 9) {
			return aml_fail(w, -EINVAL,
					"FromBCD: 0x%llx is not BCD",
					(unsigned long long)ops[0].integer);
		}
		r += (v & 0xF) * scale;
	}
	return aml_op_int_result(w, &ops[1], r, result);
}

const struct aml_opinfo aml_ops_convert[] = {
    {0x96, "ToBuffer", {OA_D, OA_TG}, 0, op_to},
    {0x97, "ToDecimalString", {OA_D, OA_TG}, 0, op_to},
    {0x98, "ToHexString", {OA_D, OA_TG}, 0, op_to},
    {0x99, "ToInteger", {OA_D, OA_TG}, 0, op_to},
    {0x9C, "ToString", {OA_B, OA_I, OA_TG}, 0, op_tostring},
    {OP_X(0x29), "ToBCD", {OA_I, OA_TG}, 0, op_bcd},
    {OP_X(0x28), "FromBCD", {OA_I, OA_TG}, 0, op_bcd},
    {0, NULL, {0}, 0, NULL},
};
