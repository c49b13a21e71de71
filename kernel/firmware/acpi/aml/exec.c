/*
 * The generic executor (ACPI 6.5 chapter 20 grammar, 19.3.5 semantics):
 * a term at the cursor is a name (an object's value, or a method call
 * with as many TermArgs as the method's flags say, 19.6.85) or an opcode
 * whose operands are evaluated per its aml_opinfo.args before its family
 * function runs. Also: method frames (19.6.85: Args, Locals, method-local
 * objects deleted at return), the budget and depth bounds, the failure
 * message, skipping a term unexecuted, and the core's opcode table.
 */
#include <stdarg.h>

#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

void aml_walk_init(struct aml_walk *w, struct aml_ns *ns, struct aml_frame *f,
		   const struct aml_table *t, size_t start, size_t end)
{
	memset(w, 0, sizeof(*w));
	w->op = AML_OP_NONE;
	w->ns = ns;
	w->f = f;
	w->c.t = t;
	w->c.pos = start;
	w->c.end = end;
}

void aml_path_buf(const struct aml_node *n, char *buf, size_t size)
{
	if (n == NULL) {
		ksnprintf(buf, size, "?");
		return;
	}
	aml_node_path(n, buf, size);
}

void aml_log(struct aml_ns *ns, const char *fmt, ...)
{
	char line[AML_ERRMSG_LEN + 64];
	va_list ap;

	if (ns->ops.log == NULL) {
		return;
	}
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ns->ops.log(ns->ctx, line);
}

static const char *op_name(uint16_t op)
{
	const struct aml_opinfo *i = aml_opinfo_find(op);

	return i != NULL ? i->name : "term";
}

/* Append to ns->errmsg at *len (cut at its size). */
static void msg_add(struct aml_ns *ns, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void msg_add(struct aml_ns *ns, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len + 1 >= sizeof(ns->errmsg)) {
		return;
	}
	va_start(ap, fmt);
	*len += (size_t)kvsnprintf(ns->errmsg + *len, sizeof(ns->errmsg) - *len,
				   fmt, ap);
	va_end(ap);
}

/* The message is composed in place (ns->errmsg), no buffers on the
 * stack: a failure deep in AML happens where the stack is shortest. */
int aml_fail(struct aml_walk *w, int err, const char *fmt, ...)
{
	struct aml_ns *ns = w->ns;
	size_t len = 0;
	va_list ap;

	if (ns->errmsg_set) {
		return err; /* the first failure is the one that explains */
	}
	if (w->f != NULL && w->f->method != NULL) {
		len =
		    aml_node_path(w->f->method, ns->errmsg, sizeof(ns->errmsg));
	} else {
		msg_add(ns, &len, "load of %s",
			w->c.t != NULL ? w->c.t->sig : "?");
	}
	if (w->op != AML_OP_NONE) { /* else: before the first opcode ran */
		msg_add(ns, &len, ": %s@0x%zx", op_name(w->op), w->op_pos);
	}
	msg_add(ns, &len, ": ");
	if (len + 1 < sizeof(ns->errmsg)) {
		va_start(ap, fmt);
		len += (size_t)kvsnprintf(ns->errmsg + len,
					  sizeof(ns->errmsg) - len, fmt, ap);
		va_end(ap);
	}
	msg_add(ns, &len, " (%d)", err);
	ns->errmsg_set = true;
	if (ns->ops.log != NULL) {
		ns->ops.log(ns->ctx, ns->errmsg);
	}
	return err;
}

void aml_top_begin(struct aml_ns *ns)
{
	ns->stack_base = (uintptr_t)__builtin_frame_address(0);
	ns->budget = ns->lim.ops_per_eval;
	ns->errmsg_set = false;
	ns->slept_ms = 0;
}

int aml_tick(struct aml_walk *w)
{
	w->ns->st.ops++;
	if (w->ns->budget == 0) {
		return aml_fail(w, -ETIMEDOUT,
				"opcode budget of %llu per evaluation spent",
				(unsigned long long)w->ns->lim.ops_per_eval);
	}
	w->ns->budget--;
	return 0;
}

