/*
 * Host tests of the FDT reader (kernel/firmware/fdt): the DTBs QEMU's
 * virt machine hands a guest (tests/fixtures/README.md), small trees built
 * here token by token, and broken blobs made at run time from both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/errno.h"
#include "firmware/fdt/fdt.h"
#include "firmware/fdt/fdt_cpus.h"
#include "unit.h"

/* Header field offsets (Devicetree Specification v0.4, 5.2). */
enum {
	HDR_MAGIC = 0x00,
	HDR_TOTALSIZE = 0x04,
	HDR_OFF_STRUCT = 0x08,
	HDR_OFF_STRINGS = 0x0c,
	HDR_OFF_RSVMAP = 0x10,
	HDR_VERSION = 0x14,
	HDR_LAST_COMP = 0x18,
	HDR_SIZE_STRINGS = 0x20,
	HDR_SIZE_STRUCT = 0x24,
	HDR_LEN = 0x28,
};

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void put_be64(void *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

/* An exact-size heap copy, so AddressSanitizer sees any read past len. */
static uint8_t *dup_blob(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (len) {
		memcpy(p, src, len);
	}
	return p;
}

/* ---- A small DTB builder ---------------------------------------------- */

struct dtb {
	uint8_t st[32768]; /* structure block */
	size_t st_len;
	char str[2048]; /* strings block */
	size_t str_len;
	uint64_t rsv[4][2]; /* memory reservation entries */
	int nrsv;
	uint8_t *blob; /* dtb_finish's result, malloc'd */
	size_t len;
	uint32_t off_struct, off_strings;
};

static void dtb_start(struct dtb *d)
{
	memset(d, 0, sizeof(*d));
}

static void dtb_bytes(struct dtb *d, const void *p, size_t n)
{
	if (d->st_len + n + 3 > sizeof(d->st)) {
		abort();
	}
	memcpy(d->st + d->st_len, p, n);
	d->st_len += n;
	while (d->st_len % 4) {
		d->st[d->st_len++] = 0;
	}
}

static void dtb_u32(struct dtb *d, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	dtb_bytes(d, b, 4);
}

/* Offset of name in the strings block, adding it if new. */
static uint32_t dtb_string(struct dtb *d, const char *name)
{
	size_t n = strlen(name) + 1;

	for (size_t off = 0; off < d->str_len;
	     off += strlen(d->str + off) + 1) {
		if (strcmp(d->str + off, name) == 0) {
			return (uint32_t)off;
		}
	}
	if (d->str_len + n > sizeof(d->str)) {
		abort();
	}
	memcpy(d->str + d->str_len, name, n);
	d->str_len += n;
	return (uint32_t)(d->str_len - n);
}

/* Each returns the token's offset in the structure block. */
static int dtb_begin(struct dtb *d, const char *name)
{
	int off = (int)d->st_len;

	dtb_u32(d, FDT_BEGIN_NODE);
	dtb_bytes(d, name, strlen(name) + 1);
	return off;
}

static int dtb_end(struct dtb *d)
{
	int off = (int)d->st_len;

	dtb_u32(d, FDT_END_NODE);
	return off;
}

static int dtb_nop(struct dtb *d)
{
	int off = (int)d->st_len;

	dtb_u32(d, FDT_NOP);
	return off;
}

static int dtb_prop(struct dtb *d, const char *name, const void *val,
		    uint32_t len)
{
	int off = (int)d->st_len;

	dtb_u32(d, FDT_PROP);
	dtb_u32(d, len);
	dtb_u32(d, dtb_string(d, name));
	dtb_bytes(d, val, len);
	return off;
}

static int dtb_prop_str(struct dtb *d, const char *name, const char *s)
{
	return dtb_prop(d, name, s, (uint32_t)strlen(s) + 1);
}

static int dtb_prop_u32(struct dtb *d, const char *name, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	return dtb_prop(d, name, b, 4);
}

/* A property of n cells. */
static int dtb_prop_cells(struct dtb *d, const char *name, int n,
			  const uint32_t *cells)
{
	uint8_t b[64];

	for (int i = 0; i < n; i++) {
		put_be32(b + 4 * i, cells[i]);
	}
	return dtb_prop(d, name, b, (uint32_t)(4 * n));
}

/*
 * Append FDT_END (unless end is false) and lay the blob out as dtc does:
 * header, reservation map, structure block, strings block.
 */
static uint8_t *dtb_finish_opt(struct dtb *d, bool end)
{
	uint32_t off_rsv = HDR_LEN;
	size_t rsv_len = 16 * ((size_t)d->nrsv + 1);

	if (end) {
		dtb_u32(d, FDT_END);
	}
	d->off_struct = (uint32_t)(off_rsv + rsv_len);
	d->off_strings = (uint32_t)(d->off_struct + d->st_len);
	d->len = d->off_strings + d->str_len;
	d->blob = calloc(1, d->len);
	put_be32(d->blob + HDR_MAGIC, FDT_MAGIC);
	put_be32(d->blob + HDR_TOTALSIZE, (uint32_t)d->len);
	put_be32(d->blob + HDR_OFF_STRUCT, d->off_struct);
	put_be32(d->blob + HDR_OFF_STRINGS, d->off_strings);
	put_be32(d->blob + HDR_OFF_RSVMAP, off_rsv);
	put_be32(d->blob + HDR_VERSION, 17);
	put_be32(d->blob + HDR_LAST_COMP, 16);
	put_be32(d->blob + HDR_SIZE_STRINGS, (uint32_t)d->str_len);
	put_be32(d->blob + HDR_SIZE_STRUCT, (uint32_t)d->st_len);
	for (int i = 0; i < d->nrsv; i++) {
		put_be64(d->blob + off_rsv + 16 * i, d->rsv[i][0]);
		put_be64(d->blob + off_rsv + 16 * i + 8, d->rsv[i][1]);
	}
	memcpy(d->blob + d->off_struct, d->st, d->st_len);
	memcpy(d->blob + d->off_strings, d->str, d->str_len);
	return d->blob;
}

static uint8_t *dtb_finish(struct dtb *d)
{
	return dtb_finish_opt(d, true);
}

/* ---- Walking everything ------------------------------------------------ */

static const char *const probe_compat[] = {
    "arm,pl011", "virtio,mmio", "arm,gic-v3", "ns16550a", "", "x",
};
static const char *const probe_paths[] = {
    "/",       "/chosen", "/cpus/cpu@0", "/cpus/cpu", "/psci",
    "serial0", "//x//",	  "a/b",	 "/aliases",  "/soc/uart",
};

/*
 * Call every reader on every node, property and a few paths. On a tree
 * fdt_init accepted (strict), also check that the answers agree with one
 * another. Returns the number of nodes reached.
 */
static int walk_all(const struct fdt *f, bool strict)
{
	int stack[FDT_MAX_DEPTH + 8];
	int depth = 0, nodes = 0, node, next, prop;
	int budget = 100000;
	const char *s;
	const void *v;
	uint32_t len, u;
	uint64_t a, sz;

	node = fdt_root(f);
	if (strict) {
		CHECK(node >= 0);
	}
	while (node >= 0 && budget-- > 0) {
		nodes++;
		/* This node: name, parent, properties, standard readers. */
		if (strict) {
			CHECK_EQ_INT(fdt_node_name(f, node, &s), 0);
		} else {
			fdt_node_name(f, node, &s);
		}
		fdt_parent(f, node);
		for (prop = fdt_first_prop(f, node); prop >= 0 && budget-- > 0;
		     prop = fdt_next_prop(f, prop)) {
			int err = fdt_prop_info(f, prop, &s, &v, &len);

			if (strict) {
				const void *v2;
				uint32_t len2;

				CHECK_EQ_INT(err, 0);
				CHECK_EQ_INT(
				    fdt_get_prop(f, node, s, &v2, &len2), 0);
				/* Equal unless two properties share a name. */
				CHECK(len2 == len || v2 != v);
			}
		}
		fdt_get_prop(f, node, "compatible", &v, &len);
		fdt_prop_u32(f, node, "#address-cells", &u);
		fdt_prop_string(f, node, "device_type", &s);
		for (size_t i = 0;
		     i < sizeof(probe_compat) / sizeof(*probe_compat); i++) {
			fdt_is_compatible(f, node, probe_compat[i]);
		}
		fdt_node_enabled(f, node);
		fdt_address_cells(f, node, &u);
		fdt_size_cells(f, node, &u);
		for (unsigned i = 0; i < 2; i++) {
			fdt_reg(f, node, i, &a, &sz);
		}
		u = fdt_get_phandle(f, node);
		if (u != 0) {
			int found = fdt_node_by_phandle(f, u);

			if (strict) {
				CHECK(found >= 0);
				CHECK_EQ_INT(fdt_get_phandle(f, found), u);
			}
		}

		/* Next node in document order: child, sibling, or climb. */
		next = fdt_first_child(f, node);
		if (next >= 0 &&
		    depth < (int)(sizeof(stack) / sizeof(*stack))) {
			if (strict) {
				CHECK_EQ_INT(fdt_parent(f, next), node);
			}
			stack[depth++] = node;
			node = next;
			continue;
		}
		for (;;) {
			next = fdt_next_sibling(f, node);
			if (next >= 0 || depth == 0 || budget-- <= 0) {
				break;
			}
			node = stack[--depth];
		}
		if (strict && next >= 0) {
			CHECK(next > node);
			CHECK_EQ_INT(fdt_parent(f, next),
				     depth ? stack[depth - 1] : -ENOENT);
		}
		node = next;
	}

	/* Whole-tree readers. */
	for (size_t i = 0; i < sizeof(probe_compat) / sizeof(*probe_compat);
	     i++) {
		int last = -1, n;

		while ((n = fdt_find_compatible(f, last, probe_compat[i])) >=
			   0 &&
		       budget-- > 0) {
			if (strict) {
				CHECK(n > last);
			}
			last = n;
		}
	}
	for (size_t i = 0; i < sizeof(probe_paths) / sizeof(*probe_paths);
	     i++) {
		fdt_path_offset(f, probe_paths[i]);
	}
	fdt_chosen_stdout(f, &node);
	fdt_chosen_bootargs(f, &s);
	for (unsigned i = 0; i < 4; i++) {
		fdt_mem_rsv(f, i, &a, &sz);
	}
	return nodes;
}

/* After a failed fdt_init every call must fail too. */
static void check_all_fail(const struct fdt *f)
{
	const char *s;
	int node;

	CHECK(f->blob == NULL);
	CHECK_EQ_INT(fdt_root(f), -EINVAL);
	CHECK_EQ_INT(fdt_path_offset(f, "/"), -EINVAL);
	CHECK_EQ_INT(fdt_find_compatible(f, -1, "arm,pl011"), -EINVAL);
	CHECK_EQ_INT(fdt_node_by_phandle(f, 1), -EINVAL);
	CHECK_EQ_INT(fdt_chosen_stdout(f, &node), -EINVAL);
	CHECK_EQ_INT(fdt_chosen_bootargs(f, &s), -EINVAL);
	CHECK_EQ_INT(fdt_mem_rsv(f, 0, NULL, NULL), -EINVAL);
	CHECK_EQ_INT(fdt_first_child(f, 0), -EINVAL);
	CHECK_EQ_INT(walk_all(f, false), 0);
}

/* ---- The QEMU fixtures -------------------------------------------------- */

struct fixture {
	const char *file;
	const char *gic;       /* compatible of the interrupt controller */
	const char *other_gic; /* the one it is not */
	int cpus;
	const char *psci_method;
	int nodes;
};

static const struct fixture fixtures[] = {
    {"virt-gicv3.dtb", "arm,gic-v3", "arm,cortex-a15-gic", 1, "hvc", 56},
    {"virt-gicv2.dtb", "arm,cortex-a15-gic", "arm,gic-v3", 1, "hvc", 56},
    {"virt-gicv3-smp4.dtb", "arm,gic-v3", "arm,cortex-a15-gic", 4, "hvc", 62},
    /* virtualization=on: the guest owns EL2, so PSCI goes through smc. */
    {"virt-gicv3-el2.dtb", "arm,gic-v3", "arm,cortex-a15-gic", 1, "smc", 56},
};
#define NFIXTURES (sizeof(fixtures) / sizeof(*fixtures))

/* Load fixture i and fdt_init it; NULL if either fails. */
static uint8_t *open_fixture(size_t i, struct fdt *f, size_t *len)
{
	size_t n = 0;
	uint8_t *blob = unit_load_fixture(fixtures[i].file, &n);

	CHECK(blob != NULL);
	if (blob == NULL) {
		return NULL;
	}
	CHECK_EQ_INT(fdt_init(f, blob, n), 0);
	if (f->blob == NULL) {
		free(blob);
		return NULL;
	}
	if (len) {
		*len = n;
	}
	return blob;
}

TEST(fdt_fixture_header)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		size_t len;
		uint8_t *blob = open_fixture(i, &f, &len);
		const char *s;

		REQUIRE(blob != NULL);
		/* QEMU hands over its whole 1 MiB buffer, mostly free space. */
		CHECK_EQ_INT(fdt_header_totalsize(blob), len);
		CHECK_EQ_INT(len, 0x100000);
		CHECK_EQ_INT(f.len, len);
		CHECK_EQ_INT(f.version, 17);
		CHECK(f.off_strings + f.size_strings < 0x4000);
		CHECK_EQ_INT(fdt_root(&f), 0);
		CHECK_EQ_INT(fdt_node_name(&f, 0, &s), 0);
		CHECK_EQ_STR(s, "");
		CHECK_EQ_INT(fdt_parent(&f, 0), -ENOENT);
		CHECK_EQ_INT(fdt_next_sibling(&f, 0), -ENOENT);
		CHECK_EQ_INT(fdt_prop_string(&f, 0, "model", &s), 0);
		CHECK_EQ_STR(s, "linux,dummy-virt");
		CHECK(fdt_is_compatible(&f, 0, "linux,dummy-virt"));
		/* No reservations: the map is just its terminator. */
		CHECK_EQ_INT(fdt_mem_rsv(&f, 0, NULL, NULL), -ENOENT);
		CHECK_EQ_INT(walk_all(&f, true), fixtures[i].nodes);
		free(blob);
	}
}

