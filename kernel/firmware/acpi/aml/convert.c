/*
 * Data conversions (ACPI 6.5 19.3.5 "ASL Data Types", 19.3.5.7 implicit
 * source operand conversion, 19.3.5.8 Store's conversion to the target's
 * type) and the text forms the explicit conversion operators share with
 * them. Where the spec leaves details open, the behaviour is the one
 * ACPICA's acpiexec shows (the reference the corpus goldens come from).
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/op_common.h"

uint64_t aml_int_mask(const struct aml_walk *w)
{
	/* 19.6 DefinitionBlock: ComplianceRevision < 2 means 32-bit
	 * integers */
	if (w != NULL && w->c.t != NULL && w->c.t->revision < 2) {
		return 0xFFFFFFFFull;
	}
	return ~0ull;
}

unsigned int aml_int_bytes(const struct aml_walk *w)
{
	return aml_int_mask(w) == 0xFFFFFFFFull ? 4 : 8;
}

int aml_op_result(struct aml_walk *w, struct aml_operand *tgt,
		  struct aml_obj *v, struct aml_obj **result)
{
	int rc;

	if (v == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for the result");
	}
	if (tgt != NULL) {
		rc = aml_store(w, &tgt->tgt, v);
		if (rc) {
			aml_obj_put(v);
			return rc;
		}
	}
	*result = v;
	return 0;
}

int aml_op_int_result(struct aml_walk *w, struct aml_operand *tgt, uint64_t v,
		      struct aml_obj **result)
{
	return aml_op_result(w, tgt, aml_int_new(w->ns, v & aml_int_mask(w)),
			     result);
}

static int hex_digit(char c)
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
	return -1;
}

/*
 * Implicit conversion (19.3.5.7 String -> Integer): the string is hex;
 * like ACPICA, leading blanks and a "0x" prefix are accepted, the first
 * non-hex character ends it, and digits past the integer's width are
 * dropped (no overflow error). ToInteger (19.6) reads decimal, or
 * hex after "0x"; ACPICA stops there too, before the value would
 * overflow the table's integer width, instead of failing.
 */
int aml_str_integer(struct aml_walk *w, const char *s, uint32_t len,
		    bool explicit_conv, uint64_t *out)
{
	uint64_t v = 0, mask = aml_int_mask(w);
	unsigned int base = 16, digits = 0, maxd = aml_int_bytes(w) * 2;
	uint32_t i = 0;
	int d;

	while (i < len && (s[i] == ' ' || s[i] == '\t')) {
		i++;
	}
	if (i + 1 < len && s[i] == '0' &&
	    (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		i += 2;
	} else if (explicit_conv) {
		base = 10;
	}
	for (; i < len; i++) {
		d = hex_digit(s[i]);
		if (d < 0 || (unsigned int)d >= base) {
			break;
		}
		if (v == 0 && d == 0) {
			continue; /* leading zeros do not count */
		}
		if (base == 16 && ++digits > maxd) {
			break;
		}
		if (base == 10 && v > (mask - (uint64_t)d) / 10) {
			break;
		}
		v = v * base + (uint64_t)d;
	}
	*out = v & mask;
	return 0;
}

int aml_to_integer(struct aml_walk *w, struct aml_obj *o, uint64_t *out)
{
	uint32_t i, n;

	*out = 0;
	switch (o->type) {
	case AML_INTEGER:
		*out = o->integer & aml_int_mask(w);
		return 0;
	case AML_STRING:
		return aml_str_integer(w, o->str.ptr, o->str.len, false, out);
	case AML_BUFFER:
		/* 19.3.5.7 Buffer -> Integer: the first bytes, little-endian,
		 * as many as the integer holds; ACPICA refuses an empty one */
		if (o->buf.len == 0) {
			return aml_fail(w, -ERANGE,
					"no Integer from an empty "
					"Buffer");
		}
		n = o->buf.len < aml_int_bytes(w) ? o->buf.len
						  : aml_int_bytes(w);
		for (i = 0; i < n; i++) {
			*out |= (uint64_t)o->buf.ptr[i] << (8 * i);
		}
		return 0;
	case AML_DDB_HANDLE:
		/* Load/LoadTable's handle kept in the usual Name (HNDL, 0):
		 * the table's number, as Load's own target gets it */
		*out = o->integer & aml_int_mask(w);
		return 0;
	default:
		return aml_fail(w, -EINVAL,
				"no Integer from an object of type %d",
				o->type);
	}
}

int aml_to_buffer(struct aml_walk *w, struct aml_obj *o, struct aml_obj **out)
{
	uint8_t b[8];
	unsigned int i;

	*out = NULL;
	switch (o->type) {
	case AML_BUFFER:
		*out = aml_obj_get(o);
		return 0;
	case AML_INTEGER:
		for (i = 0; i < 8; i++) {
			b[i] = (uint8_t)(o->integer >> (8 * i));
		}
		*out = aml_buf_new(w->ns, b, aml_int_bytes(w));
		break;
	case AML_STRING:
		/* 19.3.5.7 String -> Buffer: the characters; ACPICA also
		 * copies the terminating NUL (existing AML relies on it) */
		*out = aml_buf_new(w->ns, (const uint8_t *)o->str.ptr,
				   (size_t)o->str.len + 1);
		break;
	default:
		return aml_fail(w, -EINVAL,
				"no Buffer from an object of type %d", o->type);
	}
	return *out != NULL ? 0
			    : aml_fail(w, -ENOMEM, "no memory for a Buffer");
}

static size_t put_hex(char *p, uint64_t v, unsigned int digits)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned int i;

	for (i = 0; i < digits; i++) {
		p[i] = hex[(v >> (4 * (digits - 1 - i))) & 0xF];
	}
	return digits;
}

