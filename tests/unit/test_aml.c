/*
 * Host tests for the AML interpreter (kernel/firmware/acpi/aml/) as the
 * kernel uses it (load the tables, bring the namespace up, describe every
 * Device, decode its _CRS) and for the resource template decoder
 * (resource.c): QEMU's captured DSDTs, the iasl-built tables in
 * tests/fixtures/acpi/aml, and broken input built here. The interpreter's
 * own opcode-level tests are in test_aml_core.c and test_aml_ops.c; the
 * comparison with ACPICA on real PCs' tables is scripts/aml_corpus.py.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "kern/errno.h"
#include "firmware/acpi/aml/aml.h"
#include "firmware/acpi/resource.h"
#include "kern/mm.h"
#include "fake_arch.h"
#include "host_mm.h"

/* ---- helpers --------------------------------------------------------- */

/* One described Device, as the kernel keeps it (platform/pc_acpi.c). */
struct tdev {
	char path[128];
	struct aml_devinfo info;
	const char *hid; /* info.hid, "" when none */
	unsigned int ncid;
	char (*cid)[AML_ID_LEN];
	uint64_t uid;
	bool has_uid;
	uint32_t sta;
	int error;
	struct acpi_res res[8];
	unsigned int nres, res_dropped;
	bool res_truncated;
};

/* The last enumeration's devices. */
static struct tdev *devs;
static unsigned int ndevs;

/* What every namespace has before a table loads: \_GPE, \_PR, \_SB,
 * \_SI, \_TZ, \_GL, \_OSI, \_OS, \_REV; \_SB and \_TZ are Devices,
 * \_OSI a (native) method. */
#define PREDEF_NODES   9
#define PREDEF_DEVICES 2
#define PREDEF_METHODS 1

/*
 * A host for the tests: region reads go to fake_read (when set), writes
 * are dropped; with no fake_read every region access fails (-ENODEV).
 */
static uint64_t (*fake_read_fn)(void *ctx, int space, uint64_t addr, int width);
static void *fake_read_ctx;

static int test_rw(void *ctx, const struct aml_region_access *a, bool write,
		   uint64_t *value)
{
	(void)ctx;
	if (fake_read_fn == NULL) {
		return -ENODEV;
	}
	if (!write) {
		*value = fake_read_fn(fake_read_ctx, a->space, a->addr,
				      (int)a->width);
	}
	return 0;
}

static const struct aml_host_ops test_ops = {.region_rw = test_rw};

static void devs_clear(void)
{
	for (unsigned int i = 0; i < ndevs; i++) {
		aml_devinfo_free(&devs[i].info);
	}
	free(devs);
	devs = NULL;
	ndevs = 0;
}

__attribute__((destructor)) static void devs_free(void)
{
	devs_clear();
}

static uint64_t uid_number(const char *s)
{
	return strtoull(s, NULL, 0);
}

/* ACPICA makes the predefined \_SB and \_TZ Devices (so does kite, to
 * agree with it); they describe nothing: the tests leave them out. */
static bool predefined(struct aml_node *n)
{
	return aml_node_parent(n) == NULL ||
	       (aml_node_parent(aml_node_parent(n)) == NULL &&
		(aml_node_name(n) == 0x5F42535Fu || /* "_SB_" */
		 aml_node_name(n) == 0x5F5A545Fu)); /* "_TZ_" */
}

static int keep(struct aml_node *n, void *arg)
{
	struct aml_ns *ns = arg;
	struct tdev *d;
	unsigned int total = 0, skipped;

	if (predefined(n)) {
		return 0;
	}
	devs = realloc(devs, (ndevs + 1) * sizeof(*devs));
	d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	if (aml_node_path(n, d->path, sizeof(d->path)) >= sizeof(d->path)) {
		d->error = -ERANGE;
	}
	aml_describe(ns, n, &d->info);
	d->ncid = d->info.ncid;
	d->has_uid = d->info.has_uid;
	d->uid = d->has_uid ? uid_number(d->info.uid) : 0;
	d->sta = d->info.sta_failed ? 0 : d->info.sta;
	d->error = d->error ? d->error : d->info.error;
	if (d->info.has_crs &&
	    acpi_res_decode(d->info.crs, d->info.crs_len, d->res, 8, &d->nres,
			    &skipped) == -ENOSPC) {
		acpi_res_count(d->info.crs, d->info.crs_len, &total);
		d->res_truncated = true;
		d->res_dropped = total - d->nres;
	}
	return 0;
}

/*
 * Load tables into a fresh namespace, bring it up (_REG, _STA/_INI),
 * describe every Device in namespace order. Returns the first table's
 * load result, or an aml_ns_create error.
 */
static int enumerate(const uint8_t *const *t, const size_t *l, unsigned int n,
		     unsigned int *count, struct aml_ns_stats *st)
{
	struct aml_ns *ns;
	int r = 0, first = 0;

	devs_clear();
	r = aml_ns_create(&test_ops, NULL, NULL, &ns);
	if (r < 0) {
		*count = 0;
		memset(st, 0, sizeof(*st));
		return r;
	}
	for (unsigned int i = 0; i < n; i++) {
		r = aml_ns_load_table(ns, t[i], l[i]);
		first = first ? first : r;
	}
	aml_ns_initialize(ns, 0x7, -1);
	aml_ns_walk(ns, NULL, AML_DEVICE, keep, ns);
	for (unsigned int i = 0; i < ndevs; i++) { /* devs has moved */
		devs[i].hid = devs[i].info.hid;
		devs[i].cid = devs[i].info.cid;
	}
	aml_ns_get_stats(ns, st);
	aml_ns_destroy(ns);
	*count = ndevs;
	return first;
}

static const struct tdev *find_dev(unsigned int n, const char *path)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(devs[i].path, path) == 0) {
			return &devs[i];
		}
	}
	return NULL;
}

static const struct tdev *find_hid(unsigned int n, const char *hid)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(devs[i].hid, hid) == 0) {
			return &devs[i];
		}
	}
	return NULL;
}

static int check_res(const struct acpi_res *r, enum acpi_res_type type,
		     uint64_t start, uint64_t len, unsigned int flags)
{
	return r->type == type && r->start == start && r->len == len &&
	       r->flags == flags;
}

