/*
 * libFuzzer target for the FDT reader (kernel/firmware/fdt): every public
 * function on arbitrary bytes, two ways.
 *
 * 1. Through fdt_init. If it accepts the input, the whole tree is walked
 *    and the answers must agree with one another (parent of a child,
 *    phandle round trip, document order); a disagreement traps.
 * 2. Unchecked: a struct fdt filled straight from the header (or over the
 *    whole input when the header makes no sense), so the readers' own
 *    bounds checks meet token streams fdt_init would have refused.
 *
 * Seeds and corpus: tests/fuzz/corpus/fuzz_fdt (minimized, kept in git), the
 * fixtures it parses and hand-made bad inputs (scripts/fuzz.py writes
 * both). `make fuzz` runs it, `make fuzz-corpus` minimizes what it found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kern/bytes.h"
#include "kern/errno.h"
#include "firmware/fdt/fdt.h"

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

/* Few, as each costs a pass over the tree per input. */
static const char *const compats[] = {"arm,pl011", "virtio,mmio", ""};
static const char *const paths[] = {
    "/", "/chosen", "/cpus/cpu", "/intc/its", "serial0/a", "//@/", "a@",
};

/*
 * fdt_parent, and the readers built on it, walk from the root: on a big
 * tree, call them for only as many nodes as this many tokens' worth of
 * walking allows, so that each input stays quick.
 */
#define PARENT_BUDGET 30000
static long parent_budget;

static bool take_parent_budget(const struct fdt *f)
{
	long cost = (long)(f->size_struct / 4) + 1;

	if (parent_budget < cost) {
		return false;
	}
	parent_budget -= cost;
	return true;
}

/* Everything about one node. */
static void visit_node(const struct fdt *f, int node, bool checked)
{
	const char *name, *s;
	const void *val;
	uint32_t len, u, ph;
	uint64_t a, sz;
	int prop, r;

	r = fdt_node_name(f, node, &name);
	if (checked) {
		ASSERT(r == 0);
		ASSERT(strlen(name) < f->size_struct);
	}
	for (prop = fdt_first_prop(f, node); prop >= 0;
	     prop = fdt_next_prop(f, prop)) {
		const void *v2;
		uint32_t len2;

		r = fdt_prop_info(f, prop, &name, &val, &len);
		if (checked) {
			ASSERT(r == 0);
		}
		if (r != 0) {
			continue;
		}
		/* Touch the value's ends: ASan checks the bounds. */
		if (len > 0) {
			volatile uint8_t x = ((const uint8_t *)val)[0];
			x = ((const uint8_t *)val)[len - 1];
			(void)x;
		}
		/* By name finds the first of duplicate names, at or before
		 * this one. */
		r = fdt_get_prop(f, node, name, &v2, &len2);
		if (checked) {
			ASSERT(r == 0 &&
			       (const uint8_t *)v2 <= (const uint8_t *)val);
		}
		fdt_prop_u32(f, node, name, &u);
		if (r == 0 && fdt_prop_string(f, node, name, &s) == 0) {
			ASSERT(s == v2 && strlen(s) < len2);
		}
	}
	if (checked) {
		ASSERT(prop == -ENOENT);
	}
	for (size_t i = 0; i < sizeof(compats) / sizeof(*compats); i++) {
		fdt_is_compatible(f, node, compats[i]);
	}
	fdt_node_enabled(f, node);
	if (take_parent_budget(f)) {
		fdt_address_cells(f, node, &u);
		fdt_size_cells(f, node, &u);
		fdt_reg(f, node, 0, &a, &sz);
		fdt_reg(f, node, 1, &a, &sz);
		fdt_reg(f, node, 0xffffffffu, &a, &sz);
	}
	ph = fdt_get_phandle(f, node);
	if (ph != 0) {
		r = fdt_node_by_phandle(f, ph);
		if (checked) {
			ASSERT(r >= 0 && r <= node);
			ASSERT(fdt_get_phandle(f, r) == ph);
		}
	}
}

/* Document order through first_child / next_sibling; returns the count. */
static int walk_tree(const struct fdt *f, bool checked)
{
	int stack[FDT_MAX_DEPTH + 8];
	int depth = 0, count = 0, budget = 1 << 16;
	int node = fdt_root(f), next;

	parent_budget = PARENT_BUDGET;
	if (checked) {
		ASSERT(node >= 0);
		ASSERT(fdt_parent(f, node) == -ENOENT);
	}
	while (node >= 0 && budget-- > 0) {
		count++;
		visit_node(f, node, checked);
		next = fdt_first_child(f, node);
		if (next >= 0 &&
		    depth < (int)(sizeof(stack) / sizeof(*stack))) {
			if (checked) {
				ASSERT(next > node);
			}
			if (checked && take_parent_budget(f)) {
				ASSERT(fdt_parent(f, next) == node);
			}
			stack[depth++] = node;
			node = next;
			continue;
		}
		/* A checked tree is at most FDT_MAX_DEPTH deep. */
		if (checked) {
			ASSERT(next == -ENOENT);
		}
		for (;;) {
			next = fdt_next_sibling(f, node);
			if (next >= 0 || depth == 0) {
				break;
			}
			node = stack[--depth];
		}
		if (checked && next >= 0) {
			ASSERT(next > node);
		}
		if (checked && next >= 0 && take_parent_budget(f)) {
			ASSERT(fdt_parent(f, next) ==
			       (depth > 0 ? stack[depth - 1] : -ENOENT));
		}
		node = next;
	}
	if (checked) {
		ASSERT(budget > 0);
	}
	return count;
}