TEST(fdt_fixture_stdout_is_pl011)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		const char *s;
		uint64_t addr = 0, size = 0;
		uint32_t cells = 0;
		int uart = -1;

		REQUIRE(blob != NULL);
		CHECK_EQ_INT(fdt_chosen_stdout(&f, &uart), 0);
		CHECK_EQ_INT(fdt_path_offset(&f, "/pl011@9000000"), uart);
		CHECK_EQ_INT(fdt_node_name(&f, uart, &s), 0);
		CHECK_EQ_STR(s, "pl011@9000000");
		CHECK(fdt_is_compatible(&f, uart, "arm,pl011"));
		CHECK(fdt_is_compatible(&f, uart, "arm,primecell"));
		CHECK(!fdt_is_compatible(&f, uart, "arm,pl01"));
		CHECK(!fdt_is_compatible(&f, uart, "arm,pl0111"));
		CHECK(!fdt_is_compatible(&f, uart, ""));
		CHECK(fdt_node_enabled(&f, uart));
		CHECK_EQ_INT(fdt_address_cells(&f, uart, &cells), 0);
		CHECK_EQ_INT(cells, 2);
		CHECK_EQ_INT(fdt_size_cells(&f, uart, &cells), 0);
		CHECK_EQ_INT(cells, 2);
		CHECK_EQ_INT(fdt_reg(&f, uart, 0, &addr, &size), 0);
		CHECK_EQ_INT(addr, 0x9000000);
		CHECK_EQ_INT(size, 0x1000);
		CHECK_EQ_INT(fdt_reg(&f, uart, 1, &addr, &size), -ENOENT);
		CHECK_EQ_INT(fdt_find_compatible(&f, -1, "arm,pl011"), uart);
		CHECK_EQ_INT(fdt_find_compatible(&f, uart, "arm,pl011"),
			     -ENOENT);
		/* QEMU passes no bootargs unless -append is given. */
		CHECK_EQ_INT(fdt_chosen_bootargs(&f, &s), -ENOENT);
		free(blob);
	}
}

TEST(fdt_fixture_memory)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		uint64_t addr = 0, size = 0;
		const char *s;
		int mem;

		REQUIRE(blob != NULL);
		mem = fdt_path_offset(&f, "/memory");
		CHECK(mem > 0);
		CHECK_EQ_INT(fdt_path_offset(&f, "/memory@40000000"), mem);
		CHECK_EQ_INT(fdt_prop_string(&f, mem, "device_type", &s), 0);
		CHECK_EQ_STR(s, "memory");
		CHECK_EQ_INT(fdt_reg(&f, mem, 0, &addr, &size), 0);
		CHECK_EQ_INT(addr, 0x40000000);
		CHECK_EQ_INT(size, 128u << 20);
		CHECK_EQ_INT(fdt_reg(&f, mem, 1, NULL, NULL), -ENOENT);
		free(blob);
	}
}

TEST(fdt_fixture_psci)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		const char *method = NULL;
		uint32_t fn = 0;
		int psci;

		REQUIRE(blob != NULL);
		psci = fdt_path_offset(&f, "/psci");
		CHECK(psci > 0);
		CHECK(fdt_is_compatible(&f, psci, "arm,psci-0.2"));
		CHECK_EQ_INT(fdt_prop_string(&f, psci, "method", &method), 0);
		CHECK_EQ_STR(method, fixtures[i].psci_method);
		CHECK_EQ_INT(fdt_prop_u32(&f, psci, "cpu_on", &fn), 0);
		CHECK_EQ_INT(fn, 0xc4000003);
		/* "hvc\0" is 4 bytes, but the compatible list is no u32. */
		CHECK_EQ_INT(fdt_prop_u32(&f, psci, "compatible", &fn),
			     -EBADMSG);
		CHECK_EQ_INT(fdt_prop_u32(&f, psci, "nope", &fn), -ENOENT);
		free(blob);
	}
}

TEST(fdt_fixture_cpus)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		unsigned seen = 0;
		uint32_t cells = 99;
		int cpus, n = 0;

		REQUIRE(blob != NULL);
		cpus = fdt_path_offset(&f, "/cpus");
		CHECK(cpus > 0);
		CHECK_EQ_INT(fdt_prop_u32(&f, cpus, "#address-cells", &cells),
			     0);
		CHECK_EQ_INT(cells, 1);
		CHECK_EQ_INT(fdt_prop_u32(&f, cpus, "#size-cells", &cells), 0);
		CHECK_EQ_INT(cells, 0);
		for (int c = fdt_first_child(&f, cpus); c >= 0;
		     c = fdt_next_sibling(&f, c)) {
			const char *type;
			uint64_t addr = 99, size = 99;

			if (fdt_prop_string(&f, c, "device_type", &type) != 0 ||
			    strcmp(type, "cpu") != 0) {
				continue; /* cpu-map */
			}
			n++;
			CHECK_EQ_INT(fdt_address_cells(&f, c, &cells), 0);
			CHECK_EQ_INT(cells, 1);
			CHECK_EQ_INT(fdt_size_cells(&f, c, &cells), 0);
			CHECK_EQ_INT(cells, 0);
			CHECK_EQ_INT(fdt_reg(&f, c, 0, &addr, &size), 0);
			CHECK(addr < 4);
			CHECK_EQ_INT(size, 0);
			CHECK_EQ_INT(fdt_reg(&f, c, 1, &addr, &size), -ENOENT);
			seen |= 1u << (addr & 31);
		}
		CHECK_EQ_INT(n, fixtures[i].cpus);
		CHECK_EQ_INT(seen, (1u << fixtures[i].cpus) - 1);
		/* "cpu" alone names a node only when there is one CPU. */
		if (fixtures[i].cpus == 1) {
			CHECK_EQ_INT(fdt_path_offset(&f, "/cpus/cpu"),
				     fdt_path_offset(&f, "/cpus/cpu@0"));
		} else {
			CHECK_EQ_INT(fdt_path_offset(&f, "/cpus/cpu"), -ENOENT);
			CHECK(fdt_path_offset(&f, "/cpus/cpu@3") > cpus);
		}
		CHECK_EQ_INT(fdt_path_offset(&f, "/cpus/cpu@4"), -ENOENT);
		free(blob);
	}
}

TEST(fdt_fixture_cpu_map_phandles)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		uint32_t ph = 0;
		int core, cpu;

		REQUIRE(blob != NULL);
		core = fdt_path_offset(&f, "/cpus/cpu-map/socket0/cluster0/"
					   "core0");
		CHECK(core > 0);
		CHECK_EQ_INT(fdt_prop_u32(&f, core, "cpu", &ph), 0);
		cpu = fdt_node_by_phandle(&f, ph);
		CHECK_EQ_INT(cpu, fdt_path_offset(&f, "/cpus/cpu@0"));
		CHECK_EQ_INT(fdt_get_phandle(&f, cpu), ph);
		CHECK_EQ_INT(fdt_get_phandle(&f, core), 0);
		CHECK_EQ_INT(fdt_node_by_phandle(&f, 0), -EINVAL);
		CHECK_EQ_INT(fdt_node_by_phandle(&f, 0xffffffff), -EINVAL);
		CHECK_EQ_INT(fdt_node_by_phandle(&f, 0x1234), -ENOENT);
		free(blob);
	}
}

TEST(fdt_fixture_intc)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		const void *v;
		uint32_t ph = 0, len = 99, cells = 0;
		uint64_t addr = 0;
		const char *s;
		int gic;

		REQUIRE(blob != NULL);
		gic = fdt_find_compatible(&f, -1, fixtures[i].gic);
		CHECK(gic > 0);
		CHECK_EQ_INT(fdt_find_compatible(&f, gic, fixtures[i].gic),
			     -ENOENT);
		CHECK_EQ_INT(fdt_find_compatible(&f, -1, fixtures[i].other_gic),
			     -ENOENT);
		CHECK_EQ_INT(fdt_node_name(&f, gic, &s), 0);
		CHECK_EQ_STR(s, "intc@8000000");
		CHECK_EQ_INT(fdt_path_offset(&f, "/intc"), gic);
		CHECK_EQ_INT(
		    fdt_get_prop(&f, gic, "interrupt-controller", &v, &len), 0);
		CHECK_EQ_INT(len, 0);
		CHECK_EQ_INT(fdt_prop_u32(&f, gic, "#interrupt-cells", &cells),
			     0);
		CHECK_EQ_INT(cells, 3);
		CHECK_EQ_INT(fdt_reg(&f, gic, 0, &addr, NULL), 0);
		CHECK_EQ_INT(addr, 0x8000000);
		/* GICD, then GICR (v3) or GICC (v2). */
		CHECK_EQ_INT(fdt_reg(&f, gic, 1, &addr, NULL), 0);
		CHECK_EQ_INT(addr, strcmp(fixtures[i].gic, "arm,gic-v3") == 0
				       ? 0x80a0000
				       : 0x8010000);
		/* The root's interrupt-parent is the GIC (PITFALLS.md). */
		CHECK_EQ_INT(fdt_prop_u32(&f, 0, "interrupt-parent", &ph), 0);
		CHECK_EQ_INT(fdt_node_by_phandle(&f, ph), gic);
		CHECK_EQ_INT(fdt_get_phandle(&f, gic), ph);
		/* Its one child: the ITS (v3) or the v2m frame (v2). */
		CHECK(fdt_first_child(&f, gic) > gic);
		CHECK_EQ_INT(fdt_parent(&f, fdt_first_child(&f, gic)), gic);
		free(blob);
	}
}

TEST(fdt_fixture_virtio_count)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		int n = 0, last = -1, node;

		REQUIRE(blob != NULL);
		while ((node = fdt_find_compatible(&f, last, "virtio,mmio")) >=
		       0) {
			uint64_t addr = 0, size = 0;

			CHECK(node > last);
			CHECK(fdt_node_enabled(&f, node));
			CHECK_EQ_INT(fdt_reg(&f, node, 0, &addr, &size), 0);
			CHECK_EQ_INT(addr, 0xa000000 + 0x200 * (uint64_t)n);
			CHECK_EQ_INT(size, 0x200);
			last = node;
			n++;
		}
		CHECK_EQ_INT(node, -ENOENT);
		CHECK_EQ_INT(n, 32);
		CHECK_EQ_INT(fdt_path_offset(&f, "/virtio_mmio"), -ENOENT);
		CHECK(fdt_path_offset(&f, "/virtio_mmio@a003e00") > 0);
		free(blob);
	}
}

