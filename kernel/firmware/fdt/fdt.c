/*
 * Flattened device tree reader, following the Devicetree Specification
 * v0.4: chapter 5 for the blob (header 5.2, memory reservation map 5.3,
 * structure block 5.4, strings block 5.5), chapter 2 for the standard
 * properties and chapter 3 for /aliases and /chosen.
 *
 * Everything here is a loop over tokens whose offset strictly increases,
 * bounded by the structure block's size: no recursion, no allocation, and
 * every read checked against the block it belongs to.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kern/bytes.h"
#include "kern/errno.h"
#include "firmware/fdt/fdt.h"

/* Header fields (spec 5.2), each a big-endian u32 at this offset. */
#define FDT_HDR_MAGIC		  0x00
#define FDT_HDR_TOTALSIZE	  0x04
#define FDT_HDR_OFF_DT_STRUCT	  0x08
#define FDT_HDR_OFF_DT_STRINGS	  0x0c
#define FDT_HDR_OFF_MEM_RSVMAP	  0x10
#define FDT_HDR_VERSION		  0x14
#define FDT_HDR_LAST_COMP_VERSION 0x18
#define FDT_HDR_BOOT_CPUID_PHYS	  0x1c /* version 2 on */
#define FDT_HDR_SIZE_DT_STRINGS	  0x20 /* version 3 on */
#define FDT_HDR_SIZE_DT_STRUCT	  0x24 /* version 17 on */
#define FDT_HDR_LEN_V16		  0x24
#define FDT_HDR_LEN_V17		  0x28

/* A reservation entry is two u64: address, size (spec 5.3.2). */
#define FDT_RSV_ENTRY_LEN 16
/* After FDT_PROP come u32 len and u32 nameoff, then the value (5.4.1). */
#define FDT_PROP_HDR_LEN 8

/*
 * Node and property offsets are ints; keep the structure block small
 * enough that an offset rounded up to the next token still is one.
 */
#define FDT_STRUCT_MAX 0x7ffffff0u

/* Whether [off, off + n) lies inside a block of `size` bytes, without
 * computing off + n (which could wrap). */
static bool in_block(size_t off, size_t n, size_t size)
{
	return off <= size && n <= size - off;
}

/* Length of the string at p, looking at most at max bytes: max means the
 * string is not terminated inside them. */
static size_t bounded_strlen(const uint8_t *p, size_t max)
{
	size_t n = 0;

	while (n < max && p[n] != '\0') {
		n++;
	}
	return n;
}

static size_t cstr_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0') {
		n++;
	}
	return n;
}

static bool cstr_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Whether the n bytes at s (no NUL among them) spell the C string c. */
static bool span_eq(const char *s, size_t n, const char *c)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '\0' || c[i] != s[i]) {
			return false;
		}
	}
	return c[n] == '\0';
}

/* Whether the C string c is s[0..n) followed by '@' and a unit address. */
static bool span_eq_base(const char *s, size_t n, const char *c)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '\0' || c[i] != s[i]) {
			return false;
		}
	}
	return c[n] == '@';
}

static bool span_has(const char *s, size_t n, char ch)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ch) {
			return true;
		}
	}
	return false;
}

/*
 * Whether fdt's blocks lie inside blob[0..len). fdt_init guarantees it;
 * checking it on every entry keeps a hand-filled struct fdt from sending
 * the readers outside the blob.
 */
static bool fdt_usable(const struct fdt *fdt)
{
	return fdt != NULL && fdt->blob != NULL &&
	       in_block(fdt->off_struct, fdt->size_struct, fdt->len) &&
	       in_block(fdt->off_strings, fdt->size_strings, fdt->len) &&
	       fdt->size_struct <= FDT_STRUCT_MAX;
}

static const uint8_t *struct_at(const struct fdt *fdt, uint32_t off)
{
	return fdt->blob + fdt->off_struct + off;
}

/*
 * The token at structure offset off, and in *next the offset of the token
 * after it (past a node's name or a property's value, rounded up to 4).
 * -EBADMSG if off is not inside the block, the token is unknown or its
 * payload runs past the block. *next > off whenever a token is returned,
 * which is what bounds every loop in this file.
 */
