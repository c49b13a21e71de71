/*
 * AML namespace walker and a small evaluator; see aml.h. Written from
 * ACPI 6.x chapter 20 ("ACPI Machine Language"), 19.6 (ASL operators, for
 * the semantics) and 5.3 (namespace search rules).
 *
 * Every byte is read through a cursor whose end is the enclosing PkgLength
 * (never past the table); every loop consumes input or is bounded by the
 * instruction budget; recursion is bounded by AML_MAX_SCOPES (scopes),
 * AML_MAX_DEPTH (expressions, statements, calls) and AML_MAX_CALLS
 * (method frames, kept in static storage).
 */
#include "kern/bytes.h"
#include "kern/compiler.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml.h"

#define HDR_LEN 36

/* Opcodes (20.3) */
#define OP_ZERO	     0x00
#define OP_ONE	     0x01
#define OP_ALIAS     0x06
#define OP_NAME	     0x08
#define OP_BYTE	     0x0A
#define OP_WORD	     0x0B
#define OP_DWORD     0x0C
#define OP_STRING    0x0D
#define OP_QWORD     0x0E
#define OP_SCOPE     0x10
#define OP_BUFFER    0x11
#define OP_PACKAGE   0x12
#define OP_VARPKG    0x13
#define OP_METHOD    0x14
#define OP_EXTERNAL  0x15
#define OP_DUAL	     0x2E
#define OP_MULTI     0x2F
#define OP_EXT	     0x5B
#define OP_ROOT	     0x5C
#define OP_PARENT    0x5E
#define OP_LOCAL0    0x60
#define OP_LOCAL7    0x67
#define OP_ARG0	     0x68
#define OP_ARG6	     0x6E
#define OP_STORE     0x70
#define OP_ADD	     0x72
#define OP_SUBTRACT  0x74
#define OP_INCREMENT 0x75
#define OP_DECREMENT 0x76
#define OP_MULTIPLY  0x77
#define OP_DIVIDE    0x78
#define OP_SHL	     0x79
#define OP_SHR	     0x7A
#define OP_AND	     0x7B
#define OP_NAND	     0x7C
#define OP_OR	     0x7D
#define OP_NOR	     0x7E
#define OP_XOR	     0x7F
#define OP_NOT	     0x80
#define OP_DEREFOF   0x83
#define OP_SIZEOF    0x87
#define OP_INDEX     0x88
#define OP_LAND	     0x90
#define OP_LOR	     0x91
#define OP_LNOT	     0x92
#define OP_LEQUAL    0x93
#define OP_LGREATER  0x94
#define OP_LLESS     0x95
#define OP_TOINTEGER 0x99
#define OP_CONTINUE  0x9F
#define OP_IF	     0xA0
#define OP_ELSE	     0xA1
#define OP_WHILE     0xA2
#define OP_NOOP	     0xA3
#define OP_RETURN    0xA4
#define OP_BREAK     0xA5
#define OP_ONES	     0xFF

/* after OP_EXT */
#define EXT_MUTEX      0x01
#define EXT_EVENT      0x02
#define EXT_STALL      0x21
#define EXT_SLEEP      0x22
#define EXT_REVISION   0x30
#define EXT_DEBUG      0x31
#define EXT_REGION     0x80
#define EXT_FIELD      0x81
#define EXT_DEVICE     0x82
#define EXT_PROCESSOR  0x83
#define EXT_POWERRES   0x84
#define EXT_THERMAL    0x85
#define EXT_INDEXFIELD 0x86
#define EXT_BANKFIELD  0x87

enum node_type {
	N_SCOPE = 1,
	N_DEVICE,
	N_NAME,
	N_METHOD,
	N_ALIAS,
	N_REGION,
	N_FIELD,
	N_INDEXFIELD,
	N_PROCESSOR,
	N_POWER,
	N_THERMAL,
	N_OTHER,
};

/*
 * A namespace object. Children are a singly linked list (child, sibling)
 * in creation order reversed; the root is node 0.
 *   N_NAME:   data object at [off, end) of table `table`
 *   N_METHOD: body at [off, end), a = MethodFlags (bits 2:0 arg count)
 *   N_ALIAS:  off = the source NameString, resolved from `scope`
 *   N_FIELD:  off = the region NameString, resolved from `scope`;
 *             a = bit offset, b = bit width, flags = FieldFlags
 *   N_REGION: a = space, base/rlen when `flags` is 1 (constant)
 */
struct node {
	uint32_t name;
	int32_t parent, child, sibling, scope;
	uint16_t table;
	uint8_t type, flags;
	uint32_t off, end, a, b;
	uint64_t base, rlen;
};

/*
 * LIMBO, node 1 (made right after the root, and not its child), is the
 * scope the walk gives the body of an object that found no memory: once
 * the heap has failed the namespace stops growing (g_full), nothing is
 * created there, but its contents are walked and counted in
 * g_st.nodes_dropped. It has no children and the root as parent; no
 * device list or path ever reaches it.
 */
#define LIMBO 1

/*
 * The namespace grows from the heap, doubling; its sanity bound comes
 * from the input: every object is declared by a NameSeg of its own (4
 * bytes) in some table, so there cannot be more than g_node_limit.
 */
static struct node *g_nodes;
static unsigned int g_nnodes, g_ncap, g_node_limit;
static bool g_full;
static int g_full_err; /* why it stopped growing: -ENOMEM, -ENOSPC */
static const uint8_t **g_tab;
static size_t *g_tlen;
static uint64_t *g_mask; /* integer width of each table */
static struct aml_host g_host;
static struct aml_stats g_st;

void aml_set_host(const struct aml_host *host)
{
	if (host != NULL) {
		g_host = *host;
	} else {
		g_host.read = NULL;
		g_host.ctx = NULL;
	}
}

#define NAME4(a, b, c, d)                                                      \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) |        \
	 ((uint32_t)(d) << 24))

/* ---- cursor ---------------------------------------------------------- */

/* A window [pos, end) of table `table` (b is the table's first byte). */
struct cur {
	const uint8_t *b;
	size_t pos, end;
	uint16_t table;
};

static int rd8(struct cur *c, uint8_t *v)
{
	if (c->pos >= c->end) {
		return -EBADMSG;
	}
	*v = c->b[c->pos++];
	return 0;
}

static int peek8(const struct cur *c, uint8_t *v)
{
	if (c->pos >= c->end) {
		return -EBADMSG;
	}
	*v = c->b[c->pos];
	return 0;
}

static int rdn(struct cur *c, unsigned int n, uint64_t *v)
{
	unsigned int i;

	if (c->end - c->pos < n) {
		return -EBADMSG;
	}
	*v = 0;
	for (i = 0; i < n; i++) {
		*v |= (uint64_t)c->b[c->pos + i] << (8 * i);
	}
	c->pos += n;
	return 0;
}

/* The PkgLength encoding as a plain number (FieldList bit counts). */
static int pkg_value(struct cur *c, size_t *v)
{
	uint8_t lead, x;
	unsigned int n, i;
	size_t len;

	if (rd8(c, &lead)) {
		return -EBADMSG;
	}
	n = lead >> 6;
	if (n == 0) {
		*v = lead & 0x3F;
		return 0;
	}
	len = lead & 0x0F;
	for (i = 0; i < n; i++) {
		if (rd8(c, &x)) {
			return -EBADMSG;
		}
		len |= (size_t)x << (4 + 8 * i);
	}
	*v = len;
	return 0;
}

/* PkgLength (20.2.4): *end = where the package ends, inside the cursor. */
static int pkg_length(struct cur *c, size_t *end)
{
	size_t start = c->pos, len;

	if (pkg_value(c, &len)) {
		return -EBADMSG;
	}
	if (len < c->pos - start || len > c->end - start) {
		return -EBADMSG;
	}
	*end = start + len;
	return 0;
}

/* ---- name strings ---------------------------------------------------- */

struct nstr {
	bool root;
	uint8_t up;   /* '^' count */
	uint8_t nseg; /* 0 = NullName */
	size_t segs;  /* offset of the first NameSeg in the table */
};

static bool lead_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool name_char(uint8_t ch)
{
	return lead_char(ch) || (ch >= '0' && ch <= '9');
}

static bool name_start(uint8_t ch)
{
	return lead_char(ch) || ch == OP_ROOT || ch == OP_PARENT ||
	       ch == OP_DUAL || ch == OP_MULTI;
}

/* The prefix of a NameString: '\\' or any number of '^' (20.2.2). */
static int name_prefix(struct cur *c, struct nstr *ns)
{
	uint8_t ch;

	if (peek8(c, &ch)) {
		return -EBADMSG;
	}
	if (ch == OP_ROOT) {
		ns->root = true;
		c->pos++;
		return 0;
	}
	while (ch == OP_PARENT) {
		if (ns->up == 255) {
			return -EBADMSG;
		}
		ns->up++;
		c->pos++;
		if (peek8(c, &ch)) {
			return -EBADMSG;
		}
	}
	return 0;
}

/* nseg NameSegs at the cursor: each a lead character and three name
 * characters. */