TEST(fdt_fixture_prop_iteration)
{
	static const char *const uart_props[] = {
	    "clock-names", "clocks", "interrupts", "reg", "compatible",
	};
	struct fdt f;
	uint8_t *blob = open_fixture(0, &f, NULL);
	const char *name;
	const void *val, *val2;
	uint32_t len, len2;
	int uart, prop, n = 0;

	REQUIRE(blob != NULL);
	uart = fdt_path_offset(&f, "/pl011@9000000");
	for (prop = fdt_first_prop(&f, uart); prop >= 0;
	     prop = fdt_next_prop(&f, prop)) {
		REQUIRE(n < 5);
		CHECK_EQ_INT(fdt_prop_info(&f, prop, &name, &val, &len), 0);
		CHECK_EQ_STR(name, uart_props[n]);
		CHECK_EQ_INT(fdt_get_prop(&f, uart, name, &val2, &len2), 0);
		CHECK(val2 == val);
		CHECK_EQ_INT(len2, len);
		n++;
	}
	CHECK_EQ_INT(prop, -ENOENT);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(fdt_get_prop(&f, uart, "interrupts", &val, &len), 0);
	CHECK_EQ_INT(len, 12);
	CHECK_EQ_INT(be32(val), 0);			 /* SPI */
	CHECK_EQ_INT(be32((const uint8_t *)val + 4), 1); /* INTID 33 */
	/* clock-names is a two-string list. */
	CHECK_EQ_INT(fdt_get_prop(&f, uart, "clock-names", &val, &len), 0);
	CHECK_EQ_INT(len, sizeof("uartclk") + sizeof("apb_pclk"));
	CHECK_EQ_INT(fdt_get_prop(&f, uart, "status", NULL, NULL), -ENOENT);
	/* Property offsets are not nodes, and node offsets not properties. */
	prop = fdt_first_prop(&f, uart);
	CHECK_EQ_INT(fdt_first_child(&f, prop), -EINVAL);
	CHECK_EQ_INT(fdt_prop_info(&f, uart, &name, NULL, NULL), -EINVAL);
	CHECK_EQ_INT(fdt_next_prop(&f, uart), -EINVAL);
	CHECK_EQ_INT(fdt_first_prop(&f, prop), -EINVAL);
	/* A node with no properties: /cpus/cpu-map. */
	CHECK_EQ_INT(fdt_first_prop(&f, fdt_path_offset(&f, "/cpus/cpu-map")),
		     -ENOENT);
	free(blob);
}

TEST(fdt_fixture_paths)
{
	struct fdt f;
	uint8_t *blob = open_fixture(0, &f, NULL);
	int chosen, its;

	REQUIRE(blob != NULL);
	chosen = fdt_path_offset(&f, "/chosen");
	CHECK(chosen > 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "/"), 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "//"), 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "/chosen/"), chosen);
	CHECK_EQ_INT(fdt_path_offset(&f, "//chosen"), chosen);
	CHECK_EQ_INT(fdt_path_offset(&f, "/pl011"),
		     fdt_path_offset(&f, "/pl011@9000000"));
	CHECK_EQ_INT(fdt_path_offset(&f, "/pl011@9000001"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "/pl011@"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "/pl01"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "/pl011@9000000/x"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "/nonexistent"), -ENOENT);
	its = fdt_path_offset(&f, "/intc@8000000/its@8080000");
	CHECK(its > 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "/intc/its"), its);
	CHECK_EQ_INT(fdt_parent(&f, its), fdt_path_offset(&f, "/intc"));
	CHECK_EQ_INT(fdt_first_child(&f, its), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, ""), -EINVAL);
	CHECK_EQ_INT(fdt_path_offset(&f, NULL), -EINVAL);
	/* No /aliases on virt: an alias name resolves to nothing. */
	CHECK_EQ_INT(fdt_path_offset(&f, "aliases"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "serial0"), -ENOENT);
	/* Not node offsets. */
	CHECK_EQ_INT(fdt_parent(&f, 4), -EINVAL);
	CHECK_EQ_INT(fdt_parent(&f, -1), -EINVAL);
	CHECK_EQ_INT(fdt_parent(&f, 0x7ffffffc), -EINVAL);
	CHECK_EQ_INT(fdt_node_name(&f, 2, NULL), -EINVAL);
	CHECK_EQ_INT(fdt_find_compatible(&f, -2, "arm,pl011"), -EINVAL);
	CHECK_EQ_INT(fdt_find_compatible(&f, 0, NULL), -EINVAL);
	CHECK_EQ_INT(fdt_next_sibling(&f, 4), -EINVAL);
	CHECK_EQ_INT(fdt_get_prop(&f, 0, NULL, NULL, NULL), -EINVAL);
	CHECK(!fdt_node_enabled(&f, 4));
	CHECK(!fdt_is_compatible(&f, 0, NULL));
	free(blob);
}

/* Every node reached by the walk is found again by its full path. */
TEST(fdt_fixture_path_round_trip)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		int checked = 0;

		REQUIRE(blob != NULL);
		/* Document order: every BEGIN_NODE offset via parent links. */
		for (int node = 0; node >= 0 && node < (int)f.size_struct;
		     node += 4) {
			char path[512] = "", tmp[512];
			const char *name;
			int up = node;

			if (fdt_node_name(&f, node, &name) != 0 ||
			    fdt_parent(&f, node) == -EINVAL) {
				continue; /* not a node (or inside a value) */
			}
			while (up > 0) {
				fdt_node_name(&f, up, &name);
				snprintf(tmp, sizeof(tmp), "/%s%s", name, path);
				memcpy(path, tmp, sizeof(path));
				up = fdt_parent(&f, up);
			}
			CHECK_EQ_INT(fdt_path_offset(&f, node ? path : "/"),
				     node);
			checked++;
		}
		CHECK_EQ_INT(checked, fixtures[i].nodes);
		free(blob);
	}
}

/* ---- Trees built here -----------------------------------------------------
 */

/*
 * / { #address-cells = <1>; #size-cells = <1>;
 *     aliases { serial0 = "/soc/uart@1000"; bad = "nope"; raw = "/soc" (no
 *               NUL); empty = ""; }
 *     chosen { stdout-path = "serial0:115200n8"; bootargs = "console=x"; }
 *     soc { #address-cells = <1>; #size-cells = <1>;
 *           uart@1000 { compatible = "ns16550a\0x"; reg = <0x1000 0x100
 *                       0x2000 0x200>; status = "okay"; phandle = <5>;
 *                       child { }; };
 *           uart@3000 { status = "disabled"; linux,phandle = <6>; }; }; }
 */
static uint8_t *build_soc(struct dtb *d, const char *stdout_path)
{
	static const uint32_t reg[] = {0x1000, 0x100, 0x2000, 0x200};

	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_u32(d, "#address-cells", 1);
	dtb_prop_u32(d, "#size-cells", 1);
	dtb_begin(d, "aliases");
	dtb_prop_str(d, "serial0", "/soc/uart@1000");
	dtb_prop_str(d, "bad", "nope");
	dtb_prop(d, "raw", "/soc", 4);
	dtb_prop_str(d, "empty", "");
	dtb_end(d);
	dtb_begin(d, "chosen");
	if (stdout_path) {
		dtb_prop_str(d, "stdout-path", stdout_path);
	}
	dtb_prop_str(d, "bootargs", "console=x");
	dtb_end(d);
	dtb_begin(d, "soc");
	dtb_prop_u32(d, "#address-cells", 1);
	dtb_prop_u32(d, "#size-cells", 1);
	dtb_begin(d, "uart@1000");
	dtb_prop(d, "compatible", "ns16550a\0x", 11);
	dtb_prop_cells(d, "reg", 4, reg);
	dtb_prop_str(d, "status", "okay");
	dtb_prop_u32(d, "phandle", 5);
	dtb_begin(d, "child");
	dtb_end(d);
	dtb_end(d);
	dtb_begin(d, "uart@3000");
	dtb_prop_str(d, "status", "disabled");
	dtb_prop_u32(d, "linux,phandle", 6);
	dtb_end(d);
	dtb_end(d);
	dtb_end(d);
	return dtb_finish(d);
}

TEST(fdt_built_aliases_and_chosen)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	const char *s = NULL;
	int uart, node = -1;

	REQUIRE(d != NULL);
	build_soc(d, "serial0:115200n8");
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	uart = fdt_path_offset(&f, "/soc/uart@1000");
	CHECK(uart > 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "serial0"), uart);
	CHECK_EQ_INT(fdt_path_offset(&f, "serial0/child"),
		     fdt_path_offset(&f, "/soc/uart@1000/child"));
	CHECK(fdt_path_offset(&f, "serial0/child") > uart);
	CHECK_EQ_INT(fdt_path_offset(&f, "serial0/nope"), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "serial1"), -ENOENT);
	/* An alias value must be a full path, NUL-terminated. */
	CHECK_EQ_INT(fdt_path_offset(&f, "bad"), -EBADMSG);
	CHECK_EQ_INT(fdt_path_offset(&f, "raw"), -EBADMSG);
	CHECK_EQ_INT(fdt_path_offset(&f, "empty"), -EBADMSG);
	/* Two uarts: the unit address cannot be left out. */
	CHECK_EQ_INT(fdt_path_offset(&f, "/soc/uart"), -ENOENT);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, &node), 0);
	CHECK_EQ_INT(node, uart);
	CHECK_EQ_INT(fdt_chosen_bootargs(&f, &s), 0);
	CHECK_EQ_STR(s, "console=x");
	CHECK_EQ_INT(walk_all(&f, true), 7);
	free(d->blob);

	/* A full path with options, and a path to nothing. */
	build_soc(d, "/soc/uart@3000:9600");
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, &node), 0);
	CHECK_EQ_INT(node, fdt_path_offset(&f, "/soc/uart@3000"));
	free(d->blob);
	build_soc(d, "/soc/uart@4000");
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, &node), -ENOENT);
	free(d->blob);
	build_soc(d, NULL);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, &node), -ENOENT);
	free(d->blob);
	free(d);
}

TEST(fdt_built_linux_stdout_path)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	int node = -1;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "chosen");
	dtb_prop_str(d, "linux,stdout-path", "/serial@1");
	dtb_end(d);
	dtb_begin(d, "serial@1");
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, &node), 0);
	CHECK_EQ_INT(node, fdt_path_offset(&f, "/serial"));
	CHECK_EQ_INT(fdt_chosen_bootargs(&f, NULL), -ENOENT);
	free(d->blob);
	free(d);
}

TEST(fdt_built_status_compatible_phandle)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	int uart, uart2;

	REQUIRE(d != NULL);
	build_soc(d, "serial0");
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	uart = fdt_path_offset(&f, "/soc/uart@1000");
	uart2 = fdt_path_offset(&f, "/soc/uart@3000");
	CHECK(fdt_node_enabled(&f, uart));
	CHECK(!fdt_node_enabled(&f, uart2));
	CHECK(fdt_node_enabled(&f, 0)); /* no status at all */
	CHECK(fdt_is_compatible(&f, uart, "ns16550a"));
	CHECK(fdt_is_compatible(&f, uart, "x"));
	CHECK(!fdt_is_compatible(&f, uart, "ns16550"));
	CHECK(!fdt_is_compatible(&f, uart2, "ns16550a"));
	CHECK_EQ_INT(fdt_find_compatible(&f, -1, "x"), uart);
	CHECK_EQ_INT(fdt_get_phandle(&f, uart), 5);
	CHECK_EQ_INT(fdt_get_phandle(&f, uart2), 6); /* linux,phandle */
	CHECK_EQ_INT(fdt_node_by_phandle(&f, 6), uart2);
	CHECK_EQ_INT(fdt_get_phandle(&f, 0), 0);
	free(d->blob);
	free(d);
}

/* One node with the given status value (n bytes) and compatible. */
static void build_status(struct dtb *d, const void *status, uint32_t n,
			 const void *compat, uint32_t compat_len)
{
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "dev");
	dtb_prop(d, "status", status, n);
	dtb_prop(d, "compatible", compat, compat_len);
	dtb_prop(d, "phandle", "\xff\xff\xff\xff", 4);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
}

