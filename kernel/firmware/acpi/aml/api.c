/*
 * The entry points of aml.h: an instance with its predefined scopes
 * (ACPI 6.5 5.3.1), table loads, evaluation, and the OS's initialization
 * of the namespace: _REG for the spaces with handlers (6.5.4), \_PIC
 * (5.8.1), then _STA / _INI in the order of 6.5.1.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/exec.h"

void aml_limits_default(struct aml_limits *lim)
{
	lim->ops_per_eval = 1000000;
	lim->call_depth = 32;
	lim->expr_depth = 64;
	lim->while_iterations = 1000000;
	lim->sleep_ms_total = 10000;
	lim->max_alloc = 16u << 20;
}

/* 5.3.1: the scopes every namespace has; \_SB and \_TZ are Devices
 * (they may have _INI, _STA), the others plain scopes. */
static int predefined_scopes(struct aml_ns *ns)
{
	static const struct {
		char name[5];
		enum aml_type type;
	} scopes[] = {
	    {"_GPE", AML_SCOPE}, {"_PR_", AML_SCOPE},  {"_SB_", AML_DEVICE},
	    {"_SI_", AML_SCOPE}, {"_TZ_", AML_DEVICE},
	};
	struct aml_name n = {0};
	struct aml_node *node;
	struct aml_obj *o;
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		o = aml_obj_new(ns, scopes[i].type);
		if (o == NULL) {
			return -ENOMEM;
		}
		n.nseg = 1;
		n.segs = (const uint8_t *)scopes[i].name;
		rc = aml_ns_create_node(ns, ns->root, &n, o, 0, &node);
		aml_obj_put(o);
		if (rc) {
			return rc;
		}
	}
	return 0;
}

int aml_ns_create(const struct aml_host_ops *ops, void *ctx,
		  const struct aml_limits *lim, struct aml_ns **out)
{
	struct aml_ns *ns;

	if (out == NULL) {
		return -EINVAL;
	}
	*out = NULL;
	if (ops == NULL) {
		return -EINVAL;
	}
	ns = kzalloc(sizeof(*ns), 0);
	if (ns == NULL) {
		return -ENOMEM;
	}
	ns->ops = *ops;
	ns->ctx = ctx;
	if (lim != NULL) {
		ns->lim = *lim;
	} else {
		aml_limits_default(&ns->lim);
	}
	ns->root = kzalloc(sizeof(*ns->root), 0);
	if (ns->root == NULL) {
		kfree(ns);
		return -ENOMEM;
	}
	ns->root->name = AML_NAME4('\\', 0, 0, 0);
	if (predefined_scopes(ns) != 0 || aml_predef_install(ns) != 0) {
		aml_ns_destroy(ns);
		return -ENOMEM;
	}
	*out = ns;
	return 0;
}

void aml_ns_destroy(struct aml_ns *ns)
{
	unsigned int i;

	if (ns == NULL) {
		return;
	}
	aml_ns_delete_node(ns, ns->root);
	aml_obj_put(ns->osi);
	aml_opblocks_free(ns);
	for (i = 0; i < ns->ntables; i++) {
		if (ns->tables[i]->owned) {
			kfree((void *)(uintptr_t)ns->tables[i]->aml);
		}
		kfree(ns->tables[i]);
	}
	kfree(ns->tables);
	kfree(ns);
}

int aml_ns_load_table(struct aml_ns *ns, const uint8_t *table, size_t len)
{
	struct aml_table *t;
	int rc;

	if (ns == NULL || table == NULL) {
		return -EINVAL;
	}
	aml_top_begin(ns);
	rc = aml_load_table_bytes(ns, table, len, false, &t);
	return rc;
}

const char *aml_ns_last_error(const struct aml_ns *ns)
{
	if (ns == NULL) {
		return "";
	}
	return ns->errmsg_set || ns->errmsg[0] ? ns->errmsg : "";
}

void aml_ns_get_stats(const struct aml_ns *ns, struct aml_ns_stats *st)
{
	if (st == NULL) {
		return;
	}
	if (ns == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = ns->st;
}

/* ---- evaluation ------------------------------------------------------- */

static void args_put(struct aml_obj **a, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		aml_obj_put(a[i]);
	}
}

/* One top-level evaluation of n (a method call, or a value). */
static int eval_top(struct aml_ns *ns, struct aml_node *n,
		    struct aml_obj **args, unsigned int nargs,
		    struct aml_obj **ret)
{
	int rc;

	aml_top_begin(ns);
	ns->errmsg[0] = '\0';
	rc = aml_eval_node(ns, n, args, nargs, ret);
	if (rc) {
		ns->st.eval_failures++;
	}
	return rc;
}

