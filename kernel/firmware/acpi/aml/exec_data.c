/*
 * The core's data objects (ACPI 6.5 20.2.3: constants, literals, String,
 * Buffer, Package, VarPackage), Local/Arg (20.2.6), the statements
 * (19.6.x If/Else/While/Break/Continue/Return/Noop/BreakPoint, 20.2.5.3)
 * and Store / CopyObject.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

#define OP_ZERO	    0x00
#define OP_ONE	    0x01
#define OP_ELSE	    0xA1
#define OP_BREAK    0xA5
#define OP_CONTINUE 0x9F
#define OP_VARPKG   0x13
#define AML_REVISION_VALUE                                                     \
	0x20200925 /* Revision (19.6.117): as ACPICA's                         \
			 20200925, the corpus' reference */

static int give(struct aml_walk *w, struct aml_obj *o, struct aml_obj **res)
{
	if (o == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for an object");
	}
	*res = o;
	return 0;
}

AML_DECL_OP(aml_op_const)
{
	uint64_t v;

	(void)ops;
	if (info->op == OP_ZERO) {
		v = 0;
	} else if (info->op == OP_ONE) {
		v = 1;
	} else if (info->op == 0xFF) { /* Ones: all bits of the width */
		v = aml_int_mask(w);
	} else {
		v = AML_REVISION_VALUE;
	}
	return give(w, aml_int_new(w->ns, v), result);
}

AML_DECL_OP(aml_op_literal)
{
	unsigned int n = info->op == 0x0A   ? 1
			 : info->op == 0x0B ? 2
			 : info->op == 0x0C ? 4
					    : 8;
	uint64_t v;

	(void)ops;
	if (aml_rdn(&w->c, n, &v)) {
		return aml_fail(w, -EBADMSG, "literal past the end");
	}
	return give(w, aml_int_new(w->ns, v), result);
}

AML_DECL_OP(aml_op_string_lit)
{
	const char *s = (const char *)w->c.t->aml + w->c.pos;
	size_t n = 0;

	(void)info;
	(void)ops;
	while (w->c.pos + n < w->c.end && s[n] != '\0') {
		n++;
	}
	if (w->c.pos + n >= w->c.end) {
		return aml_fail(w, -EBADMSG, "String without its NUL");
	}
	w->c.pos += n + 1;
	return give(w, aml_str_new(w->ns, s, n), result);
}

/* Buffer (19.6.10): PkgLength BufferSize ByteList; an initializer
 * longer than BufferSize makes the buffer that long. */
AML_DECL_OP(aml_op_buffer)
{
	size_t end, have, old_end = w->c.end;
	uint64_t size;
	struct aml_obj *b;
	int rc;

	(void)info;
	(void)ops;
	if (aml_pkg_length(&w->c, &end)) {
		return aml_fail(w, -EBADMSG, "bad PkgLength");
	}
	w->c.end = end; /* the size term must stay inside */
	rc = aml_eval_integer(w, &size);
	w->c.end = old_end;
	if (rc) {
		return rc;
	}
	have = end - w->c.pos;
	if (size < have) {
		size = have;
	}
	if (size > w->ns->lim.max_alloc) {
		return aml_fail(w, -E2BIG, "Buffer of %llu bytes",
				(unsigned long long)size);
	}
	b = aml_buf_new(w->ns, NULL, (size_t)size);
	if (b != NULL) {
		memcpy(b->buf.ptr, w->c.t->aml + w->c.pos, have);
	}
	w->c.pos = end;
	return give(w, b, result);
}

/* A package element that is a name (20.2.5.4 PackageElement): a
 * reference to the object, resolved now or, when the name is defined
 * later in the table, on first use. */
static int pkg_name_elem(struct aml_walk *w, struct aml_obj **out)
{
	size_t start = w->c.pos;
	struct aml_name name;
	struct aml_obj *r;

	if (aml_name_string(&w->c, &name)) {
		return aml_fail(w, -EBADMSG, "bad package element name");
	}
	r = aml_obj_new(w->ns, AML_REFERENCE);
	if (r == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for a reference");
	}
	r->ref.kind = AML_REF_NAME;
	r->ref.node = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (r->ref.node == NULL && w->f->scope != NULL) {
		r->ref.scope = w->f->scope;
		r->ref.path_len = (uint32_t)(w->c.pos - start);
		r->ref.path = kmalloc(r->ref.path_len, 0);
		if (r->ref.path == NULL) {
			aml_obj_put(r);
			return aml_fail(w, -ENOMEM,
					"no memory for a reference");
		}
		memcpy(r->ref.path, w->c.t->aml + start, r->ref.path_len);
	}
	*out = r;
	return 0;
}

