/*
 * The namespace (ACPI 6.5 section 5.3): a tree of nodes, children kept in
 * creation order, with the search rules for single-segment names, node
 * creation and deletion, absolute paths and the depth-first walk.
 */
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml/internal.h"

#define ALIAS_HOPS 8 /* an Alias of an Alias ...: bounded */

struct aml_node *aml_ns_root(struct aml_ns *ns)
{
	return ns->root;
}

struct aml_node *aml_node_child(const struct aml_node *parent, uint32_t name)
{
	struct aml_node *c;

	for (c = parent->child; c != NULL; c = c->next) {
		if (c->name == name) {
			return c;
		}
	}
	return NULL;
}

static uint32_t seg_at(const struct aml_name *n, unsigned int i)
{
	const uint8_t *s = n->segs + 4 * (size_t)i;

	return AML_NAME4(s[0], s[1], s[2], s[3]);
}

/* Where a prefixed name starts: the root for '\', else scope and one
 * parent up per '^' (NULL when that climbs past the root). */
static struct aml_node *name_base(struct aml_ns *ns, struct aml_node *scope,
				  const struct aml_name *n)
{
	struct aml_node *b = n->root ? ns->root : scope;
	unsigned int i;

	for (i = 0; i < n->up && b != NULL; i++) {
		b = b->parent;
	}
	return b;
}

static struct aml_node *follow_alias(struct aml_node *n)
{
	unsigned int hops = 0;

	while (n != NULL && (n->flags & AML_NODE_ALIAS) && n->obj != NULL &&
	       hops++ < ALIAS_HOPS) {
		n = n->obj->ref.node;
	}
	return n;
}

/* Exact path: nseg segments from base, no search. */
static struct aml_node *walk_segs(struct aml_node *b, const struct aml_name *n,
				  unsigned int nseg)
{
	unsigned int i;

	for (i = 0; i < nseg && b != NULL; i++) {
		b = follow_alias(aml_node_child(b, seg_at(n, i)));
	}
	return b;
}

struct aml_node *aml_ns_resolve(struct aml_ns *ns, struct aml_node *scope,
				const struct aml_name *n)
{
	struct aml_node *b = name_base(ns, scope, n), *hit;

	if (b == NULL) {
		return NULL;
	}
	if (n->root || n->up > 0 || n->nseg != 1) {
		return walk_segs(b, n, n->nseg);
	}
	/* 5.3: a lone NameSeg is looked up in scope, then in each parent */
	for (; b != NULL; b = b->parent) {
		hit = aml_node_child(b, seg_at(n, 0));
		if (hit != NULL) {
			return follow_alias(hit);
		}
	}
	return NULL;
}

static struct aml_node *node_new(struct aml_node *parent, uint32_t name)
{
	struct aml_node *n = kzalloc(sizeof(*n), 0);

	if (n == NULL) {
		return NULL;
	}
	n->name = name;
	n->parent = parent;
	if (parent->last_child != NULL) {
		parent->last_child->next = n;
	} else {
		parent->child = n;
	}
	parent->last_child = n;
	return n;
}

static void count_new(struct aml_ns *ns, const struct aml_node *x)
{
	if (x->flags & AML_NODE_EXTERNAL) {
		return;
	}
	if (x->obj->type == AML_DEVICE) {
		ns->st.devices++;
	} else if (x->obj->type == AML_METHOD) {
		ns->st.methods++;
	}
}

/* A method-local node goes on the running method's frame, deleted when
 * the method returns (19.6.85). */
static int temp_record(struct aml_ns *ns, struct aml_node *n)
{
	struct aml_frame *f = ns->frame;
	struct aml_node **t;
	unsigned int cap;

	if (!(n->flags & AML_NODE_TEMP) || f == NULL) {
		return 0;
	}
	if (f->ntemps == f->captemps) {
		cap = f->captemps ? 2 * f->captemps : 8;
		t = krealloc(f->temps, cap * sizeof(*t), 0);
		if (t == NULL) {
			aml_ns_delete_node(ns, n);
			return -ENOMEM;
		}
		f->temps = t;
		f->captemps = cap;
	}
	f->temps[f->ntemps++] = n;
	return 0;
}