TEST(fdt_built_odd_values)
{
	static const struct {
		const char *status;
		uint32_t len;
		bool enabled;
	} cases[] = {
	    {"okay", 5, true},	{"ok", 3, true},      {"disabled", 9, false},
	    {"fail", 5, false}, {"okay", 4, false}, /* not NUL-terminated */
	    {"", 0, false},	{"okay\0x", 7, true}, {"okayy", 6, false},
	};
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	int dev;

	REQUIRE(d != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		build_status(d, cases[i].status, cases[i].len, "a\0bc", 4);
		REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
		dev = fdt_path_offset(&f, "/dev");
		CHECK(dev > 0);
		CHECK_EQ_INT(fdt_node_enabled(&f, dev), cases[i].enabled);
		/* The list's last string has no NUL: only "a" counts. */
		CHECK(fdt_is_compatible(&f, dev, "a"));
		CHECK(!fdt_is_compatible(&f, dev, "bc"));
		CHECK(!fdt_is_compatible(&f, dev, "b"));
		/* 0xffffffff is not a phandle. */
		CHECK_EQ_INT(fdt_get_phandle(&f, dev), 0);
		free(d->blob);
	}
	/* An empty compatible matches nothing. */
	build_status(d, "ok", 3, "", 0);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK(!fdt_is_compatible(&f, fdt_path_offset(&f, "/dev"), ""));
	CHECK_EQ_INT(fdt_find_compatible(&f, -1, ""), -ENOENT);
	free(d->blob);
	free(d);
}

TEST(fdt_built_bootargs_unterminated)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	const char *s = NULL;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "chosen");
	dtb_prop(d, "bootargs", "console=ttyAMA0", 15);
	dtb_prop(d, "stdout-path", "/chosen", 7);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_bootargs(&f, &s), -EBADMSG);
	CHECK(s == NULL);
	CHECK_EQ_INT(fdt_chosen_stdout(&f, NULL), -EBADMSG);
	free(d->blob);

	/* Empty (no NUL at all) is malformed too; "" is fine. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "chosen");
	dtb_prop(d, "bootargs", "", 0);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_bootargs(&f, &s), -EBADMSG);
	free(d->blob);
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "chosen");
	dtb_prop(d, "bootargs", "", 1);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_chosen_bootargs(&f, &s), 0);
	CHECK_EQ_STR(s, "");
	free(d->blob);
	free(d);
}

/* / { <parent cells> bus { #address-cells, #size-cells; dev { reg } } } */
static void build_reg(struct dtb *d, int ac, int sc, const uint32_t *reg,
		      int ncells)
{
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "bus");
	if (ac >= 0) {
		dtb_prop_u32(d, "#address-cells", (uint32_t)ac);
	}
	if (sc >= 0) {
		dtb_prop_u32(d, "#size-cells", (uint32_t)sc);
	}
	dtb_begin(d, "dev");
	if (ncells >= 0) {
		dtb_prop_cells(d, "reg", ncells, reg);
	}
	dtb_end(d);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
}

TEST(fdt_built_reg)
{
	static const uint32_t reg[] = {0x1, 0x2, 0x3, 0x4, 0x5, 0x6,
				       0x7, 0x8, 0x9, 0xa, 0xb, 0xc};
	static const struct {
		int ac, sc, ncells;
		unsigned index;
		int err;
		uint64_t addr, size;
	} cases[] = {
	    {1, 1, 4, 0, 0, 0x1, 0x2},
	    {1, 1, 4, 1, 0, 0x3, 0x4},
	    {1, 1, 4, 2, -ENOENT, 0, 0},
	    {1, 1, 4, 0xffffffffu, -ENOENT, 0, 0},
	    {1, 1, 3, 0, -EBADMSG, 0, 0}, /* not whole pairs */
	    {2, 2, 8, 1, 0, 0x500000006, 0x700000008},
	    {2, 1, 6, 1, 0, 0x400000005, 0x6},
	    {1, 0, 3, 2, 0, 0x3, 0},
	    {0, 1, 2, 1, 0, 0, 0x2},
	    {0, 0, 0, 0, -ENOENT, 0, 0},
	    {0, 0, 1, 0, -EBADMSG, 0, 0},
	    {-1, -1, 6, 1, 0, 0x400000005, 0x6}, /* defaults 2, 1 */
	    {3, 2, 10, 0, -ERANGE, 0, 0},	 /* PCI-style */
	    {1, 3, 4, 0, -ERANGE, 0, 0},
	    {5, 1, 6, 0, -ERANGE, 0, 0},  /* above FDT_MAX_CELLS */
	    {1, 1, -1, 0, -ENOENT, 0, 0}, /* no reg */
	};
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;

	REQUIRE(d != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t addr = 0, size = 0;
		uint32_t cells = 0;
		int dev, err;

		build_reg(d, cases[i].ac, cases[i].sc, reg, cases[i].ncells);
		REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
		dev = fdt_path_offset(&f, "/bus/dev");
		CHECK(dev > 0);
		err = fdt_reg(&f, dev, cases[i].index, &addr, &size);
		if (err != cases[i].err) {
			unit_fail(__FILE__, __LINE__, "case %zu", i);
		}
		CHECK_EQ_INT(err, cases[i].err);
		CHECK_EQ_INT(addr, cases[i].addr);
		CHECK_EQ_INT(size, cases[i].size);
		err = fdt_address_cells(&f, dev, &cells);
		if (cases[i].ac > (int)FDT_MAX_CELLS) {
			CHECK_EQ_INT(err, -ERANGE);
		} else {
			CHECK_EQ_INT(err, 0);
			CHECK_EQ_INT(cells, cases[i].ac < 0 ? 2 : cases[i].ac);
		}
		CHECK_EQ_INT(fdt_size_cells(&f, dev, &cells), 0);
		CHECK_EQ_INT(cells, cases[i].sc < 0 ? 1 : cases[i].sc);
		/* The root's children get the defaults, as does the root. */
		CHECK_EQ_INT(fdt_address_cells(&f, 0, &cells), 0);
		CHECK_EQ_INT(cells, 2);
		CHECK_EQ_INT(
		    fdt_size_cells(&f, fdt_path_offset(&f, "/bus"), &cells), 0);
		CHECK_EQ_INT(cells, 1);
		free(d->blob);
	}

	/* A #size-cells that is not one cell is malformed. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop(d, "#size-cells", "\0\0\0\0\0\0\0\1", 8);
	dtb_begin(d, "dev");
	dtb_prop_cells(d, "reg", 3, reg);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_size_cells(&f, fdt_path_offset(&f, "/dev"), NULL),
		     -EBADMSG);
	CHECK_EQ_INT(fdt_reg(&f, fdt_path_offset(&f, "/dev"), 0, NULL, NULL),
		     -EBADMSG);
	free(d->blob);
	free(d);
}

TEST(fdt_built_nops_everywhere)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	const char *name;
	int a, b, p;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_nop(d);
	dtb_begin(d, "");
	dtb_nop(d);
	dtb_prop_u32(d, "x", 1);
	dtb_nop(d);
	dtb_nop(d);
	dtb_prop_u32(d, "y", 2);
	dtb_nop(d);
	a = dtb_begin(d, "a");
	dtb_nop(d);
	dtb_end(d);
	dtb_nop(d);
	b = dtb_begin(d, "b");
	dtb_prop_u32(d, "z", 3);
	dtb_end(d);
	dtb_nop(d);
	dtb_end(d);
	dtb_nop(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_root(&f), 4);
	CHECK_EQ_INT(fdt_first_child(&f, 4), a);
	CHECK_EQ_INT(fdt_next_sibling(&f, a), b);
	CHECK_EQ_INT(fdt_next_sibling(&f, b), -ENOENT);
	CHECK_EQ_INT(fdt_parent(&f, b), 4);
	CHECK_EQ_INT(fdt_first_child(&f, a), -ENOENT);
	CHECK_EQ_INT(fdt_first_prop(&f, a), -ENOENT);
	p = fdt_first_prop(&f, 4);
	CHECK_EQ_INT(fdt_prop_info(&f, p, &name, NULL, NULL), 0);
	CHECK_EQ_STR(name, "x");
	p = fdt_next_prop(&f, p);
	CHECK_EQ_INT(fdt_prop_info(&f, p, &name, NULL, NULL), 0);
	CHECK_EQ_STR(name, "y");
	CHECK_EQ_INT(fdt_next_prop(&f, p), -ENOENT);
	CHECK_EQ_INT(fdt_path_offset(&f, "/b"), b);
	CHECK_EQ_INT(walk_all(&f, true), 3);
	free(d->blob);
	free(d);
}

TEST(fdt_built_mem_rsv)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	uint64_t addr = 0, size = 0;

	REQUIRE(d != NULL);
	dtb_start(d);
	d->nrsv = 2;
	d->rsv[0][0] = 0x40000000;
	d->rsv[0][1] = 0x1000;
	d->rsv[1][0] = 0x123456789000;
	d->rsv[1][1] = 0x200000;
	dtb_begin(d, "");
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_mem_rsv(&f, 0, &addr, &size), 0);
	CHECK_EQ_INT(addr, 0x40000000);
	CHECK_EQ_INT(size, 0x1000);
	CHECK_EQ_INT(fdt_mem_rsv(&f, 1, &addr, &size), 0);
	CHECK_EQ_INT(addr, 0x123456789000);
	CHECK_EQ_INT(size, 0x200000);
	CHECK_EQ_INT(fdt_mem_rsv(&f, 2, &addr, &size), -ENOENT);
	CHECK_EQ_INT(fdt_mem_rsv(&f, 1000, &addr, &size), -ENOENT);

	/* A map whose terminator is missing runs into the struct block and
	 * on to the end of the blob; so does one that starts too late. */
	memset(d->blob + HDR_LEN + 32, 0xff, 16);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -ERANGE);
	check_all_fail(&f);
	memset(d->blob + HDR_LEN + 32, 0, 16);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	put_be32(d->blob + HDR_OFF_RSVMAP,
		 (uint32_t)((d->len - 8) & ~(size_t)7));
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -ERANGE);
	check_all_fail(&f);
	free(d->blob);
	free(d);
}

TEST(fdt_built_version_16)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;

	REQUIRE(d != NULL);
	build_soc(d, "serial0");
	/* Version 16 has no size_dt_struct: the struct block runs to the
	 * strings block. */
	put_be32(d->blob + HDR_VERSION, 16);
	put_be32(d->blob + HDR_SIZE_STRUCT, 0xdeadbeef);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(f.size_struct, d->off_strings - d->off_struct);
	CHECK_EQ_INT(walk_all(&f, true), 7);
	/* With the strings block moved before it, the struct block runs to
	 * the end of the blob; an empty strings block has no names. */
	put_be32(d->blob + HDR_OFF_STRINGS, HDR_LEN);
	put_be32(d->blob + HDR_SIZE_STRINGS, 0);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	free(d);
}

/* ---- Broken blobs ------------------------------------------------------ */

/* Load the first fixture, cut to the end of its strings block, with the
 * header's totalsize saying so: small, so each corruption is quick. */
static uint8_t *compact_fixture(size_t *len)
{
	size_t n = 0;
	uint8_t *full = unit_load_fixture(fixtures[0].file, &n);
	uint8_t *blob;
	size_t end;

	if (full == NULL || n < HDR_LEN) {
		free(full);
		return NULL;
	}
	end = be32(full + HDR_OFF_STRINGS) + be32(full + HDR_SIZE_STRINGS);
	if (end > n) {
		free(full);
		return NULL;
	}
	blob = dup_blob(full, end);
	put_be32(blob + HDR_TOTALSIZE, (uint32_t)end);
	free(full);
	*len = end;
	return blob;
}

/* fdt_init on a copy of blob with the u32 at `at` replaced. */
static int init_patched(const uint8_t *blob, size_t len, size_t at, uint32_t v)
{
	uint8_t *copy = dup_blob(blob, len);
	struct fdt f;
	int err;

	put_be32(copy + at, v);
	err = fdt_init(&f, copy, len);
	if (err) {
		check_all_fail(&f);
	} else {
		walk_all(&f, true);
	}
	free(copy);
	return err;
}