/* Enumerate up to 3 fixtures (NULL-terminated names). */
static int run_fixtures(const char *a, const char *b, unsigned int *count,
			struct aml_ns_stats *st)
{
	const uint8_t *t[2];
	size_t l[2];
	void *m[2] = {NULL, NULL};
	unsigned int n = 0;
	int r;

	m[0] = unit_load_fixture(a, &l[0]);
	if (m[0] == NULL) {
		return -ENOENT;
	}
	t[n++] = m[0];
	if (b != NULL) {
		m[1] = unit_load_fixture(b, &l[1]);
		if (m[1] == NULL) {
			free(m[0]);
			return -ENOENT;
		}
		t[n++] = m[1];
	}
	r = enumerate(t, l, n, count, st);
	free(m[0]);
	free(m[1]);
	return r;
}

/* A host callback for the HPET and the devices.dsl HWST registers. */
static uint64_t fake_read(void *ctx, int space, uint64_t addr, int width)
{
	unsigned int *calls = ctx;

	(*calls)++;
	if (space != AML_SPACE_MEMORY) {
		return ~(uint64_t)0;
	}
	if (addr == 0xFED00000 && width == 32) {
		return 0x8086A201; /* HPET: vendor 0x8086 */
	}
	if (addr == 0xFED00004 && width == 32) {
		return 10000000; /* HPET period, fs */
	}
	if (addr == 0xFED40004 && width == 32) {
		return (0x8086u << 8) | (0xBu << 4) | 0x5;
	}
	return 0;
}

/* Table builder: a 36-byte header, then AML. */
struct tb {
	uint8_t b[65536];
	size_t n;
};

static void tb_init(struct tb *t, uint8_t rev)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "DSDT", 4);
	t->b[8] = rev;
	t->n = 36;
}

static void tb_put(struct tb *t, const void *p, size_t n)
{
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

static void tb_fix(struct tb *t)
{
	t->b[4] = (uint8_t)t->n;
	t->b[5] = (uint8_t)(t->n >> 8);
	t->b[6] = (uint8_t)(t->n >> 16);
	t->b[7] = (uint8_t)(t->n >> 24);
}

static int run_one(const uint8_t *b, size_t n, unsigned int *count,
		   struct aml_ns_stats *st)
{
	const uint8_t *t[1] = {b};
	size_t l[1] = {n};

	return enumerate(t, l, 1, count, st);
}

/* ---- QEMU's tables --------------------------------------------------- */

static void check_qemu_legacy(unsigned int n, const char *isa)
{
	char path[64];
	const struct tdev *d;

	strcpy(path, isa);
	strcat(path, ".KBD");
	d = find_dev(n, path);
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0303");
	CHECK_EQ_INT(d->sta, 0x0F);
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 3);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x60, 1, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IO, 0x64, 1, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_IRQ, 1, 1, 0));
	CHECK(find_hid(n, "PNP0303") == d);

	strcpy(path, isa);
	strcat(path, ".COM1");
	d = find_dev(n, path);
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0501");
	CHECK(d->has_uid);
	CHECK_EQ_INT(d->uid, 1);
	CHECK_EQ_INT(d->sta, 0x0F);
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 2);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x3F8, 8, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IRQ, 4, 1, 0));

	strcpy(path, isa);
	strcat(path, ".MOU");
	d = find_dev(n, path);
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0F13");
	REQUIRE_EQ_INT(d->nres, 1);
	CHECK(check_res(&d->res[0], ACPI_RES_IRQ, 12, 1, 0));

	strcpy(path, isa);
	strcat(path, ".RTC");
	d = find_dev(n, path);
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0B00");
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 2);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x70, 8, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IRQ, 8, 1, 0));

	strcpy(path, isa);
	strcat(path, ".LPT1");
	d = find_dev(n, path);
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0400");
	REQUIRE_EQ_INT(d->nres, 2);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x378, 8, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IRQ, 7, 1, 0));

	/* HPET's _STA reads its registers: no region handler, no _STA,
	 * and so no _CRS (present is not known) */
	d = find_dev(n, "\\_SB.HPET");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0103");
	CHECK_EQ_INT(d->error, -ENODEV);
	CHECK_EQ_INT(d->nres, 0);
}

TEST(aml_qemu_pc)
{
	unsigned int n;
	struct aml_ns_stats st;
	const struct tdev *d;

	fake_read_fn = NULL;
	REQUIRE_EQ_INT(run_fixtures("acpi/pc/DSDT.bin", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 51);
	CHECK_EQ_INT(st.devices, 51 + PREDEF_DEVICES);
	CHECK_EQ_INT(st.nodes, 343 + PREDEF_NODES);
	CHECK_EQ_INT(st.methods, 104 + PREDEF_METHODS);
	CHECK_EQ_INT(st.load_errors, 0);
	/* no region handler: the PCI interrupt links' _STA/_CRS (their
	 * PIRQ registers), the HPET's _STA, the CPU hot-plug _STA fail */
	CHECK_EQ_INT(st.eval_failures, 12);
	CHECK_EQ_INT(st.bad_tables, 0);
	check_qemu_legacy(n, "\\_SB.PCI0.S08");

	d = find_dev(n, "\\_SB.PCI0.S08.FDC0");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0700");
	REQUIRE_EQ_INT(d->nres, 4);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x3F2, 4, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IO, 0x3F7, 1, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_IRQ, 6, 1, 0));
	CHECK_EQ_INT(d->res[3].type, ACPI_RES_DMA);
	CHECK_EQ_INT(d->res[3].start, 2);

	/* the PCI root's windows: DWord/QWord address space descriptors */
	d = find_dev(n, "\\_SB.PCI0");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0A03");
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 6);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0xCF8, 8, 0));
	CHECK(check_res(&d->res[3], ACPI_RES_MEM, 0xA0000, 0x20000, 0));

	/* interrupt links read PCI config space: evaluation fails */
	d = find_dev(n, "\\_SB.LNKA");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0C0F");
	CHECK(d->error < 0);
	d = find_dev(n, "\\_SB.LNKS");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->sta, 0x0B);
	REQUIRE_EQ_INT(d->nres, 1);
	CHECK(check_res(&d->res[0], ACPI_RES_IRQ, 9, 1,
			ACPI_RES_LEVEL | ACPI_RES_SHARED));

	d = find_dev(n, "\\_SB.CPUS");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "ACPI0010");
	CHECK_EQ_INT(d->ncid, 1);
	CHECK_EQ_STR(d->cid[0], "PNP0A05");
}

