/*
 * Notify delivery (kernel/drivers/acpi/notify.c) against a fake
 * namespace and a fake work queue: a Notify is only queued while the
 * AML runs, then delivered when the work runs, in order, to the notify
 * op of the driver bound to the node's device; with none it is logged,
 * and an eject request runs the node's _EJ0(1). A full queue drops and
 * says so.
 *
 * The source is included with the interpreter's entry points, the work
 * queue and the lock renamed to this file's fakes.
 */
#include <string.h>

#define aml_ns_eval	  nfake_aml_ns_eval
#define aml_ns_last_error nfake_aml_ns_last_error
#define aml_node_path	  nfake_aml_node_path
#define aml_node_data	  nfake_aml_node_data
#define aml_value_free	  nfake_aml_value_free
#define queue_work	  fake_queue_work
#define work_init	  fake_work_init
#include "drivers/acpi/notify.c"

#include "fake_arch.h"
#include "unit.h"

struct aml_ns {
	int unused;
};
struct aml_node {
	const char *path;
	void *data;
	bool has_ej0;
	int ej0_result;
	unsigned int ej0_runs;
	uint64_t ej0_arg;
};

static struct aml_ns ns;
static unsigned int locked, lock_calls;
static struct work *queued_work;
static unsigned int queue_calls;

bool fake_queue_work(struct workqueue *wq, struct work *w)
{
	(void)wq;
	queue_calls++;
	queued_work = w;
	return true;
}

void fake_work_init(struct work *w, void (*fn)(struct work *w), void *data)
{
	w->fn = fn;
	w->data = data;
}

/* The work queue's thread: run what was queued. */
static void run_work(void)
{
	struct work *w = queued_work;

	queued_work = NULL;
	if (w) {
		w->fn(w);
	}
}

static struct aml_ns *lock(void)
{
	locked++;
	lock_calls++;
	return &ns;
}

static void unlock(void)
{
	locked--;
}

int nfake_aml_ns_eval(struct aml_ns *n, struct aml_node *node, const char *path,
		      const struct aml_value *args, unsigned int nargs,
		      struct aml_value *out)
{
	(void)n;
	out->type = AML_UNINIT;
	if (path == NULL || strcmp(path, "_EJ0") != 0 || !node->has_ej0) {
		return -ENOENT;
	}
	node->ej0_runs++;
	node->ej0_arg =
	    nargs == 1 && args[0].type == AML_INTEGER ? args[0].integer : ~0ull;
	return node->ej0_result;
}

const char *nfake_aml_ns_last_error(const struct aml_ns *n)
{
	(void)n;
	return "\\_SB.PCI0.S30._EJ0: Store: -EIO";
}

size_t nfake_aml_node_path(const struct aml_node *node, char *buf, size_t size)
{
	return (size_t)ksnprintf(buf, size, "%s", node->path);
}

void *nfake_aml_node_data(const struct aml_node *node)
{
	return node->data;
}

void nfake_aml_value_free(struct aml_value *v)
{
	v->type = AML_UNINIT;
}

/* A driver with a notify op, and its device. */
static uint32_t got[8];
static unsigned int ngot;
static bool notify_saw_lock;

static void drv_notify(struct device *dev, uint32_t value)
{
	(void)dev;
	notify_saw_lock = locked != 0;
	if (ngot < ARRAY_SIZE(got)) {
		got[ngot++] = value;
	}
}

static struct driver drv = {.name = "test-notify", .notify = drv_notify};
static struct driver plain = {.name = "test-plain"};
static struct device dev_with_op = {.name = "BTN", .driver = &drv};
static struct device dev_plain = {.name = "PLN", .driver = &plain};

static struct aml_node n_btn = {.path = "\\_SB.PWRB", .data = &dev_with_op};
static struct aml_node n_plain = {.path = "\\_SB.PLN", .data = &dev_plain};
static struct aml_node n_slot = {.path = "\\_SB.PCI0.S30", .has_ej0 = true};
static struct aml_node n_noej = {.path = "\\_SB.PCI0.S38"};

static void reset(void)
{
	fake_arch_reset();
	acpi_ns_access_set(lock, unlock);
	memset(&stats, 0, sizeof(stats));
	q_head = q_count = 0;
	nseen = seen_dropped = 0;
	ngot = 0;
	locked = lock_calls = queue_calls = 0;
	queued_work = NULL;
	n_slot.ej0_runs = 0;
	n_slot.ej0_result = 0;
}