static int name_segs(struct cur *c, struct nstr *ns)
{
	unsigned int i, j;

	if ((size_t)ns->nseg * 4 > c->end - c->pos) {
		return -EBADMSG;
	}
	for (i = 0; i < ns->nseg; i++) {
		const uint8_t *s = c->b + c->pos + 4 * i;

		if (!lead_char(s[0])) {
			return -EBADMSG;
		}
		for (j = 1; j < 4; j++) {
			if (!name_char(s[j])) {
				return -EBADMSG;
			}
		}
	}
	ns->segs = c->pos;
	c->pos += 4 * (size_t)ns->nseg;
	return 0;
}

static int name_string(struct cur *c, struct nstr *ns)
{
	uint8_t ch;

	ns->root = false;
	ns->up = 0;
	ns->nseg = 0;
	if (name_prefix(c, ns) || peek8(c, &ch)) {
		return -EBADMSG;
	}
	if (ch == OP_ZERO) { /* NullName */
		c->pos++;
		ns->segs = c->pos;
		return 0;
	} else if (ch == OP_DUAL) {
		c->pos++;
		ns->nseg = 2;
	} else if (ch == OP_MULTI) {
		c->pos++;
		if (rd8(c, &ns->nseg) || ns->nseg == 0) {
			return -EBADMSG;
		}
	} else if (lead_char(ch)) {
		ns->nseg = 1;
	} else {
		return -EBADMSG;
	}
	return name_segs(c, ns);
}

/* ---- namespace ------------------------------------------------------- */

static int find_child(int parent, uint32_t name)
{
	int i = g_nodes[parent].child;
	unsigned int guard = 0;

	while (i >= 0 && guard++ < g_nnodes) {
		if (g_nodes[i].name == name) {
			return i;
		}
		i = g_nodes[i].sibling;
	}
	return -ENOENT;
}

/* Room for one more node: the array doubles (from 64), never past the
 * input's bound. -ENOMEM when the heap says no (the array is kept). */
static int grow_nodes(void)
{
	unsigned int cap = g_ncap ? 2 * g_ncap : 64;
	struct node *n;

	if (g_nnodes < g_ncap) {
		return 0;
	}
	if (g_full || g_nnodes >= g_node_limit) {
		return -ENOSPC;
	}
	if (cap > g_node_limit) {
		cap = g_node_limit;
	}
	n = krealloc(g_nodes, (size_t)cap * sizeof(*n), 0);
	if (n == NULL) {
		return -ENOMEM;
	}
	g_nodes = n;
	g_ncap = cap;
	return 0;
}

static int new_node(int parent, uint32_t name, uint8_t type, uint16_t table)
{
	struct node *n;
	int ret = grow_nodes();

	if (ret) {
		if (!g_full) {
			g_full_err = ret;
		}
		g_full = true;
		return ret;
	}
	n = &g_nodes[g_nnodes];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->parent = parent;
	n->child = -1;
	n->scope = -1;
	n->type = type;
	n->table = table;
	n->sibling = parent >= 0 ? g_nodes[parent].child : -1;
	if (parent >= 0) {
		g_nodes[parent].child = (int32_t)g_nnodes;
	}
	return (int)g_nnodes++;
}

/* The node named by the prefix and the first nseg segments of ns, taken
 * literally (no search rules). */
static int lookup_prefix(const struct nstr *ns, const uint8_t *tab, int scope,
			 unsigned int nseg)
{
	int n = ns->root ? 0 : scope;
	unsigned int i;

	for (i = 0; i < ns->up; i++) {
		if (n == 0) {
			return -ENOENT;
		}
		n = g_nodes[n].parent;
	}
	for (i = 0; i < nseg; i++) {
		n = find_child(n, get_le32(tab + ns->segs + 4 * i));
		if (n < 0) {
			return -ENOENT;
		}
	}
	return n;
}

/* Resolve a reference (5.3): a lone NameSeg is searched for in scope and
 * then in each parent scope up to the root. */
static int resolve(const struct nstr *ns, const uint8_t *tab, int scope)
{
	if (!ns->root && ns->up == 0 && ns->nseg == 1) {
		uint32_t name = get_le32(tab + ns->segs);
		unsigned int guard = 0;
		int s = scope;

		while (guard++ < g_nnodes) {
			int n = find_child(s, name);

			if (n >= 0) {
				return n;
			}
			if (s == 0) {
				break;
			}
			s = g_nodes[s].parent;
		}
		return -ENOENT;
	}
	return lookup_prefix(ns, tab, scope, ns->nseg);
}

/* A node that could not be made: the heap failed, or the input's bound. */
#define NO_ROOM(err) ((err) == -ENOMEM || (err) == -ENOSPC)

static int make_path(int n, char *out, size_t size);

/* The first object the namespace could not take, said with its path:
 * every later one is dropped too (the namespace stops growing). */
static void say_dropped(int parent, uint32_t name, int err)
{
	char path[64];
	char seg[5] = {(char)name, (char)(name >> 8), (char)(name >> 16),
		       (char)(name >> 24), '\0'};

	(void)make_path(parent, path, sizeof(path));
	if (err == -ENOMEM) {
		kprintf("aml: out of memory for namespace node %s%s%s (%u "
			"nodes): it and the rest of the namespace are "
			"dropped\n",
			path, parent > 0 ? "." : "", seg, g_nnodes);
	} else {
		kprintf("aml: namespace node %s%s%s past the tables' bound of "
			"%u nodes: it and the rest are dropped\n",
			path, parent > 0 ? "." : "", seg, g_node_limit);
	}
}

/* Create the object ns names (its parent must exist). */
static int declare(const struct nstr *ns, const struct cur *c, int scope,
		   uint8_t type)
{
	int parent, n;
	uint32_t name;

	if (ns->nseg == 0) {
		return -EBADMSG;
	}
	parent = lookup_prefix(ns, c->b, scope, ns->nseg - 1u);
	if (parent < 0) {
		return parent;
	}
	name = get_le32(c->b + ns->segs + 4 * (ns->nseg - 1u));
	if (find_child(parent, name) >= 0) {
		return -EEXIST;
	}
	n = new_node(parent, name, type, c->table);
	if (n >= 0) {
		g_st.named++;
		return n;
	}
	if (!g_st.nodes_dropped) {
		say_dropped(parent, name, n);
	}
	g_st.nodes_dropped++;
	g_st.devices_dropped += type == N_DEVICE;
	return n;
}

/* ---- values and the evaluator ---------------------------------------- */

enum val_type { V_NONE, V_INT, V_STR, V_BUF, V_PKG };

/*
 * A value. Strings, buffers and packages point into the table they came
 * from (read-only): V_STR/V_BUF: p, len bytes. V_PKG: p = the element
 * list, len its bytes, i = NumElements, scope/table for names in it.
 */
struct val {
	uint8_t type;
	uint16_t table;
	int32_t scope;
	uint32_t len;
	uint64_t i;
	const uint8_t *p;
};

struct frame {
	struct val local[8];
	struct val arg[7];
	int scope;
	uint16_t table;
};

struct ectx {
	unsigned int budget;
	unsigned int calls; /* frames in use */
};

static struct frame g_frames[AML_MAX_CALLS];
static struct val g_args[AML_MAX_DEPTH + 1][7];

enum { ST_NORMAL, ST_RETURN, ST_BREAK, ST_CONTINUE };

static int term_arg(struct ectx *e, struct frame *f, struct cur *c,
		    struct val *v, unsigned int depth);
static int exec_list(struct ectx *e, struct frame *f, struct cur *c,
		     struct val *ret, unsigned int depth);
static int node_value(struct ectx *e, int n, struct val *v, unsigned int depth);

static void set_int(struct val *v, uint64_t i)
{
	memset(v, 0, sizeof(*v));
	v->type = V_INT;
	v->i = i;
}

/* Implicit conversion to Integer (19.3.5): buffers little-endian, strings
 * as hex. */
