/*
 * ACPI Notify delivery (notify.h; ACPI 6.5, 5.6.6, table 5.166 for the
 * values). A Notify is queued while the AML that raised it runs and
 * delivered from the system work queue, one at a time, in the order the
 * AML raised them.
 */
#include "drivers/acpi/notify.h"
#include "kern/deferred.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/string.h"

#define QUEUE_LEN    32 /* Notifies waiting for the work queue */
#define NODES_KEPT   32 /* nodes whose counts the shell shows */
#define PATH_LEN     64
#define DROPS_SAID   4
#define NOTIFY_EJECT 3
#define RUN_MAX	     (4 * QUEUE_LEN) /* per work item run, then again */

struct pending {
	struct aml_node *node;
	uint32_t value;
	char path[PATH_LEN];
};

static struct aml_ns *(*ns_lock_fn)(void);
static void (*ns_unlock_fn)(void);

static struct spinlock queue_lock = SPINLOCK_INIT("acpi-notify");
static struct pending queue[QUEUE_LEN];
static unsigned int q_head, q_count;
static struct work notify_work;
static bool work_ready;
static struct acpi_notify_stats stats;

/* Per node: touched only by the work item (one at a time). */
static struct {
	struct aml_node *node;
	char path[PATH_LEN];
	uint32_t last;
	unsigned long count;
} seen[NODES_KEPT];
static unsigned int nseen, seen_dropped;

void acpi_ns_access_set(struct aml_ns *(*lock)(void), void (*unlock)(void))
{
	ns_lock_fn = lock;
	ns_unlock_fn = unlock;
}

struct aml_ns *acpi_ns_lock(void)
{
	return ns_lock_fn ? ns_lock_fn() : NULL;
}

void acpi_ns_unlock(void)
{
	if (ns_unlock_fn) {
		ns_unlock_fn();
	}
}

const char *acpi_notify_name(uint32_t value)
{
	static const char *const names[] = {
	    "bus check",
	    "device check",
	    "device wake",
	    "eject request",
	    "device check light",
	    "frequency mismatch",
	    "bus mode mismatch",
	    "power fault",
	    "capabilities check",
	    "device PLD check",
	    NULL,
	    "system locality update",
	    NULL,
	    "system resource affinity update",
	    "heterogeneous memory attributes update",
	    "error disconnect recover",
	};

	if (value >= 0x80 && value <= 0xff) {
		return "device-specific";
	}
	return value < ARRAY_SIZE(names) ? names[value] : NULL;
}

static void notify_work_fn(struct work *w);

void acpi_notify_queue(struct aml_node *node, uint32_t value)
{
	unsigned long flags;
	struct pending *p;
	char path[PATH_LEN];
	bool full;

	/* The namespace is locked: the path is safe to take here. */
	aml_node_path(node, path, sizeof(path));
	flags = spin_lock_irqsave(&queue_lock);
	stats.queued++;
	full = q_count == QUEUE_LEN;
	if (full) {
		stats.dropped++;
	} else {
		p = &queue[(q_head + q_count++) % QUEUE_LEN];
		p->node = node;
		p->value = value;
		memcpy(p->path, path, sizeof(path));
	}
	if (!work_ready) {
		work_init(&notify_work, notify_work_fn, NULL);
		work_ready = true;
	}
	spin_unlock_irqrestore(&queue_lock, flags);
	if (full && stats.dropped <= DROPS_SAID) {
		kprintf("acpi: Notify(%s, %u): %u waiting already: dropped\n",
			path, value, QUEUE_LEN);
	}
	queue_work(system_wq, &notify_work);
}

static bool queue_pop(struct pending *out)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	bool some = q_count > 0;

	if (some) {
		*out = queue[q_head];
		q_head = (q_head + 1) % QUEUE_LEN;
		q_count--;
	}
	spin_unlock_irqrestore(&queue_lock, flags);
	return some;
}

