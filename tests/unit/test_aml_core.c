/*
 * Host tests of the AML interpreter's core (kernel/firmware/acpi/aml/):
 * the load of tests/fixtures/acpi/aml/core.aml (see its .dsl for what
 * each object exercises), evaluation, stores, fields over simulated
 * regions, the bounds, bad tables, and QEMU's own DSDTs.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "kern/errno.h"
#include "firmware/acpi/aml/aml.h"

/* ---- a simulated machine behind the host ops --------------------------- */

struct sim {
	uint8_t mem[0x3000];
	uint8_t sio[8][256]; /* Super I/O: registers per logical device */
	uint8_t sio_index, bank_sel, bank[8];
	struct aml_region_access last_pci, last_mem;
	unsigned int pci_reads, notifies, fatals, ec_accesses;
	uint32_t notify_value;
	char log[256];
};

static int sim_io(struct sim *s, uint64_t port, bool write, uint64_t *v)
{
	uint8_t ldn = s->sio[0][7] & 7;

	if (port == 0x2E) { /* index */
		if (write) {
			s->sio_index = (uint8_t)*v;
		} else {
			*v = s->sio_index;
		}
	} else if (port == 0x2F) { /* data: LDN (0x07) is global */
		uint8_t *r = s->sio_index == 7 ? &s->sio[0][7]
					       : &s->sio[ldn][s->sio_index];

		if (write) {
			*r = (uint8_t)*v;
		} else {
			*v = *r;
		}
	} else if (port == 0x100) {
		if (write) {
			s->bank_sel = (uint8_t)*v;
		} else {
			*v = s->bank_sel;
		}
	} else if (port == 0x104) {
		if (write) {
			s->bank[s->bank_sel & 7] = (uint8_t)*v;
		} else {
			*v = s->bank[s->bank_sel & 7];
		}
	} else if (!write) {
		*v = 0;
	}
	return 0;
}

static int sim_rw(void *ctx, const struct aml_region_access *a, bool write,
		  uint64_t *v)
{
	struct sim *s = ctx;
	unsigned int i;

	switch (a->space) {
	case AML_SPACE_MEMORY:
		s->last_mem = *a;
		if (a->addr + a->width / 8 > sizeof(s->mem)) {
			return -EFAULT;
		}
		if (!write) {
			*v = 0;
		}
		for (i = 0; i < a->width / 8; i++) {
			if (write) {
				s->mem[a->addr + i] = (uint8_t)(*v >> (8 * i));
			} else {
				*v |= (uint64_t)s->mem[a->addr + i] << (8 * i);
			}
		}
		return 0;
	case AML_SPACE_IO:
		return sim_io(s, a->addr, write, v);
	case AML_SPACE_PCI:
		s->last_pci = *a;
		s->pci_reads += !write;
		if (!write) {
			*v = 0xAB;
		}
		return 0;
	case AML_SPACE_EC:
		s->ec_accesses++;
		return -ENODEV;
	default:
		return -ENODEV;
	}
}

static void sim_notify(void *ctx, struct aml_node *n, uint32_t value)
{
	struct sim *s = ctx;

	(void)n;
	s->notifies++;
	s->notify_value = value;
}

static void sim_fatal(void *ctx, uint8_t type, uint32_t code, uint64_t arg)
{
	struct sim *s = ctx;

	(void)type;
	(void)code;
	(void)arg;
	s->fatals++;
}

static void sim_log(void *ctx, const char *text)
{
	struct sim *s = ctx;

	snprintf(s->log, sizeof(s->log), "%s", text);
}

/* An SSDT of 43 bytes: the header, then Name (<name>, <value>). */
static void small_ssdt(uint8_t *t, const char *sig, const char *name,
		       uint8_t value)
{
	memset(t, 0, 43);
	memcpy(t, sig, 4);
	t[4] = 43;
	t[8] = 2;
	memcpy(t + 10, "KITE", 4);
	memcpy(t + 16, "LOADTB", 6);
	t[36] = 0x08; /* NameOp */
	memcpy(t + 37, name, 4);
	t[41] = 0x0A; /* BytePrefix */
	t[42] = value;
}

static uint8_t oem1[43];

static int sim_find_table(void *ctx, const char sig[4], const char oem_id[6],
			  const char oem_table_id[8], const uint8_t **table,
			  size_t *len)
{
	(void)ctx;
	if (memcmp(sig, "OEM1", 4) != 0 || memcmp(oem_id, "KITE", 4) != 0 ||
	    memcmp(oem_table_id, "LOADTB", 6) != 0) {
		return -ENOENT;
	}
	small_ssdt(oem1, "OEM1", "LTOK", 5);
	*table = oem1;
	*len = sizeof(oem1);
	return 0;
}