static int to_int(const struct val *v, uint64_t *out)
{
	uint64_t x = 0;
	uint32_t i;

	switch (v->type) {
	case V_INT:
		*out = v->i;
		return 0;
	case V_BUF:
		for (i = 0; i < v->len && i < 8; i++) {
			x |= (uint64_t)v->p[i] << (8 * i);
		}
		*out = x;
		return 0;
	case V_STR:
		for (i = 0; i < v->len && i < 16; i++) {
			uint8_t ch = v->p[i];
			unsigned int d;

			if (ch >= '0' && ch <= '9') {
				d = ch - '0';
			} else if (ch >= 'a' && ch <= 'f') {
				d = ch - 'a' + 10;
			} else if (ch >= 'A' && ch <= 'F') {
				d = ch - 'A' + 10;
			} else {
				break;
			}
			x = (x << 4) | d;
		}
		*out = x;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The string at the cursor (after StringPrefix): up to its NUL. */
static int string_at(struct cur *c, struct val *v)
{
	size_t s = c->pos;

	while (c->pos < c->end && c->b[c->pos] != 0) {
		c->pos++;
	}
	if (c->pos >= c->end) {
		return -EBADMSG;
	}
	memset(v, 0, sizeof(*v));
	v->type = V_STR;
	v->p = c->b + s;
	v->len = (uint32_t)(c->pos - s);
	c->pos++;
	return 0;
}

/*
 * A DataObject (20.2.3) of a Name or a Package element: computational
 * data, Package, VarPackage. Buffer sizes and VarPackage counts must be
 * integer constants here.
 */
static int data_object(struct cur *c, int scope, struct val *v,
		       unsigned int depth);

/*
 * Buffer, Package or VarPackage after its opcode: the value points at the
 * initializer (a Buffer's zero padding past it is not represented) or
 * element list; NumElements is a byte (Package) or an integer constant.
 */
static int data_package(struct cur *c, uint8_t op, int scope, struct val *v,
			unsigned int depth)
{
	struct cur in;
	struct val n;
	uint8_t x;
	size_t end;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	c->pos = end;
	if (op == OP_PACKAGE) {
		if (rd8(&in, &x)) {
			return -EBADMSG;
		}
		n.i = x;
	} else if (data_object(&in, scope, &n, depth + 1) || n.type != V_INT) {
		return -EBADMSG;
	}
	memset(v, 0, sizeof(*v));
	v->type = op == OP_BUFFER ? V_BUF : V_PKG;
	v->p = in.b + in.pos;
	v->len = (uint32_t)(in.end - in.pos);
	v->table = in.table;
	v->scope = (int32_t)scope;
	if (op != OP_BUFFER) {
		v->i = n.i;
	}
	return 0;
}

static int data_object(struct cur *c, int scope, struct val *v,
		       unsigned int depth)
{
	uint8_t op, x;
	uint64_t i;

	if (depth > 2 || rd8(c, &op)) {
		return -EBADMSG;
	}
	switch (op) {
	case OP_ZERO:
	case OP_ONE:
		set_int(v, op);
		return 0;
	case OP_ONES:
		set_int(v, g_mask[c->table]);
		return 0;
	case OP_BYTE:
	case OP_WORD:
	case OP_DWORD:
	case OP_QWORD:
		/* ByteConst 1, WordConst 2, DWordConst 4, QWordConst 8 bytes */
		if (rdn(c, op == OP_QWORD ? 8 : 1u << (op - OP_BYTE), &i)) {
			return -EBADMSG;
		}
		set_int(v, i);
		return 0;
	case OP_STRING:
		return string_at(c, v);
	case OP_EXT:
		if (rd8(c, &x) || x != EXT_REVISION) {
			return -EBADMSG;
		}
		set_int(v, 2);
		return 0;
	case OP_BUFFER:
	case OP_PACKAGE:
	case OP_VARPKG:
		return data_package(c, op, scope, v, depth);
	default:
		return -EBADMSG;
	}
}

/* Skip one DataObject (Name's value) without keeping it. */
static int skip_data(struct cur *c)
{
	struct val v;

	return data_object(c, 0, &v, 0);
}

/* Element idx of a package (a DataRefObject or a NameString). */
static int pkg_elem(struct ectx *e, const struct val *pkg, unsigned int idx,
		    struct val *out, unsigned int depth)
{
	struct cur c;
	unsigned int k;

	if (pkg->type != V_PKG || idx >= pkg->i) {
		return -ERANGE;
	}
	c.b = g_tab[pkg->table];
	c.pos = (size_t)(pkg->p - c.b);
	c.end = c.pos + pkg->len;
	c.table = pkg->table;
	for (k = 0; k <= idx; k++) {
		uint8_t ch;
		int r;

		if (c.pos >= c.end) {
			return -ERANGE; /* fewer initializers: uninitialized */
		}
		if (peek8(&c, &ch)) {
			return -EBADMSG;
		}
		if (name_start(ch)) {
			struct nstr ns;

			if (name_string(&c, &ns)) {
				return -EBADMSG;
			}
			if (k == idx) {
				int n = resolve(&ns, c.b, pkg->scope);

				if (n < 0) {
					return n;
				}
				return node_value(e, n, out, depth + 1);
			}
			continue;
		}
		r = data_object(&c, pkg->scope, out, 0);
		if (r) {
			return r;
		}
	}
	return 0;
}

/* The OperationRegion a Field unit names, if the host can read it. */
static int field_region(const struct node *fn, const struct node **rg)
{
	struct cur c;
	struct nstr ns;
	int r;

	if (fn->type != N_FIELD) {
		return -ENOSYS;
	}
	c.b = g_tab[fn->table];
	c.pos = fn->off;
	c.end = g_tlen[fn->table];
	c.table = fn->table;
	if (name_string(&c, &ns)) {
		return -EBADMSG;
	}
	r = resolve(&ns, c.b, fn->scope);
	if (r < 0) {
		return r;
	}
	*rg = &g_nodes[r];
	if ((*rg)->type != N_REGION || !(*rg)->flags) {
		return -ENOSYS;
	}
	if (((*rg)->a != AML_SPACE_MEMORY && (*rg)->a != AML_SPACE_IO) ||
	    g_host.read == NULL) {
		return -ENOSYS;
	}
	return 0;
}

/* Bytes per access for FieldFlags' AccessType (19.6.46): WordAcc 2,
 * DWordAcc 4, QWordAcc 8; AnyAcc, ByteAcc, BufferAcc 1. */
static unsigned int access_bytes(uint8_t flags)
{
	switch (flags & 0x0F) {
	case 2:
		return 2;
	case 3:
		return 4;
	case 4:
		return 8;
	default:
		return 1;
	}
}

/* Read a Field unit through the host callback. */
static int field_read(const struct node *fn, struct val *v)
{
	const struct node *rg;
	uint64_t bit = fn->a, width = fn->b, res = 0, u, accb;
	unsigned int acc;
	int r;

	if ((r = field_region(fn, &rg))) {
		return r;
	}
	if (width == 0 || width > 64 || bit + width > rg->rlen * 8) {
		return -ERANGE;
	}
	acc = access_bytes(fn->flags);
	accb = acc * 8u;
	/* at most 9 units: width <= 64 */
	for (u = bit / accb; u <= (bit + width - 1) / accb; u++) {
		uint64_t raw = g_host.read(g_host.ctx, (int)rg->a,
					   rg->base + u * acc, (int)accb);
		uint64_t lo = bit > u * accb ? bit : u * accb;
		uint64_t hi =
		    bit + width < (u + 1) * accb ? bit + width : (u + 1) * accb;
		uint64_t n = hi - lo;
		uint64_t m = n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);

		res |= ((raw >> (lo - u * accb)) & m) << (lo - bit);
	}
	set_int(v, res);
	return 0;
}

static int call_method(struct ectx *e, int n, const struct val *args,
		       unsigned int nargs, struct val *ret, unsigned int depth)
{
	const struct node *m = &g_nodes[n];
	struct frame *f;
	struct cur c;
	int r;

	if (e->calls >= AML_MAX_CALLS || depth > AML_MAX_DEPTH) {
		return -E2BIG;
	}
	f = &g_frames[e->calls];
	memset(f, 0, sizeof(*f));
	f->scope = n;
	f->table = m->table;
	if (nargs > 7) {
		return -EINVAL;
	}
	memcpy(f->arg, args, nargs * sizeof(*args));
	c.b = g_tab[m->table];
	c.pos = m->off;
	c.end = m->end;
	c.table = m->table;
	ret->type = V_NONE;
	e->calls++;
	r = exec_list(e, f, &c, ret, depth + 1);
	e->calls--;
	if (r < 0) {
		return r;
	}
	if (r == ST_BREAK || r == ST_CONTINUE) {
		return -EBADMSG;
	}
	return 0;
}

/* The value of a named object (Name, Field, Alias, argument-less
 * Method). */
static int node_value(struct ectx *e, int n, struct val *v, unsigned int depth)
{
	unsigned int hops;

	for (hops = 0; hops < 8 && g_nodes[n].type == N_ALIAS; hops++) {
		const struct node *a = &g_nodes[n];
		struct cur c = {g_tab[a->table], a->off, g_tlen[a->table],
				a->table};
		struct nstr ns;

		if (name_string(&c, &ns)) {
			return -EBADMSG;
		}
		n = resolve(&ns, c.b, a->scope);
		if (n < 0) {
			return n;
		}
	}
	switch (g_nodes[n].type) {
	case N_NAME: {
		const struct node *d = &g_nodes[n];
		struct cur c = {g_tab[d->table], d->off, d->end, d->table};

		return data_object(&c, d->parent, v, 0);
	}
	case N_FIELD:
	case N_INDEXFIELD:
		return field_read(&g_nodes[n], v);
	case N_METHOD:
		if (g_nodes[n].a & 7) {
			return -EINVAL;
		}
		return call_method(e, n, NULL, 0, v, depth);
	default:
		return -ENOSYS;
	}
}

/* Where a result goes: nowhere, a Local or an Arg. */
struct target {
	struct val *slot; /* NULL: discard */
};

static int target(struct frame *f, struct cur *c, struct target *t)
{
	uint8_t op;

	if (peek8(c, &op)) {
		return -EBADMSG;
	}
	t->slot = NULL;
	if (op == OP_ZERO) {
		c->pos++;
		return 0;
	}
	if (op >= OP_LOCAL0 && op <= OP_LOCAL7) {
		c->pos++;
		t->slot = &f->local[op - OP_LOCAL0];
		return 0;
	}
	if (op >= OP_ARG0 && op <= OP_ARG6) {
		c->pos++;
		t->slot = &f->arg[op - OP_ARG0];
		return 0;
	}
	if (op == OP_EXT && c->end - c->pos >= 2 &&
	    c->b[c->pos + 1] == EXT_DEBUG) {
		c->pos += 2;
		return 0;
	}
	/* named objects, RefOf, Index, ...: not supported */
	return -ENOSYS;
}

static void store(const struct target *t, const struct val *v)
{
	if (t->slot != NULL) {
		*t->slot = *v;
	}
}

/* Compare two values: <0, 0, >0; strings and buffers bytewise. */
static int compare(const struct val *a, const struct val *b, int *res)
{
	uint64_t x, y;

	if ((a->type == V_STR || a->type == V_BUF) &&
	    (b->type == V_STR || b->type == V_BUF)) {
		uint32_t n = a->len < b->len ? a->len : b->len;
		int m = n ? memcmp(a->p, b->p, n) : 0;

		if (m == 0) {
			m = a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
		}
		*res = m;
		return 0;
	}
	if (to_int(a, &x) || to_int(b, &y)) {
		return -EINVAL;
	}
	*res = x < y ? -1 : x > y ? 1 : 0;
	return 0;
}

static int int_arg(struct ectx *e, struct frame *f, struct cur *c,
		   uint64_t *out, unsigned int depth)
{
	struct val v;
	int r = term_arg(e, f, c, &v, depth);

	if (r) {
		return r;
	}
	return to_int(&v, out);
}

/* The integer operators with two operands and a Target (19.6). */
static uint64_t binary_op(uint8_t op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_ADD:
		return a + b;
	case OP_SUBTRACT:
		return a - b;
	case OP_MULTIPLY:
		return a * b;
	case OP_SHL:
		return b >= 64 ? 0 : a << b;
	case OP_SHR:
		return b >= 64 ? 0 : a >> b;
	case OP_AND:
		return a & b;
	case OP_NAND:
		return ~(a & b);
	case OP_OR:
		return a | b;
	case OP_NOR:
		return ~(a | b);
	case OP_XOR:
		return a ^ b;
	default:
		return 0;
	}
}