static int pkg_elems(struct aml_walk *w, struct aml_obj *p, size_t end)
{
	uint32_t i;
	uint8_t b;
	int rc;

	for (i = 0; w->c.pos < end && i < p->pkg.count; i++) {
		aml_peek8(&w->c, &b);
		if (aml_name_start(b)) {
			rc = pkg_name_elem(w, &p->pkg.elems[i]);
		} else {
			rc = aml_eval_term(w, &p->pkg.elems[i]);
		}
		if (rc) {
			return rc;
		}
	}
	return 0;
}

/* Package (19.6.102) / VarPackage: NumElements (a byte, or a TermArg
 * for VarPackage), then at most that many elements; uninitialized ones
 * are left NULL. */
AML_DECL_OP(aml_op_package)
{
	size_t end, old_end = w->c.end;
	uint64_t count;
	struct aml_obj *p;
	int rc;

	(void)ops;
	if (aml_pkg_length(&w->c, &end)) {
		return aml_fail(w, -EBADMSG, "bad PkgLength");
	}
	w->c.end = end;
	if (info->op == OP_VARPKG) {
		rc = aml_eval_integer(w, &count);
	} else {
		rc = aml_rdn(&w->c, 1, &count) ? -EBADMSG : 0;
	}
	if (rc == 0 && count > w->ns->lim.max_alloc / sizeof(void *)) {
		rc = aml_fail(w, -E2BIG, "Package of %llu elements",
			      (unsigned long long)count);
	}
	p = rc == 0 ? aml_pkg_new(w->ns, (uint32_t)count) : NULL;
	if (rc == 0 && p == NULL) {
		rc = aml_fail(w, -ENOMEM, "no memory for a Package");
	}
	if (rc == 0) {
		rc = pkg_elems(w, p, end);
	}
	w->c.end = old_end;
	w->c.pos = end;
	if (rc) {
		aml_obj_put(p);
		return rc;
	}
	*result = p;
	return 0;
}

AML_DECL_OP(aml_op_local_arg)
{
	struct aml_obj **slot;

	(void)ops;
	if (aml_slot_get(w, info->op, &slot)) {
		return aml_fail(w, -EINVAL, "not a Local or Arg");
	}
	if (*slot == NULL) {
		return aml_fail(w, -EINVAL, "%s is uninitialized", info->name);
	}
	*result = aml_obj_get(*slot);
	return 0;
}

AML_DECL_OP(aml_op_debug)
{
	(void)info;
	(void)ops;
	return give(w, aml_obj_new(w->ns, AML_DEBUG), result);
}

/* The Else after an If, if any: its PkgLength end, 0 when none. */
static int else_follows(struct aml_walk *w, size_t *end)
{
	uint8_t b;

	*end = 0;
	if (aml_peek8(&w->c, &b) || b != OP_ELSE) {
		return 0;
	}
	w->c.pos++;
	if (aml_pkg_length(&w->c, end)) {
		return aml_fail(w, -EBADMSG, "bad Else PkgLength");
	}
	return 0;
}

/*
 * Whether the Else block [w->c.pos, else_end) is one If (with its own
 * Else) and nothing more: ASL's ElseIf, and Switch/Case as iasl writes
 * it, chain dozens of these; they run in a loop, not by recursion.
 */
static bool lone_if(struct aml_walk *w, size_t else_end)
{
	struct aml_cursor c = w->c;
	size_t end;
	uint8_t b;

	c.end = else_end;
	if (aml_rd8(&c, &b) || b != 0xA0 || aml_pkg_length(&c, &end)) {
		return false;
	}
	if (end == else_end) {
		return true;
	}
	c.pos = end;
	return aml_rd8(&c, &b) == 0 && b == OP_ELSE &&
	       aml_pkg_length(&c, &end) == 0 && end == else_end;
}