/* Readers that look at the whole tree. */
static void probe_tree(const struct fdt *f, bool checked)
{
	const char *s, *name;
	uint64_t a, sz;
	int node, last, aliases;

	for (size_t i = 0; i < sizeof(compats) / sizeof(*compats); i++) {
		for (last = -1;
		     (node = fdt_find_compatible(f, last, compats[i])) >= 0;
		     last = node) {
			if (checked) {
				ASSERT(node > last);
				ASSERT(fdt_is_compatible(f, node, compats[i]));
			}
		}
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		node = fdt_path_offset(f, paths[i]);
		if (checked && node >= 0) {
			ASSERT(fdt_node_name(f, node, NULL) == 0);
		}
	}
	/* Every alias, alone and with a child path after it. */
	aliases = fdt_path_offset(f, "/aliases");
	for (int p = fdt_first_prop(f, aliases); p >= 0;
	     p = fdt_next_prop(f, p)) {
		char buf[128];
		size_t n;

		if (fdt_prop_info(f, p, &name, NULL, NULL) != 0) {
			continue;
		}
		fdt_path_offset(f, name);
		n = strlen(name);
		if (n + 3 <= sizeof(buf)) {
			memcpy(buf, name, n);
			memcpy(buf + n, "/a", 3);
			fdt_path_offset(f, buf);
		}
	}
	if (fdt_chosen_stdout(f, &node) == 0 && checked) {
		ASSERT(fdt_node_name(f, node, NULL) == 0);
	}
	if (fdt_chosen_bootargs(f, &s) == 0) {
		(void)strlen(s);
	}
	for (unsigned i = 0; i < 4; i++) {
		fdt_mem_rsv(f, i, &a, &sz);
	}
	fdt_node_by_phandle(f, 1);
	fdt_node_by_phandle(f, 0x8002);
}

/* A struct fdt from the header as it stands, else over the whole input. */
static void fill_unchecked(struct fdt *f, const uint8_t *data, size_t size)
{
	f->blob = data;
	f->len = size;
	f->version = 17;
	f->off_mem_rsvmap = 0;
	f->off_struct = 0;
	f->size_struct = (uint32_t)(size & 0x7fffffff);
	f->off_strings = 0;
	f->size_strings = f->size_struct;
	if (size >= 40) {
		uint32_t off_struct = get_be32(data + 0x08) & ~3u;
		uint32_t off_strings = get_be32(data + 0x0c);
		uint32_t size_strings = get_be32(data + 0x20);
		uint32_t size_struct = get_be32(data + 0x24);

		if (off_struct <= size && size_struct <= size - off_struct) {
			f->off_struct = off_struct;
			f->size_struct = size_struct;
		}
		if (off_strings <= size && size_strings <= size - off_strings) {
			f->off_strings = off_strings;
			f->size_strings = size_strings;
		}
		f->off_mem_rsvmap = get_be32(data + 0x10);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A seed cut short by -max_len claims more than it holds: a copy whose
 * totalsize says what is there, or NULL if that is not the case.
 */
static uint8_t *fit_totalsize(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 40 || fdt_header_totalsize(data) <= size) {
		return NULL;
	}
	copy = malloc(size);
	if (copy != NULL) {
		memcpy(copy, data, size);
		copy[4] = (uint8_t)(size >> 24);
		copy[5] = (uint8_t)(size >> 16);
		copy[6] = (uint8_t)(size >> 8);
		copy[7] = (uint8_t)size;
	}
	return copy;
}

/*
 * The AArch64 boot reads a damaged tree as far as it is sound: whatever
 * fdt_init_partial accepts, every reader must walk without leaving the
 * blob, and a tree fdt_init accepts is accepted undamaged.
 */
static void fuzz_partial(const uint8_t *data, size_t size)
{
	struct fdt_damage dmg;
	struct fdt f, strict;

	if (fdt_init_partial(&f, data, size, &dmg) != 0) {
		return;
	}
	ASSERT(f.len <= size);
	if (fdt_init(&strict, data, size) == 0) {
		ASSERT(dmg.odd == 0 && dmg.cut == 0);
	}
	walk_tree(&f, false);
	probe_tree(&f, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdt f;
	uint8_t *copy = NULL;
	int err;

	if (size >= 8) {
		size_t total = fdt_header_totalsize(data);

		ASSERT(total == 0 || total == get_be32(data + 4));
	}
	err = fdt_init(&f, data, size);
	if (err != 0) {
		ASSERT(err == -EINVAL || err == -ERANGE || err == -EBADMSG);
		ASSERT(f.blob == NULL && fdt_root(&f) == -EINVAL);
		ASSERT(walk_tree(&f, false) == 0);
	}
	if (err == -ERANGE && (copy = fit_totalsize(data, size)) != NULL) {
		err = fdt_init(&f, copy, size);
	}
	if (err == 0) {
		ASSERT(f.len <= size);
		walk_tree(&f, true);
		probe_tree(&f, true);
	} else {
		/* What fdt_init refused, the readers must still survive. */
		fill_unchecked(&f, data, size);
		walk_tree(&f, false);
		probe_tree(&f, false);
	}
	fuzz_partial(data, size);
	free(copy);
	return 0;
}