TEST(aml_qemu_pc_host_callback)
{
	unsigned int n, calls = 0;
	struct aml_ns_stats st;
	const struct tdev *d;

	fake_read_fn = fake_read;
	fake_read_ctx = &calls;
	REQUIRE_EQ_INT(run_fixtures("acpi/pc/DSDT.bin", NULL, &n, &st), 0);
	fake_read_fn = NULL;
	d = find_dev(n, "\\_SB.HPET");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->sta, 0x0F);
	CHECK_EQ_INT(d->nres, 1);
	CHECK(calls >= 2);
	CHECK_EQ_INT(st.eval_failures, 0); /* every region answers */
}

TEST(aml_qemu_q35)
{
	unsigned int n;
	struct aml_ns_stats st;
	const struct tdev *d;

	fake_read_fn = NULL;
	REQUIRE_EQ_INT(run_fixtures("acpi/q35/DSDT.bin", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 34);
	CHECK_EQ_INT(st.devices, 34 + PREDEF_DEVICES);
	CHECK_EQ_INT(st.nodes, 251 + PREDEF_NODES);
	CHECK_EQ_INT(st.methods, 72 + PREDEF_METHODS);
	CHECK_EQ_INT(st.load_errors, 0);
	CHECK_EQ_INT(st.eval_failures, 20); /* no region handler */
	check_qemu_legacy(n, "\\_SB.PCI0.SF8");

	d = find_dev(n, "\\_SB.PCI0");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0A08");
	CHECK_EQ_INT(d->ncid, 1);
	CHECK_EQ_STR(d->cid[0], "PNP0A03");
	CHECK_EQ_INT(d->nres, 7);
	CHECK(!d->res_truncated);

	d = find_dev(n, "\\_SB.GSIA");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 1);
	CHECK(check_res(&d->res[0], ACPI_RES_IRQ, 16, 1,
			ACPI_RES_LEVEL | ACPI_RES_SHARED));
}

TEST(aml_qemu_pc_ssdt)
{
	unsigned int n;
	struct aml_ns_stats st;

	REQUIRE_EQ_INT(run_fixtures("acpi/pc-ssdt/DSDT.bin",
				    "acpi/pc-ssdt/SSDT.bin", &n, &st),
		       0);
	CHECK_EQ_INT(n, 51);
	/* the SSDT's Name (KITE, 0x2A) */
	CHECK_EQ_INT(st.nodes, 344 + PREDEF_NODES);
	CHECK_EQ_INT(st.bad_tables, 0);
}

/* The KBD0001 SSDT next to QEMU's DSDT: a second keyboard. */
TEST(aml_kbd0001_ssdt)
{
	unsigned int n;
	struct aml_ns_stats st;
	const struct tdev *d;

	REQUIRE_EQ_INT(
	    run_fixtures("acpi/pc/DSDT.bin", "acpi/aml/kbd0001.aml", &n, &st),
	    0);
	CHECK_EQ_INT(n, 52);
	d = find_dev(n, "\\_SB.KBD");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "KBD0001");
	CHECK_EQ_INT(d->sta, 0x0F);
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 3);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x60, 1, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IO, 0x64, 1, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_IRQ, 1, 1, 0));
	CHECK(find_dev(n, "\\_SB.PCI0.S08.KBD") != NULL);
	CHECK(d == &devs[n - 1]); /* creation order: the SSDT last */

	REQUIRE_EQ_INT(run_fixtures("acpi/aml/kbd0001.aml", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(devs[0].path, "\\_SB.KBD");
}

/* ---- iasl-built tables ----------------------------------------------- */

TEST(aml_devices_fixture)
{
	unsigned int n, calls = 0;
	struct aml_ns_stats st;
	const struct tdev *d;

	fake_read_fn = NULL;
	REQUIRE_EQ_INT(run_fixtures("acpi/aml/devices.aml", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 11);
	CHECK_EQ_INT(st.devices, 11 + PREDEF_DEVICES);
	/* iasl wraps External in If (Zero); plus the top-level If: both
	 * run as module-level code */
	CHECK_EQ_INT(st.load_errors, 0);
	/* HWST's _STA without a region handler: at _INI time and when
	 * the device is described */
	CHECK_EQ_INT(st.eval_failures, 2);

	/* EISA _HID, _CID package (EISA + string), string hex _UID */
	d = find_dev(n, "\\_SB.BUS0");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0A03");
	CHECK_EQ_INT(d->ncid, 2);
	CHECK_EQ_STR(d->cid[0], "PNP0A08");
	CHECK_EQ_STR(d->cid[1], "KITE0001");
	CHECK(d->has_uid);
	CHECK_EQ_INT(d->uid, 0x10);
	REQUIRE_EQ_INT(d->nres, 3); /* bus numbers: no entry */
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0xD00, 0xF300, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_MEM, 0xA0000, 0x20000, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_MEM, 0x8000000000ull,
			0x1000000000ull, 0));

	/* nested devices; string _HID; _STA and _CRS Methods with If/Else */
	CHECK(find_dev(n, "\\_SB.BUS0.SUB1") != NULL);
	d = find_dev(n, "\\_SB.BUS0.SUB1.DEEP");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "KITE0002");
	CHECK_EQ_INT(d->uid, 7);
	CHECK_EQ_INT(d->sta, 0x0B);
	CHECK_EQ_INT(d->error, 0);
	REQUIRE_EQ_INT(d->nres, 4);
	CHECK(check_res(&d->res[0], ACPI_RES_IO, 0x200, 8, 0));
	CHECK(
	    check_res(&d->res[1], ACPI_RES_IRQ, 3, 1,
		      ACPI_RES_LEVEL | ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED));
	CHECK(
	    check_res(&d->res[2], ACPI_RES_IRQ, 4, 1,
		      ACPI_RES_LEVEL | ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED));
	CHECK(
	    check_res(&d->res[3], ACPI_RES_IRQ, 5, 1,
		      ACPI_RES_LEVEL | ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED));

	/* IRQ 12 and 15 (bits 8-15 of the mask); Extended Interrupt */
	d = find_dev(n, "\\_SB.IRQS");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0C02");
	REQUIRE_EQ_INT(d->nres, 6);
	CHECK(check_res(&d->res[0], ACPI_RES_IRQ, 12, 1, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_IRQ, 15, 1, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_IRQ, 40, 1,
			ACPI_RES_LEVEL | ACPI_RES_SHARED));
	CHECK(check_res(&d->res[3], ACPI_RES_IRQ, 41, 1,
			ACPI_RES_LEVEL | ACPI_RES_SHARED));
	CHECK(check_res(&d->res[4], ACPI_RES_IRQ, 0x123456, 1,
			ACPI_RES_LEVEL | ACPI_RES_SHARED));
	CHECK(check_res(&d->res[5], ACPI_RES_IRQ, 7, 1,
			ACPI_RES_ACTIVE_LOW | ACPI_RES_WAKE));

	d = find_dev(n, "\\_SB.MEMS");
	REQUIRE(d != NULL);
	REQUIRE_EQ_INT(d->nres, 6);
	CHECK(check_res(&d->res[0], ACPI_RES_MEM, 0x100000, 0x20000, 0));
	CHECK(check_res(&d->res[1], ACPI_RES_MEM, 0xFEC00000, 0x1000, 0));
	CHECK(check_res(&d->res[2], ACPI_RES_MEM, 0xFED00000, 0x400, 0));
	CHECK(check_res(&d->res[3], ACPI_RES_IO, 0x3F8, 8, 0));
	CHECK_EQ_INT(d->res[4].type, ACPI_RES_DMA);
	CHECK_EQ_INT(d->res[4].start, 2);
	CHECK_EQ_INT(d->res[5].start, 3);

	/* _STA returning 0: present bit clear, _CRS not evaluated */
	d = find_dev(n, "\\_SB.OFF0");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0501");
	CHECK_EQ_INT(d->sta, 0);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->nres, 0);

	/* method call, While, Break, Locals, arithmetic, Alias _UID,
	 * DualNamePrefix and '^' references */
	d = find_dev(n, "\\_SB.CALC");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK(d->has_uid);
	CHECK_EQ_INT(d->uid, 0x16D);
	CHECK_EQ_INT(d->sta, 0x0F);

	d = find_dev(n, "\\_SB.HWST");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, -ENODEV);

	/* DerefOf (Index ()) into a package and a buffer */
	d = find_dev(n, "\\_SB.IDXD");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->sta, 0x0F);
	CHECK_EQ_INT(d->uid, 0x31);
	CHECK_EQ_INT(d->ncid, 1);
	CHECK_EQ_STR(d->cid[0], "KITE0007");

	/* ^^DUAL from \_SB.BUS0.SUB1; MultiNamePrefix declaration */
	d = find_dev(n, "\\_SB.DUAL");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0C0C");
	d = find_dev(n, "\\_SB.BUS0.SUB1.MULT");
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "PNP0C0D");
	/* Processor, ThermalZone, PowerResource are not Devices */
	CHECK(find_dev(n, "\\_PR.CPU0") == NULL);
	CHECK(find_dev(n, "\\_SB.TZ00") == NULL);

	/* with a callback: the field read (DWordAcc, bits 36-39, 40-55) */
	fake_read_fn = fake_read;
	fake_read_ctx = &calls;
	REQUIRE_EQ_INT(run_fixtures("acpi/aml/devices.aml", NULL, &n, &st), 0);
	fake_read_fn = NULL;
	d = find_dev(n, "\\_SB.HWST");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->sta, 0x0B);
	CHECK_EQ_INT(d->nres, 1);
	CHECK_EQ_INT(st.eval_failures, 0);
	CHECK_EQ_INT(calls, 4); /* _STA at _INI time, then described */
}