/* ---- method calls ------------------------------------------------------ */

void aml_frame_release(struct aml_ns *ns, struct aml_frame *f)
{
	unsigned int i;

	for (i = 0; i < AML_NARGS; i++) {
		aml_obj_put(f->args[i]);
	}
	for (i = 0; i < AML_NLOCALS; i++) {
		aml_obj_put(f->locals[i]);
	}
	aml_obj_put(f->ret);
	/* method-local objects go in reverse order of creation */
	for (i = f->ntemps; i-- > 0;) {
		aml_ns_delete_node(ns, f->temps[i]);
	}
	kfree(f->temps);
}

/* An integer, string or buffer argument is passed by value (a copy the
 * callee may change); other objects by reference. */
static struct aml_obj *arg_in(struct aml_ns *ns, struct aml_obj *a)
{
	if (a == NULL) {
		return NULL;
	}
	if (a->type == AML_INTEGER || a->type == AML_STRING ||
	    a->type == AML_BUFFER) {
		return aml_obj_copy(ns, a);
	}
	return aml_obj_get(a);
}

static int run_method(struct aml_walk *w, struct aml_method *m)
{
	struct aml_ns *ns = w->ns;
	enum aml_flow flow;
	int rc;

	if (m->t == NULL) {
		return aml_fail(w, -ENOENT, "method only declared External");
	}
	if (ns->call_depth >= ns->lim.call_depth) {
		return aml_fail(w, -E2BIG, "call depth %u reached",
				ns->lim.call_depth);
	}
	/* Serialized (19.6.85): one evaluation at a time; the interpreter
	 * is single-threaded, so a re-entry is the same thread nesting */
	if (m->mutex != NULL) {
		m->mutex->mutex.depth++;
	}
	ns->call_depth++;
	rc = aml_exec_list(w, &flow);
	ns->call_depth--;
	if (m->mutex != NULL) {
		m->mutex->mutex.depth--;
	}
	return rc;
}

int aml_call(struct aml_ns *ns, struct aml_frame *caller,
	     struct aml_node *method, struct aml_obj **args, unsigned int nargs,
	     struct aml_obj **ret)
{
	struct aml_method *m = &method->obj->method;
	/* off the C stack, like the operands */
	struct {
		struct aml_frame f;
		struct aml_walk w;
	} * cw;
	unsigned int i;
	int rc;

	*ret = NULL;
	(void)caller; /* the frame chain is ns->frame's */
	if (m->native != NULL) {
		return m->native(ns, args, nargs, ret);
	}
	cw = kzalloc(sizeof(*cw), 0);
	if (cw == NULL) {
		return -ENOMEM;
	}
	cw->f.method = method;
	cw->f.scope = method;
	for (i = 0; i < nargs && i < AML_NARGS; i++) {
		cw->f.args[i] = arg_in(ns, args[i]);
	}
	aml_walk_init(&cw->w, ns, &cw->f, m->t, m->start, m->end);
	cw->f.caller = ns->frame;
	ns->frame = &cw->f;
	rc = run_method(&cw->w, m);
	ns->frame = cw->f.caller;
	if (rc == 0) {
		*ret = cw->f.ret;
		cw->f.ret = NULL;
	}
	aml_frame_release(ns, &cw->f);
	kfree(cw);
	return rc;
}

int aml_eval_node(struct aml_ns *ns, struct aml_node *n, struct aml_obj **args,
		  unsigned int nargs, struct aml_obj **out)
{
	struct aml_frame f;
	struct aml_walk w;
	int rc;

	*out = NULL;
	if (n->obj != NULL && n->obj->type == AML_METHOD) {
		return aml_call(ns, NULL, n, args, nargs, out);
	}
	memset(&f, 0, sizeof(f));
	f.scope = n->parent;
	/* the node's table gives the integer width of what it reads */
	aml_walk_init(&w, ns, &f,
		      n->table < ns->ntables ? ns->tables[n->table] : NULL, 0,
		      0);
	rc = aml_node_value(&w, n, out);
	aml_frame_release(ns, &f);
	return rc;
}