static const struct aml_host_ops sim_ops = {
    .region_rw = sim_rw,
    .notify = sim_notify,
    .fatal = sim_fatal,
    .log = sim_log,
    .find_table = sim_find_table,
};

/* ---- helpers ------------------------------------------------------------ */

static struct sim sim;
static uint8_t *core_aml;
static size_t core_len;

static struct aml_ns *load_core(void)
{
	struct aml_ns *ns = NULL;

	memset(&sim, 0, sizeof(sim));
	free(core_aml);
	core_aml = unit_load_fixture("acpi/aml/core.aml", &core_len);
	if (core_aml == NULL || aml_ns_create(&sim_ops, &sim, NULL, &ns) != 0) {
		return NULL;
	}
	if (aml_ns_load_table(ns, core_aml, core_len) != 0) {
		aml_ns_destroy(ns);
		return NULL;
	}
	return ns;
}

__attribute__((destructor)) static void core_free(void)
{
	free(core_aml);
}

/* Evaluate path (a method with up to two integer args) to an Integer;
 * returns the errno, the value in *v. */
static int eval_int(struct aml_ns *ns, const char *path, int nargs, uint64_t a0,
		    uint64_t a1, uint64_t *v)
{
	struct aml_value args[2] = {{.type = AML_INTEGER, .integer = a0},
				    {.type = AML_INTEGER, .integer = a1}};
	struct aml_value out;
	int rc = aml_ns_eval(ns, NULL, path, args, (unsigned int)nargs, &out);

	*v = out.type == AML_INTEGER ? out.integer : ~0ull;
	aml_value_free(&out);
	return rc;
}

static uint64_t int_of(struct aml_ns *ns, const char *path)
{
	uint64_t v = ~0ull;

	eval_int(ns, path, 0, 0, 0, &v);
	return v;
}

/* ---- load ---------------------------------------------------------------- */

TEST(aml_core_load_namespace)
{
	struct aml_ns *ns = load_core();
	struct aml_ns_stats st;
	char path[64];
	struct aml_node *n;

	REQUIRE(ns != NULL);
	aml_ns_get_stats(ns, &st);
	CHECK_EQ_INT(st.load_errors, 0);
	CHECK_EQ_INT(st.tables, 1);
	n = aml_ns_lookup(ns, NULL, "\\_SB.PCI0.LPCB.PIRA");
	REQUIRE(n != NULL);
	CHECK_EQ_INT(aml_node_type(n), AML_FIELD_UNIT);
	aml_node_path(n, path, sizeof(path));
	CHECK(strcmp(path, "\\_SB.PCI0.LPCB.PIRA") == 0);
	CHECK(aml_ns_lookup(ns, NULL, "\\_SB_.PCI0") != NULL);
	/* the 5.3 search goes up from the scope */
	CHECK(aml_ns_lookup(ns, aml_ns_lookup(ns, NULL, "\\_SB.PCI0.LPCB"),
			    "GOFF") != NULL);
	CHECK_EQ_INT(aml_node_type(aml_ns_lookup(ns, NULL, "\\_SB")),
		     AML_DEVICE);
	aml_ns_destroy(ns);
}

TEST(aml_core_module_level_if)
{
	struct aml_ns *ns = load_core();

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(int_of(ns, "\\MLI1"), 0x11);
	CHECK(aml_ns_lookup(ns, NULL, "\\MLD0") != NULL);
	CHECK(aml_ns_lookup(ns, NULL, "\\MLE1") == NULL);
	CHECK(aml_ns_lookup(ns, NULL, "\\MLZ1") == NULL);
	CHECK_EQ_INT(int_of(ns, "\\MLE2"), 0x14);
	aml_ns_destroy(ns);
}

static int count_dev(struct aml_node *n, void *arg)
{
	(void)n;
	(*(unsigned int *)arg)++;
	return 0;
}

TEST(aml_core_walk_devices)
{
	struct aml_ns *ns = load_core();
	unsigned int n = 0;

	REQUIRE(ns != NULL);
	aml_ns_walk(ns, NULL, AML_DEVICE, count_dev, &n);
	/* _SB, _TZ, PCI0, LPCB, MLD0, NDEV, INID, ABS0, CHLD, ECD0 */
	CHECK_EQ_INT(n, 10);
	aml_ns_destroy(ns);
}

/* ---- evaluation ---------------------------------------------------------- */

