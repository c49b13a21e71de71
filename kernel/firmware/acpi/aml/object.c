/*
 * Objects (ACPI 6.5 19.3.5 data types; 20.2.3 data objects): reference
 * counted, freed with their contents when the last reference goes; deep
 * copies for Store (19.3.5.8) and to/from the API's struct aml_value.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/internal.h"

/* The one-allocation bound (struct aml_limits.max_alloc). */
static bool too_big(struct aml_ns *ns, size_t len)
{
	uint64_t max = ns != NULL ? ns->lim.max_alloc : (16u << 20);

	return len > max || len > UINT32_MAX - 1;
}

struct aml_obj *aml_obj_new(struct aml_ns *ns, enum aml_type type)
{
	struct aml_obj *o = kzalloc(sizeof(*o), 0);

	(void)ns;
	if (o != NULL) {
		o->type = type;
		o->refs = 1;
	}
	return o;
}

struct aml_obj *aml_int_new(struct aml_ns *ns, uint64_t v)
{
	struct aml_obj *o = aml_obj_new(ns, AML_INTEGER);

	if (o != NULL) {
		o->integer = v;
	}
	return o;
}

struct aml_obj *aml_str_new(struct aml_ns *ns, const char *s, size_t len)
{
	struct aml_obj *o;

	if (too_big(ns, len)) {
		return NULL;
	}
	o = aml_obj_new(ns, AML_STRING);
	if (o == NULL) {
		return NULL;
	}
	o->str.ptr = kmalloc(len + 1, 0);
	if (o->str.ptr == NULL) {
		kfree(o);
		return NULL;
	}
	if (s != NULL) {
		memcpy(o->str.ptr, s, len);
	} else {
		memset(o->str.ptr, 0, len);
	}
	o->str.ptr[len] = '\0';
	o->str.len = (uint32_t)len;
	return o;
}

struct aml_obj *aml_buf_new(struct aml_ns *ns, const uint8_t *src, size_t len)
{
	struct aml_obj *o;

	if (too_big(ns, len)) {
		return NULL;
	}
	o = aml_obj_new(ns, AML_BUFFER);
	if (o == NULL) {
		return NULL;
	}
	/* one byte more than asked: a zero-length buffer still has a
	 * pointer, so no caller special-cases NULL */
	o->buf.ptr = kzalloc(len + 1, 0);
	if (o->buf.ptr == NULL) {
		kfree(o);
		return NULL;
	}
	if (src != NULL) {
		memcpy(o->buf.ptr, src, len);
	}
	o->buf.len = (uint32_t)len;
	return o;
}

struct aml_obj *aml_pkg_new(struct aml_ns *ns, uint32_t count)
{
	struct aml_obj *o;

	if (too_big(ns, (size_t)count * sizeof(struct aml_obj *))) {
		return NULL;
	}
	o = aml_obj_new(ns, AML_PACKAGE);
	if (o == NULL) {
		return NULL;
	}
	o->pkg.elems =
	    kzalloc((size_t)(count ? count : 1) * sizeof(*o->pkg.elems), 0);
	if (o->pkg.elems == NULL) {
		kfree(o);
		return NULL;
	}
	o->pkg.count = count;
	return o;
}

struct aml_obj *aml_obj_get(struct aml_obj *o)
{
	if (o != NULL) {
		o->refs++;
	}
	return o;
}

static void obj_free_contents(struct aml_obj *o)
{
	uint32_t i;

	switch (o->type) {
	case AML_STRING:
		kfree(o->str.ptr);
		break;
	case AML_BUFFER:
		kfree(o->buf.ptr);
		break;
	case AML_PACKAGE:
		for (i = 0; i < o->pkg.count; i++) {
			aml_obj_put(o->pkg.elems[i]);
		}
		kfree(o->pkg.elems);
		break;
	case AML_REFERENCE:
		aml_obj_put(o->ref.target);
		kfree(o->ref.path);
		break;
	case AML_BUFFER_FIELD:
		aml_obj_put(o->bfield.buffer);
		break;
	case AML_METHOD:
		aml_obj_put(o->method.mutex);
		break;
	default:
		break;
	}
}

void aml_obj_put(struct aml_obj *o)
{
	if (o == NULL || --o->refs > 0) {
		return;
	}
	obj_free_contents(o);
	kfree(o);
}

static struct aml_obj *pkg_copy(struct aml_ns *ns, struct aml_obj *o)
{
	struct aml_obj *p = aml_pkg_new(ns, o->pkg.count);
	uint32_t i;

	if (p == NULL) {
		return NULL;
	}
	for (i = 0; i < o->pkg.count; i++) {
		if (o->pkg.elems[i] == NULL) {
			continue;
		}
		p->pkg.elems[i] = aml_obj_copy(ns, o->pkg.elems[i]);
		if (p->pkg.elems[i] == NULL) {
			aml_obj_put(p);
			return NULL;
		}
	}
	return p;
}

struct aml_obj *aml_obj_copy(struct aml_ns *ns, struct aml_obj *o)
{
	if (o == NULL) {
		return NULL;
	}
	switch (o->type) {
	case AML_INTEGER:
		return aml_int_new(ns, o->integer);
	case AML_STRING:
		return aml_str_new(ns, o->str.ptr, o->str.len);
	case AML_BUFFER:
		return aml_buf_new(ns, o->buf.ptr, o->buf.len);
	case AML_PACKAGE:
		return pkg_copy(ns, o);
	default:
		return aml_obj_get(o);
	}
}