TEST(aml_loop_budget)
{
	unsigned int n;
	struct aml_ns_stats st;
	const struct tdev *d;

	REQUIRE_EQ_INT(run_fixtures("acpi/aml/loop.aml", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 3);
	d = find_dev(n, "\\_SB.SPIN"); /* While (One) {} */
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, -ETIMEDOUT);
	CHECK_EQ_INT(d->sta, 0);
	d = find_dev(n, "\\_SB.RECU"); /* _CRS calls itself */
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, -E2BIG);
	d = find_dev(n, "\\_SB.GOOD");
	REQUIRE(d != NULL);
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_STR(d->hid, "KITE0012");
	/* SPIN's _STA at _INI time and described, RECU's _CRS */
	CHECK_EQ_INT(st.eval_failures, 3);
}

/* ---- broken and hand-built input ------------------------------------- */

/* Every prefix of a table: as given (header length too big: rejected)
 * and with the header length cut to match (walked). */
static void truncate_all(const char *name)
{
	size_t len, i;
	uint8_t *full = unit_load_fixture(name, &len);
	unsigned int n, bad = 0;
	struct aml_ns_stats st;

	REQUIRE(full != NULL);
	for (i = 0; i <= len; i++) {
		uint8_t *b = malloc(i ? i : 1);
		int r;

		memcpy(b, full, i);
		r = run_one(b, i, &n, &st);
		if (i < len && (r == 0 || n != 0 || st.bad_tables != 1)) {
			bad++;
		}
		if (i >= 8) {
			b[4] = (uint8_t)i;
			b[5] = (uint8_t)(i >> 8);
			b[6] = (uint8_t)(i >> 16);
			b[7] = (uint8_t)(i >> 24);
			r = run_one(b, i, &n, &st);
			if ((r != 0 && r != -EBADMSG) || n > st.devices) {
				bad++;
			}
		}
		free(b);
	}
	CHECK_EQ_INT(bad, 0);
	free(full);
}

TEST(aml_truncated_every_length)
{
	truncate_all("acpi/pc/DSDT.bin");
	truncate_all("acpi/q35/DSDT.bin");
	truncate_all("acpi/aml/devices.aml");
	truncate_all("acpi/aml/kbd0001.aml");
}

/* Device (DEV0) { Name (_HID, "ABC") } */
static void put_dev0(struct tb *t)
{
	static const uint8_t dev[] = {0x5B, 0x82, 0x0F, 'D', 'E', 'V',
				      '0',  0x08, '_',	'H', 'I', 'D',
				      0x0D, 'A',  'B',	'C', 0x00};
	tb_put(t, dev, sizeof(dev));
}