TEST(aml_core_deferred_region)
{
	struct aml_ns *ns = load_core();

	REQUIRE(ns != NULL);
	sim.mem[0x200C] = 0x78;
	sim.mem[0x200F] = 0x12;
	CHECK_EQ_INT(int_of(ns, "\\RDDF"), 0x12000078);
	CHECK_EQ_INT(sim.last_mem.addr, 0x200C);
	CHECK_EQ_INT(sim.last_mem.width, 32);
	aml_ns_destroy(ns);
}

TEST(aml_core_pci_config)
{
	struct aml_ns *ns = load_core();

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(int_of(ns, "\\_SB.PCI0.LPCB.RPIR"), 0xAB);
	CHECK_EQ_INT(sim.last_pci.addr, 0x45);
	CHECK_EQ_INT(sim.last_pci.width, 8);
	CHECK_EQ_INT(sim.last_pci.pci.segment, 1);
	CHECK_EQ_INT(sim.last_pci.pci.bus, 2);
	CHECK_EQ_INT(sim.last_pci.pci.device, 0x1F);
	CHECK_EQ_INT(sim.last_pci.pci.function, 3);
	aml_ns_destroy(ns);
}

TEST(aml_core_name_in_method)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\MNAM", 1, 9, 0, &v), 0);
	CHECK_EQ_INT(v, 9);
	/* the method-local TMP went away at return: a second call works */
	CHECK_EQ_INT(eval_int(ns, "\\MNAM", 1, 3, 0, &v), 0);
	CHECK_EQ_INT(v, 3);
	CHECK(aml_ns_lookup(ns, NULL, "\\MNAM.TMP") == NULL);
	CHECK_EQ_INT(eval_int(ns, "\\SERM", 1, 0, 0, &v), 0);
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(eval_int(ns, "\\SERM", 1, 4, 0, &v), 0);
	CHECK_EQ_INT(v, 4);
	aml_ns_destroy(ns);
}

TEST(aml_core_index_and_bank_fields)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\SIOW", 2, 3, 1, &v), 0);
	CHECK_EQ_INT(v, 1);
	CHECK_EQ_INT(sim.sio[0][7], 3);
	CHECK_EQ_INT(sim.sio[3][0x30], 1);
	sim.sio[3][0x60] = 0x03;
	sim.sio[3][0x61] = 0xF8;
	CHECK_EQ_INT(int_of(ns, "\\IOAH"), 0x03);
	CHECK_EQ_INT(int_of(ns, "\\IOAL"), 0xF8);
	CHECK_EQ_INT(eval_int(ns, "\\BNKW", 1, 0x5A, 0, &v), 0);
	CHECK_EQ_INT(v, 0x5A);
	CHECK_EQ_INT(sim.bank[3], 0x5A);
	CHECK_EQ_INT(sim.bank_sel, 3);
	aml_ns_destroy(ns);
}

TEST(aml_core_store_named)
{
	struct aml_ns *ns = load_core();
	struct aml_value out;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(int_of(ns, "\\STNI"), 0x1234);
	CHECK_EQ_INT(int_of(ns, "\\NINT"), 0x1234);
	CHECK_EQ_INT(int_of(ns, "\\ALIN"), 0x1234); /* the Alias */
	/* a named Buffer keeps its type and length: 0x55 as 4 bytes */
	REQUIRE(aml_ns_eval(ns, NULL, "\\NBUF", NULL, 0, &out) == 0);
	CHECK_EQ_INT(out.type, AML_BUFFER);
	CHECK_EQ_INT(out.buffer.len, 4);
	CHECK_EQ_INT(out.buffer.ptr[0], 0x55);
	CHECK_EQ_INT(out.buffer.ptr[1], 0);
	aml_value_free(&out);
	aml_ns_destroy(ns);
}

TEST(aml_core_mutex)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\MUTX", 0, 0, 0, &v), 0);
	CHECK_EQ_INT(v, 0);
	/* releasing a mutex not held fails, with a message */
	CHECK(eval_int(ns, "\\MREL", 0, 0, 0, &v) != 0);
	CHECK(strstr(aml_ns_last_error(ns), "not acquired") != NULL);
	aml_ns_destroy(ns);
}

TEST(aml_core_while_break_continue)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\WHIL", 1, 1, 0, &v), 0);
	CHECK_EQ_INT(v, 1);
	CHECK_EQ_INT(eval_int(ns, "\\WHIL", 1, 0, 0, &v), 0);
	CHECK_EQ_INT(v, 0);
	aml_ns_destroy(ns);
}