int aml_ns_eval(struct aml_ns *ns, struct aml_node *node, const char *path,
		const struct aml_value *args, unsigned int nargs,
		struct aml_value *out)
{
	struct aml_obj *a[AML_NARGS] = {0}, *ret = NULL;
	struct aml_node *n = node;
	unsigned int i;
	int rc;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
	}
	if (ns == NULL || (node == NULL && path == NULL) ||
	    (nargs > 0 && args == NULL)) {
		return ns == NULL || path != NULL ? -EINVAL : -ENOENT;
	}
	if (path != NULL) {
		n = aml_ns_lookup_child(ns, node, path);
	}
	if (n == NULL) {
		return -ENOENT;
	}
	if (nargs > AML_NARGS) {
		return -EINVAL;
	}
	for (i = 0; i < nargs; i++) {
		a[i] = aml_value_to_obj(ns, &args[i]);
		if (a[i] == NULL) {
			args_put(a, i);
			return -ENOMEM;
		}
	}
	rc = eval_top(ns, n, a, nargs, &ret);
	args_put(a, nargs);
	if (rc == 0 && ret != NULL && out != NULL) {
		rc = aml_obj_to_value(ns, ret, out);
	}
	aml_obj_put(ret);
	return rc;
}

/* ---- initialization ---------------------------------------------------- */

/* Run `name` under scope with args if it exists; 1 if it ran and
 * succeeded, 0 if there is none, negative on failure. */
static int run_child(struct aml_ns *ns, struct aml_node *scope,
		     const char *name, struct aml_obj **args,
		     unsigned int nargs, uint64_t *value)
{
	struct aml_node *m = aml_node_child(
	    scope, AML_NAME4(name[0], name[1], name[2], name[3]));
	struct aml_obj *ret = NULL;
	int rc;

	if (m == NULL) {
		return 0;
	}
	rc = eval_top(ns, m, args, nargs, &ret);
	if (rc == 0 && value != NULL) {
		if (ret != NULL && ret->type == AML_INTEGER) {
			*value = ret->integer;
		} else {
			rc = -EINVAL;
			aml_log(ns, "aml: %s gave no Integer", name);
		}
	}
	aml_obj_put(ret);
	return rc ? rc : 1;
}

struct reg_walk {
	struct aml_ns *ns;
	uint32_t spaces;
};

/* _REG(space, 1) in the scope holding the region (6.5.4), once per
 * scope and space. */
static int reg_one(struct aml_node *n, void *arg)
{
	struct reg_walk *rw = arg;
	struct aml_region *r = &n->obj->region;
	struct aml_obj *a[2];
	struct aml_node *c;

	if (r->space >= 32 || !(rw->spaces & (1u << r->space)) || r->reg_done) {
		return 0;
	}
	/* any earlier region of this scope and space already ran it */
	for (c = n->parent->child; c != NULL && c != n; c = c->next) {
		if (aml_node_type(c) == AML_REGION &&
		    c->obj->region.space == r->space) {
			r->reg_done = true;
			return 0;
		}
	}
	r->reg_done = true;
	a[0] = aml_int_new(rw->ns, r->space);
	a[1] = aml_int_new(rw->ns, 1);
	if (a[0] != NULL && a[1] != NULL &&
	    run_child(rw->ns, n->parent, "_REG", a, 2, NULL) > 0) {
		rw->ns->st.reg_run++;
	}
	args_put(a, 2);
	return 0;
}

static bool initable(const struct aml_node *n)
{
	enum aml_type t = aml_node_type(n);

	return t == AML_DEVICE || t == AML_PROCESSOR || t == AML_THERMAL;
}

/* 6.5.1: _STA (none: present and functioning), _INI only when present,
 * children only when present or functioning. Depth-first, in namespace
 * order; the recursion depth is the namespace's. */
static void init_children(struct aml_ns *ns, struct aml_node *parent,
			  unsigned int depth)
{
	struct aml_node *c;
	uint64_t sta;
	int rc;

	for (c = parent->child; c != NULL && depth < 255; c = c->next) {
		if (c->flags & AML_NODE_EXTERNAL) {
			continue;
		}
		if (initable(c)) {
			sta = 0x0F;
			rc = run_child(ns, c, "_STA", NULL, 0, &sta);
			if (rc < 0) {
				continue; /* failed: treated as absent */
			}
			if ((sta & 1) &&
			    !(c ==
			      aml_node_child(ns->root,
					     AML_NAME4('_', 'S', 'B', '_')))) {
				if (run_child(ns, c, "_INI", NULL, 0, NULL) >
				    0) {
					ns->st.ini_run++;
				}
			}
			if (!(sta & 0x09)) {
				continue;
			}
		}
		init_children(ns, c, depth + 1);
	}
}

int aml_ns_initialize(struct aml_ns *ns, uint32_t handler_spaces, int pic_mode)
{
	struct reg_walk rw = {ns, handler_spaces};
	struct aml_node *sb;
	struct aml_obj *a;

	if (ns == NULL) {
		return -EINVAL;
	}
	aml_ns_walk(ns, NULL, AML_REGION, reg_one, &rw);
	if (pic_mode >= 0) {
		a = aml_int_new(ns, (uint64_t)pic_mode);
		if (a != NULL) {
			run_child(ns, ns->root, "_PIC", &a, 1, NULL);
		}
		aml_obj_put(a);
	}
	sb = aml_node_child(ns->root, AML_NAME4('_', 'S', 'B', '_'));
	if (sb != NULL && run_child(ns, sb, "_INI", NULL, 0, NULL) > 0) {
		ns->st.ini_run++;
	}
	init_children(ns, ns->root, 0);
	return 0;
}
