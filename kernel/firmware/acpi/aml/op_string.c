/*
 * The string and buffer operators (ACPI 6.5 19.6.12 Concatenate,
 * 19.6.13 ConcatenateResTemplate, 19.6.84 Mid; 20.2.5.4).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/ops_local.h"

/* ObjectType names as ACPICA prints them ("[Package Object]"): what
 * Concatenate makes of an operand that is not data (19.6.12 table). */
static const char *const type_names[] = {
    "Untyped",	 "Integer",	"String",    "Buffer",	"Package",
    "FieldUnit", "Device",	"Event",     "Method",	"Mutex",
    "Region",	 "Power",	"Processor", "Thermal", "BufferField",
    "DdbHandle", "DebugObject",
};

static struct aml_obj *type_string(struct aml_walk *w, struct aml_obj *o)
{
	const char *name = o->type < sizeof(type_names) / sizeof(type_names[0])
			       ? type_names[o->type]
			       : "Reference";
	char s[40];
	size_t n = strlen(name);

	s[0] = '[';
	memcpy(s + 1, name, n);
	memcpy(s + 1 + n, " Object]", 8);
	return aml_str_new(w->ns, s, n + 9);
}

static bool is_data(const struct aml_obj *o)
{
	return o->type == AML_INTEGER || o->type == AML_STRING ||
	       o->type == AML_BUFFER;
}

/* Two byte runs into a new String or Buffer. */
static struct aml_obj *join(struct aml_walk *w, bool str, const void *a,
			    uint32_t alen, const void *b, uint32_t blen)
{
	size_t n = (size_t)alen + blen;
	uint8_t *p = kmalloc(n + 1, 0);
	struct aml_obj *o;

	if (p == NULL) {
		return NULL;
	}
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	o = str ? aml_str_new(w->ns, (const char *)p, n)
		: aml_buf_new(w->ns, p, n);
	kfree(p);
	return o;
}

/* 19.6.12: Source2 becomes Source1's type (two Integers give a Buffer
 * of both, LSB first); an operand that is not data is first its type
 * name as a String. */
int aml_concat(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
	       struct aml_obj **out)
{
	struct aml_obj *x = is_data(a) ? aml_obj_get(a) : type_string(w, a);
	struct aml_obj *y = is_data(b) ? aml_obj_get(b) : type_string(w, b);
	struct aml_obj *c = NULL, *bx = NULL;
	int rc = x != NULL && y != NULL ? 0 : -ENOMEM;

	*out = NULL;
	if (rc == 0 && x->type == AML_STRING) {
		rc = aml_to_string(w, y, &c);
		if (rc == 0) {
			*out = join(w, true, x->str.ptr, x->str.len, c->str.ptr,
				    c->str.len);
		}
	} else if (rc == 0) {
		/* Integer first: both as Buffers of the integer width */
		rc = aml_to_buffer(w, x, &bx);
		if (rc == 0) {
			rc = x->type == AML_INTEGER
				 ? aml_convert_to(w, y, AML_INTEGER, &c)
				 : aml_to_buffer(w, y, &c);
		}
		if (rc == 0 && c->type == AML_INTEGER) {
			aml_obj_put(y);
			y = c;
			rc = aml_to_buffer(w, y, &c);
		}
		if (rc == 0) {
			*out = join(w, false, bx->buf.ptr, bx->buf.len,
				    c->buf.ptr, c->buf.len);
		}
	}
	if (rc == 0 && *out == NULL) {
		rc = aml_fail(w, -ENOMEM, "no memory");
	}
	aml_obj_put(bx);
	aml_obj_put(c);
	aml_obj_put(x);
	aml_obj_put(y);
	return rc;
}

/* The length of a resource template up to its End Tag (6.4.2.9), the
 * descriptors walked as 6.4.1 lays them out: small ones by the length in
 * bits 2:0 of their tag, large ones by the 16-bit length after it. */