TEST(notify_to_driver_after_the_aml)
{
	reset();
	acpi_notify_queue(&n_btn, 0x80);
	acpi_notify_queue(&n_btn, 0x02);
	/* Only queued while the AML runs. */
	CHECK_EQ_INT(ngot, 0);
	CHECK(queue_calls >= 1);
	run_work();
	REQUIRE_EQ_INT(ngot, 2);
	CHECK_EQ_INT(got[0], 0x80);
	CHECK_EQ_INT(got[1], 0x02);
	/* The namespace is unlocked when the driver's op runs. */
	CHECK(!notify_saw_lock);
	CHECK_EQ_INT(locked, 0);
	CHECK_EQ_INT(stats.delivered, 2);
	CHECK_EQ_INT(stats.unclaimed, 0);
	CHECK_EQ_INT(strlen(fake_console_text()), 0);
}

TEST(notify_no_driver_logged)
{
	reset();
	acpi_notify_queue(&n_plain, 1);
	acpi_notify_queue(&n_noej, 0);
	acpi_notify_queue(&n_noej, 0x0a);
	acpi_notify_queue(&n_noej, 0x81);
	run_work();
	CHECK(strstr(fake_console_text(),
		     "acpi: Notify(\\_SB.PLN, 1 device check): no driver\n") !=
	      NULL);
	CHECK(
	    strstr(fake_console_text(),
		   "acpi: Notify(\\_SB.PCI0.S38, 0 bus check): no driver\n") !=
	    NULL);
	CHECK(strstr(fake_console_text(),
		     "acpi: Notify(\\_SB.PCI0.S38, 10): no driver\n") != NULL);
	CHECK(strstr(fake_console_text(),
		     "acpi: Notify(\\_SB.PCI0.S38, 129 "
		     "device-specific): no driver\n") != NULL);
	CHECK_EQ_INT(stats.unclaimed, 4);
	CHECK_EQ_INT(nseen, 2);
	CHECK_EQ_INT(seen[1].count, 3);
	CHECK_EQ_INT(seen[1].last, 0x81);
	CHECK_EQ_INT(locked, 0);
}

TEST(notify_unclaimed_eject_runs_ej0)
{
	reset();
	acpi_notify_queue(&n_slot, 3);
	run_work();
	CHECK_EQ_INT(n_slot.ej0_runs, 1);
	CHECK_EQ_INT(n_slot.ej0_arg, 1);
	CHECK(strstr(fake_console_text(),
		     "acpi: Notify(\\_SB.PCI0.S30, 3 eject "
		     "request): no driver: _EJ0 run\n") != NULL);
	CHECK_EQ_INT(stats.ejects, 1);
	/* _EJ0 failing, or missing: said, counted. */
	n_slot.ej0_result = -EIO;
	acpi_notify_queue(&n_slot, 3);
	acpi_notify_queue(&n_noej, 3);
	run_work();
	CHECK(strstr(fake_console_text(),
		     "no driver: _EJ0 failed: "
		     "\\_SB.PCI0.S30._EJ0: Store: -EIO") != NULL);
	CHECK(strstr(fake_console_text(),
		     "acpi: Notify(\\_SB.PCI0.S38, 3 eject "
		     "request): no driver, no _EJ0\n") != NULL);
	CHECK_EQ_INT(stats.eject_failed, 2);
	/* A driver with no notify op leaves the eject to _EJ0 too. */
	CHECK_EQ_INT(locked, 0);
}

TEST(notify_queue_full_drops_and_says)
{
	reset();
	for (unsigned int i = 0; i < QUEUE_LEN + 3; i++) {
		acpi_notify_queue(&n_btn, i & 0x7f);
	}
	CHECK_EQ_INT(stats.dropped, 3);
	CHECK_EQ_INT(stats.queued, QUEUE_LEN + 3);
	CHECK(strstr(fake_console_text(), "waiting already: dropped") != NULL);
	run_work();
	CHECK_EQ_INT(stats.delivered, QUEUE_LEN);
	CHECK_EQ_INT(q_count, 0);
	/* Delivered in the order raised. */
	CHECK_EQ_INT(got[0], 0);
	CHECK_EQ_INT(got[7], 7);
}

TEST(notify_names)
{
	CHECK_EQ_STR(acpi_notify_name(0), "bus check");
	CHECK_EQ_STR(acpi_notify_name(3), "eject request");
	CHECK_EQ_STR(acpi_notify_name(0x0f), "error disconnect recover");
	CHECK(acpi_notify_name(0x0a) == NULL);
	CHECK(acpi_notify_name(0x10) == NULL);
	CHECK_EQ_STR(acpi_notify_name(0x80), "device-specific");
	CHECK(acpi_notify_name(0x100) == NULL);
}