/* Divide (Dividend, Divisor, Remainder, Result) after both operands. */
static int divide(struct frame *f, struct cur *c, uint64_t a, uint64_t b,
		  struct val *v)
{
	struct target rem, t;
	struct val rv;
	int r;

	if (b == 0) {
		return -EINVAL;
	}
	if ((r = target(f, c, &rem)) || (r = target(f, c, &t))) {
		return r;
	}
	set_int(&rv, a % b);
	store(&rem, &rv);
	set_int(v, a / b);
	store(&t, v);
	return 0;
}

static int binary(struct ectx *e, struct frame *f, struct cur *c, uint8_t op,
		  struct val *v, unsigned int depth)
{
	uint64_t a, b;
	struct target t;
	int r;

	if ((r = int_arg(e, f, c, &a, depth)) ||
	    (r = int_arg(e, f, c, &b, depth))) {
		return r;
	}
	if (op == OP_DIVIDE) {
		return divide(f, c, a, b, v);
	}
	if ((r = target(f, c, &t))) {
		return r;
	}
	set_int(v, binary_op(op, a, b) & g_mask[c->table]);
	store(&t, v);
	return 0;
}

static int logical(struct ectx *e, struct frame *f, struct cur *c, uint8_t op,
		   struct val *v, unsigned int depth)
{
	struct val a, b;
	uint64_t x, y, ones = g_mask[c->table];
	int r, cmp;

	if (op == OP_LNOT) {
		if ((r = int_arg(e, f, c, &x, depth))) {
			return r;
		}
		set_int(v, x ? 0 : ones);
		return 0;
	}
	if ((r = term_arg(e, f, c, &a, depth)) ||
	    (r = term_arg(e, f, c, &b, depth))) {
		return r;
	}
	if (op == OP_LAND || op == OP_LOR) {
		if (to_int(&a, &x) || to_int(&b, &y)) {
			return -EINVAL;
		}
		set_int(v, (op == OP_LAND ? (x && y) : (x || y)) ? ones : 0);
		return 0;
	}
	if ((r = compare(&a, &b, &cmp))) {
		return r;
	}
	if (op == OP_LEQUAL) {
		set_int(v, cmp == 0 ? ones : 0);
	} else if (op == OP_LGREATER) {
		set_int(v, cmp > 0 ? ones : 0);
	} else {
		set_int(v, cmp < 0 ? ones : 0);
	}
	return 0;
}

/* DerefOf (Index (Source, Index, Target)), after both opcodes: a package
 * element, or a buffer/string byte as an Integer. Target must be null. */
static int deref_index(struct ectx *e, struct frame *f, struct cur *c,
		       struct val *v, unsigned int depth)
{
	struct val src;
	struct target t;
	uint64_t i;
	int r;

	if ((r = term_arg(e, f, c, &src, depth)) ||
	    (r = int_arg(e, f, c, &i, depth)) || (r = target(f, c, &t))) {
		return r;
	}
	if (t.slot != NULL) {
		return -ENOSYS;
	}
	if (src.type == V_PKG) {
		return i < src.i ? pkg_elem(e, &src, (unsigned int)i, v, depth)
				 : -ERANGE;
	}
	if ((src.type == V_BUF || src.type == V_STR) && i < src.len) {
		set_int(v, src.p[i]);
		return 0;
	}
	return -ERANGE;
}

/* A method invocation or a reference to a named object. */
static int named(struct ectx *e, struct frame *f, struct cur *c, struct val *v,
		 unsigned int depth)
{
	struct nstr ns;
	struct val *args;
	unsigned int nargs, i;
	int n, r;

	if (name_string(c, &ns)) {
		return -EBADMSG;
	}
	n = resolve(&ns, c->b, f->scope);
	if (n < 0) {
		return n; /* unknown: its argument count is too */
	}
	if (g_nodes[n].type != N_METHOD) {
		return node_value(e, n, v, depth);
	}
	nargs = g_nodes[n].a & 7;
	if (nargs > 7 || depth > AML_MAX_DEPTH) {
		return -EBADMSG;
	}
	/* one staging row per depth: nested calls in the arguments are
	 * deeper and use other rows */
	args = g_args[depth];
	for (i = 0; i < nargs; i++) {
		if ((r = term_arg(e, f, c, &args[i], depth))) {
			return r;
		}
	}
	return call_method(e, n, args, nargs, v, depth);
}

/* Buffer (BufferSize) {...} or VarPackage (NumElements) {...} in a
 * method: the size or count is any integer TermArg. */
static int term_buffer(struct ectx *e, struct frame *f, struct cur *c,
		       uint8_t op, struct val *v, unsigned int depth)
{
	struct cur in;
	uint64_t n;
	size_t end;
	int r;

	c->pos++;
	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	c->pos = end;
	if ((r = int_arg(e, f, &in, &n, depth + 1))) {
		return r;
	}
	memset(v, 0, sizeof(*v));
	v->type = op == OP_BUFFER ? V_BUF : V_PKG;
	v->p = in.b + in.pos;
	v->len = (uint32_t)(in.end - in.pos);
	v->table = in.table;
	v->scope = (int32_t)f->scope;
	if (op == OP_VARPKG) {
		v->i = n;
	}
	return 0;
}

/* Store (Source, Target); the value is Source. */
static int term_store(struct ectx *e, struct frame *f, struct cur *c,
		      struct val *v, unsigned int depth)
{
	struct target t;
	int r;

	c->pos++;
	if ((r = term_arg(e, f, c, v, depth + 1)) || (r = target(f, c, &t))) {
		return r;
	}
	store(&t, v);
	return 0;
}

/* Not (Operand, Target) and ToInteger (Operand, Target). */
static int term_unary(struct ectx *e, struct frame *f, struct cur *c,
		      uint8_t op, struct val *v, unsigned int depth)
{
	struct target t;
	uint64_t a;
	int r;

	c->pos++;
	if ((r = int_arg(e, f, c, &a, depth + 1)) || (r = target(f, c, &t))) {
		return r;
	}
	set_int(v, (op == OP_NOT ? ~a : a) & g_mask[c->table]);
	store(&t, v);
	return 0;
}

/* Increment (Addend) and Decrement (Addend): a Local or an Arg. */
static int term_incdec(struct frame *f, struct cur *c, uint8_t op,
		       struct val *v)
{
	struct target t;
	uint64_t a;
	int r;

	c->pos++;
	if ((r = target(f, c, &t))) {
		return r;
	}
	if (t.slot == NULL || to_int(t.slot, &a)) {
		return -EINVAL;
	}
	a = op == OP_INCREMENT ? a + 1 : a - 1;
	set_int(v, a & g_mask[c->table]);
	store(&t, v);
	return 0;
}

