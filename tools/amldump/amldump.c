/*
 * amldump: load ACPI tables into kite's AML interpreter on the host, bring
 * the namespace up as an OS would (_REG, _STA/_INI) and print every Device
 * as one JSON line, then a summary line. Usage: tools/amldump/README.md.
 *
 *   build/host/amldump [--fill ff] [--quiet] dsdt.dat ssdt1.dat ...
 *
 * The tables load in the order the golden files were made with
 * (scripts/acpi_golden.py): the DSDT first, then every other definition
 * block (SSDT, PSDT, OSDT) by file name in natural order, ssdt2.dat
 * before ssdt10.dat, which is acpixtract's numbering and so the order of
 * the dump (the XSDT's). acpiexec loads the DSDT, then its other
 * arguments in command-line order, so a shell glob (ssdt*.dat, where
 * ssdt10 sorts before ssdt2) would give acpiexec another order; amldump
 * sorts so that `amldump dsdt.dat ssdt*.dat` gives the dump's. Other
 * tables (FACP, APIC, an OEM table, ...) are not loaded but are there
 * for LoadTable to find, as in acpiexec's table list. A file may hold
 * several tables back to back (they keep their order).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "amldump.h"

#define MAX_TABLES 256
#define HEADER_LEN 36

struct table {
	const uint8_t *bytes;
	size_t len;
	const char *file;
	unsigned int seq; /* order of appearance, to keep the sort stable */
};

/* The tables given that were not loaded at start: LoadTable's. */
struct table_list {
	struct table *tab;
	unsigned int n;
};

struct options {
	uint8_t fill;
	bool quiet, debug, no_init, osi_linux;
	unsigned int bench; /* >0: time that many load+initialize runs */
	const struct table_list *unloaded;
};

struct dump {
	struct aml_ns *ns;
	unsigned int devices, with_hid, errors;
};

