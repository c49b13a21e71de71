/*
 * Synchronization, notification, timing and table opcodes (ACPI 6.5
 * 19.6.2 Acquire, 19.6.119 Release, 19.6.125 Signal, 19.6.152 Wait,
 * 19.6.118 Reset, 19.6.95 Notify, 19.6.128 Sleep, 19.6.130 Stall,
 * 19.6.48 Fatal, 19.6.75 Load, 19.6.76 LoadTable, 19.6.149 Unload,
 * 19.6.142 Timer).
 *
 * The interpreter is single-threaded (the host serializes every call), so
 * an Acquire never waits: a free mutex is taken, and a mutex this
 * evaluation holds is taken again (nesting, counted). Nothing else can
 * Signal an Event while a Wait runs, so a Wait on an unsignalled Event
 * times out at once.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

#define OP_STALL     AML_OP_EXT(0x21)
#define OP_SIGNAL    AML_OP_EXT(0x24)
#define OP_WAIT	     AML_OP_EXT(0x25)
#define STALL_MAX_US 255 /* 19.6.130: Stall is for short waits */

static int give_int(struct aml_walk *w, uint64_t v, struct aml_obj **res)
{
	*res = aml_int_new(w->ns, v);
	return *res != NULL ? 0 : aml_fail(w, -ENOMEM, "no memory");
}

/* The object a SuperName operand names, when it is of `type`. */
static struct aml_obj *
target_obj(struct aml_walk *w, const struct aml_target *t, enum aml_type type)
{
	struct aml_node *n = NULL;

	if (t->kind == AML_TGT_NODE) {
		n = t->node;
	} else if (t->kind == AML_TGT_REF) {
		n = aml_ref_node(w->ns, t->ref);
	} else if (t->kind == AML_TGT_ARG || t->kind == AML_TGT_LOCAL) {
		struct aml_obj *o = t->kind == AML_TGT_ARG
					? w->f->args[t->slot]
					: w->f->locals[t->slot];

		n = aml_ref_node(w->ns, o);
		if (n == NULL && o != NULL && o->type == type) {
			return o;
		}
	}
	if (n == NULL || n->obj == NULL || n->obj->type != type) {
		return NULL;
	}
	return n->obj;
}

int aml_notify(struct aml_walk *w, struct aml_node *n, uint64_t value)
{
	w->ns->st.notifies++;
	if (w->ns->ops.notify != NULL) {
		w->ns->ops.notify(w->ns->ctx, n, (uint32_t)value);
	}
	return 0;
}

AML_DECL_OP(aml_op_notify)
{
	struct aml_node *n = ops[0].tgt.kind == AML_TGT_NODE ? ops[0].tgt.node
			     : ops[0].tgt.kind == AML_TGT_REF
				 ? aml_ref_node(w->ns, ops[0].tgt.ref)
				 : NULL;
	enum aml_type t = aml_node_type(n);

	(void)info;
	(void)result;
	if (n == NULL ||
	    (t != AML_DEVICE && t != AML_PROCESSOR && t != AML_THERMAL)) {
		return aml_fail(w, -EINVAL,
				"Notify of something not a Device, "
				"Processor or ThermalZone");
	}
	return aml_notify(w, n, ops[1].integer);
}

/* Sleep is bounded per evaluation (lim.sleep_ms_total): beyond it the
 * time is not slept; Stall is cut to STALL_MAX_US. */
AML_DECL_OP(aml_op_sleep_stall)
{
	struct aml_ns *ns = w->ns;
	uint64_t v = ops[0].integer, left;

	(void)result;
	if (info->op == OP_STALL) {
		if (ns->ops.stall_us != NULL) {
			ns->ops.stall_us(ns->ctx,
					 v > STALL_MAX_US ? STALL_MAX_US : v);
		}
		return 0;
	}
	left = ns->lim.sleep_ms_total > ns->slept_ms
		   ? ns->lim.sleep_ms_total - ns->slept_ms
		   : 0;
	if (v > left) {
		v = left;
	}
	ns->slept_ms += v;
	if (v > 0 && ns->ops.sleep_ms != NULL) {
		ns->ops.sleep_ms(ns->ctx, v);
	}
	return 0;
}

/* Acquire gives Zero when the mutex was taken (19.6.2: True = timed
 * out). */
AML_DECL_OP(aml_op_acquire)
{
	struct aml_obj *m = target_obj(w, &ops[0].tgt, AML_MUTEX);

	(void)info;
	if (m == NULL) {
		return aml_fail(w, -EINVAL, "Acquire of a non-Mutex");
	}
	m->mutex.depth++;
	return give_int(w, 0, result);
}