TEST(fdt_broken_header)
{
	size_t len = 0;
	uint8_t *blob = compact_fixture(&len);
	uint32_t off_struct, size_struct, off_strings, size_strings;
	struct fdt f;

	REQUIRE(blob != NULL);
	off_struct = be32(blob + HDR_OFF_STRUCT);
	size_struct = be32(blob + HDR_SIZE_STRUCT);
	off_strings = be32(blob + HDR_OFF_STRINGS);
	size_strings = be32(blob + HDR_SIZE_STRINGS);
	CHECK_EQ_INT(init_patched(blob, len, HDR_MAGIC, FDT_MAGIC), 0);
	CHECK_EQ_INT(init_patched(blob, len, HDR_MAGIC, 0xedfe0dd0), -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_VERSION, 15), -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_VERSION, 0), -EINVAL);
	/* A newer version still readable by a version-16 reader is fine. */
	CHECK_EQ_INT(init_patched(blob, len, HDR_VERSION, 18), 0);
	CHECK_EQ_INT(init_patched(blob, len, HDR_LAST_COMP, 18), -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_LAST_COMP, 0xffffffff),
		     -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_TOTALSIZE, (uint32_t)len + 1),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_TOTALSIZE, 0xffffffff),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_TOTALSIZE, 0), -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_TOTALSIZE, HDR_LEN - 1),
		     -EINVAL);
	/* Blocks past the end, and sizes that wrap around with the offset. */
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRUCT, (uint32_t)len + 4),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRUCT, 0xfffffffc),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRUCT,
				  (uint32_t)len - off_struct + 1),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRUCT,
				  0xffffffff - off_struct + 5),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRINGS, (uint32_t)len),
		     -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRINGS, 0xffffff00),
		     -ERANGE);
	CHECK_EQ_INT(
	    init_patched(blob, len, HDR_SIZE_STRINGS, size_strings + 1),
	    -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRINGS,
				  0xffffffff - off_strings + 2),
		     -ERANGE);
	CHECK_EQ_INT(
	    init_patched(blob, len, HDR_OFF_RSVMAP, (uint32_t)(len + 7) & ~7u),
	    -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_RSVMAP, 0xfffffff8),
		     -ERANGE);
	/* Blocks overlapping the header. */
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_RSVMAP, 0), -ERANGE);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRUCT, 0), -ERANGE);
	/* Alignment: the map on 8 bytes, the struct block on 4. */
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_RSVMAP, 0x34), -EINVAL);
	CHECK_EQ_INT(init_patched(blob, len, HDR_OFF_STRUCT, off_struct + 2),
		     -EINVAL);
	/* A struct block without its FDT_END, or empty. */
	CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRUCT, size_struct - 4),
		     -EBADMSG);
	CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRUCT, 0), -EBADMSG);
	/* The struct block's start moved onto a property value. */
	CHECK(init_patched(blob, len, HDR_OFF_STRUCT, off_struct + 4) < 0);

	/* Too short to be a header at all; NULL; header-less sizes. */
	CHECK_EQ_INT(fdt_init(&f, blob, 0), -EINVAL);
	CHECK_EQ_INT(fdt_init(&f, blob, 3), -EINVAL);
	CHECK_EQ_INT(fdt_init(&f, blob, 4), -ERANGE);
	CHECK_EQ_INT(fdt_init(&f, NULL, len), -EINVAL);
	CHECK_EQ_INT(fdt_init(NULL, blob, len), -EINVAL);
	CHECK_EQ_INT(fdt_header_totalsize(NULL), 0);
	CHECK_EQ_INT(fdt_header_totalsize(blob), len);
	blob[0] ^= 1;
	CHECK_EQ_INT(fdt_header_totalsize(blob), 0);
	free(blob);
}

/*
 * Cut the blob at every length. As handed over, any cut is shorter than
 * totalsize; with totalsize rewritten to match, the cut has to be found in
 * the blocks themselves.
 */
TEST(fdt_broken_truncated)
{
	size_t n = 0, end = 0;
	uint8_t *full = unit_load_fixture(fixtures[0].file, &n);
	struct fdt f;
	int failures = 0;

	REQUIRE(full != NULL);
	end = be32(full + HDR_OFF_STRINGS) + be32(full + HDR_SIZE_STRINGS);
	REQUIRE(end <= n);
	for (size_t len = 0; len < n; len++) {
		uint8_t *copy;
		int err;

		if (len > end + 64) {
			/* Past the data only totalsize can notice: no copy. */
			err = fdt_init(&f, full, len);
			failures += err == -ERANGE;
			continue;
		}
		copy = dup_blob(full, len);
		err = fdt_init(&f, copy, len);
		failures += err < 0;
		if (err < 0) {
			CHECK(f.blob == NULL);
			CHECK_EQ_INT(fdt_root(&f), -EINVAL);
			CHECK_EQ_INT(walk_all(&f, false), 0);
		}
		if (len >= 8) {
			put_be32(copy + HDR_TOTALSIZE, (uint32_t)len);
			err = fdt_init(&f, copy, len);
			if (err == 0) {
				/* Only the free space after the data was cut.
				 */
				CHECK(len >= end);
				CHECK_EQ_INT(walk_all(&f, true), 56);
			} else {
				CHECK(len < end);
				check_all_fail(&f);
			}
		}
		free(copy);
	}
	CHECK_EQ_INT(failures, n);
	free(full);
}

/* Shrink size_dt_struct and size_dt_strings one byte at a time. */
TEST(fdt_broken_block_sizes)
{
	size_t len = 0;
	uint8_t *blob = compact_fixture(&len);
	uint32_t size_struct, size_strings, used_end = 0;

	REQUIRE(blob != NULL);
	size_struct = be32(blob + HDR_SIZE_STRUCT);
	size_strings = be32(blob + HDR_SIZE_STRINGS);
	for (uint32_t s = 0; s < size_struct; s++) {
		CHECK_EQ_INT(init_patched(blob, len, HDR_SIZE_STRUCT, s),
			     -EBADMSG);
	}
	/* QEMU's strings block holds only names in use, so every cut
	 * leaves some property name unterminated or out of the block. */
	for (uint32_t s = 0; s < size_strings; s++) {
		int err = init_patched(blob, len, HDR_SIZE_STRINGS, s);

		CHECK_EQ_INT(err, -EBADMSG);
		if (err == 0) {
			used_end = s;
		}
	}
	CHECK_EQ_INT(used_end, 0);
	free(blob);
}

/* Tiny trees, each broken in one token or one field. */
TEST(fdt_broken_struct_tokens)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	int prop, node;

	REQUIRE(d != NULL);

	/* Property value length past the struct block. */
	dtb_start(d);
	dtb_begin(d, "");
	prop = dtb_prop_u32(d, "a", 1);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	for (uint32_t bad = 5; bad < 64; bad++) {
		CHECK_EQ_INT(
		    init_patched(d->blob, d->len,
				 d->off_struct + (uint32_t)prop + 4,
				 bad > 40 ? 0xfffffffc + (bad & 3) : bad),
		    -EBADMSG);
	}
	/* Name offset past the strings block, and at its very end. */
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop + 8,
				  (uint32_t)d->str_len),
		     -EBADMSG);
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop + 8,
				  0xffffffff),
		     -EBADMSG);
	/* Unknown tokens, and FDT_END inside the root. */
	CHECK_EQ_INT(
	    init_patched(d->blob, d->len, d->off_struct + (uint32_t)prop, 5),
	    -EBADMSG);
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop, 0x03000000),
		     -EBADMSG);
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop, FDT_END),
		     -EBADMSG);
	/* The root's FDT_END_NODE gone: unbalanced. */
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop + 16, FDT_NOP),
		     -EBADMSG);
	/* FDT_END gone. */
	CHECK_EQ_INT(init_patched(d->blob, d->len,
				  d->off_struct + (uint32_t)prop + 20, FDT_NOP),
		     -EBADMSG);
	/* The property moved before the root node. */
	CHECK_EQ_INT(init_patched(d->blob, d->len, d->off_struct, FDT_NOP),
		     -EBADMSG);
	free(d->blob);

	/* Unterminated last string of the strings block. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_u32(d, "first", 1);
	dtb_prop_u32(d, "last", 1);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(init_patched(d->blob, d->len, HDR_SIZE_STRINGS,
				  (uint32_t)d->str_len - 1),
		     -EBADMSG);
	d->blob[d->len - 1] = 'x';
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);

	/* A node name running off the end of the block. */
	dtb_start(d);
	dtb_begin(d, "");
	node = dtb_begin(d, "abc"); /* "abc\0" fills its word exactly */
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	d->blob[d->off_struct + (uint32_t)node + 7] = 'd';
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	free(d);
}

TEST(fdt_broken_structure)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;

	REQUIRE(d != NULL);
	/* Extra FDT_END_NODE. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	check_all_fail(&f);
	free(d->blob);
	/* Missing FDT_END_NODE. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "a");
	dtb_end(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	/* Two roots. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_end(d);
	dtb_begin(d, "");
	dtb_end(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	/* No root at all. */
	dtb_start(d);
	dtb_nop(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	/* A property after a child node (spec 5.4.2: properties first). */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "a");
	dtb_end(d);
	dtb_prop_u32(d, "late", 1);
	dtb_end(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	/* No FDT_END, the block ending right after the root. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_end(d);
	dtb_finish_opt(d, false);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);
	/* Data after FDT_END inside the block is not looked at. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_end(d);
	dtb_u32(d, FDT_END);
	dtb_u32(d, 0x12345678);
	dtb_finish_opt(d, false);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(walk_all(&f, true), 1);
	free(d->blob);
	free(d);
}

/* A chain of `depth` nested nodes named "n". */
static void build_deep(struct dtb *d, int depth)
{
	dtb_start(d);
	dtb_begin(d, "");
	for (int i = 1; i < depth; i++) {
		dtb_begin(d, "n");
	}
	for (int i = 0; i < depth; i++) {
		dtb_end(d);
	}
	dtb_finish(d);
}

TEST(fdt_broken_deep_nesting)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f, raw;
	char path[2 * FDT_MAX_DEPTH + 1] = "";
	int deepest, parent;

	REQUIRE(d != NULL);
	/* FDT_MAX_DEPTH levels, root included, is the most accepted. */
	build_deep(d, FDT_MAX_DEPTH);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	for (int i = 1; i < FDT_MAX_DEPTH; i++) {
		strcat(path, "/n");
	}
	deepest = fdt_path_offset(&f, path);
	CHECK(deepest > 0);
	CHECK_EQ_INT(fdt_first_child(&f, deepest), -ENOENT);
	parent = fdt_parent(&f, deepest);
	CHECK_EQ_INT(parent, deepest - 8);
	CHECK_EQ_INT(fdt_next_sibling(&f, 0), -ENOENT);
	CHECK_EQ_INT(walk_all(&f, true), FDT_MAX_DEPTH);
	free(d->blob);

	build_deep(d, FDT_MAX_DEPTH + 1);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	free(d->blob);

	/* Far deeper, read without fdt_init's check: the readers still
	 * bound themselves. */
	build_deep(d, 2000);
	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	raw = (struct fdt){.blob = d->blob,
			   .len = d->len,
			   .off_struct = d->off_struct,
			   .size_struct = (uint32_t)d->st_len,
			   .off_strings = d->off_strings,
			   .size_strings = (uint32_t)d->str_len,
			   .off_mem_rsvmap = HDR_LEN,
			   .version = 17};
	deepest = 8 * (2000 - 1); /* each node is a token and "n\0\0\0" */
	CHECK_EQ_INT(fdt_node_name(&raw, deepest, NULL), 0);
	CHECK_EQ_INT(fdt_parent(&raw, deepest), -EBADMSG);
	CHECK_EQ_INT(fdt_parent(&raw, 8 * 10), 8 * 9);
	CHECK_EQ_INT(fdt_address_cells(&raw, deepest, NULL), -EBADMSG);
	CHECK_EQ_INT(fdt_next_sibling(&raw, 0), -ENOENT);
	walk_all(&raw, false);
	free(d->blob);
	free(d);
}