static int token_next(const struct fdt *fdt, int off, int *next)
{
	uint32_t pos, n;
	uint32_t tag;

	if (off < 0 || (off & 3) != 0 ||
	    !in_block((uint32_t)off, 4, fdt->size_struct)) {
		return -EBADMSG;
	}
	tag = get_be32(struct_at(fdt, (uint32_t)off));
	pos = (uint32_t)off + 4;
	switch (tag) {
	case FDT_BEGIN_NODE:
		/* The name, NUL-terminated, then padding (spec 5.4.1). */
		n = (uint32_t)bounded_strlen(struct_at(fdt, pos),
					     fdt->size_struct - pos);
		if (n == fdt->size_struct - pos) {
			return -EBADMSG;
		}
		pos += n + 1;
		break;
	case FDT_PROP:
		if (!in_block(pos, FDT_PROP_HDR_LEN, fdt->size_struct)) {
			return -EBADMSG;
		}
		n = get_be32(struct_at(fdt, pos));
		pos += FDT_PROP_HDR_LEN;
		if (!in_block(pos, n, fdt->size_struct)) {
			return -EBADMSG;
		}
		pos += n;
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return -EBADMSG;
	}
	/* pos <= size_struct <= FDT_STRUCT_MAX: rounding cannot overflow. */
	*next = (int)((pos + 3) & ~3u);
	return (int)tag;
}

/* An unexpected token (FDT_END inside a node, say) or a read error. */
static int bad_token(int tag)
{
	return tag < 0 ? tag : -EBADMSG;
}

/* Step *off over FDT_NOP tokens; returns the first other token. */
static int skip_nops(const struct fdt *fdt, int *off)
{
	int next, tag;

	for (;;) {
		tag = token_next(fdt, *off, &next);
		if (tag != FDT_NOP) {
			return tag;
		}
		*off = next;
	}
}

/* If node is a node's offset, the offset just after its name; else
 * -EINVAL. */
static int node_body(const struct fdt *fdt, int node)
{
	int next;

	if (!fdt_usable(fdt) ||
	    token_next(fdt, node, &next) != FDT_BEGIN_NODE) {
		return -EINVAL;
	}
	return next;
}

/* The NUL-terminated string at nameoff in the strings block (5.5). */
static int strings_at(const struct fdt *fdt, uint32_t nameoff, const char **str)
{
	const uint8_t *p = fdt->blob + fdt->off_strings;

	if (nameoff >= fdt->size_strings ||
	    bounded_strlen(p + nameoff, fdt->size_strings - nameoff) ==
		fdt->size_strings - nameoff) {
		return -EBADMSG;
	}
	*str = (const char *)(p + nameoff);
	return 0;
}

int fdt_prop_info(const struct fdt *fdt, int prop, const char **name,
		  const void **val, uint32_t *len)
{
	const char *pname;
	int next, err;

	if (!fdt_usable(fdt) || token_next(fdt, prop, &next) != FDT_PROP) {
		return -EINVAL;
	}
	/* token_next checked that the value lies inside the block. */
	err = strings_at(fdt, get_be32(struct_at(fdt, (uint32_t)prop + 8)),
			 &pname);
	if (err) {
		return err;
	}
	if (name) {
		*name = pname;
	}
	if (val) {
		*val = struct_at(fdt, (uint32_t)prop + 4 + FDT_PROP_HDR_LEN);
	}
	if (len) {
		*len = get_be32(struct_at(fdt, (uint32_t)prop + 4));
	}
	return 0;
}

/* A fault the readers cope with, at off: the first one is kept. */
static void damage(struct fdt_damage *dmg, int off, const char *what)
{
	if (dmg->odd == 0) {
		dmg->first = (uint32_t)off;
		dmg->what = what;
	}
	dmg->odd++;
}

/* A fault after which nothing can be read: the tree ends at off. */
static int cut(struct fdt_damage *dmg, int off, const char *what, int err)
{
	dmg->cut = (uint32_t)off;
	dmg->cut_what = what;
	return err;
}

