/*
 * The GPE dispatcher (kernel/drivers/acpi/gpe.c) against a model of a
 * GPE block's registers (ACPI 6.5, 4.8.4.1: status bits clear by writing
 * 1; a level source keeps its status bit set until its cause is gone)
 * and a fake namespace whose "methods" record what they saw:
 *
 *   - init: every enable bit cleared and every status bit cleared, then
 *     exactly the GPEs with a \_GPE._Lxx/_Exx method enabled;
 *   - edge: the status is clear and the GPE masked when _Exx runs;
 *   - level: the status is still set (masked) when _Lxx runs, and
 *     cleared after, once the method removed the cause;
 *   - a GPE enabled behind kite's back with no method: disabled, said;
 *   - a GPE that re-fires from its own method: the dispatch is bounded.
 *
 * The driver's source is included with its register accessors, the
 * interpreter's entry points and the namespace lock renamed to this
 * file's fakes, so its static state is visible here.
 */
#include <stdlib.h>
#include <string.h>

#define io_read8	  gpe_model_read8
#define io_write8	  gpe_model_write8
#define aml_ns_lookup	  fake_aml_ns_lookup
#define aml_ns_walk	  fake_aml_ns_walk
#define aml_ns_eval	  fake_aml_ns_eval
#define aml_ns_last_error fake_aml_ns_last_error
#define aml_ns_get_stats  fake_aml_ns_get_stats
#define aml_node_path	  fake_aml_node_path
#define aml_node_parent	  fake_aml_node_parent
#define aml_node_name	  fake_aml_node_name
#define aml_value_free	  fake_aml_value_free
#define acpi_ns_lock	  fake_acpi_ns_lock
#define acpi_ns_unlock	  fake_acpi_ns_unlock
#define kzalloc		  fake_kzalloc
#define ioremap		  fake_ioremap
#define kmalloc		  fake_kmalloc
#define kfree		  fake_kfree
#define time_ns		  gpe_fake_time_ns
#include "drivers/acpi/gpe.c"

#include "fake_arch.h"
#include "unit.h"

#define BLOCK_PORT 0xafe0
#define REGS	   2 /* per half: GPEs 0x00-0x0f */

/* ---- the register model ---- */

static uint8_t sts[REGS], en[REGS];
static uint8_t level_cause[REGS]; /* a level source still asserting */

uint8_t gpe_model_read8(const struct io_regs *r, unsigned int reg)
{
	if (r->base != BLOCK_PORT || reg >= 2 * REGS) {
		return 0xff;
	}
	return reg < REGS ? sts[reg] : en[reg - REGS];
}

void gpe_model_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	if (r->base != BLOCK_PORT || reg >= 2 * REGS) {
		return;
	}
	if (reg < REGS) {
		/* Write 1 to clear, except while a level cause holds it. */
		sts[reg] &= (uint8_t) ~(v & ~level_cause[reg]);
	} else {
		en[reg - REGS] = v;
	}
}

void *fake_ioremap(uint64_t phys, size_t size)
{
	(void)phys;
	(void)size;
	return NULL;
}

/* A clock that moves 3 us per reading. */
uint64_t gpe_fake_time_ns(void)
{
	static uint64_t t;

	return t += 3000;
}

void *fake_kzalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return calloc(1, size);
}

void *fake_kmalloc(size_t size, unsigned int flags)
{
	(void)flags;
	return malloc(size);
}

void fake_kfree(void *p)
{
	free(p);
}

/* ---- the fake namespace ---- */

struct aml_ns {
	int unused;
};
struct aml_node {
	uint32_t name;
	struct aml_node *parent;
	int (*run)(struct aml_node *self); /* a method's body */
	const struct aml_value *prw;	   /* a device's _PRW */
	unsigned int runs;
	/* What the method saw: status and enable of its GPE's bit. */
	bool saw_status, saw_enabled;
};

static struct aml_ns ns;
static bool have_ns = true;
static unsigned int locked;
static struct aml_node root = {.name = 0x5f5f5f5c};
static struct aml_node gpe_node = {.name = 0x4550475f, .parent = &root};
static struct aml_node sb_node = {.name = 0x5f42535f, .parent = &root};

