/* TEMPORARY stand-ins for helper "ops"'s symbols (weak): deleted before
 * core's final commit. */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/internal.h"

#define W __attribute__((weak))

W const struct aml_opinfo aml_ops_math[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_logic[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_string[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_convert[] = {{0, NULL, {0}, 0, NULL}};
W const struct aml_opinfo aml_ops_data[] = {{0, NULL, {0}, 0, NULL}};

W uint64_t aml_int_mask(const struct aml_walk *w)
{
	if (w->c.t != NULL && w->c.t->revision < 2) {
		return 0xFFFFFFFFull;
	}
	return ~0ull;
}

W int aml_to_integer(struct aml_walk *w, struct aml_obj *o, uint64_t *out)
{
	uint32_t i;

	*out = 0;
	if (o->type == AML_INTEGER) {
		*out = o->integer;
		return 0;
	}
	if (o->type == AML_BUFFER) {
		for (i = 0; i < o->buf.len && i < 8; i++) {
			*out |= (uint64_t)o->buf.ptr[i] << (8 * i);
		}
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to integer of %d", o->type);
}

W int aml_to_buffer(struct aml_walk *w, struct aml_obj *o,
		    struct aml_obj **out)
{
	uint8_t b[8];
	unsigned int i;

	if (o->type == AML_BUFFER) {
		*out = aml_obj_get(o);
		return 0;
	}
	if (o->type == AML_INTEGER) {
		for (i = 0; i < 8; i++) {
			b[i] = (uint8_t)(o->integer >> (8 * i));
		}
		*out = aml_buf_new(w->ns, b, 8);
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to buffer");
}

W int aml_to_string(struct aml_walk *w, struct aml_obj *o,
		    struct aml_obj **out)
{
	if (o->type == AML_STRING) {
		*out = aml_obj_get(o);
		return 0;
	}
	return aml_fail(w, -EINVAL, "standin: to string");
}

W int aml_convert_to(struct aml_walk *w, struct aml_obj *v,
		     enum aml_type type, struct aml_obj **out)
{
	uint64_t x;
	int rc;

	if (v->type == type) {
		*out = aml_obj_get(v);
		return 0;
	}
	if (type == AML_INTEGER) {
		rc = aml_to_integer(w, v, &x);
		*out = rc ? NULL : aml_int_new(w->ns, x);
		return rc;
	}
	if (type == AML_BUFFER) {
		return aml_to_buffer(w, v, out);
	}
	return aml_to_string(w, v, out);
}

W int aml_predef_install(struct aml_ns *ns)
{
	(void)ns;
	return 0;
}