AML_DECL_OP(aml_op_release)
{
	struct aml_obj *m = target_obj(w, &ops[0].tgt, AML_MUTEX);

	(void)info;
	(void)result;
	if (m == NULL) {
		return aml_fail(w, -EINVAL, "Release of a non-Mutex");
	}
	if (m->mutex.depth == 0) {
		return aml_fail(w, -EINVAL, "Release of a Mutex not acquired");
	}
	m->mutex.depth--;
	return 0;
}

/* Signal, Wait, Reset on an Event; Wait gives True when it timed out. */
AML_DECL_OP(aml_op_event_ops)
{
	struct aml_obj *e = target_obj(w, &ops[0].tgt, AML_EVENT);

	if (e == NULL) {
		return aml_fail(w, -EINVAL, "%s of a non-Event", info->name);
	}
	if (info->op == OP_SIGNAL) {
		e->event.signals++;
		return 0;
	}
	if (info->op == OP_WAIT) {
		if (e->event.signals > 0) {
			e->event.signals--;
			return give_int(w, 0, result);
		}
		return give_int(w, 1, result);
	}
	e->event.signals = 0;
	return 0;
}

AML_DECL_OP(aml_op_fatal)
{
	struct aml_ns *ns = w->ns;

	(void)info;
	(void)result;
	if (ns->ops.fatal != NULL) {
		ns->ops.fatal(ns->ctx, (uint8_t)ops[0].integer,
			      (uint32_t)ops[1].integer, ops[2].integer);
	}
	return aml_fail(w, -EIO,
			"Fatal(type 0x%llx, code 0x%llx, arg 0x%llx): the "
			"firmware reports a fatal error",
			(unsigned long long)ops[0].integer,
			(unsigned long long)ops[1].integer,
			(unsigned long long)ops[2].integer);
}

/* ---- Load / LoadTable / Unload ---------------------------------------- */

/* Bytes [from, to) of a region, read through a byte-wide field over it
 * (so through the host's handler, like any field access). */
static int region_bytes(struct aml_walk *w, struct aml_node *rn, uint8_t *p,
			uint64_t from, uint64_t to)
{
	struct aml_obj fo = {.type = AML_FIELD_UNIT, .refs = 1};
	struct aml_node fn = {.obj = &fo};
	struct aml_obj *v;
	uint64_t i;
	int rc;

	fo.field.kind = AML_FIELD_REGION;
	fo.field.region = rn;
	fo.field.flags = 1; /* ByteAcc */
	fo.field.bit_length = 8;
	for (i = from; i < to; i++) {
		fo.field.bit_offset = (uint32_t)(i * 8);
		rc = aml_field_read(w, &fn, &v);
		if (rc) {
			return rc;
		}
		p[i] = (uint8_t)v->integer;
		aml_obj_put(v);
	}
	return 0;
}

/* A table's bytes from an OperationRegion: the header first (its
 * Length, checked against the region), then the rest. */
static int region_table(struct aml_walk *w, struct aml_node *rn, uint8_t **out,
			size_t *len)
{
	uint64_t rlen, n;
	uint8_t *p, *q;
	int rc = aml_region_resolve(w, rn->obj);

	rlen = rn->obj->region.length;
	if (rc == 0 && rlen < AML_HDR_LEN) {
		rc =
		    aml_fail(w, -EBADMSG, "Load: region shorter than a header");
	}
	p = rc == 0 ? kmalloc(AML_HDR_LEN, 0) : NULL;
	if (rc == 0 && p == NULL) {
		rc = aml_fail(w, -ENOMEM, "Load: no memory");
	}
	if (rc == 0) {
		rc = region_bytes(w, rn, p, 0, AML_HDR_LEN);
	}
	n = rc == 0 ? (uint64_t)p[4] | (uint64_t)p[5] << 8 |
			  (uint64_t)p[6] << 16 | (uint64_t)p[7] << 24
		    : 0;
	if (rc == 0 &&
	    (n < AML_HDR_LEN || n > rlen || n > w->ns->lim.max_alloc)) {
		rc = aml_fail(w, -EBADMSG, "Load: table length %llu",
			      (unsigned long long)n);
	}
	q = rc == 0 ? krealloc(p, (size_t)n, 0) : NULL;
	if (rc == 0 && q == NULL) {
		rc = aml_fail(w, -ENOMEM, "Load: no memory");
	}
	if (rc == 0) {
		p = q;
		rc = region_bytes(w, rn, p, AML_HDR_LEN, n);
	}
	if (rc) {
		kfree(p);
		return rc;
	}
	*out = p;
	*len = (size_t)n;
	return 0;
}

static int buffer_table(struct aml_walk *w, struct aml_obj *b, uint8_t **out,
			size_t *len)
{
	if (b->buf.len < AML_HDR_LEN) {
		return aml_fail(w, -EBADMSG,
				"Load: buffer shorter than a header");
	}
	*out = kmalloc(b->buf.len, 0);
	if (*out == NULL) {
		return aml_fail(w, -ENOMEM, "Load: no memory");
	}
	memcpy(*out, b->buf.ptr, b->buf.len);
	*len = b->buf.len;
	return 0;
}

