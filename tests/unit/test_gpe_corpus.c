/*
 * The GPE set-up (kernel/drivers/acpi/gpe.c, acpi_gpe_init) on the real
 * firmware of tests/fixtures/acpi/corpus, with the real interpreter:
 * each machine's DSDT and SSDTs loaded and initialized (region reads
 * zero, as the corpus's goldens assume), its FADT's GPE blocks over a
 * register model, then the \_GPE methods found and the wake GPEs (a
 * device's _PRW) left out. Prints, over the corpus, how many GPE
 * methods there are, how many GPEs kite would enable and how many it
 * leaves to wake; fails if a machine's set-up goes wrong (a method for
 * a GPE no block has, an enable bit outside the methods' GPEs).
 *
 * gpe.c is included with its entry points, registers and lock renamed,
 * so it can share the binary with test_gpe_dispatch.c's copy.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define io_read8	  corpus_model_read8
#define io_write8	  corpus_model_write8
#define acpi_gpe_init	  corpus_acpi_gpe_init
#define acpi_gpe_pending  corpus_acpi_gpe_pending
#define acpi_gpe_dispatch corpus_acpi_gpe_dispatch
#define acpi_gpe_print	  corpus_acpi_gpe_print
#define acpi_ns_lock	  corpus_acpi_ns_lock
#define acpi_ns_unlock	  corpus_acpi_ns_unlock
#define kzalloc		  corpus_kzalloc
#define kmalloc		  corpus_kmalloc
#define kfree		  corpus_kfree
#define ioremap		  corpus_ioremap
#define time_ns		  corpus_time_ns
#include "drivers/acpi/gpe.c"

#include "fake_arch.h"
#include "unit.h"

/* Registers: every block's bytes in one array, by block and offset. */
#define MODEL_BYTES 256
static uint8_t model[ACPI_GPE_BLOCKS][MODEL_BYTES];

uint8_t corpus_model_read8(const struct io_regs *r, unsigned int reg)
{
	for (unsigned int b = 0; b < blocks.count; b++) {
		if (r == &regs[b] && reg < MODEL_BYTES) {
			return model[b][reg];
		}
	}
	return 0xff;
}

void corpus_model_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	for (unsigned int b = 0; b < blocks.count; b++) {
		if (r == &regs[b] && reg < MODEL_BYTES) {
			model[b][reg] = reg < blocks.b[b].regs
					    ? (uint8_t)(model[b][reg] & ~v)
					    : v;
		}
	}
}

void *corpus_kzalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return calloc(1, size);
}

void *corpus_kmalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return malloc(size);
}

void corpus_kfree(void *p)
{
	free(p);
}

void *corpus_ioremap(uint64_t phys, size_t size)
{
	(void)phys;
	(void)size;
	return NULL;
}

uint64_t corpus_time_ns(void)
{
	return 0;
}

static struct aml_ns *the_ns;

struct aml_ns *corpus_acpi_ns_lock(void)
{
	return the_ns;
}

void corpus_acpi_ns_unlock(void)
{
}

/* Region reads are zero, writes vanish (as acpiexec -fv 0). */
static int zero_rw(void *ctx, const struct aml_region_access *a, bool write,
		   uint64_t *value)
{
	(void)ctx;
	(void)a;
	if (!write) {
		*value = 0;
	}
	return 0;
}

static const struct aml_host_ops corpus_ops = {.region_rw = zero_rw};

struct gpe_survey {
	unsigned int machines, methods, enabled, wake, level;
};

static void *load(const char *dir, const char *file, size_t *len)
{
	char name[512];

	snprintf(name, sizeof(name), "acpi/corpus/%s/%s", dir, file);
	return unit_load_fixture(name, len);
}

/* The DSDT, then ssdt1.dat, ssdt2.dat ... as acpixtract names them. */
static unsigned int load_tables(const char *dir, void **keep, unsigned int max)
{
	unsigned int n = 0;
	size_t len;

	keep[n] = load(dir, "dsdt.dat", &len);
	if (keep[n] == NULL) {
		return 0;
	}
	aml_ns_load_table(the_ns, keep[n], len);
	for (n = 1; n < max; n++) {
		char file[32], path[600];
		const char *root = getenv("KITE_FIXTURES");
		FILE *f;

		snprintf(file, sizeof(file), "ssdt%u.dat", n);
		snprintf(path, sizeof(path), "%s/acpi/corpus/%s/%s",
			 root && root[0] ? root : "tests/fixtures", dir, file);
		f = fopen(path, "rb");
		if (f == NULL) {
			break;
		}
		fclose(f);
		keep[n] = load(dir, file, &len);
		if (keep[n] == NULL) {
			break;
		}
		aml_ns_load_table(the_ns, keep[n], len);
	}
	return n;
}

/* What acpi_gpe_init decided, checked against the registers. */
static void count_machine(const char *dir, struct gpe_survey *sv)
{
	for (unsigned int b = 0; b < blocks.count; b++) {
		for (unsigned int n = 0; n < acpi_gpe_block_size(&blocks.b[b]);
		     n++) {
			const struct gpe_info *g = gpe_at(b, n);
			bool en = model[b][blocks.b[b].regs + n / 8] &
				  (1u << (n % 8));

			sv->methods += g->method != NULL;
			sv->enabled += g->enabled;
			sv->wake += g->method && g->wake;
			sv->level += g->enabled && g->level;
			if (en != g->enabled) {
				unit_fail(__FILE__, __LINE__,
					  "%s: GPE 0x%02x enable bit %d, "
					  "enabled %d",
					  dir, blocks.b[b].base + n, en,
					  g->enabled);
			}
		}
	}
}

static void survey_machine(const char *dir, void *arg)
{
	struct gpe_survey *sv = arg;
	void *tables[16] = {0};
	unsigned int n;
	size_t len;
	uint8_t *facp = load(dir, "facp.dat", &len);
	struct acpi_fadt_info f;
	struct acpi_gpe_blocks b;

	if (facp == NULL || acpi_parse_fadt(facp, len, &f) != 0 ||
	    aml_ns_create(&corpus_ops, NULL, NULL, &the_ns) != 0) {
		free(facp);
		return;
	}
	n = load_tables(dir, tables, 16);
	aml_ns_initialize(the_ns, 0x7, 1);
	acpi_gpe_blocks_from_fadt(&f, &b);
	memset(model, 0xff, sizeof(model));
	fake_console_clear();
	if (n && corpus_acpi_gpe_init(&b) == 0) {
		sv->machines++;
		count_machine(dir, sv);
		CHECK(strstr(fake_console_text(), "is in no GPE block") ==
		      NULL);
	}
	free(gpes);
	gpes = NULL;
	blocks.count = 0;
	aml_ns_destroy(the_ns);
	the_ns = NULL;
	for (unsigned int i = 0; i < n; i++) {
		free(tables[i]);
	}
	free(facp);
}

TEST(gpe_corpus_methods)
{
	struct gpe_survey sv = {0};

	REQUIRE(unit_corpus_each(survey_machine, &sv) > 0);
	printf("# gpe corpus: %u machines set up: %u \\_GPE methods, %u GPEs "
	       "enabled (%u level), %u wake GPEs with a method left "
	       "disabled\n",
	       sv.machines, sv.methods, sv.enabled, sv.level, sv.wake);
	CHECK(sv.machines >= 40);
	CHECK(sv.enabled > 0);
	CHECK_EQ_INT(sv.methods, sv.enabled + sv.wake);
}