TEST(aml_core_elseif_chain)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\EIFS", 1, 1, 0, &v), 0);
	CHECK_EQ_INT(v, 10);
	CHECK_EQ_INT(eval_int(ns, "\\EIFS", 1, 2, 0, &v), 0);
	CHECK_EQ_INT(v, 20);
	CHECK_EQ_INT(eval_int(ns, "\\EIFS", 1, 3, 0, &v), 0);
	CHECK_EQ_INT(v, 30);
	CHECK_EQ_INT(eval_int(ns, "\\EIFS", 1, 9, 0, &v), 0);
	CHECK_EQ_INT(v, 40);
	aml_ns_destroy(ns);
}

TEST(aml_core_notify_package_load)
{
	struct aml_ns *ns = load_core();
	struct aml_value out;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(aml_ns_eval(ns, NULL, "\\NTFY", NULL, 0, &out), 0);
	CHECK_EQ_INT(sim.notifies, 1);
	CHECK_EQ_INT(sim.notify_value, 0x80);
	REQUIRE(aml_ns_eval(ns, NULL, "\\PKG0", NULL, 0, &out) == 0);
	REQUIRE(out.type == AML_PACKAGE);
	REQUIRE(out.package.count == 4);
	CHECK_EQ_INT(out.package.elems[0].integer, 1);
	CHECK(strcmp(out.package.elems[1].string.ptr, "two") == 0);
	CHECK(out.package.elems[2].node == aml_ns_lookup(ns, NULL, "\\NDEV"));
	/* LATE is declared after the package: resolved on use */
	CHECK(out.package.elems[3].node == aml_ns_lookup(ns, NULL, "\\LATE"));
	aml_value_free(&out);
	CHECK_EQ_INT(int_of(ns, "\\LDTB"), 42);
	CHECK_EQ_INT(int_of(ns, "\\LDOK"), 42);
	aml_ns_destroy(ns);
}

TEST(aml_core_load_region_and_load_table)
{
	struct aml_ns *ns = load_core();
	struct aml_ns_stats st;

	REQUIRE(ns != NULL);
	small_ssdt(sim.mem + 0x800, "SSDT", "LDR2", 7);
	CHECK_EQ_INT(int_of(ns, "\\LDRG"), 7);
	CHECK_EQ_INT(int_of(ns, "\\DDB2"), 1); /* the second table */
	CHECK_EQ_INT(int_of(ns, "\\LDTT"), 5);
	CHECK_EQ_INT(int_of(ns, "\\LTPA"), 0x77);
	CHECK_EQ_INT(int_of(ns, "\\LTHN"), 2); /* the third table's handle */
	CHECK_EQ_INT(int_of(ns, "\\LDTN"), 0); /* no such table: Zero */
	aml_ns_get_stats(ns, &st);
	CHECK_EQ_INT(st.tables, 3);
	/* a header length past the region: refused, named */
	sim.mem[0x804] = 0xFF;
	sim.mem[0x805] = 0x01;
	CHECK(int_of(ns, "\\LDRG") == ~0ull);
	CHECK(strstr(aml_ns_last_error(ns), "table length") != NULL);
	aml_ns_destroy(ns);
}

/* ---- bounds and failures ------------------------------------------------- */