static int term_sizeof(struct ectx *e, struct frame *f, struct cur *c,
		       struct val *v, unsigned int depth)
{
	int r;

	c->pos++;
	if ((r = term_arg(e, f, c, v, depth + 1))) {
		return r;
	}
	if (v->type == V_STR || v->type == V_BUF) {
		set_int(v, v->len);
	} else if (v->type == V_PKG) {
		set_int(v, v->i);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Only DerefOf (Index (Source, Index)): there are no references. */
static int term_derefof(struct ectx *e, struct frame *f, struct cur *c,
			struct val *v, unsigned int depth)
{
	c->pos++;
	if (c->pos >= c->end || c->b[c->pos] != OP_INDEX) {
		return -ENOSYS;
	}
	c->pos++;
	return deref_index(e, f, c, v, depth + 1);
}

/* Local0-7, Arg0-6: a copy of what was stored there. */
static int term_slot(struct frame *f, struct cur *c, uint8_t op, struct val *v)
{
	const struct val *s =
	    op <= OP_LOCAL7 ? &f->local[op - OP_LOCAL0] : &f->arg[op - OP_ARG0];

	c->pos++;
	if (s->type == V_NONE) {
		return -ENODATA;
	}
	*v = *s;
	return 0;
}

/* Revision, the one extended opcode a TermArg may be here. */
static int term_ext(struct cur *c, struct val *v)
{
	if (c->end - c->pos >= 2 && c->b[c->pos + 1] == EXT_REVISION) {
		c->pos += 2;
		set_int(v, 2);
		return 0;
	}
	return -ENOSYS;
}

/* What kind of TermArg each opcode starts (0: not one the evaluator
 * knows); the handlers below. */
enum term_kind {
	T_NONE,
	T_DATA,	  /* constants, String, Package: as in a Name */
	T_BUFFER, /* Buffer, VarPackage: the size may be computed */
	T_EXT,
	T_STORE,
	T_BINARY,
	T_UNARY,
	T_INCDEC,
	T_LOGICAL,
	T_SIZEOF,
	T_DEREFOF,
};

static const uint8_t term_kinds[256] = {
    [OP_ZERO] = T_DATA,	       [OP_ONE] = T_DATA,
    [OP_ONES] = T_DATA,	       [OP_BYTE] = T_DATA,
    [OP_WORD] = T_DATA,	       [OP_DWORD] = T_DATA,
    [OP_QWORD] = T_DATA,       [OP_STRING] = T_DATA,
    [OP_PACKAGE] = T_DATA,     [OP_BUFFER] = T_BUFFER,
    [OP_VARPKG] = T_BUFFER,    [OP_EXT] = T_EXT,
    [OP_STORE] = T_STORE,      [OP_ADD] = T_BINARY,
    [OP_SUBTRACT] = T_BINARY,  [OP_MULTIPLY] = T_BINARY,
    [OP_DIVIDE] = T_BINARY,    [OP_SHL] = T_BINARY,
    [OP_SHR] = T_BINARY,       [OP_AND] = T_BINARY,
    [OP_NAND] = T_BINARY,      [OP_OR] = T_BINARY,
    [OP_NOR] = T_BINARY,       [OP_XOR] = T_BINARY,
    [OP_NOT] = T_UNARY,	       [OP_TOINTEGER] = T_UNARY,
    [OP_INCREMENT] = T_INCDEC, [OP_DECREMENT] = T_INCDEC,
    [OP_LAND] = T_LOGICAL,     [OP_LOR] = T_LOGICAL,
    [OP_LNOT] = T_LOGICAL,     [OP_LEQUAL] = T_LOGICAL,
    [OP_LGREATER] = T_LOGICAL, [OP_LLESS] = T_LOGICAL,
    [OP_SIZEOF] = T_SIZEOF,    [OP_DEREFOF] = T_DEREFOF,
};

/*
 * What every evaluation step checks first: the nesting bound, the work
 * budget (so an AML loop that never ends runs out instead of hanging the
 * boot), and that an opcode is there to read.
 */
static int step_begin(struct ectx *e, const struct cur *c, unsigned int depth,
		      uint8_t *op)
{
	if (depth > AML_MAX_DEPTH) {
		return -E2BIG;
	}
	if (e->budget == 0) {
		return -ETIMEDOUT;
	}
	e->budget--;
	return peek8(c, op) ? -EBADMSG : 0;
}

static int term_arg(struct ectx *e, struct frame *f, struct cur *c,
		    struct val *v, unsigned int depth)
{
	uint8_t op;
	int r = step_begin(e, c, depth, &op);

	if (r) {
		return r;
	}
	if (name_start(op)) {
		return named(e, f, c, v, depth + 1);
	}
	if (op >= OP_LOCAL0 && op <= OP_ARG6) {
		return term_slot(f, c, op, v);
	}
	switch (term_kinds[op]) {
	case T_DATA:
		return data_object(c, f->scope, v, 0);
	case T_BUFFER:
		return term_buffer(e, f, c, op, v, depth);
	case T_EXT:
		return term_ext(c, v);
	case T_STORE:
		return term_store(e, f, c, v, depth);
	case T_BINARY:
		c->pos++;
		return binary(e, f, c, op, v, depth + 1);
	case T_UNARY:
		return term_unary(e, f, c, op, v, depth);
	case T_INCDEC:
		return term_incdec(f, c, op, v);
	case T_LOGICAL:
		c->pos++;
		return logical(e, f, c, op, v, depth + 1);
	case T_SIZEOF:
		return term_sizeof(e, f, c, v, depth);
	case T_DEREFOF:
		return term_derefof(e, f, c, v, depth);
	default:
		return -ENOSYS;
	}
}

/* If (Predicate) {...} and the Else {...} right after it, if any. */
static int exec_if(struct ectx *e, struct frame *f, struct cur *c,
		   struct val *ret, unsigned int depth)
{
	struct cur in;
	bool has_else = false;
	size_t end, else_end = 0;
	uint64_t p;
	int r;

	c->pos++;
	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	c->pos = end;
	if ((r = int_arg(e, f, &in, &p, depth + 1))) {
		return r;
	}
	if (c->pos < c->end && c->b[c->pos] == OP_ELSE) {
		struct cur ec = *c;

		ec.pos++;
		if (pkg_length(&ec, &else_end)) {
			return -EBADMSG;
		}
		has_else = true;
		if (!p) {
			in = ec;
			in.end = else_end;
		}
	}
	if (has_else) {
		c->pos = else_end;
	}
	if (!p && !has_else) {
		return ST_NORMAL;
	}
	return exec_list(e, f, &in, ret, depth + 1);
}

/* While (Predicate) {...}: every pass spends budget in int_arg, so the
 * loop is bounded. */
static int exec_while(struct ectx *e, struct frame *f, struct cur *c,
		      struct val *ret, unsigned int depth)
{
	size_t end, pred;
	uint64_t p;
	int r;

	c->pos++;
	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	pred = c->pos;
	c->pos = end;
	for (;;) {
		struct cur in = *c;

		in.pos = pred;
		in.end = end;
		if ((r = int_arg(e, f, &in, &p, depth + 1))) {
			return r;
		}
		if (!p) {
			return ST_NORMAL;
		}
		r = exec_list(e, f, &in, ret, depth + 1);
		if (r < 0 || r == ST_RETURN) {
			return r;
		}
		if (r == ST_BREAK) {
			return ST_NORMAL;
		}
	}
}

/* An Else with no If before it: skipped. */
static int exec_else(struct cur *c)
{
	size_t end;

	c->pos++;
	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	c->pos = end;
	return ST_NORMAL;
}

/* Sleep (ms) or Stall (us) at the cursor? */
static bool sleep_or_stall(const struct cur *c)
{
	return c->end - c->pos >= 2 &&
	       (c->b[c->pos + 1] == EXT_SLEEP || c->b[c->pos + 1] == EXT_STALL);
}

/* Sleep and Stall: the argument is evaluated, no time is spent. */
static int exec_sleep(struct ectx *e, struct frame *f, struct cur *c,
		      unsigned int depth)
{
	uint64_t p;
	int r;

	c->pos += 2;
	r = int_arg(e, f, c, &p, depth + 1);
	return r ? r : ST_NORMAL;
}

/* One statement: ST_* or a negative errno. */
static int exec_one(struct ectx *e, struct frame *f, struct cur *c,
		    struct val *ret, unsigned int depth)
{
	uint8_t op;
	struct val v;
	int r = step_begin(e, c, depth, &op);

	if (r) {
		return r;
	}
	switch (op) {
	case OP_RETURN:
		c->pos++;
		r = term_arg(e, f, c, ret, depth + 1);
		return r ? r : ST_RETURN;
	case OP_IF:
		return exec_if(e, f, c, ret, depth);
	case OP_ELSE:
		return exec_else(c);
	case OP_WHILE:
		return exec_while(e, f, c, ret, depth);
	case OP_BREAK:
		c->pos++;
		return ST_BREAK;
	case OP_CONTINUE:
		c->pos++;
		return ST_CONTINUE;
	case OP_NOOP:
		c->pos++;
		return ST_NORMAL;
	case OP_EXT:
		if (sleep_or_stall(c)) {
			return exec_sleep(e, f, c, depth);
		}
		break;
	default:
		break;
	}
	/* an expression as a statement: its value is dropped */
	r = term_arg(e, f, c, &v, depth + 1);
	return r ? r : ST_NORMAL;
}

static int exec_list(struct ectx *e, struct frame *f, struct cur *c,
		     struct val *ret, unsigned int depth)
{
	while (c->pos < c->end) {
		int r = exec_one(e, f, c, ret, depth);

		if (r != ST_NORMAL) {
			return r;
		}
	}
	return ST_NORMAL;
}

/* ---- the namespace walk ---------------------------------------------- */

static int walk(struct cur *c, int scope, unsigned int depth);

/* Walk the TermList [pos, end) of an object that opens a scope. */
static void walk_body(struct cur *c, size_t end, int node, unsigned int depth)
{
	struct cur in = *c;

	in.end = end;
	if (node < 0) {
		g_st.skipped_ops++;
	} else if (depth + 1 > AML_MAX_SCOPES) {
		g_st.skipped_ops++;
	} else {
		(void)walk(&in, node, depth + 1);
	}
	c->pos = end;
}

/* Where a FieldList declares its units, and what it has seen so far. */
struct field_ctx {
	int scope;
	size_t region_off; /* the Field's region NameString */
	uint8_t flags;	   /* FieldFlags, AccessType updated by AccessField */
	uint8_t type;	   /* N_FIELD or N_INDEXFIELD */
	uint64_t bit;	   /* offset of the next unit */
};

/* ConnectField: a NameString or a BufferData, both skipped. */
static int connect_field(struct cur *c)
{
	struct nstr ns;
	uint8_t x;
	size_t end;

	if (peek8(c, &x)) {
		return -EBADMSG;
	}
	if (x == OP_BUFFER) {
		c->pos++;
		if (pkg_length(c, &end)) {
			return -EBADMSG;
		}
		c->pos = end;
		return 0;
	}
	return name_string(c, &ns) ? -EBADMSG : 0;
}

/* NamedField: NameSeg PkgLength(bits), the NameSeg's first byte read. */
static int named_field(struct cur *c, struct field_ctx *fc)
{
	struct cur nc = *c;
	struct nstr ns;
	size_t n;
	int nd;

	nc.pos--;
	nc.end = c->pos + 3 <= c->end ? c->pos + 3 : c->end;
	if (name_string(&nc, &ns) || ns.nseg != 1) {
		return -EBADMSG;
	}
	c->pos = nc.pos;
	if (pkg_value(c, &n)) {
		return -EBADMSG;
	}
	nd = declare(&ns, c, fc->scope, fc->type);
	if (nd >= 0) {
		g_nodes[nd].off = (uint32_t)fc->region_off;
		g_nodes[nd].scope = (int32_t)fc->scope;
		g_nodes[nd].a = (uint32_t)fc->bit;
		g_nodes[nd].b = (uint32_t)n;
		g_nodes[nd].flags = fc->flags;
	} else if (!NO_ROOM(nd)) { /* no room: counted */
		g_st.skipped_ops++;
	}
	fc->bit += n;
	return 0;
}

/* FieldList (20.2.5.2) of a Field or IndexField. */
static int field_list(struct cur *c, int scope, size_t region_off,
		      uint8_t flags, uint8_t type)
{
	struct field_ctx fc = {scope, region_off, flags, type, 0};

	while (c->pos < c->end) {
		uint8_t ch, x = 0;
		size_t n;
		uint64_t skip;
		int r = 0;

		if (rd8(c, &ch)) {
			return -EBADMSG;
		}
		if (ch == 0x00) { /* ReservedField */
			r = pkg_value(c, &n);
			fc.bit += r ? 0 : n;
		} else if (ch == 0x01 || ch == 0x03) {
			/* AccessField: AccessType AccessAttrib;
			 * ExtendedAccessField: AccessType ExtendedAccessAttrib
			 * AccessLength */
			r = rd8(c, &x) || rdn(c, ch == 0x01 ? 1 : 2, &skip);
			fc.flags = (uint8_t)((fc.flags & 0xF0) | (x & 0x0F));
		} else if (ch == 0x02) {
			r = connect_field(c);
		} else if (lead_char(ch)) {
			r = named_field(c, &fc);
		} else {
			r = -EBADMSG;
		}
		if (r) {
			return -EBADMSG;
		}
	}
	return 0;
}

/* OperationRegion: NameString RegionSpace RegionOffset RegionLen. */
static int op_region(struct cur *c, int scope)
{
	struct ectx e = {AML_BUDGET, 1};
	struct frame *f = &g_frames[0];
	struct nstr ns;
	uint8_t space;
	uint64_t base, len;
	int n;

	if (name_string(c, &ns) || rd8(c, &space)) {
		return -EBADMSG;
	}
	memset(f, 0, sizeof(*f));
	f->scope = scope;
	f->table = c->table;
	/* the walk cannot go on if these do not parse; they are
	 * constants in practice: 8 levels of nesting, to keep the stack
	 * small under a deep walk */
	if (int_arg(&e, f, c, &base, AML_MAX_DEPTH - 8) ||
	    int_arg(&e, f, c, &len, AML_MAX_DEPTH - 8)) {
		return -ENOSYS;
	}
	n = declare(&ns, c, scope, N_REGION);
	if (n >= 0) {
		g_nodes[n].a = space;
		g_nodes[n].base = base;
		g_nodes[n].rlen = len;
		g_nodes[n].flags = 1;
		return 0;
	}
	return NO_ROOM(n) ? 0 : 1; /* no room: counted by declare */
}

/* Declare, and count what could not be. */
static int decl_or_skip(const struct nstr *ns, const struct cur *c, int scope,
			uint8_t type)
{
	int n = declare(ns, c, scope, type);

	if (n < 0 && !NO_ROOM(n)) {
		g_st.skipped_ops++;
	}
	return n;
}

/*
 * The walk's steps, one per kind of term, each after its opcode: 0 to go
 * on with the scope, <0 to stop it (-EBADMSG is counted by walk).
 */

/* Scope (NameString) {TermList}: walked in the object it names. */
static int walk_scope(struct cur *c, int scope, unsigned int depth)
{
	struct cur in;
	struct nstr ns;
	size_t end;
	int n;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	if (name_string(&in, &ns)) {
		return -EBADMSG;
	}
	n = resolve(&ns, c->b, scope);
	c->pos = in.pos;
	walk_body(c, end, n, depth);
	return 0;
}

/* Name (NameString, DataRefObject): the object's bytes are recorded. */
static int walk_name(struct cur *c, int scope)
{
	struct nstr ns;
	size_t start;
	int n;

	if (name_string(c, &ns)) {
		return -EBADMSG;
	}
	start = c->pos;
	if (skip_data(c)) {
		return -EBADMSG;
	}
	n = decl_or_skip(&ns, c, scope, N_NAME);
	if (n >= 0) {
		g_nodes[n].off = (uint32_t)start;
		g_nodes[n].end = (uint32_t)c->pos;
	}
	return 0;
}

/* Method (NameString, MethodFlags) {TermList}: the body is recorded,
 * not walked. */
static int walk_method(struct cur *c, int scope)
{
	struct cur in;
	struct nstr ns;
	uint8_t flags;
	size_t end;
	int n;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	if (name_string(&in, &ns) || rd8(&in, &flags)) {
		return -EBADMSG;
	}
	n = decl_or_skip(&ns, c, scope, N_METHOD);
	if (n >= 0) {
		g_nodes[n].off = (uint32_t)in.pos;
		g_nodes[n].end = (uint32_t)end;
		g_nodes[n].a = flags;
		g_st.methods++;
	}
	c->pos = end;
	return 0;
}

/* Alias (SourceObject, AliasObject): the source is resolved when used. */
static int walk_alias(struct cur *c, int scope)
{
	struct nstr ns, ns2;
	size_t start = c->pos;
	int n;

	if (name_string(c, &ns) || name_string(c, &ns2)) {
		return -EBADMSG;
	}
	n = decl_or_skip(&ns2, c, scope, N_ALIAS);
	if (n >= 0) {
		g_nodes[n].off = (uint32_t)start;
		g_nodes[n].scope = (int32_t)scope;
	}
	return 0;
}

/* A term with a PkgLength the walk does not look into: counted. */
static int walk_skip(struct cur *c)
{
	size_t end;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	c->pos = end;
	g_st.skipped_ops++;
	return 0;
}

/* Device, ThermalZone, Processor, PowerResource: a named scope. */
static int walk_scoped(struct cur *c, uint8_t ext, int scope,
		       unsigned int depth)
{
	struct cur in;
	struct nstr ns;
	uint64_t skip;
	size_t end;
	uint8_t type = ext == EXT_DEVICE      ? N_DEVICE
		       : ext == EXT_THERMAL   ? N_THERMAL
		       : ext == EXT_PROCESSOR ? N_PROCESSOR
					      : N_POWER;
	int n;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	if (name_string(&in, &ns)) {
		return -EBADMSG;
	}
	/* ProcID, PblkAddr, PblkLen / SystemLevel, ResourceOrder */
	if ((ext == EXT_PROCESSOR && rdn(&in, 6, &skip)) ||
	    (ext == EXT_POWERRES && rdn(&in, 3, &skip))) {
		return -EBADMSG;
	}
	n = decl_or_skip(&ns, c, scope, type);
	c->pos = in.pos;
	walk_body(c, end, NO_ROOM(n) ? LIMBO : n, depth);
	return 0;
}

/* OperationRegion: a region that is not declared is counted. */
static int walk_region(struct cur *c, int scope)
{
	int n = op_region(c, scope);

	if (n > 0) {
		g_st.skipped_ops++; /* not declared */
		return 0;
	}
	if (n == -ENOSYS) {
		g_st.skipped_ops++; /* -EBADMSG: counted by walk */
	}
	return n;
}

/* Field (RegionName, FieldFlags) and IndexField (IndexName, DataName,
 * FieldFlags), then the FieldList. */
static int walk_field(struct cur *c, uint8_t ext, int scope)
{
	struct cur in;
	struct nstr ns, ns2;
	size_t end, region;
	uint8_t flags;

	if (pkg_length(c, &end)) {
		return -EBADMSG;
	}
	in = *c;
	in.end = end;
	region = in.pos;
	if (name_string(&in, &ns) ||
	    (ext == EXT_INDEXFIELD && name_string(&in, &ns2)) ||
	    rd8(&in, &flags)) {
		return -EBADMSG;
	}
	if (field_list(&in, scope, region, flags,
		       ext == EXT_FIELD ? N_FIELD : N_INDEXFIELD) < 0) {
		g_st.skipped_ops++;
	}
	c->pos = end;
	return 0;
}

/* Mutex (NameString, SyncFlags) and Event (NameString). */
static int walk_sync(struct cur *c, uint8_t ext, int scope)
{
	struct nstr ns;
	uint64_t skip;

	if (name_string(c, &ns) || (ext == EXT_MUTEX && rdn(c, 1, &skip))) {
		return -EBADMSG;
	}
	(void)decl_or_skip(&ns, c, scope, N_OTHER);
	return 0;
}

/* The terms after ExtOpPrefix. */
static int walk_ext(struct cur *c, int scope, unsigned int depth)
{
	uint8_t ext;

	if (rd8(c, &ext)) {
		return -EBADMSG;
	}
	switch (ext) {
	case EXT_DEVICE:
	case EXT_THERMAL:
	case EXT_PROCESSOR:
	case EXT_POWERRES:
		return walk_scoped(c, ext, scope, depth);
	case EXT_REGION:
		return walk_region(c, scope);
	case EXT_FIELD:
	case EXT_INDEXFIELD:
		return walk_field(c, ext, scope);
	case EXT_MUTEX:
	case EXT_EVENT:
		return walk_sync(c, ext, scope);
	case EXT_BANKFIELD:
		return walk_skip(c);
	default:
		g_st.skipped_ops++;
		return -ENOSYS;
	}
}

/* One namespace-level term. 0: go on; <0: stop this scope. */
static int walk_one(struct cur *c, int scope, unsigned int depth)
{
	struct nstr ns;
	uint64_t skip;
	uint8_t op;

	if (rd8(c, &op)) {
		return -EBADMSG;
	}
	switch (op) {
	case OP_SCOPE:
		return walk_scope(c, scope, depth);
	case OP_NAME:
		return walk_name(c, scope);
	case OP_METHOD:
		return walk_method(c, scope);
	case OP_ALIAS:
		return walk_alias(c, scope);
	case OP_EXTERNAL: /* a declaration only: no node */
		if (name_string(c, &ns) || rdn(c, 2, &skip)) {
			return -EBADMSG;
		}
		return 0;
	case OP_IF:
	case OP_ELSE:
	case OP_WHILE:
	case OP_BUFFER:
	case OP_PACKAGE:
	case OP_VARPKG:
		return walk_skip(c);
	case OP_EXT:
		return walk_ext(c, scope, depth);
	default:
		g_st.skipped_ops++;
		return -ENOSYS;
	}
}

static int walk(struct cur *c, int scope, unsigned int depth)
{
	/* every term consumes at least one byte */
	while (c->pos < c->end) {
		int r = walk_one(c, scope, depth);

		if (r < 0) {
			if (r == -EBADMSG) {
				g_st.skipped_ops++;
			}
			return r;
		}
	}
	return 0;
}

/* ---- devices --------------------------------------------------------- */

static void eisa_id(uint32_t v, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t s = ((v & 0xFF) << 24) | ((v & 0xFF00) << 8) |
		     ((v >> 8) & 0xFF00) | (v >> 24);

	out[0] = (char)('@' + ((s >> 26) & 0x1F));
	out[1] = (char)('@' + ((s >> 21) & 0x1F));
	out[2] = (char)('@' + ((s >> 16) & 0x1F));
	out[3] = hex[(s >> 12) & 0xF];
	out[4] = hex[(s >> 8) & 0xF];
	out[5] = hex[(s >> 4) & 0xF];
	out[6] = hex[s & 0xF];
	out[7] = '\0';
}

/* An ID (_HID, _CID element): EISA integer or string, into out[9]. */
static int id_value(const struct val *v, char *out)
{
	uint32_t i;

	if (v->type == V_INT) {
		eisa_id((uint32_t)v->i, out);
		return 0;
	}
	if (v->type != V_STR) {
		return -EINVAL;
	}
	for (i = 0; i < v->len && i < 8; i++) {
		out[i] = (char)v->p[i];
	}
	out[i] = '\0';
	return 0;
}

static int make_path(int n, char *out, size_t size)
{
	int segs[32]; /* more could not fit in aml_device.path */
	unsigned int k = 0, i;
	size_t pos = 0;

	while (n > 0) {
		if (k == ARRAY_SIZE(segs)) {
			return -ERANGE;
		}
		segs[k++] = n;
		n = g_nodes[n].parent;
	}
	out[pos++] = '\\';
	for (i = k; i-- > 0;) {
		uint32_t name = g_nodes[segs[i]].name;
		unsigned int len = 4, j;

		while (len > 1 && ((name >> (8 * (len - 1))) & 0xFF) == '_') {
			len--;
		}
		if (pos + len + (i + 1 < k ? 1 : 0) >= size) {
			out[pos] = '\0';
			return -ERANGE;
		}
		if (i + 1 < k) {
			out[pos++] = '.';
		}
		for (j = 0; j < len; j++) {
			out[pos++] = (char)((name >> (8 * j)) & 0xFF);
		}
	}
	out[pos] = '\0';
	return 0;
}

/* Evaluate child `name` of device d: 1 absent, 0 value, <0 failure. */
static int eval_child(int d, uint32_t name, struct val *v)
{
	struct ectx e = {AML_BUDGET, 0};
	int n = find_child(d, name);

	if (n < 0) {
		return 1;
	}
	n = node_value(&e, n, v, 0);
	if (n < 0) {
		g_st.eval_failures++;
	}
	return n;
}

static void fail(struct aml_device *dev, int err)
{
	if (dev->error == 0) {
		dev->error = err;
	}
}

/* _HID: an EISA ID or a string. */
static void describe_hid(int d, struct aml_device *dev)
{
	struct val v;
	int r = eval_child(d, NAME4('_', 'H', 'I', 'D'), &v);

	if (r == 0 && (r = id_value(&v, dev->hid)) < 0) {
		g_st.eval_failures++;
	}
	if (r < 0) {
		fail(dev, r);
	}
}

/* _CID: one ID, or a package of them (the first 4 kept, the rest
 * counted in cid_dropped). */
static void describe_cid(int d, struct aml_device *dev)
{
	struct val v, el;
	uint64_t i;
	int r = eval_child(d, NAME4('_', 'C', 'I', 'D'), &v);

	if (r == 0 && v.type == V_PKG) {
		struct ectx e = {AML_BUDGET, 0};

		for (i = 0; i < v.i && dev->ncid < 4; i++) {
			if ((r = pkg_elem(&e, &v, (unsigned int)i, &el, 0)) ||
			    (r = id_value(&el, dev->cid[dev->ncid]))) {
				break;
			}
			dev->ncid++;
		}
		if (r < 0) {
			g_st.eval_failures++;
		} else if (v.i > dev->ncid) {
			i = v.i - dev->ncid;
			dev->cid_dropped =
			    i > 0xFFFF ? 0xFFFF : (unsigned int)i;
		}
	} else if (r == 0) {
		if ((r = id_value(&v, dev->cid[0])) == 0) {
			dev->ncid = 1;
		} else {
			g_st.eval_failures++;
		}
	}
	if (r < 0) {
		fail(dev, r);
	}
}

/* A string _UID: decimal, or hex after "0x". false if it is neither. */
static bool uid_string(const struct val *v, uint64_t *out)
{
	bool hex =
	    v->len > 2 && v->p[0] == '0' && (v->p[1] == 'x' || v->p[1] == 'X');
	uint64_t x = 0;
	uint32_t i;

	for (i = hex ? 2 : 0; i < v->len; i++) {
		uint8_t ch = v->p[i];

		if (ch >= '0' && ch <= '9') {
			x = x * (hex ? 16 : 10) + (ch - '0');
		} else if (hex && ch >= 'a' && ch <= 'f') {
			x = x * 16 + (ch - 'a' + 10);
		} else if (hex && ch >= 'A' && ch <= 'F') {
			x = x * 16 + (ch - 'A' + 10);
		} else {
			return false;
		}
	}
	*out = x;
	return true;
}

static void describe_uid(int d, struct aml_device *dev)
{
	struct val v;
	int r = eval_child(d, NAME4('_', 'U', 'I', 'D'), &v);

	if (r == 0 && v.type == V_INT) {
		dev->uid = v.i;
		dev->has_uid = true;
	} else if (r == 0 && v.type == V_STR && v.len > 0) {
		dev->has_uid = uid_string(&v, &dev->uid); /* else uid 0 */
	} else if (r < 0) {
		fail(dev, r);
	}
}

/* _STA: false when it evaluated and says "not present" (bit 0 clear). */
static bool describe_sta(int d, struct aml_device *dev)
{
	struct val v;
	uint64_t x;
	int r = eval_child(d, NAME4('_', 'S', 'T', 'A'), &v);

	if (r == 0 && to_int(&v, &x) == 0) {
		dev->sta = (uint32_t)x;
	} else if (r == 0) {
		g_st.eval_failures++;
		dev->sta = 0;
		fail(dev, -EINVAL);
	} else if (r < 0) {
		dev->sta = 0;
		fail(dev, r);
	}
	return !(r == 0 && !(dev->sta & 1));
}

/* _CRS: the first 8 entries kept, the rest counted in res_dropped. */
static void describe_crs(int d, struct aml_device *dev)
{
	struct val v;
	unsigned int skipped, total;
	int r = eval_child(d, NAME4('_', 'C', 'R', 'S'), &v);

	if (r == 0 && v.type != V_BUF) {
		g_st.eval_failures++;
		r = -EINVAL;
	} else if (r == 0) {
		r = acpi_res_decode(v.p, v.len, dev->res, ARRAY_SIZE(dev->res),
				    &dev->nres, &skipped);
		if (r == -ENOSPC) {
			(void)acpi_res_count(v.p, v.len, &total);
			dev->res_truncated = true;
			dev->res_dropped = total - dev->nres;
			r = 0;
		} else if (r < 0) {
			g_st.eval_failures++;
		}
	}
	if (r < 0) {
		fail(dev, r);
	}
}

static void describe(int d, struct aml_device *dev)
{
	int r;

	memset(dev, 0, sizeof(*dev));
	dev->sta = 0x0F;
	if ((r = make_path(d, dev->path, sizeof(dev->path)))) {
		fail(dev, r);
	}
	describe_hid(d, dev);
	describe_cid(d, dev);
	describe_uid(d, dev);
	if (describe_sta(d, dev)) {
		describe_crs(d, dev); /* not present: its _CRS means nothing */
	}
}

/* A fresh namespace: the root, LIMBO, the predefined scopes (5.3.1).
 * The first nodes come from the heap too: -ENOMEM if they cannot. */
static int namespace_reset(size_t bytes)
{
	static const uint32_t roots[] = {
	    NAME4('_', 'S', 'B', '_'), NAME4('_', 'G', 'P', 'E'),
	    NAME4('_', 'P', 'R', '_'), NAME4('_', 'T', 'Z', '_'),
	    NAME4('_', 'S', 'I', '_')};
	unsigned int i;

	memset(&g_st, 0, sizeof(g_st));
	g_nodes = NULL;
	g_nnodes = g_ncap = 0;
	g_full = false;
	bytes = bytes / 4 + 2 + ARRAY_SIZE(roots);
	g_node_limit = bytes > INT32_MAX ? INT32_MAX : (unsigned int)bytes;
	if (new_node(-1, NAME4('\\', '_', '_', '_'), N_SCOPE, 0) < 0 ||
	    new_node(-1, 0, N_SCOPE, 0) != LIMBO) {
		return -ENOMEM;
	}
	g_nodes[LIMBO].parent = 0;
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		if (new_node(0, roots[i], N_SCOPE, 0) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* Walk table i (t, avail bytes readable) into the namespace, if its
 * header is sound; else count it in bad_tables. */
static void load_table(unsigned int i, const uint8_t *t, size_t avail)
{
	size_t len;
	struct cur c;

	g_tab[i] = t;
	g_tlen[i] = 0;
	g_mask[i] = ~(uint64_t)0;
	if (avail < HDR_LEN) {
		g_st.bad_tables++;
		return;
	}
	len = get_le32(t + 4);
	if (len < HDR_LEN || len > avail) {
		g_st.bad_tables++;
		return;
	}
	g_tlen[i] = len;
	if (t[8] < 2) { /* ComplianceRevision < 2: 32-bit integers (19.6,
			   DefinitionBlock) */
		g_mask[i] = 0xFFFFFFFFu;
	}
	c.b = t;
	c.pos = HDR_LEN;
	c.end = len;
	c.table = (uint16_t)i;
	/* with the namespace full, the walk goes on to count */
	(void)walk(&c, 0, 0);
}

/* The per-table arrays, one block: -ENOMEM (said) if the heap fails. */
static int tables_alloc(unsigned int ntables)
{
	size_t each = sizeof(*g_tab) + sizeof(*g_tlen) + sizeof(*g_mask);
	uint8_t *b = kmalloc(ntables ? ntables * each : 1, 0);

	if (b == NULL) {
		kprintf("aml: out of memory for the list of %u AML tables: "
			"no namespace, no devices\n",
			ntables);
		return -ENOMEM;
	}
	g_mask = (uint64_t *)b;
	g_tlen = (size_t *)(b + ntables * sizeof(*g_mask));
	g_tab = (const uint8_t **)(b + ntables *
					   (sizeof(*g_mask) + sizeof(*g_tlen)));
	return 0;
}

/* Room for device n in *out (doubling from 16); -ENOMEM, said, if not. */
static int grow_devices(struct aml_device **out, unsigned int n,
			unsigned int *cap, int node)
{
	unsigned int want = *cap ? 2 * *cap : 16;
	struct aml_device *d;
	char path[64];

	if (n < *cap) {
		return 0;
	}
	if (want > g_st.devices) {
		want = g_st.devices;
	}
	d = krealloc(*out, (size_t)want * sizeof(*d), 0);
	if (d != NULL) {
		*out = d;
		*cap = want;
		return 0;
	}
	(void)make_path(node, path, sizeof(path));
	kprintf("aml: out of memory for the description of device %s (%u "
		"described): it and %u more are left out\n",
		path, n, g_st.devices - n - 1);
	return -ENOMEM;
}

/* Every Device, in creation order, into a heap array *out. */
static void describe_all(struct aml_device **out, unsigned int *count)
{
	unsigned int i, n = 0, cap = 0;

	for (i = 0; i < g_nnodes; i++) {
		g_st.devices += g_nodes[i].type == N_DEVICE;
	}
	for (i = 0; i < g_nnodes; i++) {
		if (g_nodes[i].type != N_DEVICE) {
			continue;
		}
		if (grow_devices(out, n, &cap, (int)i)) {
			g_st.devices_nomem = g_st.devices - n;
			break;
		}
		describe((int)i, &(*out)[n++]);
	}
	*count = n;
}

int aml_enumerate(const uint8_t *const *tables, const size_t *lens,
		  unsigned int ntables, struct aml_device **out,
		  unsigned int *count, struct aml_stats *stats)
{
	unsigned int i;
	size_t bytes = 0;
	int ret = 0;

	if ((tables == NULL && ntables) || (lens == NULL && ntables) ||
	    ntables > AML_TABLES_LIMIT || out == NULL || count == NULL) {
		return -EINVAL;
	}
	for (i = 0; i < ntables; i++) {
		if (tables[i] == NULL) {
			return -EINVAL;
		}
		bytes += lens[i] < UINT32_MAX ? lens[i] : UINT32_MAX;
	}
	*out = NULL;
	*count = 0;
	if (namespace_reset(bytes) || tables_alloc(ntables)) {
		if (g_nnodes < 2 + 5) {
			kprintf("aml: out of memory for the namespace's root: "
				"no devices\n");
		}
		g_tab = NULL;
		ret = -ENOMEM;
	} else {
		for (i = 0; i < ntables; i++) {
			load_table(i, tables[i], lens[i]);
		}
		describe_all(out, count);
		ret = g_full ? g_full_err : g_st.devices_nomem ? -ENOMEM : 0;
	}
	kfree(g_mask);
	kfree(g_nodes);
	g_nodes = NULL;
	g_mask = NULL;
	g_tab = NULL;
	g_tlen = NULL;
	g_nnodes = g_ncap = 0;
	if (stats != NULL) {
		*stats = g_st;
	}
	return ret;
}
