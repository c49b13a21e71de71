/*
 * The explicit conversion operators (ACPI 6.5 19.6.51 FromBCD, 19.6.131
 * ToBCD, 19.6.133 ToBuffer, 19.6.134 ToDecimalString, 19.6.135
 * ToHexString, 19.6.136 ToInteger, 19.6.138 ToString; 20.2.5.4), with the
 * text forms ACPICA 20200925 writes (convert.c has the shared pieces).
 */
#include "kern/errno.h"
#include "firmware/acpi/aml/ops_local.h"

int aml_to_bcd(uint64_t v, uint64_t mask, uint64_t *out)
{
	unsigned int i;

	*out = 0;
	for (i = 0; i < 16 && v != 0; i++) {
		*out |= (v % 10) << (4 * i);
		v /= 10;
	}
	/* the digits must fit the width: 8 or 16 nibbles */
	return v != 0 || (*out & ~mask) != 0 ? -ERANGE : 0;
}

int aml_from_bcd(uint64_t v, uint64_t mask, uint64_t *out)
{
	uint64_t scale = 1;

	*out = 0;
	for (v &= mask; v != 0; v >>= 4) {
		if ((v & 0xF) > 9) {
			return -ERANGE;
		}
		*out += (v & 0xF) * scale;
		scale *= 10;
	}
	return 0;
}

static int give(struct aml_walk *w, struct aml_operand *tgt, struct aml_obj *o,
		struct aml_obj **result)
{
	int rc;

	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	rc = aml_ops_store(w, tgt, o);
	if (rc) {
		aml_obj_put(o);
		return rc;
	}
	*result = o;
	return 0;
}

/* ToBCD, FromBCD (Value, Result) */
static int op_bcd(struct aml_walk *w, const struct aml_opinfo *info,
		  struct aml_operand *ops, struct aml_obj **result)
{
	uint64_t mask = aml_int_mask(w), v;
	int rc = info->op == 0x5B29 ? aml_to_bcd(ops[0].integer, mask, &v)
				    : aml_from_bcd(ops[0].integer, mask, &v);

	if (rc) {
		return aml_fail(w, rc, "0x%llx is out of BCD range",
				(unsigned long long)ops[0].integer);
	}
	return give(w, &ops[1], aml_int_new(w->ns, v), result);
}

/* ToDecimalString, ToHexString (Data, Result): a String is kept as it
 * is, an Integer written in full ("%016X" / "%u"), a Buffer byte by
 * byte ("0x01,0xAB" / "1,171"). */
static int op_tostr(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *src = ops[0].obj, *o = NULL;
	bool dec = info->op == 0x97;
	int rc = 0;

	if (src->type == AML_STRING) {
		o = aml_obj_get(src);
	} else if (src->type == AML_INTEGER) {
		o = aml_int_to_str(w, src->integer & aml_int_mask(w), dec);
	} else {
		rc = aml_buf_to_str(w, src,
				    dec ? AML_BUFSTR_DEC : AML_BUFSTR_HEX, &o);
	}
	return rc ? rc : give(w, &ops[1], o, result);
}

/* ToBuffer, ToInteger (Data, Result); ToInteger reads a String as
 * decimal, or hex after "0x" (19.6.136). */
static int op_tonum(struct aml_walk *w, const struct aml_opinfo *info,
		    struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *src = ops[0].obj, *o = NULL;
	uint64_t v;
	int rc;

	if (info->op == 0x96) {
		rc = src->type == AML_BUFFER ? 0 : aml_to_buffer(w, src, &o);
		if (src->type == AML_BUFFER) {
			o = aml_buf_new(w->ns, src->buf.ptr, src->buf.len);
		}
		return rc ? rc : give(w, &ops[1], o, result);
	}
	if (src->type == AML_STRING) {
		v = aml_str_to_int(src->str.ptr, src->str.len, true,
				   aml_int_mask(w));
	} else {
		rc = aml_to_integer(w, src, &v);
		if (rc) {
			return rc;
		}
	}
	return give(w, &ops[1], aml_int_new(w->ns, v), result);
}

/* ToString (Buffer, Length, Result) 19.6.138: the bytes up to the first
 * NUL, at most Length of them (Ones, or a Length past the end: all). */
static int op_tostring(struct aml_walk *w, const struct aml_opinfo *info,
		       struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *b = ops[0].obj;
	uint64_t max = ops[1].integer;
	uint32_t n = 0;

	(void)info;
	while (n < b->buf.len && n < max && b->buf.ptr[n] != 0) {
		n++;
	}
	return give(w, &ops[2], aml_str_new(w->ns, (const char *)b->buf.ptr, n),
		    result);
}

const struct aml_opinfo aml_ops_convert[] = {
    {0x96, "ToBuffer", {AML_ARG_DATA, AML_ARG_TARGET}, 0, op_tonum},
    {0x97, "ToDecimalString", {AML_ARG_DATA, AML_ARG_TARGET}, 0, op_tostr},
    {0x98, "ToHexString", {AML_ARG_DATA, AML_ARG_TARGET}, 0, op_tostr},
    {0x99, "ToInteger", {AML_ARG_DATA, AML_ARG_TARGET}, 0, op_tonum},
    {0x9C,
     "ToString",
     {AML_ARG_BUF, AML_ARG_INT, AML_ARG_TARGET},
     0,
     op_tostring},
    {0x5B28, "FromBCD", {AML_ARG_INT, AML_ARG_TARGET}, 0, op_bcd},
    {0x5B29, "ToBCD", {AML_ARG_INT, AML_ARG_TARGET}, 0, op_bcd},
    {0, NULL, {0}, 0, NULL},
};