/* What is wrong with the property at off, if anything (spec 5.4.2: a
 * node's properties come before its children; names are in 5.5). */
static const char *prop_fault(const struct fdt *fdt, int off, bool in_props)
{
	if (!in_props) {
		return "a property after a child node";
	}
	if (fdt_prop_info(fdt, off, NULL, NULL, NULL) != 0) {
		return "a property name outside the strings block";
	}
	return NULL;
}

/*
 * One pass over the structure block (spec 5.4.2): known tokens only,
 * a single root, properties before any child node, balanced nesting no
 * deeper than FDT_MAX_DEPTH, property names inside the strings block, and
 * FDT_END after the root closes. Every broken rule is noted in *dmg. The
 * readers cope with three (a node too deep, a property after a child, a
 * name outside the strings block: fdt_parent refuses the first, the
 * readers never see the other two): with `lenient` those are counted and
 * the pass goes on. Any other makes the rest unreadable: -EBADMSG with
 * dmg->cut at the offending token.
 */
static int check_struct(const struct fdt *fdt, bool lenient,
			struct fdt_damage *dmg)
{
	int off = 0, next, tag, depth = 0;
	bool seen_root = false, in_props = false;
	const char *why;

	for (;; off = next) {
		tag = token_next(fdt, off, &next);
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && seen_root) {
				return cut(dmg, off, "a second root node",
					   -EBADMSG);
			}
			if (depth >= FDT_MAX_DEPTH) {
				damage(dmg, off, "nodes nested deeper than 32");
				if (!lenient) {
					return cut(dmg, off, dmg->what,
						   -EBADMSG);
				}
			}
			depth++;
			seen_root = true;
			in_props = true;
			break;
		case FDT_PROP:
			why = prop_fault(fdt, off, in_props);
			if (why) {
				damage(dmg, off, why);
			}
			if (why && !lenient) {
				return cut(dmg, off, why, -EBADMSG);
			}
			break;
		case FDT_END_NODE:
			if (depth == 0) {
				return cut(dmg, off,
					   "an unbalanced FDT_END_NODE",
					   -EBADMSG);
			}
			depth--;
			in_props = false;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth == 0 && seen_root) {
				return 0;
			}
			return cut(dmg, off, "FDT_END inside a node", -EBADMSG);
		default:
			return cut(dmg, off,
				   "a bad token, or one that runs past the "
				   "block",
				   bad_token(tag));
		}
	}
}

/* The reservation map must end with a (0, 0) entry inside the blob. */
static int check_mem_rsvmap(const struct fdt *fdt)
{
	size_t off = fdt->off_mem_rsvmap;

	for (;;) {
		if (!in_block(off, FDT_RSV_ENTRY_LEN, fdt->len)) {
			return -ERANGE;
		}
		if (get_be64(fdt->blob + off) == 0 &&
		    get_be64(fdt->blob + off + 8) == 0) {
			return 0;
		}
		off += FDT_RSV_ENTRY_LEN;
	}
}

