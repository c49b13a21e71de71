/*
 * Flattened device tree (FDT, "DTB") reader, following the Devicetree
 * Specification v0.4, chapter 5 (the flattened format) and chapters 2-3
 * (standard properties, /aliases, /chosen).
 *
 * Pure functions over (const void *blob, size_t len): no allocation, no
 * libc, no recursion. Every offset, size and string in the blob is
 * bounds-checked; a malformed blob gives a negative errno, never a read
 * past `len`.
 *
 * fdt_init() checks the header and walks the whole structure block once
 * (tokens, names, nesting, property names), so after it succeeds the other
 * calls fail only on bad arguments or on "not found". They still check
 * every read, so a struct fdt filled in by hand cannot make them fault
 * either; it only needs the blocks inside blob[0..len).
 *
 * Errors:
 *   -EINVAL   not a DTB (magic, version, header too short) or bad argument,
 *             such as an offset that is not a node or property token
 *   -ERANGE   a header offset or size points outside the blob (truncated
 *             blob), or a value does not fit (reg cells above 2)
 *   -EBADMSG  the blocks' content is malformed: bad token, unterminated
 *             name, unbalanced nesting, nesting deeper than FDT_MAX_DEPTH,
 *             a property of the wrong size or an unterminated string value
 *   -ENOENT   no such node, property, entry or sibling
 *
 * Nodes are named by the offset of their FDT_BEGIN_NODE token inside the
 * structure block, properties by the offset of their FDT_PROP token: plain
 * ints >= 0, stable for the life of the blob. Offsets must come from this
 * API; one that does not point at the right token gives -EINVAL.
 *
 * The blob needs no particular alignment: all reads go through byte
 * helpers. Multi-byte values are big-endian (spec 5.1).
 */
#ifndef FIRMWARE_FDT_FDT_H
#define FIRMWARE_FDT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

/* Structure block tokens (spec 5.4.1), big-endian u32 in the blob. */
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE   0x2
#define FDT_PROP       0x3
#define FDT_NOP	       0x4
#define FDT_END	       0x9

/* The versions this reader understands (spec 5.2: version 17, compatible
 * back to 16). */
#define FDT_VERSION_MIN 16u
#define FDT_VERSION_MAX 17u

/* Nodes nested deeper than this (the root is depth 1) are refused. */
#define FDT_MAX_DEPTH 32

/* The largest #address-cells / #size-cells value accepted (PCI uses 3). */
#define FDT_MAX_CELLS 4u

struct fdt {
	const uint8_t *blob;
	size_t len; /* the header's totalsize, which fdt_init checked <= len */
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_mem_rsvmap;
	uint32_t version;
};

/*
 * The size the header claims, or 0 if blob is NULL or the magic is wrong.
 * Reads 8 bytes, so blob must point at least that far into mapped memory;
 * this is how the kernel learns the length of a blob it was handed by
 * pointer only. Validate with fdt_init() before trusting anything else.
 */
size_t fdt_header_totalsize(const void *blob);

/*
 * Check the header (magic, version >= 16 with last_comp_version <= 17,
 * totalsize <= len, every block inside totalsize, alignment of the memory
 * reservation map and structure block) and walk the structure block once.
 * Returns 0, or -errno with *fdt zeroed so that every later call on it
 * fails with -EINVAL.
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t len);

/* What fdt_init_partial found wrong, for the caller to report. */
struct fdt_damage {
	uint32_t odd;	      /* how many rules were broken */
	uint32_t first;	      /* structure offset of the first */
	const char *what;     /* the first, in words; NULL if none */
	uint32_t cut;	      /* where the tree was cut; 0 if it was not */
	const char *cut_what; /* why it was cut; NULL if it was not */
};

/*
 * fdt_init for a tree that may be damaged: read it as far as it is sound.
 * Three faults leave the rest readable and are only counted in *dmg: a
 * node nested deeper than FDT_MAX_DEPTH (every reader takes it except
 * fdt_parent, which gives -EBADMSG; walks that keep a FDT_MAX_DEPTH stack
 * skip it), a property after a child node and a property whose name is
 * outside the strings block (no reader ever finds those two). Then the
 * result is 0, as for a sound tree, with dmg->odd > 0.
 *
 * Any other fault in the structure block (bad token, a value or name
 * running past the block, unbalanced nesting, no FDT_END) gives -EBADMSG
 * and a *fdt that reads only the tokens before dmg->cut: nodes there read
 * as usual, the readers stop at dmg->cut with -EBADMSG, and whatever came
 * after is gone. If even the root is not sound, *fdt is zeroed.
 *
 * A bad header or reservation map gives the -errno fdt_init gives and a
 * zeroed *fdt.
 */