/* A name in a term: a method runs with its TermArgs (19.6.85), anything
 * else gives its value. need: the caller uses the value. */
static int call_args(struct aml_walk *w, struct aml_node *m,
		     struct aml_obj **args, unsigned int *nargs)
{
	unsigned int n = m->obj->method.flags & 7, i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = aml_eval_term(w, &args[i]);
		if (rc) {
			*nargs = i;
			return rc;
		}
	}
	*nargs = n;
	return 0;
}

static __attribute__((noinline)) int name_fail(struct aml_walk *w, int err,
					       const struct aml_name *name,
					       const struct aml_node *n)
{
	char text[64];

	if (n == NULL) {
		aml_name_text(name, text, sizeof(text));
		return aml_fail(w, err, "%s not found", text);
	}
	aml_path_buf(n, text, sizeof(text));
	return aml_fail(w, err, "%s returned no value", text);
}

/* A method invocation (19.6.85): its TermArgs, then the call. */
static __attribute__((noinline)) int call_named(struct aml_walk *w,
						struct aml_node *n,
						struct aml_obj **out, bool need)
{
	struct aml_obj *args[AML_NARGS] = {0}, *ret = NULL;
	unsigned int nargs = 0, i;
	int rc = call_args(w, n, args, &nargs);

	if (rc == 0) {
		rc = aml_call(w->ns, w->f, n, args, nargs, &ret);
	}
	for (i = 0; i < nargs; i++) {
		aml_obj_put(args[i]);
	}
	if (rc == 0 && ret == NULL && need) {
		return name_fail(w, -ENODATA, NULL, n);
	}
	*out = ret;
	return rc;
}

static int eval_name(struct aml_walk *w, struct aml_obj **out, bool need)
{
	struct aml_name name;
	struct aml_node *n;

	w->op_pos = w->c.pos;
	if (aml_name_string(&w->c, &name)) {
		return aml_fail(w, -EBADMSG, "bad NameString");
	}
	n = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (n == NULL) {
		return name_fail(w, -ENOENT, &name, NULL);
	}
	if (n->obj == NULL || n->obj->type != AML_METHOD) {
		return aml_node_value(w, n, out);
	}
	return call_named(w, n, out, need);
}

/* ---- operands ------------------------------------------------------------ */

static int operand_convert(struct aml_walk *w, uint8_t kind,
			   struct aml_operand *o)
{
	struct aml_obj *x = NULL;
	int rc = 0;

	switch (kind) {
	case AML_ARG_INT:
		rc = aml_to_integer(w, o->obj, &o->integer);
		if (rc == 0 && o->obj->type != AML_INTEGER) {
			x = aml_int_new(w->ns, o->integer);
			rc = x != NULL ? 0 : -ENOMEM;
		}
		break;
	case AML_ARG_DATA:
		if (o->obj->type != AML_INTEGER && o->obj->type != AML_STRING &&
		    o->obj->type != AML_BUFFER) {
			return aml_fail(w, -EINVAL,
					"operand of type %d is not data",
					o->obj->type);
		}
		break;
	case AML_ARG_BUF:
		if (o->obj->type != AML_BUFFER) {
			rc = aml_to_buffer(w, o->obj, &x);
		}
		break;
	case AML_ARG_STR:
		if (o->obj->type != AML_STRING) {
			rc = aml_to_string(w, o->obj, &x);
		}
		break;
	case AML_ARG_PKG:
		if (o->obj->type != AML_PACKAGE) {
			return aml_fail(w, -EINVAL, "operand is not a Package");
		}
		break;
	}
	if (x != NULL) {
		aml_obj_put(o->obj);
		o->obj = x;
	}
	return rc;
}