/* Header checks (spec 5.2); fills *fdt from it. */
static int read_header(struct fdt *fdt, const uint8_t *p, size_t len)
{
	uint32_t total, version, hdr_len, off_rsv;

	if (p == NULL || len < 4 || get_be32(p + FDT_HDR_MAGIC) != FDT_MAGIC) {
		return -EINVAL;
	}
	if (len < FDT_HDR_LEN_V16) {
		return -ERANGE;
	}
	version = get_be32(p + FDT_HDR_VERSION);
	if (version < FDT_VERSION_MIN ||
	    get_be32(p + FDT_HDR_LAST_COMP_VERSION) > FDT_VERSION_MAX) {
		return -EINVAL;
	}
	hdr_len = version >= 17 ? FDT_HDR_LEN_V17 : FDT_HDR_LEN_V16;
	total = get_be32(p + FDT_HDR_TOTALSIZE);
	if (total < hdr_len) {
		return -EINVAL;
	}
	if (total > len) {
		return -ERANGE;
	}

	fdt->blob = p;
	fdt->len = total;
	fdt->version = version;
	off_rsv = get_be32(p + FDT_HDR_OFF_MEM_RSVMAP);
	fdt->off_mem_rsvmap = off_rsv;
	fdt->off_struct = get_be32(p + FDT_HDR_OFF_DT_STRUCT);
	fdt->off_strings = get_be32(p + FDT_HDR_OFF_DT_STRINGS);
	fdt->size_strings = get_be32(p + FDT_HDR_SIZE_DT_STRINGS);
	if (version >= 17) {
		fdt->size_struct = get_be32(p + FDT_HDR_SIZE_DT_STRUCT);
	} else if (fdt->off_strings > fdt->off_struct &&
		   fdt->off_strings <= total) {
		/* Version 16 has no size: it ends where the strings begin. */
		fdt->size_struct = fdt->off_strings - fdt->off_struct;
	} else if (fdt->off_struct <= total) {
		fdt->size_struct = total - fdt->off_struct;
	} else {
		return -ERANGE;
	}

	/* Spec 5.1: the map is 8-byte aligned, the structure block 4. */
	if ((off_rsv & 7) != 0 || (fdt->off_struct & 3) != 0) {
		return -EINVAL;
	}
	if (off_rsv < hdr_len || fdt->off_struct < hdr_len ||
	    fdt->off_strings < hdr_len ||
	    !in_block(fdt->off_struct, fdt->size_struct, total) ||
	    !in_block(fdt->off_strings, fdt->size_strings, total) ||
	    fdt->size_struct > FDT_STRUCT_MAX) {
		return -ERANGE;
	}
	return 0;
}

static void fdt_clear(struct fdt *fdt)
{
	fdt->blob = NULL;
	fdt->len = 0;
	fdt->off_struct = 0;
	fdt->size_struct = 0;
	fdt->off_strings = 0;
	fdt->size_strings = 0;
	fdt->off_mem_rsvmap = 0;
	fdt->version = 0;
}

size_t fdt_header_totalsize(const void *blob)
{
	const uint8_t *p = blob;

	if (p == NULL || get_be32(p + FDT_HDR_MAGIC) != FDT_MAGIC) {
		return 0;
	}
	return get_be32(p + FDT_HDR_TOTALSIZE);
}

/* The header and the reservation map: without them nothing is known. */
static int check_outline(struct fdt *fdt, const void *blob, size_t len)
{
	int err;

	fdt_clear(fdt);
	/* 1. The header and where it says the blocks are. */
	err = read_header(fdt, blob, len);
	/* 2. The reservation map ends inside the blob. */
	if (err == 0) {
		err = check_mem_rsvmap(fdt);
	}
	if (err != 0) {
		fdt_clear(fdt);
	}
	return err;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t len)
{
	struct fdt_damage dmg = {0};
	int err;

	if (fdt == NULL) {
		return -EINVAL;
	}
	err = check_outline(fdt, blob, len);
	/* 3. The structure block parses, with names in the strings block. */
	if (err == 0) {
		err = check_struct(fdt, false, &dmg);
	}
	if (err != 0) {
		fdt_clear(fdt);
	}
	return err;
}

int fdt_init_partial(struct fdt *fdt, const void *blob, size_t len,
		     struct fdt_damage *dmg)
{
	int err;

	if (fdt == NULL || dmg == NULL) {
		return -EINVAL;
	}
	*dmg = (struct fdt_damage){0};
	err = check_outline(fdt, blob, len);
	if (err != 0) {
		return err;
	}
	err = check_struct(fdt, true, dmg);
	if (err == 0) {
		return 0;
	}
	/*
	 * The tokens before dmg->cut passed every check that matters; cut
	 * the block there, so every reader stops at the damage with
	 * -EBADMSG. The root must have begun before it, or there is nothing.
	 */
	fdt->size_struct = dmg->cut;
	if (fdt_root(fdt) < 0) {
		fdt_clear(fdt);
	}
	return -EBADMSG;
}