int fdt_init_partial(struct fdt *fdt, const void *blob, size_t len,
		     struct fdt_damage *dmg);

/* The root node's offset. */
int fdt_root(const struct fdt *fdt);

/* The first child of node, in document order; -ENOENT if it has none. */
int fdt_first_child(const struct fdt *fdt, int node);

/* The next node with the same parent; -ENOENT after the last one. */
int fdt_next_sibling(const struct fdt *fdt, int node);

/* The node's parent; -ENOENT for the root. Walks from the root. */
int fdt_parent(const struct fdt *fdt, int node);

/* The node's name with its unit address ("pl011@9000000"); "" for the
 * root. The string is NUL-terminated inside the blob. */
int fdt_node_name(const struct fdt *fdt, int node, const char **name);

/*
 * Look a node up by path: "/", "/chosen", "/pl011@9000000". A component
 * without '@' also matches a node whose name has a unit address, if exactly
 * one sibling matches ("/psci", "/memory"; "/cpus/cpu" is ambiguous with
 * more than one CPU and gives -ENOENT). A path that does not start with '/'
 * begins with an alias from /aliases ("serial0", "serial0/child").
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/*
 * Find the property `name` of node. val and len may be NULL. On success
 * *val points into the blob (not aligned) and *len is its length in bytes.
 */
int fdt_get_prop(const struct fdt *fdt, int node, const char *name,
		 const void **val, uint32_t *len);

/* A one-cell property; -EBADMSG if it is not exactly 4 bytes long. */
int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *out);

/*
 * A string property: *str is NUL-terminated inside the property, or the
 * call fails with -EBADMSG.
 */
int fdt_prop_string(const struct fdt *fdt, int node, const char *name,
		    const char **str);

/* The node's first property's offset; -ENOENT if it has none. */
int fdt_first_prop(const struct fdt *fdt, int node);

/* The property after prop in the same node; -ENOENT after the last. */
int fdt_next_prop(const struct fdt *fdt, int prop);

/* A property's name, value and length; any output may be NULL. */
int fdt_prop_info(const struct fdt *fdt, int prop, const char **name,
		  const void **val, uint32_t *len);

/* Whether any string in the node's "compatible" list equals compat. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * The next node after offset `after` in document order (after = -1: from
 * the start, root included) that is compatible with compat; -ENOENT when
 * there is none. Loop with the result as the next `after`.
 */
int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat);

/*
 * Whether the node is usable (spec 2.3.4): "status" absent, "okay" or the
 * older "ok". A malformed status, or a bad node, counts as disabled.
 */
bool fdt_node_enabled(const struct fdt *fdt, int node);

/*
 * The #address-cells / #size-cells that apply to node's "reg": its
 * parent's, or the defaults 2 and 1 if the parent has none (spec 2.3.5).
 * The root gets the defaults. -ERANGE above FDT_MAX_CELLS.
 */
int fdt_address_cells(const struct fdt *fdt, int node, uint32_t *cells);
int fdt_size_cells(const struct fdt *fdt, int node, uint32_t *cells);

/*
 * The index-th (address, size) pair of the node's "reg", read with the
 * parent's cell counts. -ENOENT past the end (or no reg), -ERANGE if either
 * count is above 2 (the value would not fit 64 bits), -EBADMSG if reg is not
 * a whole number of pairs. addr and size may be NULL; with #size-cells 0
 * the size is 0.
 */
int fdt_reg(const struct fdt *fdt, int node, unsigned index, uint64_t *addr,
	    uint64_t *size);

/*
 * The node /chosen's "stdout-path" (or the older "linux,stdout-path")
 * names, as a path or an alias, with any ":options" suffix dropped
 * (spec 3.6). -ENOENT if there is no /chosen, no property or no such node.
 */
int fdt_chosen_stdout(const struct fdt *fdt, int *node);

/* /chosen "bootargs": -ENOENT if absent, -EBADMSG if not NUL-terminated. */
int fdt_chosen_bootargs(const struct fdt *fdt, const char **args);

/*
 * The node's "phandle" (or the older "linux,phandle"); 0 if it has none or
 * the value is malformed or the reserved 0xffffffff.
 */
uint32_t fdt_get_phandle(const struct fdt *fdt, int node);

/* The first node whose phandle is `phandle`; -EINVAL for 0 and 0xffffffff. */
int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle);

/*
 * The index-th entry of the memory reservation map (spec 5.3); -ENOENT at
 * the terminating (0, 0) entry and past it. addr and size may be NULL.
 */
int fdt_mem_rsv(const struct fdt *fdt, unsigned index, uint64_t *addr,
		uint64_t *size);

#endif