static void count_node(const struct pending *p)
{
	unsigned int i;

	for (i = 0; i < nseen && seen[i].node != p->node; i++) {
	}
	if (i == nseen) {
		if (nseen == NODES_KEPT) {
			seen_dropped++;
			return;
		}
		seen[nseen].node = p->node;
		memcpy(seen[nseen].path, p->path, PATH_LEN);
		nseen++;
	}
	seen[i].count++;
	seen[i].last = p->value;
}

/* "1 device check", or just the number for a reserved value. */
static void describe(uint32_t value, char *buf, size_t size)
{
	const char *name = acpi_notify_name(value);

	if (name) {
		ksnprintf(buf, size, "%u %s", value, name);
	} else {
		ksnprintf(buf, size, "%u", value);
	}
}

/*
 * An eject request nobody takes: run _EJ0(1) (6.3.3: "1 = hot eject or
 * mark for ejection"), which on QEMU's PCI hotplug completes the
 * removal. The line says what came of it.
 */
static void eject(const struct pending *p, struct aml_ns *ns)
{
	struct aml_value arg = {.type = AML_INTEGER, .integer = 1};
	struct aml_value out = {.type = AML_UNINIT};
	int ret = aml_ns_eval(ns, p->node, "_EJ0", &arg, 1, &out);

	aml_value_free(&out);
	if (ret == 0) {
		stats.ejects++;
		kprintf("acpi: Notify(%s, 3 eject request): no driver: _EJ0 "
			"run\n",
			p->path);
		return;
	}
	stats.eject_failed++;
	if (ret == -ENOENT) {
		kprintf("acpi: Notify(%s, 3 eject request): no driver, no "
			"_EJ0\n",
			p->path);
	} else {
		kprintf("acpi: Notify(%s, 3 eject request): no driver: _EJ0 "
			"failed: %s\n",
			p->path, aml_ns_last_error(ns));
	}
}

static void deliver(const struct pending *p)
{
	struct aml_ns *ns = acpi_ns_lock();
	struct device *dev = ns ? aml_node_data(p->node) : NULL;
	char what[48];

	count_node(p);
	if (dev && dev->driver && dev->driver->notify) {
		if (ns) {
			acpi_ns_unlock();
		}
		stats.delivered++;
		dev->driver->notify(dev, p->value);
		return;
	}
	stats.unclaimed++;
	if (p->value == NOTIFY_EJECT && ns) {
		eject(p, ns);
	} else {
		describe(p->value, what, sizeof(what));
		kprintf("acpi: Notify(%s, %s): no driver\n", p->path, what);
	}
	if (ns) {
		acpi_ns_unlock();
	}
}

static void notify_work_fn(struct work *w)
{
	struct pending p;
	unsigned int n = 0;

	while (n++ < RUN_MAX && queue_pop(&p)) {
		deliver(&p);
	}
	if (n > RUN_MAX) {
		queue_work(system_wq, w); /* the rest, after the others */
	}
}

void acpi_notify_get_stats(struct acpi_notify_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);

	*st = stats;
	spin_unlock_irqrestore(&queue_lock, flags);
}

void acpi_notify_print(void)
{
	struct acpi_notify_stats st;
	char what[48];

	acpi_notify_get_stats(&st);
	kprintf("Notify: %lu raised, %lu to drivers, %lu with no driver "
		"(%lu ejected by _EJ0, %lu not), %lu dropped\n",
		st.queued, st.delivered, st.unclaimed, st.ejects,
		st.eject_failed, st.dropped);
	for (unsigned int i = 0; i < nseen; i++) {
		describe(seen[i].last, what, sizeof(what));
		kprintf("  %-24s %6lu  last %s\n", seen[i].path, seen[i].count,
			what);
	}
	if (seen_dropped) {
		kprintf("  (%u more, on nodes past the %u kept)\n",
			seen_dropped, NODES_KEPT);
	}
}