int aml_ns_create_node(struct aml_ns *ns, struct aml_node *scope,
		       const struct aml_name *n, struct aml_obj *obj,
		       uint8_t flags, struct aml_node **out)
{
	struct aml_node *parent, *x;
	uint32_t seg;

	*out = NULL;
	if (n->nseg == 0) {
		return -EINVAL;
	}
	parent = walk_segs(name_base(ns, scope, n), n, n->nseg - 1);
	if (parent == NULL) {
		return -ENOENT;
	}
	seg = seg_at(n, n->nseg - 1);
	x = aml_node_child(parent, seg);
	if (x != NULL) {
		*out = x;
		if (!(x->flags & AML_NODE_EXTERNAL) ||
		    (flags & AML_NODE_EXTERNAL)) {
			return -EEXIST;
		}
		/* the real declaration of an External placeholder */
		aml_obj_put(x->obj);
		x->obj = aml_obj_get(obj);
		x->flags = flags;
		count_new(ns, x);
		return 0;
	}
	x = node_new(parent, seg);
	if (x == NULL) {
		return -ENOMEM;
	}
	x->obj = aml_obj_get(obj);
	x->flags = flags;
	ns->st.nodes++;
	count_new(ns, x);
	*out = x;
	return temp_record(ns, x);
}