/* A hand-filled struct fdt whose blocks do not fit the blob is refused. */
TEST(fdt_broken_hand_filled)
{
	uint8_t blob[64] = {0};
	struct fdt f = {.blob = blob,
			.len = sizeof(blob),
			.off_struct = 60,
			.size_struct = 8};

	CHECK_EQ_INT(fdt_root(&f), -EINVAL);
	f.size_struct = 4;
	put_be32(blob + 60, FDT_BEGIN_NODE); /* name runs off the end */
	CHECK_EQ_INT(fdt_root(&f), -EBADMSG);
	f.off_strings = 0xfffffff0;
	f.size_strings = 0x20;
	CHECK_EQ_INT(fdt_root(&f), -EINVAL);
	CHECK_EQ_INT(fdt_root(NULL), -EINVAL);
	CHECK_EQ_INT(walk_all(&f, false), 0);
}

/* xorshift32: the same "random" flips on every run. */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Flip random bytes of blob, iters times, and walk whatever fdt_init
 * accepts; also walk each copy unchecked (a struct fdt filled from the
 * original header) so the readers' own bounds meet broken token streams.
 * Returns how many copies fdt_init accepted.
 */
static int flip_and_walk(const uint8_t *blob, size_t len, int iters,
			 uint32_t seed)
{
	int accepted = 0;

	for (int iter = 0; iter < iters; iter++) {
		uint8_t *copy = dup_blob(blob, len);
		int flips = 1 + (int)(rng_next(&seed) % 8);
		struct fdt f, raw;

		for (int i = 0; i < flips; i++) {
			uint32_t r = rng_next(&seed);
			size_t at = r % len;

			/* Mostly one bit; now and then a whole byte, or a
			 * token value on a token boundary. */
			if ((r >> 24) < 200) {
				copy[at] ^= (uint8_t)(1u << ((r >> 16) & 7));
			} else if ((r >> 24) < 240) {
				copy[at] = (uint8_t)(r >> 8);
			} else if ((at & ~(size_t)3) + 4 <= len) {
				put_be32(copy + (at & ~(size_t)3),
					 1 + (r >> 8) % 9);
			}
		}
		if (fdt_init(&f, copy, len) == 0) {
			accepted++;
			walk_all(&f, true);
		} else {
			check_all_fail(&f);
		}
		raw =
		    (struct fdt){.blob = copy,
				 .len = len,
				 .off_struct = be32(blob + HDR_OFF_STRUCT),
				 .size_struct = be32(blob + HDR_SIZE_STRUCT),
				 .off_strings = be32(blob + HDR_OFF_STRINGS),
				 .size_strings = be32(blob + HDR_SIZE_STRINGS),
				 .off_mem_rsvmap = be32(blob + HDR_OFF_RSVMAP),
				 .version = 17};
		walk_all(&raw, false);
		free(copy);
	}
	return accepted;
}

TEST(fdt_broken_random_flips)
{
	struct dtb *d = malloc(sizeof(*d));
	size_t len = 0;
	uint8_t *blob = compact_fixture(&len);
	int accepted;

	REQUIRE(blob != NULL && d != NULL);
	/* Flips inside property values leave a valid tree: both the
	 * accepted and the refused paths must have run. */
	accepted = flip_and_walk(blob, len, 1000, 0x6b697465);
	CHECK(accepted > 50);
	CHECK(accepted < 1000);
	free(blob);
	/* The small tree has aliases and /chosen for the flips to hit. */
	build_soc(d, "serial0:115200");
	accepted = flip_and_walk(d->blob, d->len, 2000, 0x66647421);
	CHECK(accepted > 50);
	CHECK(accepted < 2000);
	free(d->blob);
	free(d);
}

/* ---- fdt_init_partial: read a damaged tree as far as it is sound ---- */

TEST(fdt_partial_sound_trees_as_fdt_init)
{
	struct fdt_damage dmg;
	struct fdt f;
	size_t len = 0;
	uint8_t *blob = compact_fixture(&len);

	REQUIRE(blob != NULL);
	CHECK_EQ_INT(fdt_init_partial(&f, blob, len, &dmg), 0);
	CHECK_EQ_INT((int)dmg.odd, 0);
	CHECK_EQ_INT((int)dmg.cut, 0);
	CHECK(dmg.what == NULL && dmg.cut_what == NULL);
	CHECK(fdt_path_offset(&f, "/pl011@9000000") > 0);
	/* A bad header: what fdt_init says, and nothing readable. */
	blob[HDR_MAGIC] ^= 1;
	CHECK_EQ_INT(fdt_init_partial(&f, blob, len, &dmg), -EINVAL);
	check_all_fail(&f);
	CHECK_EQ_INT(fdt_init_partial(&f, NULL, len, &dmg), -EINVAL);
	CHECK_EQ_INT(fdt_init_partial(&f, blob, len, NULL), -EINVAL);
	free(blob);
}

/* A bad token: the tree before it reads, the readers stop at it. */
TEST(fdt_partial_cut_at_bad_token)
{
	struct dtb *d = malloc(sizeof(*d));
	uint32_t cells[4] = {0, 0x9000000, 0, 0x1000};
	struct fdt_damage dmg;
	struct fdt f;
	uint64_t addr;
	int a, bad;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_u32(d, "#address-cells", 2);
	dtb_prop_u32(d, "#size-cells", 2);
	a = dtb_begin(d, "uart@9000000");
	dtb_prop_str(d, "compatible", "arm,pl011");
	dtb_prop_cells(d, "reg", 4, cells);
	dtb_end(d);
	bad = (int)d->st_len;
	dtb_u32(d, 0x77); /* no such token */
	dtb_begin(d, "after");
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);

	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	CHECK_EQ_INT(fdt_init_partial(&f, d->blob, d->len, &dmg), -EBADMSG);
	CHECK_EQ_INT((int)dmg.cut, bad);
	CHECK(dmg.cut_what != NULL && strstr(dmg.cut_what, "bad token"));
	CHECK_EQ_INT(fdt_path_offset(&f, "/uart@9000000"), a);
	CHECK(fdt_is_compatible(&f, a, "arm,pl011"));
	CHECK_EQ_INT(fdt_reg(&f, a, 0, &addr, NULL), 0);
	CHECK_EQ_INT((int)addr, 0x9000000);
	CHECK_EQ_INT(fdt_find_compatible(&f, -1, "arm,pl011"), a);
	CHECK_EQ_INT(fdt_find_compatible(&f, a, "arm,pl011"), -EBADMSG);
	CHECK_EQ_INT(fdt_next_sibling(&f, a), -EBADMSG);
	CHECK(fdt_path_offset(&f, "/after") < 0);
	walk_all(&f, false);
	free(d->blob);

	/* Damage right after the root's name: nothing is left. */
	dtb_start(d);
	dtb_begin(d, "");
	dtb_u32(d, 0x77);
	dtb_end(d);
	dtb_finish(d);
	CHECK_EQ_INT(fdt_init_partial(&f, d->blob, d->len, &dmg), -EBADMSG);
	CHECK(fdt_root(&f) >= 0);
	CHECK_EQ_INT(fdt_first_child(&f, fdt_root(&f)), -EBADMSG);
	free(d->blob);
	free(d);
}

/* Nodes too deep are counted and kept out of fdt_parent's way: what
 * follows them reads, parents and cells included. */
TEST(fdt_partial_deep_nesting_skipped)
{
	struct dtb *d = malloc(sizeof(*d));
	uint32_t cells[2] = {0x1000, 0x100};
	struct fdt_damage dmg;
	struct fdt f;
	uint64_t addr;
	int root, deepest = 0, after, first_deep = 0;

	REQUIRE(d != NULL);
	dtb_start(d);
	root = dtb_begin(d, "");
	dtb_prop_u32(d, "#address-cells", 1);
	dtb_prop_u32(d, "#size-cells", 1);
	for (int i = 1; i < FDT_MAX_DEPTH + 3; i++) {
		deepest = dtb_begin(d, "n");
		if (i == FDT_MAX_DEPTH) {
			first_deep = deepest;
		}
	}
	for (int i = 1; i < FDT_MAX_DEPTH + 3; i++) {
		dtb_end(d);
	}
	after = dtb_begin(d, "after@1000");
	dtb_prop_cells(d, "reg", 2, cells);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);

	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	CHECK_EQ_INT(fdt_init_partial(&f, d->blob, d->len, &dmg), 0);
	CHECK_EQ_INT((int)dmg.odd, 3);
	CHECK_EQ_INT((int)dmg.first, first_deep);
	CHECK(dmg.what != NULL && strstr(dmg.what, "deeper"));
	CHECK_EQ_INT((int)dmg.cut, 0);
	CHECK_EQ_INT(fdt_path_offset(&f, "/after"), after);
	CHECK_EQ_INT(fdt_parent(&f, after), root);
	CHECK_EQ_INT(fdt_reg(&f, after, 0, &addr, NULL), 0);
	CHECK_EQ_INT((int)addr, 0x1000);
	CHECK_EQ_INT(fdt_parent(&f, deepest), -EBADMSG);
	CHECK_EQ_INT(fdt_parent(&f, first_deep - 8), first_deep - 16);
	walk_all(&f, false);
	free(d->blob);
	free(d);
}

/* A name outside the strings block and a property after a child: those
 * properties are never found, everything else is. */
TEST(fdt_partial_bad_properties_skipped)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt_damage dmg;
	struct fdt f;
	uint32_t v;
	int a, bad, late;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_begin(d, "");
	a = dtb_begin(d, "a");
	dtb_prop_u32(d, "before", 1);
	bad = dtb_prop_u32(d, "broken", 2);
	dtb_prop_u32(d, "also", 3);
	dtb_end(d);
	late = dtb_prop_u32(d, "late", 4);
	dtb_begin(d, "b");
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
	/* The name offset of "broken", past the strings block. */
	put_be32(d->blob + d->off_struct + bad + 8, 0x7ffff0);

	CHECK_EQ_INT(fdt_init(&f, d->blob, d->len), -EBADMSG);
	CHECK_EQ_INT(fdt_init_partial(&f, d->blob, d->len, &dmg), 0);
	CHECK_EQ_INT((int)dmg.odd, 2);
	CHECK_EQ_INT((int)dmg.first, bad);
	CHECK(dmg.what != NULL && strstr(dmg.what, "strings block"));
	CHECK_EQ_INT(fdt_prop_u32(&f, a, "before", &v), 0);
	CHECK_EQ_INT((int)v, 1);
	CHECK_EQ_INT(fdt_prop_u32(&f, a, "also", &v), 0);
	CHECK_EQ_INT((int)v, 3);
	CHECK_EQ_INT(fdt_prop_u32(&f, a, "broken", &v), -ENOENT);
	CHECK_EQ_INT(fdt_prop_info(&f, bad, NULL, NULL, NULL), -EBADMSG);
	CHECK_EQ_INT(fdt_prop_u32(&f, fdt_root(&f), "late", &v), -ENOENT);
	CHECK(late > a);
	CHECK(fdt_path_offset(&f, "/b") > 0);
	walk_all(&f, false);
	free(d->blob);
	free(d);
}

/* Random damage: whatever fdt_init_partial lets through, every reader
 * survives (AddressSanitizer watches), and it reads more trees than
 * fdt_init does. */
TEST(fdt_partial_random_flips)
{
	size_t len = 0;
	uint8_t *blob = compact_fixture(&len);
	uint32_t seed = 0x70617274;
	int strict = 0, partial = 0;

	REQUIRE(blob != NULL);
	for (int iter = 0; iter < 1000; iter++) {
		uint8_t *copy = dup_blob(blob, len);
		struct fdt_damage dmg;
		struct fdt f;
		uint32_t r = rng_next(&seed);
		int err;

		copy[r % len] ^= (uint8_t)(1u << ((r >> 16) & 7));
		strict += fdt_init(&f, copy, len) == 0;
		err = fdt_init_partial(&f, copy, len, &dmg);
		if (err == 0 || (err == -EBADMSG && fdt_root(&f) >= 0)) {
			partial++;
			walk_all(&f, false);
		} else {
			check_all_fail(&f);
		}
		free(copy);
	}
	CHECK(partial > strict);
	free(blob);
}