static const char usage[] =
    "usage: amldump [--fill 00|ff] [--osi acpiexec|linux] [--quiet]\n"
    "               [--debug] [--no-init] [--bench N]\n"
    "               dsdt.dat [ssdt1.dat ...]\n"
    "One JSON object per Device on stdout, then a summary line; the\n"
    "interpreter's messages on stderr. Region reads of bytes never\n"
    "written return the fill byte (0 unless --fill ff).\n";

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(size ? (size_t)size : 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

static bool is_aml(const uint8_t *t)
{
	return !memcmp(t, "DSDT", 4) || !memcmp(t, "SSDT", 4) ||
	       !memcmp(t, "PSDT", 4) || !memcmp(t, "OSDT", 4);
}

/* The tables in one file, back to back, appended to tab[] (AML) or
 * other (the rest). */
static int add_file(const char *path, struct table *tab, unsigned int *n,
		    struct table_list *other)
{
	size_t len, at = 0;
	uint8_t *buf = read_file(path, &len);

	if (!buf) {
		fprintf(stderr, "amldump: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (len - at >= HEADER_LEN && *n < MAX_TABLES &&
	       other->n < MAX_TABLES) {
		const uint8_t *t = buf + at;
		size_t tlen = le32(t + 4);

		if (tlen < HEADER_LEN || tlen > len - at) {
			fprintf(stderr,
				"amldump: %s: table at %zu: length %zu "
				"does not fit\n",
				path, at, tlen);
			tlen = len - at; /* let the interpreter refuse it */
		}
		if (!is_aml(t)) {
			other->tab[other->n] =
			    (struct table){t, tlen, path, other->n};
			other->n++;
		} else {
			tab[*n] = (struct table){t, tlen, path, *n};
			(*n)++;
		}
		at += tlen;
	}
	return 0; /* buf lives as long as the process: methods run from it */
}

/* File names with digit runs compared as numbers: ssdt2 < ssdt10. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			char *ea, *eb;
			unsigned long x = strtoul(a, &ea, 10);
			unsigned long y = strtoul(b, &eb, 10);

			if (x != y) {
				return x < y ? -1 : 1;
			}
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b) {
			return (unsigned char)*a - (unsigned char)*b;
		}
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The DSDT first, then by file name (natural order), then as read. */
static int table_cmp(const void *pa, const void *pb)
{
	const struct table *a = pa, *b = pb;
	bool da = !memcmp(a->bytes, "DSDT", 4),
	     db = !memcmp(b->bytes, "DSDT", 4);
	int c;

	if (da != db) {
		return da ? -1 : 1;
	}
	c = natural_cmp(base_name(a->file), base_name(b->file));
	if (c) {
		return c;
	}
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * What _OSI answers (ACPI 6.5 5.7.2). By default what acpiexec 20200925
 * answers, so that the output compares with the golden files (measured
 * on it, tests/fixtures/acpi/corpus/README.md): the Windows strings up to
 * "Windows 2019" but not plain "Windows 2006", and none of the feature-group
 * strings but "Extended Address Space Descriptor". --osi linux keeps the
 * namespace's own answers, which are the kernel's (Linux's).
 */
static const char *const osi_acpiexec_true[] = {
    "Windows 2000",	"Windows 2001",
    "Windows 2001 SP1", "Windows 2001.1",
    "Windows 2001 SP2", "Windows 2001.1 SP1",
    "Windows 2006 SP1", "Windows 2006 SP2",
    "Windows 2006.1",	"Windows 2009",
    "Windows 2012",	"Windows 2013",
    "Windows 2015",	"Windows 2016",
    "Windows 2017",	"Windows 2017.2",
    "Windows 2018",	"Windows 2018.2",
    "Windows 2019",	"Extended Address Space Descriptor",
};
static const char *const osi_acpiexec_false[] = {
    "Windows 2006",
    "Windows 2020",
    "Windows 2021",
    "Windows 2022",
    "Linux",
    "Darwin",
    "Module Device",
    "Processor Device",
    "3.0 Thermal Model",
    "3.0 _SCP Extensions",
    "Processor Aggregator Device",
};

static void osi_as_acpiexec(struct aml_ns *ns)
{
	size_t i;

	for (i = 0; i < sizeof(osi_acpiexec_true) / sizeof(char *); i++) {
		aml_ns_osi_set(ns, osi_acpiexec_true[i], true);
	}
	for (i = 0; i < sizeof(osi_acpiexec_false) / sizeof(char *); i++) {
		aml_ns_osi_set(ns, osi_acpiexec_false[i], false);
	}
}

/*
 * The spaces whose regions get _REG(space, 1) at initialization: every
 * one has a handler here, as in acpiexec, but acpiexec runs no _REG for
 * SystemMemory, SystemIO and PCI_Config (its handlers for those replace
 * ACPICA's defaults before any _REG could run; the spec's 6.5.4 lets an
 * OS skip _REG for spaces that are always there), and the golden files
 * carry the consequences (an EC's _REG(3, 1) runs, a PCI_Config one
 * does not). EmbeddedControl's _REG runs first and apart, as acpiexec
 * runs it (ec.c).
 */
#define REG_SPACES                                                             \
	(((1u << AML_SPACE_COUNT) - 1) &                                       \
	 ~((1u << AML_SPACE_MEMORY) | (1u << AML_SPACE_IO) |                   \
	   (1u << AML_SPACE_PCI) | (1u << AML_SPACE_EC)))

/*
 * LoadTable (19.6.76): a table given on the command line that was not
 * loaded at start, matched on its signature and, unless all NUL, its
 * OEM ID and OEM table ID (NUL-padded, compared whole, as ACPICA
 * compares them). A table already loaded is not offered again (ACPICA
 * would find it and refuse to load it twice: the method fails either
 * way, give or take the message).
 */
static bool id_matches(const char *want, const uint8_t *have, size_t n)
{
	static const char zeros[8];

	return !memcmp(want, zeros, n) || !memcmp(want, have, n);
}

static int find_table(void *ctx, const char sig[4], const char oem_id[6],
		      const char oem_table_id[8], const uint8_t **table,
		      size_t *len)
{
	const struct amldump_host *h = ctx;
	unsigned int i;

	for (i = 0; h->unloaded && i < h->unloaded->n; i++) {
		const struct table *t = &h->unloaded->tab[i];

		if (!memcmp(t->bytes, sig, 4) &&
		    id_matches(oem_id, t->bytes + 10, 6) &&
		    id_matches(oem_table_id, t->bytes + 16, 8)) {
			*table = t->bytes;
			*len = t->len;
			return 0;
		}
	}
	return -ENOENT;
}

/* A namespace with every table loaded and (unless no_init) brought up
 * as acpiexec brings it up: _REG as above, _STA/_INI, and no \_PIC
 * call (acpiexec makes none). */
static struct aml_ns *load_all(const struct table *tab, unsigned int n,
			       const struct options *o,
			       struct amldump_host *host, double *ms)
{
	struct aml_host_ops ops = *amldump_host_ops();
	struct aml_ns *ns;
	double t0 = now_ms();
	unsigned int i;
	int r;

	ops.find_table = find_table;

	if (aml_ns_create(&ops, host, NULL, &ns) < 0) {
		fprintf(stderr, "amldump: cannot create a namespace\n");
		return NULL;
	}
	if (!o->osi_linux) {
		osi_as_acpiexec(ns);
	}
	for (i = 0; i < n; i++) {
		r = aml_ns_load_table(ns, tab[i].bytes, tab[i].len);
		if (r < 0 && !o->quiet) {
			fprintf(stderr,
				"amldump: %s (%.4s): load failed (%d): %s\n",
				tab[i].file, (const char *)tab[i].bytes, r,
				aml_ns_last_error(ns));
		}
	}
	if (!o->no_init) {
		amldump_ec_reg(ns);
		aml_ns_initialize(ns, REG_SPACES, -1);
	}
	*ms = now_ms() - t0;
	return ns;
}

static void print_ids(const struct aml_devinfo *d)
{
	unsigned int i;

	fputs(", \"hid\": ", stdout);
	if (d->has_hid) {
		json_string(stdout, d->hid, strlen(d->hid));
	} else {
		fputs("null", stdout);
	}
	fputs(", \"cid\": [", stdout);
	for (i = 0; i < d->ncid; i++) {
		fputs(i ? ", " : "", stdout);
		json_string(stdout, d->cid[i], strlen(d->cid[i]));
	}
	fputs("], \"uid\": ", stdout);
	if (d->has_uid) {
		json_string(stdout, d->uid, strlen(d->uid));
	} else {
		fputs("null", stdout);
	}
}

static void print_device(const char *path, const struct aml_devinfo *d)
{
	fputs("{\"path\": ", stdout);
	json_string(stdout, path, strlen(path));
	print_ids(d);
	if (d->sta_failed) {
		fputs(", \"sta\": null", stdout);
	} else {
		printf(", \"sta\": %u", d->sta);
	}
	if (d->has_crs) {
		fputs(", \"crs\": ", stdout);
		json_crs(stdout, d->crs, d->crs_len);
		fputs(", \"crs_hex\": ", stdout);
		json_hex(stdout, d->crs, d->crs_len);
	} else {
		fputs(", \"crs\": null, \"crs_hex\": null", stdout);
	}
	fputs(", \"error\": ", stdout);
	if (d->error) {
		json_string(stdout, d->errmsg, strlen(d->errmsg));
	} else {
		fputs("null", stdout);
	}
	fputs("}\n", stdout);
}

static int dump_device(struct aml_node *node, void *arg)
{
	struct dump *dump = arg;
	struct aml_devinfo info;
	char path[512];

	aml_node_path(node, path, sizeof(path));
	aml_describe(dump->ns, node, &info);
	print_device(path, &info);
	dump->devices++;
	dump->with_hid += info.has_hid;
	dump->errors += info.error != 0;
	aml_devinfo_free(&info);
	return 0;
}

static void print_summary(const struct dump *d, double ms,
			  const struct amldump_host *host)
{
	struct aml_ns_stats st;

	aml_ns_get_stats(d->ns, &st);
	printf("{\"summary\": {\"devices\": %u, \"with_hid\": %u, "
	       "\"errors\": %u, \"load_errors\": %u, \"eval_failures\": %u, "
	       "\"tables\": %u, \"load_ms\": %.3f, \"bad_tables\": %u, "
	       "\"nodes\": %u, \"ini_run\": %u, \"reg_run\": %u, "
	       "\"notifies\": %lu, \"ops\": %llu}}\n",
	       d->devices, d->with_hid, d->errors, st.load_errors,
	       st.eval_failures, st.tables, ms, st.bad_tables, st.nodes,
	       st.ini_run, st.reg_run, host->notifies,
	       (unsigned long long)st.ops);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* --bench N: N fresh load+initialize runs; the summary's load_ms is the
 * median, the runs follow it. */
static int bench(const struct table *tab, unsigned int n,
		 const struct options *o)
{
	double ms[64];
	unsigned int i, runs = o->bench > 64 ? 64 : o->bench;
	struct amldump_host host;
	struct dump d = {0};

	for (i = 0; i < runs; i++) {
		host = (struct amldump_host){.quiet = true,
					     .unloaded = o->unloaded};
		host.mem = memsim_create(o->fill);
		d.ns = load_all(tab, n, o, &host, &ms[i]);
		if (!d.ns || !host.mem) {
			return 1;
		}
		if (i + 1 < runs) {
			aml_ns_destroy(d.ns);
			memsim_destroy(host.mem);
		}
	}
	qsort(ms, runs, sizeof(ms[0]), cmp_double);
	print_summary(&d, ms[runs / 2], &host);
	aml_ns_destroy(d.ns);
	memsim_destroy(host.mem);
	return 0;
}

static int parse_fill(const char *s, uint8_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 16);

	if (!*s || *end || v > 0xFF) {
		return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

/* Options first, then files; returns the index of the first file. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--fill") && i + 1 < argc) {
			if (parse_fill(argv[++i], &o->fill) < 0) {
				return -1;
			}
		} else if (!strcmp(a, "--bench") && i + 1 < argc) {
			o->bench = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--osi") && i + 1 < argc) {
			o->osi_linux = !strcmp(argv[++i], "linux");
			if (!o->osi_linux && strcmp(argv[i], "acpiexec")) {
				return -1;
			}
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o->quiet = true;
		} else if (!strcmp(a, "--debug")) {
			o->debug = true;
		} else if (!strcmp(a, "--no-init")) {
			o->no_init = true;
		} else {
			return -1;
		}
	}
	return i < argc ? i : -1;
}

int main(int argc, char **argv)
{
	static struct table tab[MAX_TABLES], others[MAX_TABLES];
	struct table_list unloaded = {others, 0};
	struct options o = {0};
	struct amldump_host host = {0};
	struct dump d = {0};
	unsigned int n = 0;
	double ms;
	int i, first = parse_args(argc, argv, &o);

	if (first < 0) {
		fputs(usage, stderr);
		return 2;
	}
	for (i = first; i < argc; i++) {
		if (add_file(argv[i], tab, &n, &unloaded) < 0) {
			return 1;
		}
	}
	amldump_kprintf_quiet = o.quiet || o.bench;
	o.unloaded = &unloaded;
	qsort(tab, n, sizeof(tab[0]), table_cmp);
	if (o.bench) {
		return bench(tab, n, &o);
	}
	host = (struct amldump_host){
	    .quiet = o.quiet, .debug = o.debug, .unloaded = &unloaded};
	host.mem = memsim_create(o.fill);
	d.ns = host.mem ? load_all(tab, n, &o, &host, &ms) : NULL;
	if (!d.ns) {
		return 1;
	}
	aml_ns_walk(d.ns, NULL, AML_DEVICE, dump_device, &d);
	print_summary(&d, ms, &host);
	aml_ns_destroy(d.ns);
	memsim_destroy(host.mem);
	return 0;
}