int fdt_root(const struct fdt *fdt)
{
	int off = 0, tag;

	if (!fdt_usable(fdt)) {
		return -EINVAL;
	}
	tag = skip_nops(fdt, &off);
	return tag == FDT_BEGIN_NODE ? off : bad_token(tag);
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int off = node_body(fdt, node), next, tag;

	while (off >= 0) {
		tag = token_next(fdt, off, &next);
		switch (tag) {
		case FDT_BEGIN_NODE:
			return off;
		case FDT_END_NODE:
			return -ENOENT;
		case FDT_PROP:
		case FDT_NOP:
			break;
		default:
			return bad_token(tag);
		}
		off = next;
	}
	return off;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int off = node_body(fdt, node), next, tag, depth = 1;

	if (off < 0) {
		return off;
	}
	/* Step over the node's subtree, to just past its FDT_END_NODE. */
	while (depth > 0) {
		tag = token_next(fdt, off, &next);
		switch (tag) {
		case FDT_BEGIN_NODE:
			depth++;
			break;
		case FDT_END_NODE:
			depth--;
			break;
		case FDT_PROP:
		case FDT_NOP:
			break;
		default:
			return bad_token(tag);
		}
		off = next;
	}
	/* A property here breaks spec 5.4.2 (fdt_init refuses it,
	 * fdt_init_partial counts it): step over it to the sibling. */
	while ((tag = skip_nops(fdt, &off)) == FDT_PROP) {
		token_next(fdt, off, &off);
	}
	if (tag == FDT_BEGIN_NODE) {
		return off;
	}
	/* The parent's FDT_END_NODE, or FDT_END after the root. */
	return tag == FDT_END_NODE || tag == FDT_END ? -ENOENT : bad_token(tag);
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0, off = 0, next, tag;

	if (node_body(fdt, node) < 0) {
		return -EINVAL;
	}
	/* Walk from the start keeping the chain of open nodes. */
	while (off <= node) {
		tag = token_next(fdt, off, &next);
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (off == node && depth > FDT_MAX_DEPTH) {
				return -EBADMSG;
			}
			if (off == node) {
				return depth > 0 ? stack[depth - 1] : -ENOENT;
			}
			/* Deeper than the stack (only fdt_init_partial lets
			 * such a tree through): counted, not kept. */
			if (depth < FDT_MAX_DEPTH) {
				stack[depth] = off;
			}
			depth++;
			break;
		case FDT_END_NODE:
			if (depth == 0) {
				return -EBADMSG;
			}
			depth--;
			break;
		case FDT_PROP:
		case FDT_NOP:
			break;
		default:
			return bad_token(tag);
		}
		off = next;
	}
	/* Stepped over node: it is not on a token boundary. */
	return -EINVAL;
}

int fdt_node_name(const struct fdt *fdt, int node, const char **name)
{
	if (node_body(fdt, node) < 0) {
		return -EINVAL;
	}
	/* token_next checked the name is terminated inside the block. */
	if (name) {
		*name = (const char *)struct_at(fdt, (uint32_t)node + 4);
	}
	return 0;
}

int fdt_first_prop(const struct fdt *fdt, int node)
{
	int off = node_body(fdt, node), tag;

	if (off < 0) {
		return off;
	}
	tag = skip_nops(fdt, &off);
	if (tag == FDT_PROP) {
		return off;
	}
	/* Properties come first (5.4.2): a child or the end means none. */
	return tag == FDT_BEGIN_NODE || tag == FDT_END_NODE ? -ENOENT
							    : bad_token(tag);
}

int fdt_next_prop(const struct fdt *fdt, int prop)
{
	int off, tag;

	if (!fdt_usable(fdt) || token_next(fdt, prop, &off) != FDT_PROP) {
		return -EINVAL;
	}
	tag = skip_nops(fdt, &off);
	if (tag == FDT_PROP) {
		return off;
	}
	return tag == FDT_BEGIN_NODE || tag == FDT_END_NODE ? -ENOENT
							    : bad_token(tag);
}