static int parse_simple(struct aml_walk *w, struct aml_operand *o)
{
	struct aml_name name;
	uint8_t b;

	if (aml_peek8(&w->c, &b)) {
		return aml_fail(w, -EBADMSG, "SimpleName past the end");
	}
	if (!aml_name_start(b)) {
		o->exists = true;
		return aml_parse_supername(w, &o->tgt);
	}
	if (aml_name_string(&w->c, &name)) {
		return aml_fail(w, -EBADMSG, "bad NameString");
	}
	o->tgt.kind = AML_TGT_NODE;
	o->tgt.node = aml_ns_resolve(w->ns, w->f->scope, &name);
	o->exists = o->tgt.node != NULL;
	if (!o->exists) {
		o->tgt.kind = AML_TGT_NULL;
	}
	return 0;
}

static int parse_operand(struct aml_walk *w, uint8_t kind,
			 struct aml_operand *o)
{
	int rc;

	switch (kind) {
	case AML_ARG_TARGET:
		return aml_parse_target(w, &o->tgt);
	case AML_ARG_SUPER:
		return aml_parse_supername(w, &o->tgt);
	case AML_ARG_SIMPLE:
		return parse_simple(w, o);
	case AML_ARG_BYTE:
		rc = aml_rdn(&w->c, 1, &o->integer);
		break;
	case AML_ARG_WORD:
		rc = aml_rdn(&w->c, 2, &o->integer);
		break;
	case AML_ARG_DWORD:
		rc = aml_rdn(&w->c, 4, &o->integer);
		break;
	case AML_ARG_QWORD:
		rc = aml_rdn(&w->c, 8, &o->integer);
		break;
	case AML_ARG_NAME:
		rc = aml_name_string(&w->c, &o->name);
		break;
	default:
		rc = aml_eval_term(w, &o->obj);
		if (rc) {
			return rc;
		}
		return operand_convert(w, kind, o);
	}
	return rc ? aml_fail(w, -EBADMSG, "operand past the end") : 0;
}

static void operands_release(struct aml_operand *ops, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		aml_obj_put(ops[i].obj);
		aml_target_release(&ops[i].tgt);
	}
}

/*
 * Operand blocks come from a per-namespace free list rather than the C
 * stack: an expression level then costs a few dozen bytes of stack, which
 * matters on a kernel thread's 16 KiB (see AML_STACK_BOUND).
 */
struct aml_opblock {
	struct aml_operand ops[AML_MAX_OPERANDS];
	struct aml_opblock *next;
};

static struct aml_opblock *opblock_get(struct aml_ns *ns)
{
	struct aml_opblock *b = ns->opfree;

	if (b != NULL) {
		ns->opfree = b->next;
	} else {
		b = kmalloc(sizeof(*b), 0);
		if (b == NULL) {
			return NULL;
		}
	}
	memset(b->ops, 0, sizeof(b->ops));
	return b;
}

static void opblock_put(struct aml_ns *ns, struct aml_opblock *b)
{
	b->next = ns->opfree;
	ns->opfree = b;
}

void aml_opblocks_free(struct aml_ns *ns)
{
	struct aml_opblock *b;

	while ((b = ns->opfree) != NULL) {
		ns->opfree = b->next;
		kfree(b);
	}
}

static int run_op(struct aml_walk *w, const struct aml_opinfo *info,
		  uint16_t op, size_t pos, struct aml_obj **out)
{
	struct aml_opblock *b;
	unsigned int n;
	int rc = 0;

	if (info->flags & AML_OPF_CUSTOM) {
		return info->fn(w, info, NULL, out);
	}
	b = opblock_get(w->ns);
	if (b == NULL) {
		return aml_fail(w, -ENOMEM, "no memory for operands");
	}
	for (n = 0; n < AML_MAX_OPERANDS && info->args[n] != AML_ARG_NONE;
	     n++) {
		rc = parse_operand(w, info->args[n], &b->ops[n]);
		if (rc) {
			n++;
			break;
		}
	}
	if (rc == 0) {
		w->op = op; /* operands ran opcodes of their own */
		w->op_pos = pos;
		rc = info->fn(w, info, b->ops, out);
	}
	operands_release(b->ops, n);
	opblock_put(w->ns, b);
	return rc;
}