static int pkg_to_value(struct aml_ns *ns, struct aml_obj *o,
			struct aml_value *out)
{
	uint32_t i, n = o->pkg.count;
	int rc;

	out->package.elems =
	    kzalloc((size_t)(n ? n : 1) * sizeof(*out->package.elems), 0);
	if (out->package.elems == NULL) {
		return -ENOMEM;
	}
	out->type = AML_PACKAGE;
	out->package.count = n;
	for (i = 0; i < n; i++) {
		if (o->pkg.elems[i] == NULL) {
			continue; /* AML_UNINIT (zeroed) */
		}
		rc = aml_obj_to_value(ns, o->pkg.elems[i],
				      &out->package.elems[i]);
		if (rc) {
			aml_value_free(out);
			return rc;
		}
	}
	return 0;
}

int aml_obj_to_value(struct aml_ns *ns, struct aml_obj *o,
		     struct aml_value *out)
{
	memset(out, 0, sizeof(*out));
	switch (o->type) {
	case AML_INTEGER:
		out->type = AML_INTEGER;
		out->integer = o->integer;
		return 0;
	case AML_STRING:
		out->string.ptr = kmalloc(o->str.len + 1, 0);
		if (out->string.ptr == NULL) {
			return -ENOMEM;
		}
		memcpy(out->string.ptr, o->str.ptr, o->str.len + 1);
		out->string.len = o->str.len;
		out->type = AML_STRING;
		return 0;
	case AML_BUFFER:
		out->buffer.ptr = kmalloc(o->buf.len + 1, 0);
		if (out->buffer.ptr == NULL) {
			return -ENOMEM;
		}
		memcpy(out->buffer.ptr, o->buf.ptr, o->buf.len);
		out->buffer.len = o->buf.len;
		out->type = AML_BUFFER;
		return 0;
	case AML_PACKAGE:
		return pkg_to_value(ns, o, out);
	case AML_REFERENCE:
		out->type = AML_REFERENCE;
		if (o->ref.kind == AML_REF_NAME) {
			out->node = aml_ref_node(ns, o);
		}
		return 0;
	default:
		out->type = o->type;
		return 0;
	}
}

static struct aml_obj *pkg_from_value(struct aml_ns *ns,
				      const struct aml_value *v)
{
	struct aml_obj *p = aml_pkg_new(ns, v->package.count);
	uint32_t i;

	if (p == NULL) {
		return NULL;
	}
	for (i = 0; i < v->package.count; i++) {
		if (v->package.elems[i].type == AML_UNINIT) {
			continue;
		}
		p->pkg.elems[i] = aml_value_to_obj(ns, &v->package.elems[i]);
		if (p->pkg.elems[i] == NULL) {
			aml_obj_put(p);
			return NULL;
		}
	}
	return p;
}

struct aml_obj *aml_value_to_obj(struct aml_ns *ns, const struct aml_value *v)
{
	struct aml_obj *o;

	switch (v->type) {
	case AML_INTEGER:
		return aml_int_new(ns, v->integer);
	case AML_STRING:
		return aml_str_new(ns, v->string.ptr, v->string.len);
	case AML_BUFFER:
		return aml_buf_new(ns, v->buffer.ptr, v->buffer.len);
	case AML_PACKAGE:
		return pkg_from_value(ns, v);
	case AML_REFERENCE:
		o = aml_obj_new(ns, AML_REFERENCE);
		if (o != NULL) {
			o->ref.kind = AML_REF_NAME;
			o->ref.node = v->node;
		}
		return o;
	default:
		return aml_obj_new(ns, v->type);
	}
}

void aml_value_free(struct aml_value *v)
{
	uint32_t i;

	if (v == NULL) {
		return;
	}
	if (v->type == AML_STRING) {
		kfree(v->string.ptr);
	} else if (v->type == AML_BUFFER) {
		kfree(v->buffer.ptr);
	} else if (v->type == AML_PACKAGE) {
		for (i = 0; i < v->package.count; i++) {
			aml_value_free(&v->package.elems[i]);
		}
		kfree(v->package.elems);
	}
	memset(v, 0, sizeof(*v));
}

struct aml_node *aml_ref_node(struct aml_ns *ns, struct aml_obj *ref)
{
	struct aml_table t;
	struct aml_cursor c;
	struct aml_name n;

	if (ref == NULL || ref->type != AML_REFERENCE ||
	    ref->ref.kind != AML_REF_NAME) {
		return NULL;
	}
	if (ref->ref.node != NULL || ref->ref.path == NULL) {
		return ref->ref.node;
	}
	/* a lazy package element: parse the saved NameString now */
	memset(&t, 0, sizeof(t));
	t.aml = ref->ref.path;
	t.len = ref->ref.path_len;
	c.t = &t;
	c.pos = 0;
	c.end = t.len;
	if (aml_name_string(&c, &n) == 0) {
		ref->ref.node = aml_ns_resolve(ns, ref->ref.scope, &n);
	}
	if (ref->ref.node != NULL) {
		kfree(ref->ref.path);
		ref->ref.path = NULL;
	}
	return ref->ref.node;
}