TEST(aml_pkglength_past_end)
{
	static struct tb t;
	unsigned int n;
	struct aml_ns_stats st;
	/* Scope (\_SB) with PkgLength 0x3F but only a few bytes left */
	static const uint8_t scope[] = {0x10, 0x3F, 0x5C, '_', 'S', 'B', '_'};
	/* Device with a 4-byte PkgLength of 0x0FFFFFFF */
	static const uint8_t dev[] = {0x5B, 0x82, 0xFF, 0xFF, 0xFF,
				      0xFF, 'D',  'E',	'V',  '1'};

	tb_init(&t, 2);
	put_dev0(&t);
	tb_put(&t, scope, sizeof(scope));
	tb_fix(&t);
	/* the load says it stopped; DEV0 before the broken Scope stays */
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), -EBADMSG);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(devs[0].hid, "ABC");
	CHECK_EQ_INT(st.load_errors, 1);

	tb_init(&t, 2);
	put_dev0(&t);
	tb_put(&t, dev, sizeof(dev));
	tb_fix(&t);
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), -EBADMSG);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(st.load_errors, 1);

	/* header length beyond the buffer: the table is rejected */
	tb_init(&t, 2);
	put_dev0(&t);
	tb_fix(&t);
	CHECK_EQ_INT(run_one(t.b, t.n - 1, &n, &st), -EBADMSG);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(st.bad_tables, 1);
}

TEST(aml_namestring_past_end)
{
	static const uint8_t *tails[] = {
	    (const uint8_t *)"\x08\x5c"
			     "AB", /* Name (\AB.. */
	    (const uint8_t *)"\x08\x2e"
			     "ABCDEFG", /* dual, 7 of 8 */
	    (const uint8_t *)"\x08\x2f\x03"
			     "ABCDEFGH", /* multi, 8 of 12 */
	    (const uint8_t *)"\x08^^^^", /* parents, no name */
	    (const uint8_t *)"\x08\x2f", /* no count */
	};
	static const size_t lens[] = {4, 9, 11, 5, 2};
	static struct tb t;
	unsigned int i, n;
	struct aml_ns_stats st;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		tb_init(&t, 2);
		put_dev0(&t);
		tb_put(&t, tails[i], lens[i]);
		tb_fix(&t);
		CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), -EBADMSG);
		CHECK_EQ_INT(n, 1);
		CHECK_EQ_INT(st.load_errors, 1);
	}
}

/* n levels of Device (Dnnn) { ... } built inside out. */
static size_t nest(uint8_t *buf, size_t cap, unsigned int levels, bool scope)
{
	size_t pos = cap, i;

	for (i = 0; i < levels; i++) {
		size_t body = cap - pos;
		uint8_t name[4] = {'D', (uint8_t)('0' + i / 100 % 10),
				   (uint8_t)('0' + i / 10 % 10),
				   (uint8_t)('0' + i % 10)};
		size_t len = body + 4; /* name + body, + PkgLength bytes */
		uint8_t pl[4];
		unsigned int npl;

		if (scope) {
			/* Scope (\_SB) { ... } */
			memcpy(name, "_SB_", 4);
			len++;
		}
		if (len + 1 < 0x40) {
			npl = 1;
		} else if (len + 2 < 0x1000) {
			npl = 2;
		} else {
			npl = 3;
		}
		len += npl;
		if (npl == 1) {
			pl[0] = (uint8_t)len;
		} else {
			pl[0] = (uint8_t)(((npl - 1) << 6) | (len & 0xF));
			pl[1] = (uint8_t)(len >> 4);
			pl[2] = (uint8_t)(len >> 12);
		}
		pos -= 4;
		memcpy(buf + pos, name, 4);
		if (scope) {
			buf[--pos] = 0x5C;
		}
		pos -= npl;
		memcpy(buf + pos, pl, npl);
		if (scope) {
			buf[--pos] = 0x10;
		} else {
			buf[--pos] = 0x82;
			buf[--pos] = 0x5B;
		}
	}
	memmove(buf, buf + pos, cap - pos);
	return cap - pos;
}

TEST(aml_deep_nesting)
{
	static struct tb t;
	static uint8_t tmp[16000];
	unsigned int n;
	struct aml_ns_stats st;
	size_t len;
	int r;

	tb_init(&t, 2);
	len = nest(tmp, sizeof(tmp), 1000, true);
	REQUIRE(len < sizeof(t.b) - 36);
	tb_put(&t, tmp, len);
	tb_fix(&t);
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), 0);
	CHECK_EQ_INT(n, 0);
	CHECK(st.load_errors >= 1);

	tb_init(&t, 2);
	len = nest(tmp, sizeof(tmp), 1000, false);
	REQUIRE(len < sizeof(t.b) - 36);
	tb_put(&t, tmp, len);
	tb_fix(&t);
	/* as deep as the interpreter's nesting bound: what it could not
	 * nest is said (a load error), what it could is described; the
	 * deepest paths do not fit in 128 characters */
	r = run_one(t.b, t.n, &n, &st);
	REQUIRE(n >= 1);
	(void)r;
	CHECK(n == 1000 || st.load_errors >= 1);
	CHECK_EQ_INT(st.devices, n + PREDEF_DEVICES);
	CHECK_EQ_INT(devs[0].error, 0);
	CHECK_EQ_STR(devs[0].path, "\\D999");
	CHECK(n < 26 || devs[n - 1].error == -ERANGE);
}

TEST(aml_revision1_integers)
{
	static struct tb t;
	unsigned int n;
	struct aml_ns_stats st;
	/* Device (DEV0) { Name (_UID, Ones) Method (_STA) { Return
	 * (Add (Ones, 0x10)) } } */
	static const uint8_t dev[] = {0x5B, 0x82, 0x18, 'D',  'E', 'V',	 '0',
				      0x08, '_',  'U',	'I',  'D', 0xFF, 0x14,
				      0x0C, '_',  'S',	'T',  'A', 0x00, 0xA4,
				      0x72, 0xFF, 0x0A, 0x10, 0x00};

	tb_init(&t, 1);
	tb_put(&t, dev, sizeof(dev));
	tb_fix(&t);
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), 0);
	REQUIRE_EQ_INT(n, 1);
	CHECK_EQ_INT(devs[0].uid, 0xFFFFFFFFu);
	CHECK_EQ_INT(devs[0].sta, 0x0F);
	CHECK_EQ_INT(devs[0].error, 0);

	t.b[8] = 2;
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), 0);
	CHECK(devs[0].uid == ~(uint64_t)0);
	CHECK_EQ_INT(devs[0].sta, 0x0F);
}