/*
 * Whether the strings block holds name[0..n) and its NUL at nameoff.
 * Compares in place, never reading past the block.
 */
static bool strings_match(const struct fdt *fdt, uint32_t nameoff,
			  const char *name, size_t n)
{
	const uint8_t *p = fdt->blob + fdt->off_strings + nameoff;

	if (nameoff >= fdt->size_strings || n >= fdt->size_strings - nameoff) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)name[i]) {
			return false;
		}
	}
	return p[n] == '\0';
}

/* fdt_get_prop with the name given as n bytes, not NUL-terminated. */
static int get_prop_span(const struct fdt *fdt, int node, const char *name,
			 size_t n, const void **val, uint32_t *len)
{
	const uint8_t *p;
	int off = node_body(fdt, node), next, tag;

	while (off >= 0) {
		tag = token_next(fdt, off, &next);
		if (tag == FDT_PROP) {
			/* FDT_PROP, len, nameoff, value: token_next saw it
			 * all inside the block. */
			p = struct_at(fdt, (uint32_t)off);
			if (strings_match(fdt, get_be32(p + 8), name, n)) {
				if (val) {
					*val = p + 4 + FDT_PROP_HDR_LEN;
				}
				if (len) {
					*len = get_be32(p + 4);
				}
				return 0;
			}
		} else if (tag != FDT_NOP) {
			/* Properties come first: a child or the end means
			 * there is no such property. */
			return tag == FDT_BEGIN_NODE || tag == FDT_END_NODE
				   ? -ENOENT
				   : bad_token(tag);
		}
		off = next;
	}
	return off;
}

int fdt_get_prop(const struct fdt *fdt, int node, const char *name,
		 const void **val, uint32_t *len)
{
	if (name == NULL) {
		return -EINVAL;
	}
	return get_prop_span(fdt, node, name, cstr_len(name), val, len);
}

int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *out)
{
	const void *val;
	uint32_t len;
	int err = fdt_get_prop(fdt, node, name, &val, &len);

	if (err) {
		return err;
	}
	if (len != 4) {
		return -EBADMSG;
	}
	if (out) {
		*out = get_be32(val);
	}
	return 0;
}

int fdt_prop_string(const struct fdt *fdt, int node, const char *name,
		    const char **str)
{
	const void *val;
	uint32_t len;
	int err = fdt_get_prop(fdt, node, name, &val, &len);

	if (err) {
		return err;
	}
	if (bounded_strlen(val, len) == len) {
		return -EBADMSG;
	}
	if (str) {
		*str = val;
	}
	return 0;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	const void *val;
	const char *s;
	uint32_t len;
	size_t n;

	if (compat == NULL ||
	    fdt_get_prop(fdt, node, "compatible", &val, &len) != 0) {
		return false;
	}
	/* A list of NUL-terminated strings (spec 2.2.4.1, <stringlist>). */
	for (s = val; len > 0; s += n + 1, len -= (uint32_t)n + 1) {
		n = bounded_strlen((const uint8_t *)s, len);
		if (n == len) {
			return false; /* an unterminated last string */
		}
		if (span_eq(s, n, compat)) {
			return true;
		}
	}
	return false;
}

int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat)
{
	int off = 0, next, tag;

	if (!fdt_usable(fdt) || compat == NULL) {
		return -EINVAL;
	}
	if (after != -1 && token_next(fdt, after, &off) != FDT_BEGIN_NODE) {
		return -EINVAL;
	}
	for (;;) {
		tag = token_next(fdt, off, &next);
		if (tag == FDT_BEGIN_NODE &&
		    fdt_is_compatible(fdt, off, compat)) {
			return off;
		}
		if (tag == FDT_END) {
			return -ENOENT;
		}
		if (tag < 0) {
			return tag;
		}
		off = next;
	}
}

bool fdt_node_enabled(const struct fdt *fdt, int node)
{
	const char *status;
	int err = fdt_prop_string(fdt, node, "status", &status);

	if (err == -ENOENT) {
		return true;
	}
	return err == 0 && (cstr_eq(status, "okay") || cstr_eq(status, "ok"));
}