/*
 * Found by the fuzzer (a crash of its own harness, which assumed names are
 * unique): fdt_init accepts two properties of the same name, and lookups
 * by name give the first.
 */
TEST(fdt_fuzz_duplicate_prop_names)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	const char *s = NULL;
	uint32_t len = 0;
	int p;

	REQUIRE(d != NULL);
	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_str(d, "model", "first");
	dtb_prop_str(d, "model", "second, longer");
	dtb_end(d);
	dtb_finish(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	CHECK_EQ_INT(fdt_prop_string(&f, 0, "model", &s), 0);
	CHECK_EQ_STR(s, "first");
	p = fdt_next_prop(&f, fdt_first_prop(&f, 0));
	CHECK_EQ_INT(fdt_prop_info(&f, p, NULL, (const void **)&s, &len), 0);
	CHECK_EQ_STR(s, "second, longer");
	CHECK_EQ_INT(len, 15);
	free(d->blob);
	free(d);
}

/* ---- Interrupt specifiers (fdt_irq.c) and the GIC decoder ------------- */

#include "drivers/irqchip/gic_common.h"
#include "firmware/fdt/fdt_irq.h"
#include "kern/irq.h"

/* On QEMU's trees: the PL011 is SPI 1 = INTID 33, level high, on the GIC
 * named by the root's interrupt-parent; the timer's four PPIs. */
TEST(fdt_irq_fixtures_pl011_and_timer)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		struct fdt f;
		size_t len;
		uint8_t *blob = open_fixture(i, &f, &len);
		struct fdt_irq spec;
		uint32_t intid, root_parent;
		unsigned int flags;
		int uart, timer, gic;
		static const uint32_t timer_intids[] = {29, 30, 27, 26};

		REQUIRE(blob != NULL);
		uart = fdt_path_offset(&f, "/pl011@9000000");
		timer = fdt_path_offset(&f, "/timer");
		REQUIRE(uart >= 0 && timer >= 0);
		REQUIRE_EQ_INT(fdt_prop_u32(&f, fdt_root(&f),
					    "interrupt-parent", &root_parent),
			       0);
		gic = fdt_node_by_phandle(&f, root_parent);
		CHECK(gic >= 0);
		CHECK_EQ_INT(fdt_irq_parent(&f, uart), gic);
		CHECK_EQ_INT(fdt_irq_count(&f, uart), 1);
		REQUIRE_EQ_INT(fdt_irq_get(&f, uart, 0, &spec), 0);
		CHECK_EQ_INT(spec.ctrl, gic);
		CHECK_EQ_INT(spec.ncells, 3);
		CHECK_EQ_INT(gic_decode_specifier(spec.cells, spec.ncells,
						  &intid, &flags),
			     0);
		CHECK_EQ_INT(intid, 33);
		CHECK_EQ_INT(flags, IRQF_TRIGGER_HIGH);
		CHECK_EQ_INT(fdt_irq_get(&f, uart, 1, &spec), -ENOENT);

		CHECK_EQ_INT(fdt_irq_count(&f, timer), 4);
		for (unsigned int t = 0; t < 4; t++) {
			REQUIRE_EQ_INT(fdt_irq_get(&f, timer, t, &spec), 0);
			/* GICv2's PPIs carry a CPU mask in cell 2 bits 15:8. */
			CHECK_EQ_INT(gic_decode_specifier(spec.cells,
							  spec.ncells, &intid,
							  &flags),
				     0);
			CHECK_EQ_INT(intid, timer_intids[t]);
			CHECK_EQ_INT(flags, IRQF_TRIGGER_HIGH);
		}
		/* The GIC has no parent but itself. */
		CHECK_EQ_INT(fdt_irq_parent(&f, gic), gic);
		free(blob);
	}
}

TEST(gic_decode_specifier_rules)
{
	uint32_t intid = 0;
	unsigned int flags = 0;
	const uint32_t spi_edge[] = {0, 5, 1}, ppi_low[] = {1, 13, 8},
		       ppi_mask[] = {1, 14, 0xf04}, bad_kind[] = {2, 1, 4},
		       bad_trigger[] = {0, 1, 3}, big_ppi[] = {1, 16, 4},
		       big_spi[] = {0, 988, 4}, last_spi[] = {0, 987, 4},
		       zero_trigger[] = {0, 1, 0};

	CHECK_EQ_INT(gic_decode_specifier(spi_edge, 3, &intid, &flags), 0);
	CHECK_EQ_INT(intid, 37);
	CHECK_EQ_INT(flags, IRQF_TRIGGER_RISING);
	CHECK_EQ_INT(gic_decode_specifier(ppi_low, 3, &intid, &flags), 0);
	CHECK_EQ_INT(intid, 29);
	CHECK_EQ_INT(flags, IRQF_TRIGGER_LOW);
	CHECK_EQ_INT(gic_decode_specifier(ppi_mask, 3, &intid, &flags), 0);
	CHECK_EQ_INT(intid, 30);
	CHECK_EQ_INT(gic_decode_specifier(last_spi, 3, &intid, &flags), 0);
	CHECK_EQ_INT(intid, 1019);
	CHECK_EQ_INT(gic_decode_specifier(bad_kind, 3, &intid, &flags),
		     -EINVAL);
	CHECK_EQ_INT(gic_decode_specifier(bad_trigger, 3, &intid, &flags),
		     -EINVAL);
	CHECK_EQ_INT(gic_decode_specifier(zero_trigger, 3, &intid, &flags),
		     -EINVAL);
	CHECK_EQ_INT(gic_decode_specifier(big_ppi, 3, &intid, &flags), -EINVAL);
	CHECK_EQ_INT(gic_decode_specifier(big_spi, 3, &intid, &flags), -EINVAL);
	CHECK_EQ_INT(gic_decode_specifier(spi_edge, 2, &intid, &flags),
		     -EINVAL);
}

/*
 * A hand-made tree: the root names gic (3 cells); /soc overrides with its
 * own interrupt-parent, an "intmux" of 2 cells; one device under /soc has
 * its own interrupt-parent back to the gic; another uses
 * interrupts-extended to both; a broken one names a phandle that is no
 * controller.
 */
static void build_irq_tree(struct dtb *d)
{
	const uint32_t gic_irq[] = {0, 4, 4}, mux_irq[] = {7, 1},
		       mux_two[] = {1, 2, 3, 4}, ext[] = {1, 0, 9, 4, 2, 5, 8},
		       bad_ext[] = {1, 0, 9};

	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_u32(d, "interrupt-parent", 1);
	dtb_begin(d, "gic");
	dtb_prop_u32(d, "phandle", 1);
	dtb_prop(d, "interrupt-controller", "", 0);
	dtb_prop_u32(d, "#interrupt-cells", 3);
	dtb_end(d);
	dtb_begin(d, "soc");
	dtb_prop_u32(d, "interrupt-parent", 2);
	dtb_begin(d, "intmux");
	dtb_prop_u32(d, "phandle", 2);
	dtb_prop(d, "interrupt-controller", "", 0);
	dtb_prop_u32(d, "#interrupt-cells", 2);
	dtb_prop_cells(d, "interrupts", 3, gic_irq); /* itself on soc's? */
	dtb_prop_u32(d, "interrupt-parent", 1);
	dtb_end(d);
	dtb_begin(d, "a");
	dtb_prop_cells(d, "interrupts", 2, mux_irq);
	dtb_end(d);
	dtb_begin(d, "b");
	dtb_prop_u32(d, "interrupt-parent", 1);
	dtb_prop_cells(d, "interrupts", 3, gic_irq);
	dtb_end(d);
	dtb_begin(d, "c");
	dtb_prop_cells(d, "interrupts-extended", 7, ext);
	dtb_prop_cells(d, "interrupts", 4, mux_two); /* ignored */
	dtb_end(d);
	dtb_begin(d, "d");
	dtb_prop_cells(d, "interrupts", 3, gic_irq); /* 3 cells, mux has 2 */
	dtb_end(d);
	dtb_begin(d, "e");
	dtb_prop_cells(d, "interrupts-extended", 3, bad_ext); /* short */
	dtb_end(d);
	dtb_begin(d, "f");
	dtb_prop_u32(d, "interrupt-parent", 99); /* no such phandle */
	dtb_prop_cells(d, "interrupts", 2, mux_irq);
	dtb_end(d);
	dtb_end(d); /* soc */
	dtb_end(d); /* root */
	dtb_finish(d);
}