static int load_bytes(struct aml_walk *w, uint8_t *p, size_t len, bool owned,
		      struct aml_obj **handle)
{
	struct aml_table *t;
	int rc = aml_load_table_bytes(w->ns, p, len, owned, &t);

	if (t == NULL) {
		if (owned) {
			kfree(p);
		}
		return aml_fail(w, rc ? rc : -EBADMSG, "Load: table refused");
	}
	*handle = aml_obj_new(w->ns, AML_DDB_HANDLE);
	if (*handle == NULL) {
		return aml_fail(w, -ENOMEM, "Load: no memory");
	}
	(*handle)->integer = t->id;
	return 0;
}

/* Load (19.6.75): Object is an OperationRegion, a field unit or a Buffer
 * holding a whole table; the DDBHandle goes to the target. */
AML_DECL_OP(aml_op_load)
{
	struct aml_node *n =
	    ops[0].tgt.kind == AML_TGT_NODE ? ops[0].tgt.node : NULL;
	struct aml_obj *v = NULL, *h = NULL;
	uint8_t *p = NULL;
	size_t len = 0;
	int rc;

	(void)info;
	if (n != NULL && aml_node_type(n) == AML_REGION) {
		rc = region_table(w, n, &p, &len);
	} else {
		rc = aml_target_read(w, &ops[0].tgt, &v);
		if (rc == 0 && v->type != AML_BUFFER) {
			rc = aml_fail(w, -EINVAL, "Load of type %d", v->type);
		}
		if (rc == 0) {
			rc = buffer_table(w, v, &p, &len);
		}
		aml_obj_put(v);
	}
	if (rc == 0) {
		rc = load_bytes(w, p, len, true, &h);
	}
	if (rc == 0) {
		/* the DDBHandle stored to a named Integer (the usual
		 * Name (HNDL, 0) target) goes in as the table's number */
		h->type = AML_INTEGER;
		rc = aml_store(w, &ops[1].tgt, h);
	}
	if (rc == 0) {
		*result = aml_int_new(w->ns, aml_int_mask(w)); /* True */
	}
	aml_obj_put(h);
	return rc;
}

static void id_copy(char *dst, size_t n, struct aml_obj *s)
{
	memset(dst, 0, n);
	if (s->type == AML_STRING) {
		memcpy(dst, s->str.ptr, s->str.len < n ? s->str.len : n);
	}
}

/* The ParameterPathString / ParameterData pair: the data stored to the
 * named object, relative to the root (19.6.76). */
static int load_param(struct aml_walk *w, struct aml_obj *path,
		      struct aml_obj *data)
{
	struct aml_target t = {0};

	if (path->type != AML_STRING || path->str.len == 0) {
		return 0;
	}
	t.node = aml_ns_lookup(w->ns, NULL, path->str.ptr);
	if (t.node == NULL) {
		return aml_fail(w, -ENOENT, "LoadTable: %s not found",
				path->str.ptr);
	}
	t.kind = AML_TGT_NODE;
	return aml_store(w, &t, data);
}

AML_DECL_OP(aml_op_load_table)
{
	char sig[4], oem[6], tid[8];
	const uint8_t *tab = NULL;
	struct aml_obj *h = NULL;
	size_t len = 0;
	int rc;

	(void)info;
	id_copy(sig, sizeof(sig), ops[0].obj);
	id_copy(oem, sizeof(oem), ops[1].obj);
	id_copy(tid, sizeof(tid), ops[2].obj);
	if (w->ns->ops.find_table == NULL ||
	    w->ns->ops.find_table(w->ns->ctx, sig, oem, tid, &tab, &len) != 0) {
		/* no such table: the result is Zero, not a failure */
		return give_int(w, 0, result);
	}
	if (ops[3].obj->type == AML_STRING && ops[3].obj->str.len > 0 &&
	    strcmp(ops[3].obj->str.ptr, "\\") != 0) {
		aml_log(w->ns, "aml: LoadTable: RootPath %s taken as \\",
			ops[3].obj->str.ptr);
	}
	rc = load_bytes(w, (uint8_t *)(uintptr_t)tab, len, false, &h);
	if (rc == 0) {
		rc = load_param(w, ops[4].obj, ops[5].obj);
	}
	if (rc) {
		aml_obj_put(h);
		return rc;
	}
	*result = h;
	return 0;
}

AML_DECL_OP(aml_op_unload)
{
	(void)info;
	(void)ops;
	(void)result;
	return aml_fail(w, -ENOSYS, "Unload is not supported");
}

AML_DECL_OP(aml_op_timer)
{
	uint64_t t = 0;

	(void)info;
	(void)ops;
	if (w->ns->ops.timer_100ns != NULL) {
		t = w->ns->ops.timer_100ns(w->ns->ctx);
	}
	return give_int(w, t, result);
}