static uint32_t seg(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static unsigned int gpe_of(const struct aml_node *m)
{
	unsigned int n = 0;
	bool level;

	acpi_gpe_method_name(m->name, &n, &level);
	return n;
}

static int observe(struct aml_node *m)
{
	unsigned int n = gpe_of(m);

	m->saw_status = sts[n / 8] & (1u << (n % 8));
	m->saw_enabled = en[n / 8] & (1u << (n % 8));
	return 0;
}

/* _L03: removes its cause, as a real level method does. */
static int level_method(struct aml_node *m)
{
	observe(m);
	level_cause[0] &= (uint8_t) ~(1u << 3);
	return 0;
}

/* _E02: raises its own GPE again each time (a storm). */
static int storm_method(struct aml_node *m)
{
	observe(m);
	sts[0] |= 1u << 2;
	return 0;
}

static int failing_method(struct aml_node *m)
{
	observe(m);
	return -EIO;
}

static struct aml_node m_e01 = {.parent = &gpe_node, .run = observe};
static struct aml_node m_e02 = {.parent = &gpe_node, .run = storm_method};
static struct aml_node m_l03 = {.parent = &gpe_node, .run = level_method};
static struct aml_node m_e04 = {.parent = &gpe_node, .run = failing_method};
static struct aml_node m_q05 = {.parent = &gpe_node, .run = observe};
static struct aml_node m_e20 = {.parent = &gpe_node, .run = observe};
static struct aml_node m_sb_e06 = {.parent = &sb_node, .run = observe};
static struct aml_node m_l0b = {.parent = &gpe_node, .run = observe};
static struct aml_node *const methods[] = {&m_e01, &m_e02, &m_l03,    &m_e04,
					   &m_q05, &m_e20, &m_sb_e06, &m_l0b};

/* Two devices with _PRW: one names GPE 0x0b (a wake GPE, though it has
 * a method), one a GPE block device's pin (not a FADT GPE). */
static struct aml_value prw_gpe[2] = {
    {.type = AML_INTEGER, .integer = 0x0b},
    {.type = AML_INTEGER, .integer = 3},
};
static struct aml_value prw_block_elems[2] = {
    {.type = AML_REFERENCE, .node = &sb_node},
    {.type = AML_INTEGER, .integer = 1},
};
static struct aml_value prw_block[2] = {
    {.type = AML_PACKAGE, .package = {prw_block_elems, 2}},
    {.type = AML_INTEGER, .integer = 3},
};
static const struct aml_value prw_a = {.type = AML_PACKAGE,
				       .package = {prw_gpe, 2}};
static const struct aml_value prw_b = {.type = AML_PACKAGE,
				       .package = {prw_block, 2}};
static struct aml_node dev_a = {.parent = &sb_node, .prw = &prw_a};
static struct aml_node dev_b = {.parent = &sb_node, .prw = &prw_b};
static struct aml_node dev_c = {.parent = &sb_node};
static struct aml_node *const devices[] = {&dev_a, &dev_b, &dev_c};

struct aml_ns *fake_acpi_ns_lock(void)
{
	if (!have_ns) {
		return NULL;
	}
	locked++;
	return &ns;
}

void fake_acpi_ns_unlock(void)
{
	locked--;
}

struct aml_node *fake_aml_ns_lookup(struct aml_ns *n, struct aml_node *scope,
				    const char *path)
{
	(void)n;
	(void)scope;
	return strcmp(path, "\\_GPE") == 0 ? &gpe_node : NULL;
}

int fake_aml_ns_walk(struct aml_ns *n, struct aml_node *start,
		     enum aml_type type,
		     int (*fn)(struct aml_node *node, void *arg), void *arg)
{
	struct aml_node *const *list = type == AML_DEVICE ? devices : methods;
	unsigned int count =
	    type == AML_DEVICE ? ARRAY_SIZE(devices) : ARRAY_SIZE(methods);

	(void)n;
	(void)start;
	for (unsigned int i = 0; i < count; i++) {
		int ret = fn(list[i], arg);

		if (ret) {
			return ret;
		}
	}
	return 0;
}

void fake_aml_ns_get_stats(const struct aml_ns *n, struct aml_ns_stats *st)
{
	(void)n;
	*st = (struct aml_ns_stats){.devices = ARRAY_SIZE(devices)};
}

int fake_aml_ns_eval(struct aml_ns *n, struct aml_node *node, const char *path,
		     const struct aml_value *args, unsigned int nargs,
		     struct aml_value *out)
{
	(void)n;
	(void)args;
	(void)nargs;
	out->type = AML_UNINIT;
	if (path != NULL && strcmp(path, "_PRW") == 0 && node->prw) {
		*out = *node->prw;
		return 0;
	}
	if (path != NULL || node->run == NULL) {
		return -ENOENT;
	}
	node->runs++;
	return node->run(node);
}

const char *fake_aml_ns_last_error(const struct aml_ns *n)
{
	(void)n;
	return "\\_GPE._E04: Store: -EIO";
}

size_t fake_aml_node_path(const struct aml_node *node, char *buf, size_t size)
{
	char s[5] = {0};

	for (int i = 0; i < 4; i++) {
		s[i] = (char)(node->name >> (8 * i));
	}
	return (size_t)ksnprintf(
	    buf, size, "%s%s", node->parent == &gpe_node ? "\\_GPE." : "\\_SB.",
	    s);
}

struct aml_node *fake_aml_node_parent(const struct aml_node *node)
{
	return node->parent;
}

uint32_t fake_aml_node_name(const struct aml_node *node)
{
	return node->name;
}

void fake_aml_value_free(struct aml_value *v)
{
	v->type = AML_UNINIT;
}

/* ---- the tests ---- */

static void setup(void)
{
	struct acpi_gpe_blocks b = {
	    .count = 1, .b = {{.addr = BLOCK_PORT, .regs = REGS, .base = 0}}};

	fake_arch_reset();
	free(gpes);
	gpes = NULL;
	m_e01.name = seg("_E01");
	m_e02.name = seg("_E02");
	m_l03.name = seg("_L03");
	m_e04.name = seg("_E04");
	m_q05.name = seg("_Q05");
	m_e20.name = seg("_E20");
	m_sb_e06.name = seg("_E06");
	m_l0b.name = seg("_L0B");
	for (unsigned int i = 0; i < ARRAY_SIZE(methods); i++) {
		methods[i]->runs = 0;
	}
	/* What firmware may leave: everything pending and enabled. */
	memset(sts, 0xff, sizeof(sts));
	memset(en, 0xff, sizeof(en));
	memset(level_cause, 0, sizeof(level_cause));
	have_ns = true;
	locked = 0;
	acpi_gpe_init(&b);
}

static void teardown(void)
{
	free(gpes);
	gpes = NULL;
	blocks.count = 0;
}

TEST(gpe_dispatch_init_enables_methods_only)
{
	setup();
	/* _E01 _E02 _L03 _E04: bits 1-4; _Q05, _E20 (no such GPE) and
	 * \_SB._E06 are not GPE methods of this block; _L0B's GPE is a
	 * wake GPE (dev_a's _PRW), left disabled. */
	CHECK_EQ_INT(en[0], 0x1e);
	CHECK_EQ_INT(en[1], 0);
	CHECK_EQ_INT(sts[0], 0);
	CHECK_EQ_INT(sts[1], 0);
	CHECK(!acpi_gpe_pending());
	CHECK(strstr(fake_console_text(),
		     "acpi: GPEs enabled: 0x01 edge, 0x02 edge, 0x03 level, "
		     "0x04 edge\n") != NULL);
	CHECK(strstr(fake_console_text(),
		     "acpi: 1 wake GPE(s) named by _PRW: left disabled") !=
	      NULL);
	CHECK(gpe_at(0, 0x0b)->wake);
	CHECK(!gpe_at(0, 0x0b)->enabled);
	CHECK(strstr(fake_console_text(),
		     "\\_GPE._E20: GPE 0x20 is in no GPE block") != NULL);
	CHECK_EQ_INT(locked, 0);
	teardown();
}

TEST(gpe_dispatch_edge)
{
	setup();
	sts[0] |= 1u << 1;
	CHECK(acpi_gpe_pending());
	CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	CHECK_EQ_INT(m_e01.runs, 1);
	/* Edge: status cleared before the method, GPE masked during it. */
	CHECK(!m_e01.saw_status);
	CHECK(!m_e01.saw_enabled);
	CHECK_EQ_INT(sts[0], 0);
	CHECK_EQ_INT(en[0], 0x1e);
	CHECK_EQ_INT(gpe_at(0, 1)->count, 1);
	CHECK_EQ_INT(gpe_at(0, 1)->last_ns, 3000);
	CHECK(!acpi_gpe_pending());
	CHECK_EQ_INT(locked, 0);
	teardown();
}

TEST(gpe_dispatch_level)
{
	setup();
	level_cause[0] = 1u << 3;
	sts[0] |= 1u << 3;
	CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	CHECK_EQ_INT(m_l03.runs, 1);
	/* Level: the method runs with the status still set, masked; the
	 * status is cleared after it removed the cause. */
	CHECK(m_l03.saw_status);
	CHECK(!m_l03.saw_enabled);
	CHECK_EQ_INT(sts[0], 0);
	CHECK_EQ_INT(en[0], 0x1e);
	teardown();
}

TEST(gpe_dispatch_no_method_disables)
{
	setup();
	en[1] |= 1u << 2; /* GPE 0x0a, enabled by someone else */
	sts[1] |= 1u << 2;
	CHECK(acpi_gpe_pending());
	CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	CHECK_EQ_INT(en[1], 0);
	CHECK_EQ_INT(sts[1], 0);
	CHECK(strstr(fake_console_text(),
		     "GPE 0x0a fired with no _Lxx/_Exx method: disabled") !=
	      NULL);
	/* A status bit with its enable clear is not pending. */
	sts[1] |= 1u << 2;
	CHECK(!acpi_gpe_pending());
	CHECK_EQ_INT(acpi_gpe_dispatch(), 0);
	teardown();
}

TEST(gpe_dispatch_bounded_and_failures)
{
	setup();
	/* _E02 raises itself again each run: the dispatch stops after its
	 * passes, the GPE still enabled (the SCI comes back for it). */
	sts[0] |= 1u << 2;
	CHECK_EQ_INT(acpi_gpe_dispatch(), DISPATCH_PASSES);
	CHECK_EQ_INT(m_e02.runs, DISPATCH_PASSES);
	CHECK(en[0] & (1u << 2));
	sts[0] = 0;
	/* A failing method is counted and said; the GPE stays enabled. */
	sts[0] |= 1u << 4;
	CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	CHECK_EQ_INT(gpe_at(0, 4)->failures, 1);
	CHECK(strstr(fake_console_text(), "\\_GPE._E04 failed: ") != NULL);
	CHECK(en[0] & (1u << 4));
	/* Failing FAILS_IN_A_ROW times in a row: disabled, said. */
	for (unsigned int i = 2; i < FAILS_IN_A_ROW; i++) { /* 1 so far */
		sts[0] |= 1u << 4;
		CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	}
	CHECK(en[0] & (1u << 4));
	sts[0] |= 1u << 4;
	CHECK_EQ_INT(acpi_gpe_dispatch(), 1);
	CHECK(!(en[0] & (1u << 4)));
	CHECK(!gpe_at(0, 4)->enabled);
	CHECK(strstr(fake_console_text(), "\\_GPE._E04 failed 16 times in a "
					  "row: GPE 0x04 disabled") != NULL);
	en[0] |= 1u << 4; /* (for the next check only) */
	/* Two at once: both handled in one pass. */
	sts[0] |= 1u << 1 | 1u << 4;
	CHECK_EQ_INT(acpi_gpe_dispatch(), 2);
	CHECK_EQ_INT(locked, 0);
	teardown();
}

TEST(gpe_dispatch_no_namespace)
{
	struct acpi_gpe_blocks b = {
	    .count = 1, .b = {{.addr = BLOCK_PORT, .regs = REGS, .base = 0}}};

	fake_arch_reset();
	memset(sts, 0xff, sizeof(sts));
	memset(en, 0xff, sizeof(en));
	have_ns = false;
	CHECK_EQ_INT(acpi_gpe_init(&b), 0);
	/* Quiet, and nothing enabled. */
	CHECK_EQ_INT(en[0] | en[1], 0);
	CHECK_EQ_INT(sts[0] | sts[1], 0);
	CHECK(strstr(fake_console_text(), "every GPE stays disabled") != NULL);
	have_ns = true;
	teardown();
}