/* How deep the C stack is below the top-level entry (aml_top_begin). */
static int stack_check(struct aml_walk *w)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t base = w->ns->stack_base;

	if (base != 0 && base > here && base - here > AML_STACK_BOUND) {
		return aml_fail(w, -E2BIG,
				"nesting past the stack bound (%u "
				"bytes)",
				(unsigned int)AML_STACK_BOUND);
	}
	return 0;
}

static int eval_any(struct aml_walk *w, struct aml_obj **out, bool need)
{
	const struct aml_opinfo *info;
	size_t pos = w->c.pos;
	uint16_t op;
	uint8_t b;
	int rc;

	*out = NULL;
	if (w->depth >= w->ns->lim.expr_depth) {
		return aml_fail(w, -E2BIG, "nesting deeper than %u",
				w->ns->lim.expr_depth);
	}
	rc = stack_check(w);
	if (rc == 0) {
		rc = aml_tick(w);
	}
	if (rc) {
		return rc;
	}
	if (aml_peek8(&w->c, &b)) {
		return aml_fail(w, -EBADMSG,
				"term past the end of its package");
	}
	w->depth++;
	if (aml_name_start(b)) {
		rc = eval_name(w, out, need);
	} else {
		aml_read_opcode(&w->c, &op);
		w->op = op;
		w->op_pos = pos;
		info = aml_opinfo_find(op);
		rc = info == NULL
			 ? aml_fail(w, -ENOSYS, "unknown opcode 0x%x", op)
			 : run_op(w, info, op, pos, out);
	}
	w->depth--;
	if (rc == 0 && *out == NULL && need) {
		rc = aml_fail(w, -EINVAL, "%s gives no value", op_name(w->op));
	}
	if (rc) {
		aml_obj_put(*out);
		*out = NULL;
	}
	return rc;
}

int aml_eval_term(struct aml_walk *w, struct aml_obj **out)
{
	return eval_any(w, out, true);
}

int aml_exec_term(struct aml_walk *w)
{
	struct aml_obj *o = NULL;
	int rc = eval_any(w, &o, false);

	aml_obj_put(o);
	return rc;
}

int aml_eval_integer(struct aml_walk *w, uint64_t *out)
{
	struct aml_obj *o;
	int rc = aml_eval_term(w, &o);

	if (rc) {
		return rc;
	}
	rc = aml_to_integer(w, o, out);
	aml_obj_put(o);
	return rc;
}

int aml_eval_data(struct aml_walk *w, struct aml_obj **out)
{
	struct aml_operand o = {0};
	int rc = aml_eval_term(w, &o.obj);

	if (rc == 0) {
		rc = operand_convert(w, AML_ARG_DATA, &o);
	}
	if (rc) {
		aml_obj_put(o.obj);
		return rc;
	}
	*out = o.obj;
	return 0;
}

int aml_exec_list(struct aml_walk *w, enum aml_flow *flow)
{
	int rc;

	w->flow = AML_FLOW_NEXT;
	while (w->c.pos < w->c.end) {
		rc = aml_exec_term(w);
		if (rc) {
			return rc;
		}
		if (w->flow != AML_FLOW_NEXT) {
			break;
		}
	}
	*flow = w->flow;
	return 0;
}

int aml_run_block(struct aml_walk *w, size_t end, struct aml_node *scope)
{
	struct aml_node *old_scope = w->f->scope;
	size_t old_end = w->c.end;
	enum aml_flow flow;
	int rc;

	w->c.end = end;
	if (scope != NULL) {
		w->f->scope = scope;
	}
	rc = w->load ? aml_load_list(w) : aml_exec_list(w, &flow);
	w->f->scope = old_scope;
	w->c.end = old_end;
	if (rc == 0 || w->load) {
		w->c.pos = end;
	}
	return rc;
}