TEST(aml_core_bounds)
{
	struct aml_ns *ns = load_core();
	uint64_t v;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\RECU", 0, 0, 0, &v), -E2BIG);
	CHECK(strstr(aml_ns_last_error(ns), "call depth") != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\LOOP", 0, 0, 0, &v), -ETIMEDOUT);
	CHECK(strstr(aml_ns_last_error(ns), "\\LOOP") != NULL);
	CHECK_EQ_INT(eval_int(ns, "\\FTL0", 0, 0, 0, &v), -EIO);
	CHECK_EQ_INT(sim.fatals, 1);
	CHECK(strstr(aml_ns_last_error(ns), "Fatal") != NULL);
	/* the namespace is still usable after each */
	CHECK_EQ_INT(int_of(ns, "\\MLI1"), 0x11);
	CHECK_EQ_INT(eval_int(ns, "\\NOPE", 0, 0, 0, &v), -ENOENT);
	aml_ns_destroy(ns);
}

TEST(aml_core_bad_tables)
{
	struct aml_ns *ns = load_core();
	struct aml_ns_stats st;
	uint8_t *cut;
	size_t n;

	REQUIRE(ns != NULL);
	/* shorter than its header says: refused */
	CHECK_EQ_INT(aml_ns_load_table(ns, core_aml, core_len - 1), -EBADMSG);
	CHECK_EQ_INT(aml_ns_load_table(ns, core_aml, 20), -EBADMSG);
	/* a header length cut in the middle of a term: what parsed stays,
	 * the broken term is named */
	n = core_len / 2;
	cut = malloc(core_len);
	REQUIRE(cut != NULL);
	memcpy(cut, core_aml, core_len);
	memcpy(cut + 10, "KITE2 ", 6);
	cut[4] = (uint8_t)n;
	cut[5] = (uint8_t)(n >> 8);
	cut[6] = cut[7] = 0;
	aml_ns_load_table(ns, cut, n);
	aml_ns_get_stats(ns, &st);
	CHECK_EQ_INT(st.bad_tables, 2);
	CHECK(st.load_errors > 0);
	CHECK(sim.log[0] != '\0');
	CHECK_EQ_INT(int_of(ns, "\\MLI1"), 0x11);
	CHECK_EQ_INT(int_of(ns, "\\_SB.PCI0.LPCB.RPIR"), 0xAB);
	aml_ns_destroy(ns); /* cut is referenced until here */
	free(cut);
}

TEST(aml_core_initialize)
{
	struct aml_ns *ns = load_core();
	struct aml_ns_stats st;

	REQUIRE(ns != NULL);
	CHECK_EQ_INT(aml_ns_initialize(ns, 1u << AML_SPACE_EC, 1), 0);
	CHECK_EQ_INT(int_of(ns, "\\PICM"), 1);
	/* _INI of INID ran; ABS0's did not (its _STA is 0), nor CHLD's */
	CHECK_EQ_INT(int_of(ns, "\\INID.INIC"), 1);
	CHECK_EQ_INT(int_of(ns, "\\ECD0.REGC"), 1);
	aml_ns_get_stats(ns, &st);
	CHECK_EQ_INT(st.ini_run, 1);
	CHECK_EQ_INT(st.reg_run, 1);
	/* an EC field without a handler names the region and the device */
	CHECK(int_of(ns, "\\ECD0.ECB0") == ~0ull);
	CHECK(strstr(aml_ns_last_error(ns), "\\ECD0.ERAM") != NULL);
	aml_ns_destroy(ns);
}

/* ---- QEMU's DSDTs -------------------------------------------------------- */

static void qemu_dsdt(const char *name)
{
	struct aml_ns *ns = NULL;
	struct aml_ns_stats st;
	uint8_t *t;
	size_t len;

	memset(&sim, 0, sizeof(sim));
	t = unit_load_fixture(name, &len);
	REQUIRE(t != NULL);
	REQUIRE(aml_ns_create(&sim_ops, &sim, NULL, &ns) == 0);
	CHECK_EQ_INT(aml_ns_load_table(ns, t, len), 0);
	aml_ns_get_stats(ns, &st);
	CHECK_EQ_INT(st.load_errors, 0);
	CHECK(st.devices > 30);
	CHECK(aml_ns_lookup(ns, NULL, "\\_SB.PCI0") != NULL);
	aml_ns_destroy(ns);
	free(t);
}

TEST(aml_core_qemu_pc)
{
	qemu_dsdt("acpi/pc/DSDT.bin");
}

TEST(aml_core_qemu_q35)
{
	qemu_dsdt("acpi/q35/DSDT.bin");
}

TEST(aml_core_bad_args)
{
	struct aml_ns *ns = NULL;
	struct aml_ns_stats st;
	struct aml_value v;

	CHECK_EQ_INT(aml_ns_create(&sim_ops, NULL, NULL, NULL), -EINVAL);
	CHECK_EQ_INT(aml_ns_create(NULL, NULL, NULL, &ns), -EINVAL);
	CHECK(ns == NULL);
	CHECK_EQ_INT(aml_ns_load_table(NULL, NULL, 0), -EINVAL);
	CHECK_EQ_INT(aml_ns_initialize(NULL, 0, 0), -EINVAL);
	CHECK(aml_ns_lookup(NULL, NULL, "\\_SB") == NULL);
	CHECK_EQ_INT(aml_ns_eval(NULL, NULL, "\\_SB", NULL, 0, &v), -EINVAL);
	CHECK(strcmp(aml_ns_last_error(NULL), "") == 0);
	aml_ns_get_stats(NULL, &st);
	CHECK_EQ_INT(st.nodes, 0);
	aml_ns_destroy(NULL);
	REQUIRE(aml_ns_create(&sim_ops, NULL, NULL, &ns) == 0);
	CHECK_EQ_INT(aml_ns_eval(ns, NULL, "\\NONE", NULL, 0, &v), -ENOENT);
	CHECK_EQ_INT(v.type, AML_UNINIT);
	aml_ns_destroy(ns);
}