TEST(aml_bad_args)
{
	struct aml_ns *ns = (struct aml_ns *)1;
	static const uint8_t junk[36] = {'D', 'S', 'D', 'T', 36};
	static const uint8_t short_len[36] = {'D', 'S', 'D', 'T', 35};
	struct aml_value v;

	CHECK_EQ_INT(aml_ns_create(NULL, NULL, NULL, NULL), -EINVAL);
	REQUIRE_EQ_INT(aml_ns_create(&test_ops, NULL, NULL, &ns), 0);
	CHECK_EQ_INT(aml_ns_load_table(ns, NULL, 36), -EINVAL);
	CHECK(aml_ns_load_table(ns, junk, 35) < 0);	 /* past the buffer */
	CHECK(aml_ns_load_table(ns, short_len, 36) < 0); /* below 36 */
	CHECK_EQ_INT(aml_ns_load_table(ns, junk, sizeof(junk)), 0);
	CHECK_EQ_INT(aml_ns_eval(ns, NULL, "\\NONE", NULL, 0, &v), -ENOENT);
	CHECK(aml_ns_lookup(ns, NULL, "\\_SB") != NULL);
	CHECK(aml_ns_lookup(ns, NULL, "\\_SB.NONE") == NULL);
	aml_ns_destroy(ns);
}

/* ---- no fixed limits (issue 10): the heap holds what firmware has ---- */

TEST(aml_every_device_described)
{
	size_t len;
	uint8_t *b = unit_load_fixture("acpi/pc/DSDT.bin", &len);
	const uint8_t *t[1] = {b};
	unsigned int n;
	struct aml_ns_stats st;

	REQUIRE(b != NULL);
	CHECK_EQ_INT(enumerate(t, &len, 1, &n, &st), 0);
	CHECK_EQ_INT(n, 51);
	CHECK_EQ_INT(st.devices, 51 + PREDEF_DEVICES);
	CHECK_EQ_STR(devs[0].path, "\\_SB.PCI0");
	free(b);
}

/* \_SB.LM00 of limits.dsl: 10 I/O ranges (8 kept), 6 _CIDs (4 kept):
 * the per-device arrays are still fixed, and say what they cut. */
static void check_lm00(const struct tdev *d)
{
	REQUIRE(d != NULL);
	CHECK_EQ_STR(d->hid, "KITE0000");
	CHECK_EQ_INT(d->error, 0);
	CHECK_EQ_INT(d->nres, 8);
	CHECK(d->res_truncated);
	CHECK_EQ_INT(d->res_dropped, 2);
	CHECK(check_res(&d->res[7], ACPI_RES_IO, 0x507, 1, 0));
	CHECK_EQ_INT(d->ncid, 6); /* AML_MAX_CID is 8 */
	CHECK_EQ_INT(d->info.cid_dropped, 0);
	CHECK_EQ_STR(d->cid[3], "KITEC004");
}

TEST(aml_many_devices_all_kept)
{
	unsigned int n;
	struct aml_ns_stats st;

	/* 80 Devices (once more than AML_MAX_DEVICES kept): all there */
	CHECK_EQ_INT(run_fixtures("acpi/aml/limits.aml", NULL, &n, &st), 0);
	CHECK_EQ_INT(n, 80);
	CHECK_EQ_INT(st.devices, 80 + PREDEF_DEVICES);
	CHECK_EQ_STR(devs[79].path, "\\_SB.LM79");
	check_lm00(find_dev(n, "\\_SB.LM00"));
	CHECK_EQ_INT(find_dev(n, "\\_SB.LM01")->res_dropped, 0);

	/* after QEMU's pc DSDT (51 Devices): every one of both */
	CHECK_EQ_INT(
	    run_fixtures("acpi/pc/DSDT.bin", "acpi/aml/limits.aml", &n, &st),
	    0);
	CHECK_EQ_INT(n, 51 + 80);
	CHECK_EQ_INT(st.devices, 51 + 80 + PREDEF_DEVICES);
	CHECK_EQ_STR(devs[n - 1].path, "\\_SB.LM79");
	check_lm00(find_dev(n, "\\_SB.LM00"));
}

/* Name (Nddd, Zero) for ddd = 0..count-1, at the root. */
static void put_names(struct tb *t, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint8_t name[6] = {0x08,
				   'N',
				   (uint8_t)('0' + i / 100 % 10),
				   (uint8_t)('0' + i / 10 % 10),
				   (uint8_t)('0' + i % 10),
				   0x00};

		if (i >= 1000) { /* Nddd has room for 3 digits: A000.. */
			name[1] = (uint8_t)('A' + i / 1000 - 1);
		}
		tb_put(t, name, sizeof(name));
	}
}

/* Device (DZZZ) { Name (_HID, One) } */
static const uint8_t dzzz[] = {0x5B, 0x82, 0x0B, 'D', 'Z', 'Z', 'Z',
			       0x08, '_',  'H',	 'I', 'D', 0x01};

TEST(aml_large_namespace_loads)
{
	static struct tb t;
	unsigned int n;
	struct aml_ns_stats st;

	/* 5,000 Names (a real DSDT has more than the old 2,048 nodes), then
	 * a Device: every object is created, the Device is described */
	tb_init(&t, 2);
	put_names(&t, 5000);
	tb_put(&t, dzzz, sizeof(dzzz));
	tb_fix(&t);
	CHECK_EQ_INT(run_one(t.b, t.n, &n, &st), 0);
	CHECK_EQ_INT(st.nodes, 5000 + 2 + PREDEF_NODES);
	REQUIRE_EQ_INT(n, 1);
	CHECK_EQ_STR(devs[0].path, "\\DZZZ");
	CHECK_EQ_INT(devs[0].error, 0);
}

