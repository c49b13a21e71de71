/*
 * String and buffer operators (ACPI 6.5 19.6 ASL operator reference:
 * Concatenate, ConcatenateResTemplate, Mid; encodings 20.2.5.4).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

/* a new buffer a ++ b */
static struct aml_obj *buf_join(struct aml_walk *w, const uint8_t *a, size_t la,
				const uint8_t *b, size_t lb)
{
	struct aml_obj *o = aml_buf_new(w->ns, NULL, la + lb);

	if (o != NULL) {
		memcpy(o->buf.ptr, a, la);
		memcpy(o->buf.ptr + la, b, lb);
	}
	return o;
}

static struct aml_obj *str_join(struct aml_walk *w, const char *a, size_t la,
				const char *b, size_t lb)
{
	char *s = NULL;
	struct aml_obj *o;

	if (la + lb <= w->ns->lim.max_alloc) {
		s = kmalloc(la + lb + 1, 0);
	}
	if (s == NULL) {
		return NULL;
	}
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	o = aml_str_new(w->ns, s, la + lb);
	kfree(s);
	return o;
}

/* Operands that are not Integer, String or Buffer become the string
 * naming their type (19.6 Concatenate; "[Package Object]" as ACPICA
 * writes it). */
static int cat_operand(struct aml_walk *w, struct aml_obj *o,
		       struct aml_obj **out)
{
	if (o->type == AML_INTEGER || o->type == AML_STRING ||
	    o->type == AML_BUFFER) {
		*out = aml_obj_get(o);
		return 0;
	}
	*out = aml_type_string(w, o);
	return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

/*
 * Concatenate (Source1, Source2, Result): the first operand's type
 * decides (19.6): two Integers give a Buffer of both (low first), a
 * Buffer takes the second converted to a Buffer, a String the second
 * converted to a String.
 */
AML_DECL_OPS(op_concat)
{
	struct aml_obj *a = NULL, *b = NULL, *c = NULL, *r = NULL;
	uint8_t ib[16];
	uint64_t y;
	unsigned int n = aml_int_bytes(w), i;
	int rc;

	(void)info;
	rc = cat_operand(w, ops[0].obj, &a);
	if (rc == 0) {
		rc = cat_operand(w, ops[1].obj, &b);
	}
	if (rc == 0 && a->type == AML_INTEGER) {
		rc = aml_to_integer(w, b, &y);
		for (i = 0; rc == 0 && i < n; i++) {
			ib[i] = (uint8_t)(a->integer >> (8 * i));
			ib[n + i] = (uint8_t)(y >> (8 * i));
		}
		if (rc == 0) {
			r = aml_buf_new(w->ns, ib, 2 * (size_t)n);
		}
	} else if (rc == 0 && a->type == AML_BUFFER) {
		rc = aml_to_buffer(w, b, &c);
		if (rc == 0) {
			r = buf_join(w, a->buf.ptr, a->buf.len, c->buf.ptr,
				     c->buf.len);
		}
	} else if (rc == 0) {
		rc = aml_to_string(w, b, &c);
		if (rc == 0) {
			r = str_join(w, a->str.ptr, a->str.len, c->str.ptr,
				     c->str.len);
		}
	}
	aml_obj_put(a);
	aml_obj_put(b);
	aml_obj_put(c);
	return rc ? rc : aml_op_result(w, &ops[2], r, result);
}

/*
 * The length of a resource template up to (not including) its End Tag
 * (6.4.2.9); an empty buffer counts as an empty template (ACPICA).
 */
static int res_body(struct aml_walk *w, struct aml_obj *b, size_t *len)
{
	size_t pos = 0, dlen;
	uint8_t tag;

	if (b->buf.len == 0) {
		*len = 0;
		return 0;
	}
	while (pos < b->buf.len) {
		tag = b->buf.ptr[pos];
		if (tag & 0x80) {
			if (pos + 3 > b->buf.len) {
				break;
			}
			dlen = 3 + (b->buf.ptr[pos + 1] |
				    (size_t)b->buf.ptr[pos + 2] << 8);
		} else {
			dlen = 1 + (tag & 7);
			if ((tag >> 3) == 0xF) { /* End Tag */
				*len = pos;
				return 0;
			}
		}
		pos += dlen;
	}
	return aml_fail(w, -EINVAL, "resource template without an End Tag");
}

/* ConcatenateResTemplate (Source1, Source2, Result): both templates
 * without their End Tags, then one End Tag with checksum 0 ("none"). */
AML_DECL_OPS(op_concat_res)
{
	struct aml_obj *a = ops[0].obj, *b = ops[1].obj, *r;
	size_t la, lb;
	int rc;

	(void)info;
	rc = res_body(w, a, &la);
	if (rc == 0) {
		rc = res_body(w, b, &lb);
	}
	if (rc) {
		return rc;
	}
	r = aml_buf_new(w->ns, NULL, la + lb + 2);
	if (r != NULL) {
		memcpy(r->buf.ptr, a->buf.ptr, la);
		memcpy(r->buf.ptr + la, b->buf.ptr, lb);
		r->buf.ptr[la + lb] = 0x79;
		r->buf.ptr[la + lb + 1] = 0;
	}
	return aml_op_result(w, &ops[2], r, result);
}

/* Mid (Source, Index, Length, Result): the part of a String or Buffer
 * from Index, at most Length long; empty when Index is past the end. */
AML_DECL_OPS(op_mid)
{
	struct aml_obj *s = ops[0].obj, *c = NULL, *r;
	uint64_t i = ops[1].integer, n = ops[2].integer, len;
	int rc = 0;

	(void)info;
	if (s->type != AML_STRING && s->type != AML_BUFFER) {
		rc = aml_to_buffer(w, s, &c);
		if (rc) {
			return rc;
		}
		s = c;
	}
	len = s->type == AML_STRING ? s->str.len : s->buf.len;
	if (i >= len) {
		i = len;
	}
	if (n > len - i) {
		n = len - i;
	}
	if (s->type == AML_STRING) {
		r = aml_str_new(w->ns, s->str.ptr + i, (size_t)n);
	} else {
		r = aml_buf_new(w->ns, s->buf.ptr + i, (size_t)n);
	}
	aml_obj_put(c);
	return aml_op_result(w, &ops[3], r, result);
}

const struct aml_opinfo aml_ops_string[] = {
    {0x73, "Concatenate", {OA_T, OA_T, OA_TG}, 0, op_concat},
    {0x84, "ConcatenateResTemplate", {OA_B, OA_B, OA_TG}, 0, op_concat_res},
    {0x9E, "Mid", {OA_T, OA_I, OA_I, OA_TG}, 0, op_mid},
    {0, NULL, {0}, 0, NULL},
};