/* One If's predicate; *end: its PkgLength end. */
static int if_pred(struct aml_walk *w, size_t *end, uint64_t *pred)
{
	size_t old_end = w->c.end;
	int rc;

	if (aml_pkg_length(&w->c, end)) {
		return aml_fail(w, -EBADMSG, "bad If PkgLength");
	}
	w->c.end = *end;
	rc = aml_eval_integer(w, pred);
	w->c.end = old_end;
	return rc;
}

/* If (19.6.60) with its optional Else (19.6.39); ElseIf chains loop. */
AML_DECL_OP(aml_op_if)
{
	size_t end, else_end;
	uint64_t pred;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	for (;;) {
		rc = if_pred(w, &end, &pred);
		if (rc) {
			return rc;
		}
		if (pred != 0) {
			rc = aml_run_block(w, end, NULL);
			if (rc || w->flow != AML_FLOW_NEXT) {
				return rc;
			}
			rc = else_follows(w, &else_end);
			if (rc == 0 && else_end != 0) {
				w->c.pos = else_end;
			}
			return rc;
		}
		w->c.pos = end;
		rc = else_follows(w, &else_end);
		if (rc || else_end == 0) {
			return rc;
		}
		if (!lone_if(w, else_end)) {
			return aml_run_block(w, else_end, NULL);
		}
		w->c.pos++; /* the inner If's opcode: go round as that If */
		rc = aml_tick(w);
		if (rc) {
			return rc;
		}
	}
}

/* An Else not right after an If (its If was skipped as a failed term):
 * its block is not run. */
AML_DECL_OP(aml_op_else)
{
	size_t end;

	(void)info;
	(void)ops;
	(void)result;
	if (aml_pkg_length(&w->c, &end)) {
		return aml_fail(w, -EBADMSG, "bad Else PkgLength");
	}
	w->c.pos = end;
	return 0;
}

static int while_pred(struct aml_walk *w, size_t start, size_t end,
		      uint64_t *pred)
{
	size_t old_end = w->c.end;
	int rc;

	w->c.pos = start;
	w->c.end = end;
	rc = aml_eval_integer(w, pred);
	w->c.end = old_end;
	return rc;
}

/* While (19.6.153): bounded by lim.while_iterations. */
AML_DECL_OP(aml_op_while)
{
	size_t end, start;
	uint64_t pred, n = 0;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	if (aml_pkg_length(&w->c, &end)) {
		return aml_fail(w, -EBADMSG, "bad While PkgLength");
	}
	start = w->c.pos;
	for (;;) {
		rc = while_pred(w, start, end, &pred);
		if (rc || pred == 0) {
			break;
		}
		if (++n > w->ns->lim.while_iterations) {
			rc =
			    aml_fail(w, -ETIMEDOUT, "While ran %llu iterations",
				     (unsigned long long)(n - 1));
			break;
		}
		rc = aml_run_block(w, end, NULL);
		if (rc || w->flow == AML_FLOW_RETURN) {
			break;
		}
		if (w->flow == AML_FLOW_BREAK) {
			w->flow = AML_FLOW_NEXT;
			break;
		}
		w->flow = AML_FLOW_NEXT; /* Continue, or the block's end */
	}
	if (rc == 0) {
		w->c.pos = end;
	}
	return rc;
}

AML_DECL_OP(aml_op_flow)
{
	(void)ops;
	(void)result;
	if (info->op == OP_BREAK) {
		w->flow = AML_FLOW_BREAK;
	} else if (info->op == OP_CONTINUE) {
		w->flow = AML_FLOW_CONTINUE;
	}
	return 0;
}

AML_DECL_OP(aml_op_return)
{
	struct aml_obj *v;
	int rc;

	(void)info;
	(void)ops;
	(void)result;
	rc = aml_eval_term(w, &v);
	if (rc) {
		return rc;
	}
	aml_obj_put(w->f->ret);
	w->f->ret = v;
	w->flow = AML_FLOW_RETURN;
	return 0;
}

AML_DECL_OP(aml_op_store)
{
	int rc = aml_store(w, &ops[1].tgt, ops[0].obj);

	(void)info;
	if (rc == 0) {
		*result = aml_obj_get(ops[0].obj);
	}
	return rc;
}

AML_DECL_OP(aml_op_copy_object)
{
	int rc = aml_copy_object(w, &ops[1].tgt, ops[0].obj);

	(void)info;
	if (rc == 0) {
		*result = aml_obj_get(ops[0].obj);
	}
	return rc;
}