/* SSDT i: Device (\_SB.Sddd) { Name (_HID, "KITE0ddd") } */
static void make_ssdt(struct tb *t, unsigned int i)
{
	uint8_t dev[] = {0x5B, 0x82, 0x1A, 0x5C, 0x2E, '_', 'S', 'B', '_',  'S',
			 '0',  '0',  '0',  0x08, '_',  'H', 'I', 'D', 0x0D, 'K',
			 'I',  'T',  'E',  '0',	 '0',  '0', '0', 0x00};

	dev[10] = dev[24] = (uint8_t)('0' + i / 100 % 10);
	dev[11] = dev[25] = (uint8_t)('0' + i / 10 % 10);
	dev[12] = dev[26] = (uint8_t)('0' + i % 10);
	tb_init(t, 2);
	memcpy(t->b, "SSDT", 4);
	tb_put(t, dev, sizeof(dev));
	tb_fix(t);
}

#define MANY_SSDTS 40 /* the old AML_MAX_TABLES was 16 */

TEST(aml_many_ssdts_load)
{
	static struct tb t[MANY_SSDTS];
	const uint8_t *tabs[MANY_SSDTS];
	size_t lens[MANY_SSDTS];
	unsigned int n, i;
	struct aml_ns_stats st;
	char path[16];

	for (i = 0; i < MANY_SSDTS; i++) {
		make_ssdt(&t[i], i);
		tabs[i] = t[i].b;
		lens[i] = t[i].n;
	}
	CHECK_EQ_INT(enumerate(tabs, lens, MANY_SSDTS, &n, &st), 0);
	CHECK_EQ_INT(st.bad_tables, 0);
	REQUIRE_EQ_INT(n, MANY_SSDTS);
	for (i = 0; i < MANY_SSDTS; i++) {
		snprintf(path, sizeof(path), "\\_SB.S%03u", i);
		CHECK_EQ_STR(devs[i].path, path);
		snprintf(path, sizeof(path), "KITE0%03u", i);
		CHECK_EQ_STR(devs[i].hid, path);
	}
}

/* Did any device or the stats say that something was lost? */
static bool loss_said(int r, const struct aml_ns_stats *st)
{
	if (r == -ENOMEM || st->load_errors || st->eval_failures) {
		return true;
	}
	for (unsigned int i = 0; i < ndevs; i++) {
		if (devs[i].error == -ENOMEM) {
			return true;
		}
	}
	return false;
}

/*
 * Exhaustion: the n-th allocation fails, for n = 1, 2, ... until a run
 * meets no failure. Each run must say it lost something (a -ENOMEM load,
 * a failed evaluation, a device's error), describe only sound devices,
 * and leave nothing allocated once the namespace is destroyed and the
 * descriptions freed (ASan checks the reads). Every 7th n, to keep the
 * run short: the allocations are many.
 */
TEST(aml_out_of_memory_at_each_allocation)
{
	size_t l[2];
	uint8_t *b[2] = {unit_load_fixture("acpi/pc/DSDT.bin", &l[0]),
			 unit_load_fixture("acpi/aml/limits.aml", &l[1])};
	const uint8_t *t[2] = {b[0], b[1]};
	unsigned int n, runs = 0, bad = 0;
	struct aml_ns_stats st;
	long live;
	int r;

	REQUIRE(b[0] != NULL && b[1] != NULL);
	devs_clear();
	live = host_mm_live();
	for (unsigned long at = 1; runs < 5000; at += 7, runs++) {
		host_mm_fail_at(at);
		r = enumerate(t, l, 2, &n, &st);
		if (!host_mm_failed()) {
			host_mm_fail_at(0);
			CHECK_EQ_INT(r, 0);
			CHECK_EQ_INT(n, 51 + 80);
			break;
		}
		host_mm_fail_at(0);
		bad += !loss_said(r, &st);
		for (unsigned int i = 0; i < n; i++) {
			bad += memchr(devs[i].path, 0, sizeof(devs[i].path)) ==
			       NULL;
		}
		devs_clear();
		bad += host_mm_live() != live;
	}
	host_mm_fail_at(0);
	devs_clear();
	CHECK_EQ_INT(bad, 0);
	CHECK(runs > 5);
	CHECK(runs < 5000);
	free(b[0]);
	free(b[1]);
}

/* ---- resource templates ---------------------------------------------- */

static struct acpi_res res[32];

TEST(resource_irq_mask_16bit)
{
	/* IRQNoFlags () {12, 15}, End Tag */
	static const uint8_t t[] = {0x22, 0x00, 0x90, 0x79, 0x00};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	REQUIRE_EQ_INT(n, 2);
	CHECK(check_res(&res[0], ACPI_RES_IRQ, 12, 1, 0));
	CHECK(check_res(&res[1], ACPI_RES_IRQ, 15, 1, 0));
	CHECK_EQ_INT(sk, 0);
}

TEST(resource_irq_flags)
{
	/* IRQ (Level, ActiveLow, Shared) {3, 4, 5}; IRQ (Edge, ActiveHigh,
	 * ExclusiveAndWake) {0} */
	static const uint8_t t[] = {0x23, 0x38, 0x00, 0x18, 0x23,
				    0x01, 0x00, 0x21, 0x79, 0x00};
	unsigned int n, sk;
	const unsigned int lvl =
	    ACPI_RES_LEVEL | ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	REQUIRE_EQ_INT(n, 4);
	CHECK(check_res(&res[0], ACPI_RES_IRQ, 3, 1, lvl));
	CHECK(check_res(&res[1], ACPI_RES_IRQ, 4, 1, lvl));
	CHECK(check_res(&res[2], ACPI_RES_IRQ, 5, 1, lvl));
	CHECK(check_res(&res[3], ACPI_RES_IRQ, 0, 1, ACPI_RES_WAKE));
}

TEST(resource_ext_irq)
{
	/* Interrupt (Consumer, Edge, ActiveLow, Shared) {0x20, 0x10000} */
	static const uint8_t t[] = {0x89, 0x0A, 0x00, 0x0F, 0x02,
				    0x20, 0x00, 0x00, 0x00, 0x00,
				    0x00, 0x01, 0x00, 0x79, 0x00};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	REQUIRE_EQ_INT(n, 2);
	CHECK(check_res(&res[0], ACPI_RES_IRQ, 0x20, 1,
			ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED));
	CHECK(check_res(&res[1], ACPI_RES_IRQ, 0x10000, 1,
			ACPI_RES_ACTIVE_LOW | ACPI_RES_SHARED));
}