static size_t put_dec(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++) {
		p[i] = tmp[n - 1 - i];
	}
	return n;
}

/* A buffer as text: "0x01 0x02" (implicit), "0x01,0x02" (ToHexString),
 * "1,2" (ToDecimalString), 19.6. */
static int buffer_text(struct aml_walk *w, struct aml_obj *o,
		       enum aml_strconv how, struct aml_obj **out)
{
	size_t n = 0, i;
	char *s = NULL;

	/* the limit before the scratch text, 5 characters a byte */
	if ((uint64_t)o->buf.len * 5 <= w->ns->lim.max_alloc) {
		s = kmalloc((size_t)o->buf.len * 5 + 1, 0);
	}
	if (s == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for a String");
	}
	for (i = 0; i < o->buf.len; i++) {
		if (i > 0) {
			s[n++] = how == AML_STRCONV_IMPLICIT ? ' ' : ',';
		}
		if (how == AML_STRCONV_DEC) {
			n += put_dec(s + n, o->buf.ptr[i]);
		} else {
			s[n++] = '0';
			s[n++] = 'x';
			n += put_hex(s + n, o->buf.ptr[i], 2);
		}
	}
	*out = aml_str_new(w->ns, s, n);
	kfree(s);
	return *out != NULL ? 0
			    : aml_fail(w, -ENOMEM, "no memory for a String");
}

int aml_conv_string(struct aml_walk *w, struct aml_obj *o, enum aml_strconv how,
		    struct aml_obj **out)
{
	char s[24];
	size_t n;

	*out = NULL;
	switch (o->type) {
	case AML_STRING:
		*out = aml_obj_get(o);
		return 0;
	case AML_BUFFER:
		return buffer_text(w, o, how, out);
	case AML_INTEGER:
		/* 19.3.5.7 Integer -> String: hex, all digits of the width
		 * (ACPICA); ToDecimalString: decimal, no leading zeros */
		if (how == AML_STRCONV_DEC) {
			n = put_dec(s, o->integer & aml_int_mask(w));
		} else {
			n = put_hex(s, o->integer, aml_int_bytes(w) * 2);
		}
		*out = aml_str_new(w->ns, s, n);
		return *out != NULL
			   ? 0
			   : aml_fail(w, -ENOMEM, "no memory for a String");
	default:
		return aml_fail(w, -EINVAL,
				"no String from an object of type %d", o->type);
	}
}

int aml_to_string(struct aml_walk *w, struct aml_obj *o, struct aml_obj **out)
{
	return aml_conv_string(w, o, AML_STRCONV_IMPLICIT, out);
}

/* Store to a named Integer, String or Buffer converts (19.3.5.8); to
 * anything else the value goes as it is (the core copies it). */
int aml_convert_to(struct aml_walk *w, struct aml_obj *v, enum aml_type type,
		   struct aml_obj **out)
{
	uint64_t x;
	int rc;

	*out = NULL;
	if (v->type == type &&
	    (type != AML_INTEGER || (v->integer & ~aml_int_mask(w)) == 0)) {
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
	case AML_BUFFER:
		return aml_to_buffer(w, v, out);
	case AML_STRING:
		return aml_to_string(w, v, out);
	default:
		*out = aml_obj_get(v);
		return 0;
	}
}

/* ACPICA's short type names (what its Concatenate writes) */
static const char *const type_names[] = {
    "Untyped",	 "Integer",	"String",    "Buffer",	"Package",
    "FieldUnit", "Device",	"Event",     "Method",	"Mutex",
    "Region",	 "Power",	"Processor", "Thermal", "BufferField",
    "DdbHandle", "DebugObject",
};

struct aml_obj *aml_type_string(struct aml_walk *w, struct aml_obj *o)
{
	char s[40];
	enum aml_type t = aml_obj_kind(w->ns, o);
	const char *name =
	    (unsigned int)t < sizeof(type_names) / sizeof(type_names[0])
		? type_names[t]
		: "Reference";
	size_t n = strlen(name);

	/* 19.6 Concatenate: any other type is first converted to a
	 * string naming its type; ACPICA writes "[Package Object]",
	 * "[Region Object]", "[Reference Object]". */
	s[0] = '[';
	memcpy(s + 1, name, n);
	memcpy(s + 1 + n, " Object]", 8);
	return aml_str_new(w->ns, s, n + 9);
}

enum aml_type aml_obj_kind(struct aml_ns *ns, struct aml_obj *o)
{
	(void)ns;
	if (o == NULL) {
		return AML_UNINIT;
	}
	if (o->type == AML_SCOPE) {
		return AML_UNINIT; /* 19.6 ObjectType: \_GPE and the other
				     typeless scopes are 0 */
	}
	return o->type;
}
