/*
 * The data conversions of ACPI 6.5 19.3.5 ("Data Type Conversion Rules"):
 * the implicit ones the interpreter applies to operands and to stores
 * (19.3.5.4-19.3.5.8) and the text forms the explicit To* operators share
 * (op_convert.c). Where the specification leaves a choice, ACPICA
 * 20200925 (Debian's acpiexec, the comparison's reference) decided it,
 * and the comment says what it does:
 *   String -> Integer   hex digits (implicit), stops at the first non-digit
 *   Buffer -> Integer   the first 4 or 8 bytes, little-endian
 *   Integer -> String   every hex digit of the width, upper case
 *   Buffer -> String    "0x01 0x02" (implicit)
 *   Integer -> Buffer   4 or 8 bytes, little-endian
 *   String -> Buffer    the characters and the NUL
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/ops_local.h"

/* 19.6.x DefinitionBlock: ComplianceRevision < 2 means 32-bit integers
 * for the table's code. */
uint64_t aml_int_mask(const struct aml_walk *w)
{
	if (w != NULL && w->c.t != NULL && w->c.t->revision < 2) {
		return 0xFFFFFFFFull;
	}
	return ~0ull;
}

unsigned int aml_int_bytes(const struct aml_walk *w)
{
	return aml_int_mask(w) == 0xFFFFFFFFull ? 4 : 8;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return 99;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

uint64_t aml_str_to_int(const char *s, uint32_t len, bool explicit_conv,
			uint64_t mask)
{
	uint32_t i = 0;
	unsigned int base = explicit_conv ? 10 : 16;
	uint64_t v = 0;
	int d;

	while (i < len && is_space(s[i])) {
		i++;
	}
	if (i + 1 < len && s[i] == '0' &&
	    (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	for (; i < len; i++) {
		d = digit_value(s[i]);
		if (d >= (int)base) {
			break;
		}
		/* overflow ends the number, keeping what was read */
		if (v > (mask - (uint64_t)d) / base) {
			break;
		}
		v = v * base + (uint64_t)d;
	}
	return v;
}

int aml_to_integer(struct aml_walk *w, struct aml_obj *o, uint64_t *out)
{
	unsigned int i, n;

	*out = 0;
	switch (o->type) {
	case AML_INTEGER:
		*out = o->integer & aml_int_mask(w);
		return 0;
	case AML_STRING:
		*out = aml_str_to_int(o->str.ptr, o->str.len, false,
				      aml_int_mask(w));
		return 0;
	case AML_BUFFER:
		/* 19.3.5.3: an empty buffer has no integer (ACPICA:
		 * AE_AML_BUFFER_LIMIT) */
		if (o->buf.len == 0) {
			return aml_fail(w, -EINVAL, "empty Buffer to Integer");
		}
		n = aml_int_bytes(w);
		for (i = 0; i < o->buf.len && i < n; i++) {
			*out |= (uint64_t)o->buf.ptr[i] << (8 * i);
		}
		return 0;
	default:
		return aml_fail(w, -EINVAL, "type %d to Integer", o->type);
	}
}

static struct aml_obj *int_to_buf(struct aml_walk *w, uint64_t v)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t)(v >> (8 * i));
	}
	return aml_buf_new(w->ns, b, aml_int_bytes(w));
}

int aml_to_buffer(struct aml_walk *w, struct aml_obj *o, struct aml_obj **out)
{
	switch (o->type) {
	case AML_BUFFER:
		*out = aml_obj_get(o);
		return 0;
	case AML_INTEGER:
		*out = int_to_buf(w, o->integer & aml_int_mask(w));
		break;
	case AML_STRING: /* the NUL goes with it (ACPICA) */
		*out = aml_buf_new(w->ns, (const uint8_t *)o->str.ptr,
				   (size_t)o->str.len + 1);
		break;
	default:
		*out = NULL;
		return aml_fail(w, -EINVAL, "type %d to Buffer", o->type);
	}
	return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

struct aml_obj *aml_int_to_str(struct aml_walk *w, uint64_t v, bool decimal)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[24];
	unsigned int n = 0, i;
	char t;

	if (decimal) {
		do {
			s[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		for (i = 0; i < n / 2; i++) { /* the digits came reversed */
			t = s[i];
			s[i] = s[n - 1 - i];
			s[n - 1 - i] = t;
		}
	} else {
		for (i = aml_int_bytes(w) * 2; i-- > 0;) {
			s[n++] = hex[(v >> (4 * i)) & 0xF];
		}
	}
	return aml_str_new(w->ns, s, n);
}

/* One byte in a Buffer -> String conversion: "0xAB" or decimal. */
static unsigned int put_byte(char *p, uint8_t b, bool decimal)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned int n = 0;

	if (!decimal) {
		p[0] = '0';
		p[1] = 'x';
		p[2] = hex[b >> 4];
		p[3] = hex[b & 0xF];
		return 4;
	}
	if (b >= 100) {
		p[n++] = (char)('0' + b / 100);
	}
	if (b >= 10) {
		p[n++] = (char)('0' + b / 10 % 10);
	}
	p[n++] = (char)('0' + b % 10);
	return n;
}

int aml_buf_to_str(struct aml_walk *w, struct aml_obj *b, enum aml_bufstr how,
		   struct aml_obj **out)
{
	char sep = how == AML_BUFSTR_IMPLICIT ? ' ' : ',';
	size_t n = 0, i;
	char *s;

	/* at most "0xAB" and a separator per byte */
	s = kmalloc((size_t)b->buf.len * 5 + 1, 0);
	if (s == NULL) {
		return aml_fail(w, -ENOMEM, "no memory");
	}
	for (i = 0; i < b->buf.len; i++) {
		if (i > 0) {
			s[n++] = sep;
		}
		n += put_byte(s + n, b->buf.ptr[i], how == AML_BUFSTR_DEC);
	}
	*out = aml_str_new(w->ns, s, n);
	kfree(s);
	return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

int aml_to_string(struct aml_walk *w, struct aml_obj *o, struct aml_obj **out)
{
	switch (o->type) {
	case AML_STRING:
		*out = aml_obj_get(o);
		return 0;
	case AML_INTEGER:
		*out = aml_int_to_str(w, o->integer & aml_int_mask(w), false);
		return *out != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
	case AML_BUFFER:
		return aml_buf_to_str(w, o, AML_BUFSTR_IMPLICIT, out);
	default:
		*out = NULL;
		return aml_fail(w, -EINVAL, "type %d to String", o->type);
	}
}

/*
 * 19.3.5.8 (Store to a named object of a fixed type): the value in the
 * target's type, at its natural length; the store (exec_store.c) then
 * fits a Buffer into the target's length as ACPICA does.
 */
int aml_convert_to(struct aml_walk *w, struct aml_obj *v, enum aml_type type,
		   struct aml_obj **out)
{
	uint64_t x;
	int rc;

	*out = NULL;
	if (v->type == type) {
		*out = aml_obj_get(v);
		return 0;
	}
	switch (type) {
	case AML_INTEGER:
		rc = aml_to_integer(w, v, &x);
		if (rc == 0) {
			*out = aml_int_new(w->ns, x);
			rc = *out != NULL ? 0
					  : aml_fail(w, -ENOMEM, "no memory");
		}
		return rc;
	case AML_STRING:
		return aml_to_string(w, v, out);
	case AML_BUFFER:
		return aml_to_buffer(w, v, out);
	default:
		return aml_fail(w, -EINVAL, "no conversion of type %d to %d",
				v->type, type);
	}
}