TEST(resource_io_dma_mem)
{
	static const uint8_t t[] = {
	    /* IO (Decode16, 0x3F8, 0x3F8, 0, 8) */
	    0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x00, 0x08,
	    /* FixedIO (0x60, 1) */
	    0x4B, 0x60, 0x00, 0x01,
	    /* DMA: channels 1 and 7, flags 0x05 */
	    0x2A, 0x82, 0x05,
	    /* Memory32Fixed (RW, 0xFEE00000, 0x1000) */
	    0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xE0, 0xFE, 0x00, 0x10, 0x00,
	    0x00,
	    /* Memory24: min 0x00F0 (<<8), length 0x0010 (<<8) */
	    0x81, 0x09, 0x00, 0x01, 0xF0, 0x00, 0xF0, 0x00, 0x00, 0x00, 0x10,
	    0x00,
	    /* Word Address Space, type 2 (bus numbers): no entry */
	    0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF,
	    0x00, 0x00, 0x00, 0x00, 0x01,
	    /* DWord I/O with translation 0x10000: 0x1000+0x10000, 0x100 */
	    0x87, 0x17, 0x00, 0x01, 0x0C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x10, 0x00, 0x00, 0xFF, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	    0x00, 0x01, 0x00, 0x00,
	    /* End Tag */
	    0x79, 0x00};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	REQUIRE_EQ_INT(n, 7);
	CHECK(check_res(&res[0], ACPI_RES_IO, 0x3F8, 8, 0));
	CHECK(check_res(&res[1], ACPI_RES_IO, 0x60, 1, 0));
	CHECK(check_res(&res[2], ACPI_RES_DMA, 1, 1, 5));
	CHECK(check_res(&res[3], ACPI_RES_DMA, 7, 1, 5));
	CHECK(check_res(&res[4], ACPI_RES_MEM, 0xFEE00000, 0x1000, 0));
	CHECK(check_res(&res[5], ACPI_RES_MEM, 0xF000, 0x1000, 0));
	CHECK(check_res(&res[6], ACPI_RES_IO, 0x11000, 0x100, 0));
	CHECK_EQ_INT(sk, 0);
}

TEST(resource_unknown_skipped)
{
	static const uint8_t t[] = {0x72, 0x01, 0x02, /* VendorShort, 2 bytes */
				    0x30, /* StartDependentFn, 0 bytes */
				    0x84, 0x03, 0x00,
				    0xAA, 0xBB, 0xCC, /* VendorLong, 3 bytes */
				    0x22, 0x02, 0x00, /* IRQNoFlags {1} */
				    0x79, 0x00};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(sk, 3);
	CHECK(check_res(&res[0], ACPI_RES_IRQ, 1, 1, 0));
}

TEST(resource_bad)
{
	/* small descriptor longer than the buffer */
	static const uint8_t s1[] = {0x47, 0x01, 0xF8};
	/* large descriptor longer than the buffer */
	static const uint8_t s2[] = {0x86, 0x09, 0x00, 0x01, 0x00, 0x79, 0x00};
	/* large header cut */
	static const uint8_t s3[] = {0x86, 0x09};
	/* no End Tag */
	static const uint8_t s4[] = {0x22, 0x02, 0x00};
	/* IO with a wrong length (5) */
	static const uint8_t s5[] = {0x45, 1, 2, 3, 4, 5, 0x79, 0x00};
	/* Extended Interrupt: 3 GSIs claimed, room for 1 */
	static const uint8_t s6[] = {0x89, 0x06, 0x00, 0x01, 0x03, 1,
				     0,	   0,	 0,    0x79, 0x00};
	/* Memory32Fixed with length 8 */
	static const uint8_t s7[] = {0x86, 0x08, 0x00, 0, 0,	0,   0,
				     0,	   0,	 0,    0, 0x79, 0x00};
	/* End Tag without its checksum byte */
	static const uint8_t s8[] = {0x22, 0x02, 0x00, 0x79};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(s1, sizeof(s1), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s2, sizeof(s2), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s3, sizeof(s3), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s4, sizeof(s4), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(acpi_res_decode(s5, sizeof(s5), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s6, sizeof(s6), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s7, sizeof(s7), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(s8, sizeof(s8), res, 32, &n, &sk),
		     -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(NULL, 0, res, 32, &n, &sk), -EBADMSG);
	CHECK_EQ_INT(acpi_res_decode(NULL, 1, res, 32, &n, &sk), -EINVAL);
	CHECK_EQ_INT(acpi_res_decode(s4, 3, NULL, 1, &n, &sk), -EINVAL);
	CHECK_EQ_INT(acpi_res_decode(s4, 3, res, 1, NULL, &sk), -EINVAL);
}

TEST(resource_truncated_every_length)
{
	/* KBD's template: every proper prefix lacks a whole End Tag */
	static const uint8_t t[] = {0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01,
				    0x01, 0x47, 0x01, 0x64, 0x00, 0x64, 0x00,
				    0x01, 0x01, 0x22, 0x02, 0x00, 0x79, 0x00};
	unsigned int n, sk, bad = 0;
	size_t i;

	for (i = 0; i < sizeof(t); i++) {
		uint8_t *b = malloc(i ? i : 1);

		memcpy(b, t, i);
		if (acpi_res_decode(b, i, res, 32, &n, &sk) != -EBADMSG) {
			bad++;
		}
		free(b);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 32, &n, &sk), 0);
	CHECK_EQ_INT(n, 3);
}

TEST(resource_enospc)
{
	static const uint8_t t[] = {0x22, 0xFF, 0xFF, 0x79, 0x00};
	unsigned int n, sk;

	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 4, &n, &sk), -ENOSPC);
	CHECK_EQ_INT(n, 4);
	CHECK(check_res(&res[3], ACPI_RES_IRQ, 3, 1, 0));
	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), res, 16, &n, &sk), 0);
	CHECK_EQ_INT(n, 16);
	CHECK_EQ_INT(acpi_res_decode(t, sizeof(t), NULL, 0, &n, &sk), -ENOSPC);
	CHECK_EQ_INT(n, 0);
	/* how many a 4-entry caller dropped */
	CHECK_EQ_INT(acpi_res_count(t, sizeof(t), &n), 0);
	CHECK_EQ_INT(n, 16);
	CHECK_EQ_INT(acpi_res_count(t, 4, &n), -EBADMSG); /* no End Tag */
	CHECK_EQ_INT(n, 16);
	CHECK_EQ_INT(acpi_res_count(NULL, 1, &n), -EINVAL);
}