TEST(fdt_irq_built_parents_and_cells)
{
	struct dtb *d = malloc(sizeof(*d));
	struct fdt f;
	struct fdt_irq spec;
	int gic, mux, a, b, c;

	REQUIRE(d != NULL);
	build_irq_tree(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	gic = fdt_path_offset(&f, "/gic");
	mux = fdt_path_offset(&f, "/soc/intmux");
	a = fdt_path_offset(&f, "/soc/a");
	b = fdt_path_offset(&f, "/soc/b");
	c = fdt_path_offset(&f, "/soc/c");
	REQUIRE(gic >= 0 && mux >= 0 && a >= 0 && b >= 0 && c >= 0);

	/* Inherited from /soc, not from the root. */
	CHECK_EQ_INT(fdt_irq_parent(&f, a), mux);
	REQUIRE_EQ_INT(fdt_irq_get(&f, a, 0, &spec), 0);
	CHECK_EQ_INT(spec.ctrl, mux);
	CHECK_EQ_INT(spec.ncells, 2);
	CHECK_EQ_INT(spec.cells[0], 7);
	CHECK_EQ_INT(spec.cells[1], 1);
	/* The node's own interrupt-parent wins. */
	CHECK_EQ_INT(fdt_irq_parent(&f, b), gic);
	REQUIRE_EQ_INT(fdt_irq_get(&f, b, 0, &spec), 0);
	CHECK_EQ_INT(spec.ncells, 3);
	CHECK_EQ_INT(spec.cells[2], 4);
	/* The mux's own interrupt goes to the gic (its interrupt-parent). */
	CHECK_EQ_INT(fdt_irq_parent(&f, mux), gic);
	/* interrupts-extended: different controllers and cell counts, and
	 * it takes precedence over interrupts. */
	CHECK_EQ_INT(fdt_irq_count(&f, c), 2);
	REQUIRE_EQ_INT(fdt_irq_get(&f, c, 0, &spec), 0);
	CHECK_EQ_INT(spec.ctrl, gic);
	CHECK_EQ_INT(spec.ncells, 3);
	CHECK_EQ_INT(spec.cells[1], 9);
	REQUIRE_EQ_INT(fdt_irq_get(&f, c, 1, &spec), 0);
	CHECK_EQ_INT(spec.ctrl, mux);
	CHECK_EQ_INT(spec.ncells, 2);
	CHECK_EQ_INT(spec.cells[0], 5);
	CHECK_EQ_INT(spec.cells[1], 8);
	CHECK_EQ_INT(fdt_irq_get(&f, c, 2, &spec), -ENOENT);
	/* Broken ones: wrong length, short extended, dangling phandle. */
	CHECK_EQ_INT(fdt_irq_get(&f, fdt_path_offset(&f, "/soc/d"), 0, &spec),
		     -EBADMSG);
	CHECK_EQ_INT(fdt_irq_get(&f, fdt_path_offset(&f, "/soc/e"), 0, &spec),
		     -EBADMSG);
	CHECK(fdt_irq_get(&f, fdt_path_offset(&f, "/soc/f"), 0, &spec) < 0);
	/* No interrupts at all. */
	CHECK_EQ_INT(fdt_irq_get(&f, gic, 0, &spec), -ENOENT);
	CHECK_EQ_INT(fdt_irq_count(&f, gic), 0);
	free(d->blob);
	free(d);
}

/* ---- platform/dt.c: devices keep their controllers' raw cells ---------- */

/*
 * platform/dt.c is included with device_add() renamed to a collector, so
 * its devices can be looked at without the device model.
 */
static struct device *dt_seen[16];
static unsigned int dt_nseen;

static void dt_test_device_add(struct device *dev)
{
	if (dt_nseen < 16) {
		dt_seen[dt_nseen++] = dev;
	}
}

#define device_add dt_test_device_add
#include "platform/dt.c"
#undef device_add

#include "drivers/irqchip/gic_common.h"
#include "kern/irq.h"
#include "fake_arch.h"
#include "host_mm.h"

/* dt.c's devices come from the heap: give them back between runs. */
static void dt_reset(void)
{
	while (dt_list) {
		struct dt_device *next = dt_list->next;

		kfree(dt_list);
		dt_list = next;
	}
	dt_tail = &dt_list;
	nr_dt = 0;
	dt_nseen = 0;
}

static struct device *dt_find(const char *id)
{
	for (unsigned int i = 0; i < dt_nseen; i++) {
		if (dt_seen[i]->ids[0] && strcmp(dt_seen[i]->ids[0], id) == 0) {
			return dt_seen[i];
		}
	}
	return NULL;
}

/* A GIC, and a 2-cell controller dt.c has never heard of. */
static void build_dt_devices(struct dtb *d)
{
	const uint32_t gic_irq[] = {0, 4, 4}, uart_irq[] = {0, 1, 4},
		       mux_irq[] = {7, 1}, reg[] = {0x1000, 0x100};

	dtb_start(d);
	dtb_begin(d, "");
	dtb_prop_u32(d, "#address-cells", 1);
	dtb_prop_u32(d, "#size-cells", 1);
	dtb_prop_u32(d, "interrupt-parent", 1);
	dtb_begin(d, "intc");
	dtb_prop_str(d, "compatible", "arm,gic-v3");
	dtb_prop_u32(d, "phandle", 1);
	dtb_prop(d, "interrupt-controller", "", 0);
	dtb_prop_u32(d, "#interrupt-cells", 3);
	dtb_end(d);
	dtb_begin(d, "intmux");
	dtb_prop_str(d, "compatible", "acme,intmux");
	dtb_prop_u32(d, "phandle", 2);
	dtb_prop(d, "interrupt-controller", "", 0);
	dtb_prop_u32(d, "#interrupt-cells", 2);
	dtb_prop_cells(d, "interrupts", 3, gic_irq);
	dtb_end(d);
	dtb_begin(d, "serial@1000");
	dtb_prop_str(d, "compatible", "ns16550a");
	dtb_prop_cells(d, "reg", 2, reg);
	dtb_prop_u32(d, "reg-shift", 2);
	dtb_prop_u32(d, "reg-io-width", 4);
	dtb_prop_u32(d, "clock-frequency", 1843200);
	dtb_prop_u32(d, "interrupt-parent", 2);
	dtb_prop_cells(d, "interrupts", 2, mux_irq);
	dtb_end(d);
	dtb_begin(d, "pl011");
	dtb_prop_str(d, "compatible", "arm,pl011");
	dtb_prop_cells(d, "interrupts", 3, uart_irq);
	dtb_end(d);
	dtb_end(d);
	dtb_finish(d);
}

TEST(dt_devices_keep_raw_cells_and_layout)
{
	struct dtb *d = malloc(sizeof(*d));
	struct device *gic, *mux, *serial, *pl011;
	const struct resource *r;
	unsigned int irq = 0, trigger = 0;
	struct fdt f;

	REQUIRE(d != NULL);
	build_dt_devices(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	dt_reset();
	CHECK_EQ_INT(dt_devices_add(&f), 4);
	gic = dt_find("arm,gic-v3");
	mux = dt_find("acme,intmux");
	serial = dt_find("ns16550a");
	pl011 = dt_find("arm,pl011");
	REQUIRE(gic && mux && serial && pl011);

	/* Register layout and clock from their properties. */
	CHECK_EQ_INT(serial->reg_shift, 2);
	CHECK_EQ_INT(serial->reg_width, 4);
	CHECK_EQ_INT(serial->clock_hz, 1843200);
	CHECK_EQ_INT(pl011->reg_shift, 0);
	CHECK_EQ_INT(pl011->reg_width, 0);
	CHECK_EQ_INT(pl011->clock_hz, 0);

	/* The unknown controller's 2 cells, kept for its own xlate. */
	CHECK(serial->irq_parent == mux);
	r = &serial->res[1];
	CHECK_EQ_INT(r->type, RES_IRQ);
	CHECK_EQ_INT(r->ncells, 2);
	CHECK_EQ_INT(r->cells[0], 7);
	CHECK_EQ_INT(r->cells[1], 1);
	CHECK(mux->irq_parent == gic);

	/* The GIC's 3 cells, which its xlate decodes. */
	CHECK(pl011->irq_parent == gic);
	r = &pl011->res[0];
	CHECK_EQ_INT(r->type, RES_IRQ);
	CHECK_EQ_INT(r->ncells, 3);
	CHECK_EQ_INT(gic_xlate(r, 0, 1020, &irq, &trigger), 0);
	CHECK_EQ_INT(irq, 33);
	CHECK_EQ_INT(trigger, IRQF_TRIGGER_HIGH);
	dt_reset();
	free(d->blob);
	free(d);
}

/* No device pool: each device is a heap block. When one cannot be had it
 * is named and the rest still added; nothing leaks. */
TEST(dt_devices_out_of_memory)
{
	struct dtb *d = malloc(sizeof(*d));
	unsigned int runs = 0, bad = 0;
	struct fdt f;

	REQUIRE(d != NULL);
	build_dt_devices(d);
	REQUIRE_EQ_INT(fdt_init(&f, d->blob, d->len), 0);
	for (unsigned long at = 1; runs < 10; at++, runs++) {
		int n;

		dt_reset();
		fake_console_clear();
		host_mm_fail_at(at);
		n = dt_devices_add(&f);
		if (!host_mm_failed()) {
			CHECK_EQ_INT(n, 4);
			break;
		}
		bad += n != 3 || dt_nseen != 3;
		bad += fake_console_count("dt: out of memory for device") != 1;
	}
	host_mm_fail_at(0);
	dt_reset();
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(runs, 4);
	free(d->blob);
	free(d);
}

/* ---- /cpus (fdt_cpus.c) ------------------------------------------------- */

struct cpu_seen {
	int n;
	uint64_t mpidr[8];
	bool enabled[8];
	const char *method[8];
};

static int collect_cpu(const struct fdt_cpu *c, void *ctx)
{
	struct cpu_seen *s = ctx;

	if (s->n < 8) {
		s->mpidr[s->n] = c->mpidr;
		s->enabled[s->n] = c->enabled;
		s->method[s->n] = c->enable_method;
	}
	s->n++;
	return 0;
}

TEST(fdt_cpus_fixtures)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fdt f;
		uint8_t *blob = open_fixture(i, &f, NULL);
		struct cpu_seen s = {0};
		unsigned int bad = 0;
		const char *method;

		REQUIRE(blob != NULL);
		CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, &bad),
			     fixtures[i].cpus);
		CHECK_EQ_INT(s.n, fixtures[i].cpus);
		CHECK_EQ_INT(bad, 0);
		for (int c = 0; c < s.n && c < 8; c++) {
			CHECK_EQ_INT(s.mpidr[c], (uint64_t)c);
			CHECK(s.enabled[c]);
			/* QEMU virt names a method only with -smp > 1. */
			CHECK(fixtures[i].cpus == 1
				  ? s.method[c] == NULL
				  : s.method[c] &&
					strcmp(s.method[c], "psci") == 0);
		}
		CHECK_EQ_INT(fdt_psci_method(&f, &method), 0);
		CHECK_EQ_STR(method, fixtures[i].psci_method);
		free(blob);
	}
}

/* A tree with /cpus of acells/scells (negative: left out) and, if psci,
 * a /psci node. Each cpu: reg cells as given. */
static uint8_t *cpus_tree(struct dtb *d, int acells, int scells, bool psci)
{
	const uint32_t reg2[] = {0x1, 0x00020003};

	dtb_start(d);
	dtb_begin(d, "");
	dtb_begin(d, "cpus");
	if (acells >= 0) {
		dtb_prop_u32(d, "#address-cells", (uint32_t)acells);
	}
	if (scells >= 0) {
		dtb_prop_u32(d, "#size-cells", (uint32_t)scells);
	}
	dtb_begin(d, "cpu@0"); /* good with 1 or 2 cells */
	dtb_prop_str(d, "device_type", "cpu");
	dtb_prop_cells(d, "reg", acells == 2 ? 2 : 1, reg2 + (acells != 2));
	dtb_prop_str(d, "enable-method", "psci");
	dtb_end(d);
	dtb_begin(d, "cpu@1"); /* no reg */
	dtb_prop_str(d, "device_type", "cpu");
	dtb_end(d);
	dtb_begin(d, "cpu@2"); /* a reg of three cells: fits no count */
	dtb_prop_str(d, "device_type", "cpu");
	dtb_prop_cells(d, "reg", 3, (const uint32_t[]){0, 0, 2});
	dtb_end(d);
	dtb_begin(d, "cpu@3"); /* disabled, no enable-method */
	dtb_prop_str(d, "device_type", "cpu");
	dtb_prop_cells(d, "reg", acells == 2 ? 2 : 1,
		       (const uint32_t[]){0, 0x103});
	dtb_prop_str(d, "status", "disabled");
	dtb_end(d);
	dtb_begin(d, "cpu-map"); /* not a cpu: skipped, not bad */
	dtb_end(d);
	dtb_end(d);
	if (psci) {
		dtb_begin(d, "psci");
		dtb_prop_str(d, "compatible", "arm,psci-1.0");
		dtb_prop_str(d, "method", "smc");
		dtb_end(d);
	}
	dtb_end(d);
	return dtb_finish(d);
}

TEST(fdt_cpus_built_trees)
{
	static struct dtb d;
	struct fdt f;
	const char *method;

	for (int acells = 1; acells <= 2; acells++) {
		struct cpu_seen s = {0};
		unsigned int bad = 0;
		uint8_t *blob = cpus_tree(&d, acells, 0, true);

		REQUIRE_EQ_INT(fdt_init(&f, blob, d.len), 0);
		CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, &bad), 2);
		CHECK_EQ_INT(bad, 2); /* cpu@1 (no reg), cpu@2 (3 cells) */
		/* Two cells: Aff3 from the first, masked to MPIDR's fields. */
		CHECK_EQ_INT(s.mpidr[0],
			     acells == 2 ? 0x100020003ull : 0x00020003ull);
		CHECK_EQ_INT(s.mpidr[1], acells == 2 ? 0x103ull : 0x0ull);
		CHECK(s.enabled[0] && !s.enabled[1]);
		CHECK(s.method[0] && strcmp(s.method[0], "psci") == 0);
		CHECK(s.method[1] == NULL);
		CHECK_EQ_INT(fdt_psci_method(&f, &method), 0);
		CHECK_EQ_STR(method, "smc");
		free(blob);
	}
}

TEST(fdt_cpus_bad_cells_and_no_psci)
{
	static struct dtb d;
	struct fdt f;
	const char *method;
	struct cpu_seen s = {0};
	uint8_t *blob;

	/* #address-cells 0, 3 or missing; #size-cells 1 or missing. */
	static const int bad_cells[][2] = {{0, 0}, {3, 0}, {-1, 0}};
	for (size_t i = 0; i < 3; i++) {
		blob = cpus_tree(&d, bad_cells[i][0], bad_cells[i][1], false);
		REQUIRE_EQ_INT(fdt_init(&f, blob, d.len), 0);
		CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, NULL), -ERANGE);
		free(blob);
	}
	blob = cpus_tree(&d, 1, 1, false);
	REQUIRE_EQ_INT(fdt_init(&f, blob, d.len), 0);
	CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, NULL), -EBADMSG);
	free(blob);
	blob = cpus_tree(&d, 1, -1, false);
	REQUIRE_EQ_INT(fdt_init(&f, blob, d.len), 0);
	CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, NULL), -EBADMSG);
	CHECK_EQ_INT(s.n, 0); /* never called on a bad /cpus */
	/* No /psci: the conduit is unknown. */
	CHECK_EQ_INT(fdt_psci_method(&f, &method), -ENOENT);
	free(blob);

	/* No /cpus at all. */
	dtb_start(&d);
	dtb_begin(&d, "");
	dtb_end(&d);
	blob = dtb_finish(&d);
	REQUIRE_EQ_INT(fdt_init(&f, blob, d.len), 0);
	CHECK_EQ_INT(fdt_cpus_walk(&f, collect_cpu, &s, NULL), -ENOENT);
	free(blob);
}