static void unlink_node(struct aml_node *n)
{
	struct aml_node *p = n->parent, **pp, *prev = NULL;

	for (pp = &p->child; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	if (p->last_child == n) {
		p->last_child = prev;
	}
}

/* Free n's subtree, children first (iterative: no recursion depth). */
static void free_subtree(struct aml_ns *ns, struct aml_node *top)
{
	struct aml_node *n = top;

	while (n != NULL) {
		if (n->child != NULL) {
			n = n->child;
			continue;
		}
		struct aml_node *p = n == top ? NULL : n->parent;

		if (p != NULL) {
			p->child = n->next;
		}
		if (n->obj != NULL) {
			if (n->obj->type == AML_DEVICE && ns->st.devices > 0) {
				ns->st.devices--;
			} else if (n->obj->type == AML_METHOD &&
				   ns->st.methods > 0) {
				ns->st.methods--;
			}
			aml_obj_put(n->obj);
		}
		if (ns->st.nodes > 0 && n != ns->root) {
			ns->st.nodes--;
		}
		kfree(n);
		n = p;
	}
}

void aml_ns_delete_node(struct aml_ns *ns, struct aml_node *n)
{
	if (n == NULL) {
		return;
	}
	if (n->parent != NULL) {
		unlink_node(n);
	}
	free_subtree(ns, n);
}

/* One segment as text with its '_' padding trimmed ("_SB_" -> "_SB",
 * "____" -> "_"); returns its length. */
static unsigned int seg_text(uint32_t name, char out[4])
{
	unsigned int len = 4, i;

	for (i = 0; i < 4; i++) {
		out[i] = (char)(name >> (8 * i));
	}
	while (len > 1 && out[len - 1] == '_') {
		len--;
	}
	return len;
}

size_t aml_node_path(const struct aml_node *n, char *buf, size_t size)
{
	if (buf == NULL) {
		size = 0;
	}
	const struct aml_node *segs[64], *x;
	unsigned int depth = 0, i, k;
	size_t len = 0;
	char s[4];

	for (x = n; x != NULL && x->parent != NULL && depth < 64;
	     x = x->parent) {
		segs[depth++] = x;
	}
#define PUT(ch)                                                                \
	do {                                                                   \
		if (len + 1 < size) {                                          \
			buf[len] = (ch);                                       \
		}                                                              \
		len++;                                                         \
	} while (0)
	PUT('\\');
	for (i = depth; i-- > 0;) {
		unsigned int sl = seg_text(segs[i]->name, s);

		if (i != depth - 1) {
			PUT('.');
		}
		for (k = 0; k < sl; k++) {
			PUT(s[k]);
		}
	}
#undef PUT
	if (size > 0) {
		buf[len < size ? len : size - 1] = '\0';
	}
	return len;
}

void aml_name_text(const struct aml_name *n, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i, k, sl;
	char s[4];

	if (size == 0) {
		return;
	}
	if (n->root && len + 1 < size) {
		buf[len++] = '\\';
	}
	for (i = 0; i < n->up && len + 1 < size; i++) {
		buf[len++] = '^';
	}
	for (i = 0; i < n->nseg; i++) {
		sl = seg_text(seg_at(n, i), s);
		if (i > 0 && len + 1 < size) {
			buf[len++] = '.';
		}
		for (k = 0; k < sl && len + 1 < size; k++) {
			buf[len++] = s[k];
		}
	}
	buf[len] = '\0';
}

static bool type_matches(const struct aml_node *n, enum aml_type type)
{
	if (n->flags & AML_NODE_EXTERNAL) {
		return false;
	}
	return type == AML_UNINIT || aml_node_type(n) == type;
}

/* The node after n in a depth-first, creation-order walk under top. */
static struct aml_node *walk_next(struct aml_node *n, struct aml_node *top)
{
	if (n->child != NULL) {
		return n->child;
	}
	while (n != top) {
		if (n->next != NULL) {
			return n->next;
		}
		n = n->parent;
	}
	return NULL;
}

int aml_ns_walk(struct aml_ns *ns, struct aml_node *start, enum aml_type type,
		int (*fn)(struct aml_node *n, void *arg), void *arg)
{
	struct aml_node *top, *n, *next;
	int rc;

	if (ns == NULL || fn == NULL) {
		return -EINVAL;
	}
	top = start != NULL ? start : ns->root;
	for (n = walk_next(top, top); n != NULL; n = next) {
		/* fn may not delete nodes; take the successor first anyway
		 * so a callback that only reads is all that is assumed */
		next = walk_next(n, top);
		if (type_matches(n, type)) {
			rc = fn(n, arg);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

enum aml_type aml_node_type(const struct aml_node *n)
{
	if (n == NULL || n->obj == NULL) {
		return AML_SCOPE;
	}
	return n->obj->type;
}

uint32_t aml_node_name(const struct aml_node *n)
{
	return n != NULL ? n->name : 0;
}

struct aml_node *aml_node_parent(const struct aml_node *n)
{
	return n != NULL ? n->parent : NULL;
}

void aml_node_set_data(struct aml_node *n, void *data)
{
	if (n != NULL) {
		n->data = data;
	}
}

void *aml_node_data(const struct aml_node *n)
{
	return n != NULL ? n->data : NULL;
}

/* A path given as text ("\\_SB.PCI0", "^_STA", "_STA", "_SB_.PCI0"),
 * turned into segments; search: the 5.3 rules for a lone segment, else
 * exactly the child path of scope. */
static struct aml_node *lookup_text(struct aml_ns *ns, struct aml_node *scope,
				    const char *path, bool search)
{
	uint8_t segs[4 * 32];
	struct aml_name n = {0};
	unsigned int k;

	if (ns == NULL || path == NULL) {
		return NULL;
	}
	if (*path == '\\') {
		n.root = true;
		path++;
	}
	while (*path == '^') {
		n.up++;
		path++;
	}
	while (*path != '\0' && n.nseg < 32) {
		uint8_t *s = segs + 4 * n.nseg;

		for (k = 0; k < 4 && *path != '\0' && *path != '.'; k++) {
			s[k] = (uint8_t)*path++;
		}
		if (k == 0) {
			return NULL;
		}
		for (; k < 4; k++) {
			s[k] = '_';
		}
		if (*path == '.') {
			path++;
		} else if (*path != '\0') {
			return NULL; /* a segment longer than 4 */
		}
		n.nseg++;
	}
	n.segs = segs;
	scope = scope != NULL ? scope : ns->root;
	if (n.nseg == 0) {
		return name_base(ns, scope, &n);
	}
	if (!search) {
		return walk_segs(name_base(ns, scope, &n), &n, n.nseg);
	}
	return aml_ns_resolve(ns, scope, &n);
}

struct aml_node *aml_ns_lookup(struct aml_ns *ns, struct aml_node *scope,
			       const char *path)
{
	return lookup_text(ns, scope, path, true);
}

struct aml_node *aml_ns_lookup_child(struct aml_ns *ns, struct aml_node *scope,
				     const char *path)
{
	return lookup_text(ns, scope, path, false);
}