/*
 * #address-cells or #size-cells of parent (a node offset, or -ENOENT when
 * the node is the root), falling back to dflt (spec 2.3.5).
 */
static int cells_of(const struct fdt *fdt, int parent, const char *name,
		    uint32_t dflt, uint32_t *cells)
{
	uint32_t v = dflt;
	int err = 0;

	if (parent >= 0) {
		err = fdt_prop_u32(fdt, parent, name, &v);
	} else if (parent != -ENOENT) {
		return parent;
	}
	if (err == -ENOENT) {
		v = dflt;
	} else if (err) {
		return err;
	}
	if (v > FDT_MAX_CELLS) {
		return -ERANGE;
	}
	if (cells) {
		*cells = v;
	}
	return 0;
}

int fdt_address_cells(const struct fdt *fdt, int node, uint32_t *cells)
{
	return cells_of(fdt, fdt_parent(fdt, node), "#address-cells", 2, cells);
}

int fdt_size_cells(const struct fdt *fdt, int node, uint32_t *cells)
{
	return cells_of(fdt, fdt_parent(fdt, node), "#size-cells", 1, cells);
}

/* A 0-, 1- or 2-cell big-endian number. */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++) {
		v = v << 32 | get_be32(p + 4 * i);
	}
	return v;
}

int fdt_reg(const struct fdt *fdt, int node, unsigned index, uint64_t *addr,
	    uint64_t *size)
{
	const uint8_t *p;
	const void *val;
	uint32_t len, ac, sc, entry;
	int parent = fdt_parent(fdt, node), err;

	if (parent < 0 && parent != -ENOENT) {
		return parent;
	}
	err = fdt_get_prop(fdt, node, "reg", &val, &len);
	if (err == 0) {
		err = cells_of(fdt, parent, "#address-cells", 2, &ac);
	}
	if (err == 0) {
		err = cells_of(fdt, parent, "#size-cells", 1, &sc);
	}
	if (err) {
		return err;
	}
	if (ac > 2 || sc > 2) {
		return -ERANGE;
	}
	entry = 4 * (ac + sc);
	if (entry == 0) {
		return len == 0 ? -ENOENT : -EBADMSG;
	}
	if (len % entry != 0) {
		return -EBADMSG;
	}
	if (index >= len / entry) {
		return -ENOENT;
	}
	p = (const uint8_t *)val + (size_t)index * entry;
	if (addr) {
		*addr = read_cells(p, ac);
	}
	if (size) {
		*size = read_cells(p + 4 * ac, sc);
	}
	return 0;
}

/*
 * The child of parent called name[0..n): an exact match first; else, if
 * name has no unit address, the one child whose name is name@something.
 */
static int find_child(const struct fdt *fdt, int parent, const char *name,
		      size_t n)
{
	bool base_only = !span_has(name, n, '@');
	int child, found = -ENOENT, matches = 0;
	const char *cname;

	for (child = fdt_first_child(fdt, parent); child >= 0;
	     child = fdt_next_sibling(fdt, child)) {
		if (fdt_node_name(fdt, child, &cname) != 0) {
			return -EBADMSG;
		}
		if (span_eq(name, n, cname)) {
			return child;
		}
		if (base_only && span_eq_base(name, n, cname)) {
			found = child;
			matches++;
		}
	}
	if (child != -ENOENT) {
		return child;
	}
	return matches == 1 ? found : -ENOENT;
}

/* Follow path[0..n) ("a/b@1/c", slashes ignored) down from node. */
static int path_walk(const struct fdt *fdt, int node, const char *path,
		     size_t n)
{
	size_t i = 0, start;

	while (node >= 0 && i < n) {
		if (path[i] == '/') {
			i++;
			continue;
		}
		start = i;
		while (i < n && path[i] != '/') {
			i++;
		}
		node = find_child(fdt, node, path + start, i - start);
	}
	return node;
}

/*
 * Look path[0..n) up: a full path, or an alias name from /aliases
 * followed by an optional "/rest" (spec 3.3). An alias's value must be a
 * full path, so there is no alias chain to follow.
 */