static int template_len(struct aml_walk *w, const struct aml_obj *b,
			uint32_t *len)
{
	uint32_t pos = 0, n;
	uint8_t tag;

	if (b->buf.len == 0) { /* an empty buffer is an empty template */
		*len = 0;
		return 0;
	}
	while (pos < b->buf.len) {
		tag = b->buf.ptr[pos];
		if ((tag & 0x80) == 0 && (tag >> 3) == 0x0F) {
			if (pos + 2 > b->buf.len) {
				break;
			}
			*len = pos;
			return 0;
		}
		if (tag & 0x80) {
			if (pos + 3 > b->buf.len) {
				break;
			}
			n = 3 + (b->buf.ptr[pos + 1] |
				 (uint32_t)b->buf.ptr[pos + 2] << 8);
		} else {
			n = 1 + (tag & 7);
		}
		pos += n;
	}
	return aml_fail(w, -EINVAL, "resource template without an End Tag");
}

/* 19.6.13: Source1 and Source2 without their End Tags, then one End Tag
 * whose checksum byte is 0 ("checksum ignored", 6.4.2.9) as ACPICA
 * writes it. */
int aml_concat_res(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		   struct aml_obj **out)
{
	static const uint8_t end_tag[2] = {0x79, 0x00};
	uint32_t alen, blen;
	struct aml_obj *o;
	int rc;

	*out = NULL;
	rc = template_len(w, a, &alen);
	if (rc == 0) {
		rc = template_len(w, b, &blen);
	}
	if (rc) {
		return rc;
	}
	o = aml_buf_new(w->ns, NULL, (size_t)alen + blen + 2);
	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	memcpy(o->buf.ptr, a->buf.ptr, alen);
	memcpy(o->buf.ptr + alen, b->buf.ptr, blen);
	memcpy(o->buf.ptr + alen + blen, end_tag, 2);
	*out = o;
	return 0;
}

/* Concatenate / ConcatenateResTemplate (Source1, Source2, Result) */
static int op_concat(struct aml_walk *w, const struct aml_opinfo *info,
		     struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *o;
	int rc = info->op == 0x73
		     ? aml_concat(w, ops[0].obj, ops[1].obj, &o)
		     : aml_concat_res(w, ops[0].obj, ops[1].obj, &o);

	if (rc == 0) {
		rc = aml_ops_store(w, &ops[2], o);
	}
	if (rc == 0) {
		*result = o;
	} else if (o != NULL) {
		aml_obj_put(o);
	}
	return rc;
}

/* Mid (Source, Index, Length, Result) 19.6.84: the part of a String or
 * Buffer (an Integer is taken as a Buffer) from Index, cut at the end. */
static int op_mid(struct aml_walk *w, const struct aml_opinfo *info,
		  struct aml_operand *ops, struct aml_obj **result)
{
	struct aml_obj *src = NULL, *o;
	uint64_t i = ops[1].integer, n = ops[2].integer, len;
	int rc = aml_convert_to(
	    w, ops[0].obj,
	    ops[0].obj->type == AML_STRING ? AML_STRING : AML_BUFFER, &src);

	(void)info;
	if (rc) {
		return rc;
	}
	len = src->type == AML_STRING ? src->str.len : src->buf.len;
	i = i > len ? len : i;
	n = n > len - i ? len - i : n;
	o = src->type == AML_STRING
		? aml_str_new(w->ns, src->str.ptr + i, (size_t)n)
		: aml_buf_new(w->ns, src->buf.ptr + i, (size_t)n);
	aml_obj_put(src);
	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	rc = aml_ops_store(w, &ops[3], o);
	if (rc) {
		aml_obj_put(o);
		return rc;
	}
	*result = o;
	return 0;
}

const struct aml_opinfo aml_ops_string[] = {
    {0x73,
     "Concatenate",
     {AML_ARG_TERM, AML_ARG_TERM, AML_ARG_TARGET},
     0,
     op_concat},
    {0x84,
     "ConcatenateResTemplate",
     {AML_ARG_BUF, AML_ARG_BUF, AML_ARG_TARGET},
     0,
     op_concat},
    {0x9E,
     "Mid",
     {AML_ARG_DATA, AML_ARG_INT, AML_ARG_INT, AML_ARG_TARGET},
     0,
     op_mid},
    {0, NULL, {0}, 0, NULL},
};