static int path_lookup(const struct fdt *fdt, const char *path, size_t n)
{
	const void *val;
	uint32_t len;
	size_t alias_len = 0, vlen;
	int root = fdt_root(fdt), node, err;

	if (root < 0) {
		return root;
	}
	if (n == 0) {
		return -EINVAL;
	}
	if (path[0] == '/') {
		return path_walk(fdt, root, path, n);
	}
	while (alias_len < n && path[alias_len] != '/') {
		alias_len++;
	}
	node = path_walk(fdt, root, "aliases", 7);
	if (node < 0) {
		return node;
	}
	err = get_prop_span(fdt, node, path, alias_len, &val, &len);
	if (err) {
		return err;
	}
	vlen = bounded_strlen(val, len);
	if (vlen == len || vlen == 0 || *(const char *)val != '/') {
		return -EBADMSG;
	}
	node = path_walk(fdt, root, val, vlen);
	return path_walk(fdt, node, path + alias_len, n - alias_len);
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	if (path == NULL) {
		return -EINVAL;
	}
	return path_lookup(fdt, path, cstr_len(path));
}

int fdt_chosen_stdout(const struct fdt *fdt, int *node)
{
	const char *path;
	size_t n = 0;
	int chosen = fdt_path_offset(fdt, "/chosen"), found, err;

	if (chosen < 0) {
		return chosen;
	}
	err = fdt_prop_string(fdt, chosen, "stdout-path", &path);
	if (err == -ENOENT) {
		err = fdt_prop_string(fdt, chosen, "linux,stdout-path", &path);
	}
	if (err) {
		return err;
	}
	/* "serial0:115200n8": the options follow a ':' (spec 3.6). */
	while (path[n] != '\0' && path[n] != ':') {
		n++;
	}
	found = path_lookup(fdt, path, n);
	if (found < 0) {
		return found;
	}
	if (node) {
		*node = found;
	}
	return 0;
}

int fdt_chosen_bootargs(const struct fdt *fdt, const char **args)
{
	int chosen = fdt_path_offset(fdt, "/chosen");

	if (chosen < 0) {
		return chosen;
	}
	return fdt_prop_string(fdt, chosen, "bootargs", args);
}

uint32_t fdt_get_phandle(const struct fdt *fdt, int node)
{
	uint32_t ph;

	if (fdt_prop_u32(fdt, node, "phandle", &ph) != 0 &&
	    fdt_prop_u32(fdt, node, "linux,phandle", &ph) != 0) {
		return 0;
	}
	return ph == 0xffffffffu ? 0 : ph;
}

int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle)
{
	int off = 0, next, tag;

	if (!fdt_usable(fdt) || phandle == 0 || phandle == 0xffffffffu) {
		return -EINVAL;
	}
	for (;;) {
		tag = token_next(fdt, off, &next);
		if (tag == FDT_BEGIN_NODE &&
		    fdt_get_phandle(fdt, off) == phandle) {
			return off;
		}
		if (tag == FDT_END) {
			return -ENOENT;
		}
		if (tag < 0) {
			return tag;
		}
		off = next;
	}
}

int fdt_mem_rsv(const struct fdt *fdt, unsigned index, uint64_t *addr,
		uint64_t *size)
{
	size_t off;
	uint64_t a, s;

	if (!fdt_usable(fdt)) {
		return -EINVAL;
	}
	off = fdt->off_mem_rsvmap;
	for (unsigned i = 0;; i++, off += FDT_RSV_ENTRY_LEN) {
		if (!in_block(off, FDT_RSV_ENTRY_LEN, fdt->len)) {
			return -ERANGE;
		}
		a = get_be64(fdt->blob + off);
		s = get_be64(fdt->blob + off + 8);
		if (a == 0 && s == 0) {
			return -ENOENT;
		}
		if (i == index) {
			break;
		}
	}
	if (addr) {
		*addr = a;
	}
	if (size) {
		*size = s;
	}
	return 0;
}
