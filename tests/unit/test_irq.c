/*
 * The portable interrupt core (kern/irq.c) against a fake controller:
 * numbering, stray accounting, request/free and the sharing rules,
 * disable depth, the three flows, "nobody cared", statistics, in_irq(),
 * the threaded handlers' bookkeeping (the thread side faked: a test
 * "runs the thread" by calling irq_thread_handle() as it would), and
 * affinity: set_affinity under the line's lock, masks limited to online
 * CPUs, per-CPU lines refused and handled lockless, the spreading rule.
 *
 * The fake chip records every call per hardware line and in one ordered
 * log ("ack(3) handler(dev-a)"), handlers append to the same log, so a
 * test can check both counts and order. Interrupts are "raised" the way a
 * CPU would: interrupt flag off, then irq_handle().
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kern/errno.h"
#include "kern/irq.h"
#include "fake_arch.h"
#include "unit.h"

#define FAKE_LINES 64

struct fake_chip {
	struct irq_chip chip;
	unsigned int mask_n[FAKE_LINES];
	unsigned int unmask_n[FAKE_LINES];
	unsigned int ack_n[FAKE_LINES];
	unsigned int eoi_n[FAKE_LINES];
	unsigned int set_type_n[FAKE_LINES];
	unsigned int set_pending_n[FAKE_LINES];
	bool masked[FAKE_LINES]; /* the line's state in the "hardware" */
	unsigned int type[FAKE_LINES];
	unsigned int set_affinity_n[FAKE_LINES];
	uint32_t affinity[FAKE_LINES]; /* the mask set_affinity was given */
	int set_affinity_ret;	       /* what set_affinity returns */
	bool affinity_to_set;	/* routes to every CPU of the mask (GICv2) */
	bool affinity_unlocked; /* set_affinity ran without desc->lock */
	int set_type_ret;	/* what set_type returns */
	int set_pending_ret;	/* what set_pending returns */
	irq_flow_fn level_flow; /* if set, set_type picks it for levels */
	void (*set_type_hook)(void); /* runs inside set_type, once */
};

struct fake_dev {
	const char *name;
	enum irq_return ret;	    /* what the handler returns ... */
	unsigned int handled_first; /* ... after returning HANDLED so often */
	unsigned int calls;
	unsigned int last_irq;
	bool saw_irqs_on; /* called with the interrupt flag on */
	bool saw_in_irq;  /* in_irq() was true in the handler */
	bool saw_no_irq;  /* in_irq() was false in the handler */
	/* As the thread function (fake_thread_fn): */
	unsigned int thread_calls;
	unsigned int thread_depth;    /* desc->depth it saw */
	bool thread_chip_masked;      /* the chip's line was masked */
	unsigned int raise_in_thread; /* interrupts it raises on its line */
};

/* The thread side of kern/irq_thread.c, faked: what the core asked. */
static struct {
	unsigned int starts, wakes, stops;
	int start_ret; /* what irq_thread_start() returns */
} fth;

static struct fake_chip chip_a, chip_b;
static struct fake_dev dev_a, dev_b, dev_c;

static char call_log[4096];
static size_t call_log_len;

static void fake_log_clear(void)
{
	call_log_len = 0;
	call_log[0] = '\0';
}

/* Append one entry, space separated; a full log just stops growing. */
__attribute__((format(printf, 1, 2))) static void fake_log(const char *fmt, ...)
{
	size_t room = sizeof(call_log) - call_log_len;
	va_list ap;
	int n;

	if (call_log_len != 0 && room > 1) {
		call_log[call_log_len++] = ' ';
		call_log[call_log_len] = '\0';
		room--;
	}
	va_start(ap, fmt);
	n = vsnprintf(call_log + call_log_len, room, fmt, ap);
	va_end(ap);
	if (n > 0) {
		call_log_len += (size_t)n < room ? (size_t)n : room - 1;
	}
}

static unsigned int fake_hw(const struct irq_desc *desc)
{
	if (desc->hwirq >= FAKE_LINES) {
		unit_fail(__FILE__, __LINE__, "chip call for hwirq %lu",
			  desc->hwirq);
		return 0;
	}
	return (unsigned int)desc->hwirq;
}

static void fake_mask(struct irq_desc *desc)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->mask_n[hw]++;
	fc->masked[hw] = true;
	fake_log("mask(%u)", hw);
}

static void fake_unmask(struct irq_desc *desc)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->unmask_n[hw]++;
	fc->masked[hw] = false;
	fake_log("unmask(%u)", hw);
}

static void fake_ack(struct irq_desc *desc)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->ack_n[hw]++;
	fake_log("ack(%u)", hw);
}

static void fake_eoi(struct irq_desc *desc)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->eoi_n[hw]++;
	fake_log("eoi(%u)", hw);
}

static int fake_set_type(struct irq_desc *desc, unsigned int type)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->set_type_n[hw]++;
	fake_log("set_type(%u,%#x)", hw, type);
	if (fc->set_type_hook) {
		void (*hook)(void) = fc->set_type_hook;

		fc->set_type_hook = NULL;
		hook();
	}
	if (fc->set_type_ret == 0) {
		fc->type[hw] = type;
		if (fc->level_flow && (type & IRQF_TRIGGER_LEVEL)) {
			desc->chip_flow = fc->level_flow;
		}
	}
	return fc->set_type_ret;
}

static int fake_set_pending(struct irq_desc *desc)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->set_pending_n[hw]++;
	fake_log("set_pending(%u)", hw);
	return fc->set_pending_ret;
}

/* Like GICD_IROUTER (one target) or, with affinity_to_set, like
 * GICD_ITARGETSR (a set, written to desc->effective). */
static int fake_set_affinity(struct irq_desc *desc, uint32_t mask)
{
	struct fake_chip *fc = desc->chip_data;
	unsigned int hw = fake_hw(desc);

	fc->set_affinity_n[hw]++;
	if (!spin_is_held(&desc->lock) || fake_irqs_on) {
		fc->affinity_unlocked = true;
	}
	fake_log("set_affinity(%u,%#x)", hw, mask);
	if (fc->set_affinity_ret == 0) {
		fc->affinity[hw] = mask;
		if (fc->affinity_to_set) {
			desc->effective = mask;
		}
	}
	return fc->set_affinity_ret;
}

/* Every line starts masked, as controllers come out of reset. */
static void fake_chip_init(struct fake_chip *fc, const char *name,
			   bool with_ack, bool with_eoi)
{
	memset(fc, 0, sizeof(*fc));
	fc->chip.name = name;
	fc->chip.mask = fake_mask;
	fc->chip.unmask = fake_unmask;
	fc->chip.ack = with_ack ? fake_ack : NULL;
	fc->chip.eoi = with_eoi ? fake_eoi : NULL;
	fc->chip.set_type = fake_set_type;
	fc->chip.set_pending = fake_set_pending;
	fc->chip.set_affinity = fake_set_affinity;
	for (unsigned int i = 0; i < FAKE_LINES; i++) {
		fc->masked[i] = true;
	}
}

static enum irq_return fake_handler(unsigned int irq, void *dev)
{
	struct fake_dev *d = dev;

	d->calls++;
	d->last_irq = irq;
	if (fake_irqs_on) {
		d->saw_irqs_on = true;
	}
	if (in_irq()) {
		d->saw_in_irq = true;
	} else {
		d->saw_no_irq = true;
	}
	fake_log("handler(%s)", d->name);
	if (d->calls <= d->handled_first) {
		return IRQ_HANDLED;
	}
	return d->ret;
}

static void fake_raise(unsigned int irq);

/* A thread function: logs, and records the line's state as it saw it. */
static enum irq_return fake_thread_fn(unsigned int irq, void *dev)
{
	struct fake_dev *d = dev;
	const struct irq_desc *desc = irq_to_desc(irq);

	d->thread_calls++;
	d->thread_depth = desc->depth;
	d->thread_chip_masked = chip_a.masked[desc->hwirq];
	fake_log("thread(%s)", d->name);
	while (d->raise_in_thread) {
		d->raise_in_thread--;
		fake_raise(irq);
	}
	return IRQ_HANDLED;
}

int irq_thread_start(unsigned int irq, struct irq_action *action)
{
	(void)irq;
	fth.starts++;
	fake_log("start(%s)", action->thread_name);
	return fth.start_ret;
}

void irq_thread_wake(struct irq_action *action)
{
	fth.wakes++;
	fake_log("wake(%s)", action->thread_name);
}

void irq_thread_stop(struct irq_action *action)
{
	fth.stops++;
	fake_log("stop(%s)", action->thread_name);
}

static struct irq_action *action_of(unsigned int irq, const void *dev)
{
	for (struct irq_action *a = irq_to_desc(irq)->actions; a; a = a->next) {
		if (a->dev == dev) {
			return a;
		}
	}
	return NULL;
}

/* What the action's thread does once woken: run until nothing is
 * pending; returns how often thread_fn ran. */
static unsigned int fake_thread_run(unsigned int irq, const void *dev)
{
	struct irq_action *a = action_of(irq, dev);
	unsigned int runs = 0;

	if (!a) {
		unit_fail(__FILE__, __LINE__, "no action on irq %u", irq);
		return 0;
	}
	while (irq_thread_pending(a)) {
		/* Interrupts on, as in a thread: not inside irq_handle(). */
		if (!irq_thread_handle(irq, a)) {
			unit_fail(__FILE__, __LINE__, "pending, nothing run");
			break;
		}
		runs++;
	}
	CHECK(!irq_thread_handle(irq, a));
	return runs;
}

static void fake_dev_init(struct fake_dev *d, const char *name,
			  enum irq_return ret)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->ret = ret;
}

/*
 * Take interrupt irq as a CPU would: flag off, into the core, and the
 * core must hand it back off with no descriptor lock held. (unit_fail
 * rather than CHECK: the storm tests raise 100000 interrupts.)
 */
static void fake_raise(unsigned int irq)
{
	bool was_on = fake_irqs_on;

	fake_irqs_on = false;
	irq_handle(irq);
	if (fake_irqs_on) {
		unit_fail(__FILE__, __LINE__,
			  "irq_handle(%u) turned "
			  "interrupts on",
			  irq);
	}
	if (irq < NR_IRQS && spin_is_held(&irq_to_desc(irq)->lock)) {
		unit_fail(__FILE__, __LINE__, "irq_handle(%u) kept the lock",
			  irq);
	}
	fake_irqs_on = was_on;
}

static void fake_raise_n(unsigned int irq, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		fake_raise(irq);
	}
}

/*
 * A fresh core and fakes; chip_a (named "fakepic") gets lines 0..15 at
 * hwirq 0 with flow, unless flow is NULL. Edge and level chips have ack
 * and no eoi (like the 8259), fast-EOI ones eoi and no ack (like the GIC).
 * Returns irq_domain_add's result.
 */
static int fake_setup(irq_flow_fn flow)
{
	bool fasteoi = flow == irq_flow_fasteoi;

	fake_arch_reset();
	irq_core_init();
	irq_cpus_online = 1;
	fake_log_clear();
	fake_chip_init(&chip_a, "fakepic", !fasteoi, fasteoi);
	fake_chip_init(&chip_b, "otherpic", true, true);
	fake_dev_init(&dev_a, "dev-a", IRQ_HANDLED);
	fake_dev_init(&dev_b, "dev-b", IRQ_HANDLED);
	fake_dev_init(&dev_c, "dev-c", IRQ_HANDLED);
	memset(&fth, 0, sizeof(fth));
	if (flow == NULL) {
		return 0;
	}
	return irq_domain_add(&chip_a.chip, &chip_a, 0, 16, flow);
}

/* ---- numbering ---------------------------------------------------------- */

TEST(irq_domain_consecutive_bases)
{
	REQUIRE_EQ_INT(fake_setup(NULL), 0);
	CHECK_EQ_INT(
	    irq_domain_add(&chip_a.chip, &chip_a, 0, 16, irq_flow_edge), 0);
	CHECK_EQ_INT(
	    irq_domain_add(&chip_b.chip, &chip_b, 32, 8, irq_flow_fasteoi), 16);

	/* The descriptors know their chip and hardware line. */
	CHECK(irq_to_desc(0)->chip == &chip_a.chip);
	CHECK_EQ_INT(irq_to_desc(15)->hwirq, 15);
	CHECK(irq_to_desc(16)->chip == &chip_b.chip);
	CHECK_EQ_INT(irq_to_desc(16)->hwirq, 32);
	CHECK_EQ_INT(irq_to_desc(23)->hwirq, 39);
	CHECK(irq_to_desc(5)->chip == &chip_a.chip);
	CHECK_EQ_INT(irq_to_desc(5)->hwirq, 5);
	CHECK(irq_to_desc(17)->chip == &chip_b.chip);
	CHECK(irq_to_desc(17)->chip_data == &chip_b);
	CHECK_EQ_INT(irq_to_desc(17)->hwirq, 33);
	CHECK(irq_to_desc(24)->chip == NULL);
	CHECK(irq_to_desc(NR_IRQS - 1) != NULL);
	CHECK(irq_to_desc(NR_IRQS) == NULL);
}

TEST(irq_domain_refuses_past_nr_irqs)
{
	REQUIRE_EQ_INT(fake_setup(NULL), 0);
	CHECK_EQ_INT(irq_domain_add(&chip_a.chip, &chip_a, 0, NR_IRQS - 6,
				    irq_flow_edge),
		     0);
	CHECK_EQ_INT(irq_domain_add(&chip_b.chip, &chip_b, 0, 7, irq_flow_edge),
		     -ENOSPC);
	/* The refusal took nothing: exactly the rest still fits. */
	CHECK(irq_to_desc(NR_IRQS - 6)->chip == NULL);
	CHECK_EQ_INT(irq_domain_add(&chip_b.chip, &chip_b, 0, 6, irq_flow_edge),
		     NR_IRQS - 6);
	CHECK(irq_to_desc(NR_IRQS - 1)->chip == &chip_b.chip);
	CHECK_EQ_INT(irq_to_desc(NR_IRQS - 1)->hwirq, 5);
	CHECK_EQ_INT(
	    irq_domain_add(&chip_b.chip, &chip_b, 100, 1, irq_flow_edge),
	    -ENOSPC);
}

/* ---- every descriptor is valid from boot --------------------------------- */

TEST(irq_stray_counted_acked_and_reported)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	fake_raise(3);
	CHECK_EQ_INT(irq_to_desc(3)->stray, 1);
	CHECK_EQ_INT(irq_to_desc(3)->count[0], 1);
	CHECK_EQ_INT(chip_a.ack_n[3], 1);
	CHECK_EQ_INT(chip_a.unmask_n[3], 0);
	CHECK(chip_a.masked[3]);
	CHECK(strstr(fake_console_text(),
		     "irq 3 (fakepic 3): stray interrupt #1") != NULL);
	CHECK(!in_irq());
	/* Its neighbours saw nothing. */
	CHECK_EQ_INT(irq_to_desc(2)->stray + irq_to_desc(4)->stray, 0);
	CHECK_EQ_INT(chip_a.ack_n[2] + chip_a.ack_n[4], 0);
}

/*
 * A stray interrupt on a line nobody ever requested is masked at the
 * chip. (Was BUG before d7971ec: irq_core_init() starts every descriptor
 * with masked = true, so flow_stray()'s mask_line() believed the cache and
 * never called chip->mask; a level line that firmware left enabled, e.g.
 * an IOAPIC entry or GIC SPI, then stormed forever.)
 */
TEST(irq_stray_masks_live_line_at_chip)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	chip_a.masked[3] = false; /* as the firmware left it */
	fake_raise(3);
	CHECK_EQ_INT(irq_to_desc(3)->stray, 1);
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(chip_a.mask_n[3], 1);
	CHECK(irq_to_desc(3)->masked);
}

TEST(irq_stray_after_free_is_masked)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	REQUIRE_EQ_INT(irq_free(3, &dev_a), 0);
	fake_log_clear();
	fake_raise(3); /* latched before the free */
	CHECK_EQ_INT(dev_a.calls, 0);
	CHECK_EQ_INT(irq_to_desc(3)->stray, 1);
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(chip_a.ack_n[3], 1);
	CHECK_EQ_INT(chip_a.unmask_n[3], 1);
}

TEST(irq_stray_fasteoi_eoi_once)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	fake_raise(6);
	CHECK_EQ_INT(irq_to_desc(6)->stray, 1);
	CHECK_EQ_INT(chip_a.eoi_n[6], 1);
	CHECK_EQ_INT(chip_a.ack_n[6], 0);
	/* Whatever else happens, the EOI ends it. */
	CHECK(call_log_len >= 6 &&
	      strcmp(call_log + call_log_len - 6, "eoi(6)") == 0);
	CHECK_EQ_INT(fake_console_count("stray interrupt"), 1);
	fake_raise_n(6, 4);
	CHECK_EQ_INT(chip_a.eoi_n[6], 5);
}

TEST(irq_stray_edge_acks_first)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	fake_raise(2);
	CHECK(strncmp(call_log, "ack(2)", 6) == 0);
	CHECK_EQ_INT(chip_a.ack_n[2], 1);
	CHECK_EQ_INT(chip_a.eoi_n[2], 0);
}

TEST(irq_stray_report_rate_limited)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	fake_raise_n(3, 9);
	CHECK_EQ_INT(irq_to_desc(3)->stray, 9);
	CHECK_EQ_INT(chip_a.ack_n[3], 9);
	CHECK_EQ_INT(fake_console_count("stray interrupt #"), 4);
	CHECK(strstr(fake_console_text(), "#1,") != NULL);
	CHECK(strstr(fake_console_text(), "#2,") != NULL);
	CHECK(strstr(fake_console_text(), "#4,") != NULL);
	CHECK(strstr(fake_console_text(), "#8,") != NULL);
	CHECK(strstr(fake_console_text(), "#3,") == NULL);
	CHECK(strstr(fake_console_text(), "#9,") == NULL);
	fake_raise_n(3, 6); /* up to #15 */
	CHECK_EQ_INT(fake_console_count("stray interrupt #"), 4);
	fake_raise(3);
	CHECK_EQ_INT(fake_console_count("stray interrupt #"), 5);
	CHECK(strstr(fake_console_text(), "#16,") != NULL);
}

TEST(irq_stray_no_chip_and_out_of_range)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	fake_raise(200); /* a number no domain owns */
	CHECK_EQ_INT(irq_to_desc(200)->stray, 1);
	CHECK_EQ_INT(irq_to_desc(200)->count[0], 1);
	CHECK(strstr(fake_console_text(), "irq 200 (no chip") != NULL);
	CHECK_EQ_INT(irq_error_count(), 0);

	fake_raise(NR_IRQS);
	fake_raise(UINT_MAX);
	CHECK_EQ_INT(irq_error_count(), 2);
	CHECK_EQ_INT(irq_spurious_count(), 0);
	CHECK(!in_irq());
}

/* ---- irq_request --------------------------------------------------------- */

TEST(irq_request_unmasks_and_calls_handler)
{
	int base;

	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	base = irq_domain_add(&chip_b.chip, &chip_b, 32, 16, irq_flow_edge);
	REQUIRE_EQ_INT(base, 16);
	/* irq 20 is chip_b's hwirq 36. */
	REQUIRE_EQ_INT(
	    irq_request(20, fake_handler, IRQF_TRIGGER_RISING, "dev-a", &dev_a),
	    0);
	CHECK_EQ_INT(chip_b.unmask_n[36], 1);
	CHECK(!chip_b.masked[36]);
	CHECK_EQ_INT(chip_b.set_type_n[36], 1);
	CHECK_EQ_INT(chip_b.type[36], IRQF_TRIGGER_RISING);
	CHECK_EQ_INT(irq_to_desc(20)->trigger, IRQF_TRIGGER_RISING);
	CHECK_EQ_INT(chip_a.unmask_n[4], 0);
	CHECK(fake_irqs_on); /* irq_request gave the flag back */

	fake_raise(20);
	CHECK_EQ_INT(dev_a.calls, 1);
	CHECK_EQ_INT(dev_a.last_irq, 20);
	CHECK(!dev_a.saw_irqs_on);
	CHECK_EQ_INT(chip_b.ack_n[36], 1);
	REQUIRE(irq_to_desc(20)->actions != NULL);
	CHECK_EQ_INT(irq_to_desc(20)->actions->handled, 1);
	CHECK_EQ_INT(irq_to_desc(20)->count[0], 1);
	CHECK_EQ_INT(irq_to_desc(20)->stray, 0);
	CHECK_EQ_INT(irq_to_desc(20)->unhandled, 0);

	/* Two on CPU 1: its column rises, CPU 0's does not. */
	fake_cpu_id = 1;
	fake_raise_n(20, 2);
	fake_cpu_id = 0;
	CHECK_EQ_INT(irq_to_desc(20)->count[0], 1);
	CHECK_EQ_INT(irq_to_desc(20)->count[1], 2);
	CHECK_EQ_INT(irq_to_desc(20)->actions->handled, 3);
	CHECK_EQ_INT(dev_a.calls, 3);
	/* Still unmasked exactly once. */
	CHECK_EQ_INT(chip_b.unmask_n[36], 1);
	CHECK_EQ_INT(chip_b.mask_n[36], 0);
}

TEST(irq_request_none_counts_unhandled_not_handled)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_NONE;
	REQUIRE_EQ_INT(irq_request(4, fake_handler, 0, "dev-a", &dev_a), 0);
	/* No trigger asked for: the chip's is left alone. */
	CHECK_EQ_INT(chip_a.set_type_n[4], 0);
	fake_raise_n(4, 3);
	CHECK_EQ_INT(dev_a.calls, 3);
	CHECK_EQ_INT(irq_to_desc(4)->actions->handled, 0);
	CHECK_EQ_INT(irq_to_desc(4)->unhandled, 3);
	CHECK_EQ_INT(irq_to_desc(4)->stray, 0);
}

TEST(irq_request_rejects_bad_arguments)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	CHECK_EQ_INT(irq_request(3, NULL, 0, "dev-a", &dev_a), -EINVAL);
	CHECK_EQ_INT(irq_request(3, fake_handler, 0, NULL, &dev_a), -EINVAL);
	CHECK_EQ_INT(irq_request(NR_IRQS, fake_handler, 0, "dev-a", &dev_a),
		     -EINVAL);
	CHECK_EQ_INT(irq_request(UINT_MAX, fake_handler, 0, "dev-a", &dev_a),
		     -EINVAL);
	/* A number no chip owns. */
	CHECK_EQ_INT(irq_request(16, fake_handler, 0, "dev-a", &dev_a),
		     -EINVAL);
	CHECK(irq_to_desc(3)->actions == NULL);
	CHECK(irq_to_desc(16)->actions == NULL);
	CHECK_EQ_INT(chip_a.unmask_n[3], 0);
	CHECK_EQ_INT(chip_a.set_type_n[3], 0);
	/* Line 3 still works for a good request. */
	CHECK_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
}

TEST(irq_set_pending_asks_the_chip)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	CHECK_EQ_INT(irq_set_pending(3), 0);
	CHECK_EQ_INT(chip_a.set_pending_n[3], 1);
	CHECK_EQ_STR(call_log, "set_pending(3)");
	chip_a.set_pending_ret = -EIO;
	CHECK_EQ_INT(irq_set_pending(4), -EIO);
	CHECK_EQ_INT(chip_a.set_pending_n[4], 1);
	/* No chip, out of range, a chip that cannot. */
	CHECK_EQ_INT(irq_set_pending(16), -EINVAL);
	CHECK_EQ_INT(irq_set_pending(NR_IRQS), -EINVAL);
	chip_a.chip.set_pending = NULL;
	CHECK_EQ_INT(irq_set_pending(3), -ENOSYS);
	CHECK_EQ_INT(chip_a.set_pending_n[3], 1);
}

/* ---- sharing --------------------------------------------------------------
 */

TEST(irq_share_both_handlers_called)
{
	unsigned int f = IRQF_SHARED | IRQF_TRIGGER_HIGH;

	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request(5, fake_handler, f, "dev-a", &dev_a), 0);
	REQUIRE_EQ_INT(irq_request(5, fake_handler, f, "dev-b", &dev_b), 0);
	CHECK_EQ_INT(chip_a.set_type_n[5], 1);
	CHECK_EQ_INT(chip_a.unmask_n[5], 1);

	fake_raise_n(5, 2);
	/* dev-a returns HANDLED, dev-b is asked all the same. */
	CHECK_EQ_INT(dev_a.calls, 2);
	CHECK_EQ_INT(dev_b.calls, 2);
	CHECK_EQ_INT(irq_to_desc(5)->actions->handled, 2);
	CHECK_EQ_INT(irq_to_desc(5)->actions->next->handled, 2);
	CHECK_EQ_INT(irq_to_desc(5)->unhandled, 0);
	/* In request order. */
	CHECK(strstr(call_log, "handler(dev-a) handler(dev-b)") != NULL);

	/* One says NONE, the other HANDLED: handled, counted per action. */
	dev_a.ret = IRQ_NONE;
	dev_a.handled_first = 0;
	fake_raise(5);
	CHECK_EQ_INT(irq_to_desc(5)->actions->handled, 2);
	CHECK_EQ_INT(irq_to_desc(5)->actions->next->handled, 3);
	CHECK_EQ_INT(irq_to_desc(5)->unhandled, 0);
}

TEST(irq_share_refused_unless_both_agree)
{
	unsigned int sh = IRQF_SHARED | IRQF_TRIGGER_RISING;

	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);

	/* Shared first, unshared second. */
	REQUIRE_EQ_INT(irq_request(3, fake_handler, sh, "dev-a", &dev_a), 0);
	CHECK_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_RISING, "dev-b", &dev_b),
	    -EBUSY);
	/* Shared, but another trigger. */
	CHECK_EQ_INT(irq_request(3, fake_handler,
				 IRQF_SHARED | IRQF_TRIGGER_HIGH, "dev-b",
				 &dev_b),
		     -EBUSY);
	/* The same device twice. */
	CHECK_EQ_INT(irq_request(3, fake_handler, sh, "dev-a", &dev_a),
		     -EEXIST);
	CHECK(irq_to_desc(3)->actions->next == NULL);
	CHECK_EQ_INT(chip_a.set_type_n[3], 1);
	fake_raise(3);
	CHECK_EQ_INT(dev_a.calls, 1);
	CHECK_EQ_INT(dev_b.calls, 0);

	/* Unshared first, shared second. */
	REQUIRE_EQ_INT(
	    irq_request(4, fake_handler, IRQF_TRIGGER_RISING, "dev-a", &dev_a),
	    0);
	CHECK_EQ_INT(irq_request(4, fake_handler, sh, "dev-b", &dev_b), -EBUSY);
	CHECK_EQ_INT(
	    irq_request(4, fake_handler, IRQF_TRIGGER_RISING, "dev-b", &dev_b),
	    -EBUSY);
	CHECK(irq_to_desc(4)->actions->next == NULL);

	/* And a shared one that agrees still joins line 3. */
	CHECK_EQ_INT(irq_request(3, fake_handler, sh, "dev-c", &dev_c), 0);
	CHECK_EQ_INT(chip_a.set_type_n[3], 1);
}

TEST(irq_share_set_type_failure_leaves_line_masked)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	chip_a.set_type_ret = -EINVAL;
	CHECK_EQ_INT(
	    irq_request(7, fake_handler, IRQF_TRIGGER_LOW, "dev-a", &dev_a),
	    -EINVAL);
	CHECK_EQ_INT(chip_a.set_type_n[7], 1);
	CHECK(irq_to_desc(7)->actions == NULL);
	CHECK(chip_a.masked[7]);
	CHECK_EQ_INT(chip_a.unmask_n[7], 0);
	CHECK(irq_to_desc(7)->trigger == 0);
	/* Still stray: the handler is not reached. */
	fake_raise(7);
	CHECK_EQ_INT(dev_a.calls, 0);
	CHECK_EQ_INT(irq_to_desc(7)->stray, 1);
	/* Failures leak no action slots. */
	for (int i = 0; i < 200; i++) {
		irq_request(7, fake_handler, IRQF_TRIGGER_LOW, "dev-a", &dev_a);
	}
	chip_a.set_type_ret = 0;
	CHECK_EQ_INT(
	    irq_request(7, fake_handler, IRQF_TRIGGER_LOW, "dev-a", &dev_a), 0);
	CHECK_EQ_INT(chip_a.unmask_n[7], 1);
	CHECK_EQ_INT(chip_a.type[7], IRQF_TRIGGER_LOW);
	fake_raise(7);
	CHECK_EQ_INT(dev_a.calls, 1);
}

TEST(irq_set_type_may_pick_the_flow)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	chip_a.level_flow = irq_flow_level;
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_HIGH, "dev-a", &dev_a),
	    0);
	REQUIRE_EQ_INT(
	    irq_request(4, fake_handler, IRQF_TRIGGER_RISING, "dev-b", &dev_b),
	    0);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "mask(3) ack(3) handler(dev-a) unmask(3)");
	fake_log_clear();
	fake_raise(4);
	CHECK_EQ_STR(call_log, "ack(4) handler(dev-b)");
}

/* CPU 1 requests line 4 while CPU 0 is inside irq_request(3). */
static int fake_cpu1_ret = 1;

static void fake_cpu1_requests_line_4(void)
{
	bool cpu0_irqs = fake_irqs_on;
	unsigned int cpu0 = fake_cpu_id;

	fake_cpu_id = 1;
	fake_irqs_on = true; /* CPU 1's own flag */
	fake_cpu1_ret =
	    irq_request(4, fake_handler, IRQF_TRIGGER_RISING, "dev-b", &dev_b);
	fake_cpu_id = cpu0;
	fake_irqs_on = cpu0_irqs;
}

/*
 * Regression: the action pool is shared by every line while irq_request()
 * holds only the line's own lock. action_alloc() used to pick a free slot
 * without claiming it, so two CPUs requesting different lines at once got
 * the same slot. Here CPU 1's irq_request(4) runs inside CPU 0's set_type
 * for line 3, an interleaving real SMP allows. Slots are now claimed and
 * released under the core lock.
 */
TEST(irq_request_concurrent_lines_get_own_actions)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	chip_a.set_type_hook = fake_cpu1_requests_line_4;
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_RISING, "dev-a", &dev_a),
	    0);
	REQUIRE_EQ_INT(fake_cpu1_ret, 0);
	fake_raise(4);
	CHECK_EQ_INT(dev_b.calls, 1);
	CHECK_EQ_INT(dev_a.calls, 0);
	fake_raise(3);
	CHECK_EQ_INT(dev_a.calls, 1);
	/* Stop here if they share: the free would leave line 4 with a
	 * NULL handler and crash the whole run. */
	REQUIRE(irq_to_desc(3)->actions != irq_to_desc(4)->actions);
	CHECK_EQ_INT(irq_free(3, &dev_a), 0);
	CHECK(irq_to_desc(4)->actions != NULL);
	fake_raise(4);
	CHECK_EQ_INT(dev_b.calls, 2);
}

/* ---- irq_free ---------------------------------------------------------------
 */

TEST(irq_free_removes_only_that_dev)
{
	unsigned int sh = IRQF_SHARED | IRQF_TRIGGER_HIGH;

	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request(9, fake_handler, sh, "dev-a", &dev_a), 0);
	REQUIRE_EQ_INT(irq_request(9, fake_handler, sh, "dev-b", &dev_b), 0);
	REQUIRE_EQ_INT(irq_request(9, fake_handler, sh, "dev-c", &dev_c), 0);

	/* The middle one, then the head. */
	CHECK_EQ_INT(irq_free(9, &dev_b), 0);
	CHECK_EQ_INT(irq_free(9, &dev_b), -ENOENT);
	CHECK_EQ_INT(irq_free(9, &dev_a), 0);
	CHECK_EQ_INT(irq_free(9, &chip_a), -ENOENT);
	CHECK_EQ_INT(chip_a.mask_n[9], 0);
	CHECK(!chip_a.masked[9]);
	fake_raise(9);
	CHECK_EQ_INT(dev_a.calls, 0);
	CHECK_EQ_INT(dev_b.calls, 0);
	CHECK_EQ_INT(dev_c.calls, 1);
	CHECK(!chip_a.masked[9]);

	/* The last one masks the line and makes it stray again. */
	CHECK_EQ_INT(irq_free(9, &dev_c), 0);
	CHECK_EQ_INT(chip_a.mask_n[9], 2); /* level flow's, and the free's */
	CHECK(chip_a.masked[9]);
	CHECK(irq_to_desc(9)->actions == NULL);
	fake_raise(9);
	CHECK_EQ_INT(dev_c.calls, 1);
	CHECK_EQ_INT(irq_to_desc(9)->stray, 1);
	CHECK_EQ_INT(irq_free(9, &dev_c), -ENOENT);
	CHECK_EQ_INT(irq_free(NR_IRQS, &dev_c), -EINVAL);
}

TEST(irq_free_slots_are_reused)
{
	int ret = 0;

	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	for (unsigned int i = 0; i < 200 && ret == 0; i++) {
		ret = irq_request(i % 16, fake_handler, 0, "dev-a", &dev_a);
		if (ret == 0) {
			ret = irq_free(i % 16, &dev_a);
		}
	}
	CHECK_EQ_INT(ret, 0);
	CHECK_EQ_INT(chip_a.unmask_n[0], 13);
	CHECK_EQ_INT(chip_a.mask_n[0], 13);
}

TEST(irq_request_pool_exhaustion_recovers)
{
	static struct fake_dev devs[300];
	unsigned int n = 0;
	int ret = 0;

	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	while (n < 300 && ret == 0) {
		fake_dev_init(&devs[n], "many", IRQ_NONE);
		ret =
		    irq_request(1, fake_handler, IRQF_SHARED, "many", &devs[n]);
		if (ret == 0) {
			n++;
		}
	}
	CHECK_EQ_INT(ret, -ENOMEM);
	CHECK(n >= 16);
	/* The refused request left the line intact. */
	fake_raise(1);
	CHECK_EQ_INT(devs[0].calls, 1);
	CHECK_EQ_INT(devs[n - 1].calls, 1);
	CHECK_EQ_INT(devs[n].calls, 0);
	/* One free makes room for exactly one more. */
	CHECK_EQ_INT(irq_free(1, &devs[3]), 0);
	CHECK_EQ_INT(irq_request(2, fake_handler, 0, "dev-a", &dev_a), 0);
	CHECK_EQ_INT(irq_request(3, fake_handler, 0, "dev-b", &dev_b), -ENOMEM);
}

/* ---- disable depth ---------------------------------------------------------
 */

TEST(irq_disable_enable_nest)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	CHECK_EQ_INT(chip_a.unmask_n[3], 1);

	irq_disable(3);
	CHECK_EQ_INT(chip_a.mask_n[3], 1);
	CHECK(chip_a.masked[3]);
	irq_disable(3);
	CHECK_EQ_INT(chip_a.mask_n[3], 1);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 2);

	/* Arrives anyway (latched): acknowledged, handler not called. */
	fake_raise(3);
	CHECK_EQ_INT(dev_a.calls, 0);
	CHECK_EQ_INT(chip_a.ack_n[3], 1);

	irq_enable(3);
	CHECK_EQ_INT(chip_a.unmask_n[3], 1);
	CHECK(chip_a.masked[3]);
	irq_enable(3);
	CHECK_EQ_INT(chip_a.unmask_n[3], 2);
	CHECK(!chip_a.masked[3]);
	fake_raise(3);
	CHECK_EQ_INT(dev_a.calls, 1);
	CHECK(fake_irqs_on);
}

TEST(irq_enable_unbalanced_warns)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	fake_console_clear();
	irq_enable(3);
	CHECK(strstr(fake_console_text(), "irq 3: unbalanced irq_enable") !=
	      NULL);
	CHECK_EQ_INT(chip_a.unmask_n[3], 1);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 0);
	/* The depth did not wrap: one disable masks, one enable unmasks. */
	irq_disable(3);
	CHECK_EQ_INT(chip_a.mask_n[3], 1);
	irq_enable(3);
	CHECK_EQ_INT(chip_a.unmask_n[3], 2);
	CHECK(!chip_a.masked[3]);
}

TEST(irq_enable_before_request_does_not_unmask)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	irq_enable(8); /* boot depth is 1 */
	CHECK_EQ_INT(chip_a.unmask_n[8], 0);
	CHECK(chip_a.masked[8]);
	fake_raise(8);
	CHECK_EQ_INT(irq_to_desc(8)->stray, 1);
	irq_disable(NR_IRQS); /* ignored, no crash */
	irq_enable(NR_IRQS);
}

/* ---- flows
 * ------------------------------------------------------------------- */

TEST(irq_flow_edge_acks_before_handler)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_RISING, "dev-a", &dev_a),
	    0);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "ack(3) handler(dev-a)");

	irq_disable(3);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "ack(3)");
	CHECK(chip_a.masked[3]);
}

TEST(irq_flow_level_masks_around_handler)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_HIGH, "dev-a", &dev_a),
	    0);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "mask(3) ack(3) handler(dev-a) unmask(3)");
	CHECK(!chip_a.masked[3]);

	/* Disabled: masked and acknowledged, not run, not unmasked. */
	irq_disable(3);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "ack(3)");
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(dev_a.calls, 1);
	fake_log_clear();
	irq_enable(3);
	CHECK_EQ_STR(call_log, "unmask(3)");
}

TEST(irq_flow_fasteoi_eoi_once_per_interrupt)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	/* A chip with both ack and eoi: the flow still EOIs just once. */
	chip_a.chip.ack = fake_ack;
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "handler(dev-a) eoi(3)");
	fake_raise_n(3, 9);
	CHECK_EQ_INT(chip_a.eoi_n[3], 10);
	CHECK_EQ_INT(dev_a.calls, 10);

	/* Disabled: masked (already), EOI'd, not run. */
	irq_disable(3);
	fake_log_clear();
	fake_raise(3);
	CHECK_EQ_STR(call_log, "eoi(3)");
	CHECK_EQ_INT(chip_a.eoi_n[3], 11);
	CHECK_EQ_INT(dev_a.calls, 10);

	/* Stray: EOI'd once too. */
	fake_raise(4);
	CHECK_EQ_INT(chip_a.eoi_n[4], 1);
	CHECK_EQ_INT(chip_a.eoi_n[3], 11);
}

/* ---- nobody cared -----------------------------------------------------------
 */

TEST(irq_nobody_cared_masks_and_names_handlers)
{
	unsigned int sh = IRQF_SHARED | IRQF_TRIGGER_RISING;

	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_NONE;
	dev_b.ret = IRQ_NONE;
	REQUIRE_EQ_INT(irq_request(3, fake_handler, sh, "dev-a", &dev_a), 0);
	REQUIRE_EQ_INT(irq_request(3, fake_handler, sh, "dev-b", &dev_b), 0);

	fake_raise_n(3, IRQ_SPURIOUS_WINDOW - 1);
	CHECK_EQ_INT(chip_a.mask_n[3], 0);
	CHECK(!irq_to_desc(3)->nobody_cared);
	CHECK_EQ_INT(fake_console_count("nobody cared"), 0);
	fake_raise(3);
	CHECK_EQ_INT(chip_a.mask_n[3], 1);
	CHECK(chip_a.masked[3]);
	CHECK(irq_to_desc(3)->nobody_cared);
	CHECK_EQ_INT(irq_to_desc(3)->unhandled, IRQ_SPURIOUS_WINDOW);
	CHECK_EQ_INT(dev_a.calls, IRQ_SPURIOUS_WINDOW);
	CHECK_EQ_INT(fake_console_count("nobody cared"), 1);
	CHECK(strstr(fake_console_text(), "irq 3 (fakepic 3): nobody cared") !=
	      NULL);
	CHECK(strstr(fake_console_text(), "dev-a, dev-b") != NULL);
	CHECK(!fake_console_overflowed());

	/* irq_enable does not bring it back. */
	irq_disable(3);
	irq_enable(3);
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(chip_a.unmask_n[3], 1);
}

TEST(irq_nobody_cared_level_stays_masked)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	dev_a.ret = IRQ_NONE;
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_HIGH, "dev-a", &dev_a),
	    0);
	fake_raise_n(3, IRQ_SPURIOUS_WINDOW - 1);
	fake_log_clear();
	fake_raise(3);
	/* The flow masked it; the detector keeps it so. */
	CHECK_EQ_STR(call_log, "mask(3) ack(3) handler(dev-a)");
	CHECK(chip_a.masked[3]);
	CHECK(irq_to_desc(3)->nobody_cared);
	CHECK(strstr(fake_console_text(), "handlers asked: dev-a") != NULL);
}

TEST(irq_nobody_cared_spares_a_line_with_a_taker)
{
	unsigned int enough = IRQ_SPURIOUS_WINDOW - IRQ_SPURIOUS_LIMIT;

	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	/* Line 3: HANDLED just often enough; line 4: once too few. */
	dev_a.ret = IRQ_NONE;
	dev_a.handled_first = enough;
	dev_b.ret = IRQ_NONE;
	dev_b.handled_first = enough - 1;
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	REQUIRE_EQ_INT(irq_request(4, fake_handler, 0, "dev-b", &dev_b), 0);
	fake_raise_n(3, IRQ_SPURIOUS_WINDOW);
	fake_raise_n(4, IRQ_SPURIOUS_WINDOW);

	CHECK(!irq_to_desc(3)->nobody_cared);
	CHECK(!chip_a.masked[3]);
	CHECK_EQ_INT(chip_a.mask_n[3], 0);
	CHECK_EQ_INT(irq_to_desc(3)->unhandled, IRQ_SPURIOUS_LIMIT);
	CHECK_EQ_INT(irq_to_desc(3)->actions->handled, enough);

	CHECK(irq_to_desc(4)->nobody_cared);
	CHECK(chip_a.masked[4]);
	CHECK_EQ_INT(irq_to_desc(4)->unhandled, IRQ_SPURIOUS_LIMIT + 1);
	CHECK_EQ_INT(fake_console_count("nobody cared"), 1);
	CHECK(strstr(fake_console_text(), "irq 4 (") != NULL);

	/* A fresh window for line 3: now all NONE, it goes at its end. */
	fake_raise(3);
	CHECK(!irq_to_desc(3)->nobody_cared);
	fake_raise_n(3, IRQ_SPURIOUS_WINDOW - 2);
	CHECK(!irq_to_desc(3)->nobody_cared);
	fake_raise(3);
	CHECK(irq_to_desc(3)->nobody_cared);
	CHECK(chip_a.masked[3]);
}

TEST(irq_nobody_cared_cleared_by_new_request)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_NONE;
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	fake_raise_n(3, IRQ_SPURIOUS_WINDOW);
	REQUIRE(irq_to_desc(3)->nobody_cared);

	CHECK_EQ_INT(irq_free(3, &dev_a), 0);
	CHECK_EQ_INT(irq_request(3, fake_handler, 0, "dev-b", &dev_b), 0);
	CHECK(!irq_to_desc(3)->nobody_cared);
	CHECK(!chip_a.masked[3]);
	CHECK_EQ_INT(chip_a.unmask_n[3], 2);
	fake_raise(3);
	CHECK_EQ_INT(dev_b.calls, 1);
}

TEST(irq_nobody_cared_window_restarts_on_request)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_NONE;
	dev_b.ret = IRQ_NONE;
	/* Most of a window of NONE, then the driver goes away. */
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	fake_raise_n(3, IRQ_SPURIOUS_WINDOW - 10);
	CHECK_EQ_INT(irq_free(3, &dev_a), 0);
	/* The next driver starts its own window: 20 NONE are no storm. */
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-b", &dev_b), 0);
	fake_raise_n(3, 20);
	CHECK(!irq_to_desc(3)->nobody_cared);
	CHECK(!chip_a.masked[3]);
	CHECK_EQ_INT(fake_console_count("nobody cared"), 0);
	CHECK_EQ_INT(irq_to_desc(3)->unhandled, IRQ_SPURIOUS_WINDOW + 10);
}

/* ---- statistics
 * ---------------------------------------------------------------- */

/*
 * The captured line of irq_print_stats whose first field is first, with
 * runs of blanks squeezed to one; "" if there is none. *col, if given,
 * gets where in the raw line the field `at` starts (-1 if absent).
 */
static const char *fake_stats_row(const char *first, const char *at, int *col)
{
	static char row[512];
	const char *text = fake_console_text();
	size_t flen = strlen(first);

	row[0] = '\0';
	if (col) {
		*col = -1;
	}
	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		const char *p = line;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t o = 0;

		while (*p == ' ') {
			p++;
		}
		if (strncmp(p, first, flen) == 0 &&
		    (p[flen] == ' ' || p[flen] == '\n' || p[flen] == '\0')) {
			for (size_t i = (size_t)(p - line);
			     i < len && o + 1 < sizeof(row); i++) {
				if (line[i] != ' ' ||
				    (o > 0 && row[o - 1] != ' ')) {
					row[o++] = line[i];
				}
			}
			while (o > 0 && row[o - 1] == ' ') {
				o--;
			}
			row[o] = '\0';
			if (col && at) {
				const char *hit = strstr(line, at);

				if (hit && hit < line + len) {
					*col = (int)(hit - line);
				}
			}
			return row;
		}
		if (!end) {
			break;
		}
		line = end + 1;
	}
	return row;
}

TEST(irq_print_stats_table)
{
	int hdr_chip, hdr_actions, hdr_cpu1, row_chip, row_actions, row_cnt;
	const char *header;

	REQUIRE_EQ_INT(fake_setup(NULL), 0);
	irq_cpus_online = 2;
	/* hwirq 32.. so the table must show hwirq, not irq. */
	REQUIRE_EQ_INT(
	    irq_domain_add(&chip_a.chip, &chip_a, 32, 16, irq_flow_edge), 0);
	dev_b.ret = IRQ_NONE;
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_RISING, "timer", &dev_a),
	    0);
	REQUIRE_EQ_INT(irq_request(4, fake_handler,
				   IRQF_SHARED | IRQF_TRIGGER_HIGH, "uart",
				   &dev_c),
		       0);
	REQUIRE_EQ_INT(irq_request(4, fake_handler,
				   IRQF_SHARED | IRQF_TRIGGER_HIGH, "kbd",
				   &dev_b),
		       0);
	fake_raise_n(3, 2);
	fake_cpu_id = 1;
	fake_raise(3);
	fake_raise_n(4, 123456);
	fake_cpu_id = 0;
	fake_raise(7); /* stray, no action */
	irq_note_spurious();
	irq_note_spurious();
	irq_note_spurious();
	irq_note_error();
	fake_raise(NR_IRQS);	  /* an error too */
	irq_note_unclaimed(0x42); /* an error and unclaimed */
	CHECK_EQ_INT(irq_spurious_count(), 3);
	CHECK_EQ_INT(irq_error_count(), 3);
	CHECK_EQ_INT(irq_unclaimed_count(), 1);

	fake_console_clear();
	irq_print_stats();
	header = " IRQ       CPU0       CPU1  CHIP        HWIRQ  TRIGGER"
		 "     ACTIONS\n";
	CHECK(strncmp(fake_console_text(), header, strlen(header)) == 0);
	CHECK_EQ_STR(fake_stats_row("3", "fakepic", &row_chip),
		     "3 2 1 fakepic 35 edge timer(3)");
	CHECK_EQ_STR(fake_stats_row("4", NULL, NULL),
		     "4 0 123456 fakepic 36 level-high uart(123456), kbd(0)");
	CHECK_EQ_STR(fake_stats_row("7", NULL, NULL),
		     "7 1 0 fakepic 39 - [stray 1]");
	CHECK_EQ_STR(fake_stats_row("SPU", NULL, NULL), "SPU 3");
	CHECK_EQ_STR(fake_stats_row("ERR", NULL, NULL), "ERR 3");
	CHECK_EQ_STR(fake_stats_row("UNC", NULL, NULL), "UNC 1");
	/* Lines with neither actions nor interrupts are left out. */
	CHECK_EQ_STR(fake_stats_row("5", NULL, NULL), "");
	CHECK_EQ_STR(fake_stats_row("0", NULL, NULL), "");
	CHECK_EQ_INT(fake_console_count("\n"), 7);

	/* The columns line up with the header. */
	fake_stats_row("IRQ", "CHIP", &hdr_chip);
	fake_stats_row("IRQ", "ACTIONS", &hdr_actions);
	fake_stats_row("IRQ", "CPU1", &hdr_cpu1);
	fake_stats_row("3", "timer", &row_actions);
	fake_stats_row("4", "123456", &row_cnt);
	CHECK(hdr_chip >= 0);
	CHECK_EQ_INT(row_chip, hdr_chip);
	CHECK_EQ_INT(row_actions, hdr_actions);
	CHECK_EQ_INT(row_cnt + 6, hdr_cpu1 + 4); /* right-aligned */
}

TEST(irq_print_stats_nobody_cared_row)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	dev_a.ret = IRQ_NONE;
	REQUIRE_EQ_INT(irq_request(2, fake_handler, 0, "noisy", &dev_a), 0);
	fake_raise_n(2, IRQ_SPURIOUS_WINDOW);
	fake_console_clear();
	irq_print_stats();
	CHECK_EQ_STR(fake_stats_row("2", NULL, NULL),
		     "2 100000 fakepic 2 - noisy(0) [unhandled 100000] "
		     "[disabled: nobody cared]");
	CHECK_EQ_STR(fake_stats_row("SPU", NULL, NULL), "SPU 0");
}

/* ---- in_irq
 * -------------------------------------------------------------------- */

TEST(irq_in_irq_only_inside_handlers)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	CHECK(!in_irq());
	REQUIRE_EQ_INT(irq_request(3, fake_handler, 0, "dev-a", &dev_a), 0);
	CHECK(!in_irq());
	fake_raise(3);
	CHECK(dev_a.saw_in_irq);
	CHECK(!dev_a.saw_no_irq);
	CHECK(!in_irq());
	fake_cpu_id = 1;
	fake_raise(3);
	CHECK(!in_irq());
	fake_cpu_id = 0;
	CHECK(!dev_a.saw_no_irq);
	CHECK_EQ_INT(dev_a.calls, 2);
	/* A stray interrupt leaves the depth balanced too. */
	fake_raise(5);
	CHECK(!in_irq());
}

/* An edge that arrives while the line is disabled is not lost: the core
 * remembers it and has the chip raise it again on the last enable. */
TEST(irq_edge_while_disabled_is_replayed)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	REQUIRE_EQ_INT(
	    irq_request(5, fake_handler, IRQF_TRIGGER_RISING, "dev-a", &dev_a),
	    0);
	irq_disable(5);
	fake_raise(5);
	CHECK_EQ_INT(dev_a.calls, 0);
	CHECK_EQ_INT(chip_a.set_pending_n[5], 0);
	irq_enable(5);
	CHECK_EQ_INT(chip_a.set_pending_n[5], 1);
	CHECK(!chip_a.masked[5]);
	/* Nothing pending: a second disable/enable replays nothing. */
	irq_disable(5);
	irq_enable(5);
	CHECK_EQ_INT(chip_a.set_pending_n[5], 1);
}

/* ---- the root hook's unclaimed entries ------------------------------------
 */

TEST(irq_unclaimed_counted_and_reported_rate_limited)
{
	REQUIRE_EQ_INT(fake_setup(NULL), 0);
	fake_console_clear();
	for (int i = 0; i < 5; i++) {
		irq_note_unclaimed(0x42);
	}
	CHECK_EQ_INT(irq_unclaimed_count(), 5);
	CHECK_EQ_INT(irq_error_count(), 5);
	/* Said at the 1st, 2nd and 4th, not at every one. */
	CHECK_EQ_INT(fake_console_count("entry 66, which no controller owns"),
		     3);
	CHECK_EQ_INT(fake_console_count("(#4)"), 1);
	CHECK_EQ_INT(fake_console_count("(#5)"), 0);
}

/* ---- a software-pendable line for self-tests ------------------------------
 */

TEST(irq_find_pendable_skips_used_and_stray_lines)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	/* chip_a (0-15) has set_pending; nothing else is numbered. */
	CHECK_EQ_INT(irq_find_pendable(true), 15);
	CHECK_EQ_INT(irq_find_pendable(false), 0);
	REQUIRE_EQ_INT(irq_request(15, fake_handler, 0, "a", &dev_a), 0);
	CHECK_EQ_INT(irq_find_pendable(true), 14);
	fake_raise(0); /* stray: not free for a test any more */
	CHECK_EQ_INT(irq_find_pendable(false), 1);
	chip_a.chip.set_pending = NULL;
	CHECK_EQ_INT(irq_find_pendable(true), -ENOENT);
}

TEST(irq_per_cpu_marked_by_the_controller_only)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	CHECK(!irq_is_per_cpu(3));
	irq_mark_per_cpu(2, 3);
	CHECK(!irq_is_per_cpu(1));
	CHECK(irq_is_per_cpu(2) && irq_is_per_cpu(4));
	CHECK(!irq_is_per_cpu(5));
	irq_mark_per_cpu(NR_IRQS - 1, 8); /* clipped at the last number */
	CHECK(irq_is_per_cpu(NR_IRQS - 1));
	CHECK(!irq_is_per_cpu(NR_IRQS));
	/* A new boot forgets it. */
	irq_core_init();
	CHECK(!irq_is_per_cpu(2));
}

/* ---- threaded handlers ---------------------------------------------------
 */

TEST(irq_threaded_primary_wakes_named_thread)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	dev_a.ret = IRQ_WAKE_THREAD;
	REQUIRE_EQ_INT(irq_request_threaded(3, fake_handler, fake_thread_fn,
					    IRQF_TRIGGER_RISING, "dev-a",
					    &dev_a),
		       0);
	CHECK_EQ_STR(call_log, "start(irq/3-dev-a) set_type(3,0x2) unmask(3)");
	fake_log_clear();
	fake_raise(3);
	/* Not oneshot: nothing masked; the thread has not run yet. */
	CHECK_EQ_STR(call_log, "handler(dev-a) wake(irq/3-dev-a) eoi(3)");
	CHECK_EQ_INT(dev_a.thread_calls, 0);
	/* IRQ_WAKE_THREAD is the device's: handled, not unhandled. */
	CHECK_EQ_INT(action_of(3, &dev_a)->handled, 1);
	CHECK_EQ_INT(irq_to_desc(3)->unhandled, 0);
	fake_log_clear();
	CHECK_EQ_INT(fake_thread_run(3, &dev_a), 1);
	CHECK_EQ_STR(call_log, "thread(dev-a)");
	CHECK_EQ_INT(action_of(3, &dev_a)->thread_runs, 1);
	/* Two interrupts before the thread runs: one run sees both. */
	fake_raise_n(3, 2);
	CHECK_EQ_INT(fth.wakes, 3);
	CHECK_EQ_INT(fake_thread_run(3, &dev_a), 1);
}

TEST(irq_threaded_oneshot_level_masked_until_thread_returns)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request_threaded(3, NULL, fake_thread_fn,
					    IRQF_TRIGGER_HIGH | IRQF_ONESHOT,
					    "dev-a", &dev_a),
		       0);
	fake_log_clear();
	fake_raise(3);
	/* The default primary wakes; the flow leaves the line masked. */
	CHECK_EQ_STR(call_log, "mask(3) ack(3) wake(irq/3-dev-a)");
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 1);
	/* Still asserted (it cannot be while masked, but if it were): not
	 * run again, no second wake. */
	fake_raise(3);
	CHECK_EQ_INT(fth.wakes, 1);
	fake_log_clear();
	CHECK_EQ_INT(fake_thread_run(3, &dev_a), 1);
	/* Masked while the thread ran, unmasked after it returned. */
	CHECK_EQ_STR(call_log, "thread(dev-a) unmask(3)");
	CHECK(dev_a.thread_chip_masked);
	CHECK_EQ_INT(dev_a.thread_depth, 1);
	CHECK(!chip_a.masked[3]);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 0);
	CHECK(!irq_to_desc(3)->masked);
}

TEST(irq_threaded_oneshot_fasteoi_masks_before_eoi)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	dev_a.ret = IRQ_WAKE_THREAD;
	REQUIRE_EQ_INT(irq_request_threaded(3, fake_handler, fake_thread_fn,
					    IRQF_TRIGGER_HIGH | IRQF_ONESHOT,
					    "dev-a", &dev_a),
		       0);
	fake_log_clear();
	fake_raise(3);
	/* Masked before the EOI: a level line must not fire again. */
	CHECK_EQ_STR(call_log,
		     "handler(dev-a) mask(3) wake(irq/3-dev-a) eoi(3)");
	fake_log_clear();
	CHECK_EQ_INT(fake_thread_run(3, &dev_a), 1);
	CHECK_EQ_STR(call_log, "thread(dev-a) unmask(3)");
	/* The disable depth of irq_disable() and the oneshot add up. */
	fake_raise(3);
	irq_disable(3);
	fake_log_clear();
	CHECK_EQ_INT(fake_thread_run(3, &dev_a), 1);
	CHECK_EQ_STR(call_log, "thread(dev-a)");
	CHECK(chip_a.masked[3]);
	irq_enable(3);
	CHECK(!chip_a.masked[3]);
}

TEST(irq_threaded_oneshot_edge_during_thread_runs_it_again)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	REQUIRE_EQ_INT(irq_request_threaded(5, NULL, fake_thread_fn,
					    IRQF_TRIGGER_RISING | IRQF_ONESHOT,
					    "dev-a", &dev_a),
		       0);
	fake_raise(5);
	dev_a.raise_in_thread = 1;
	fake_log_clear();
	CHECK_EQ_INT(fake_thread_run(5, &dev_a), 1);
	/* The edge while held: acknowledged, remembered, replayed at the
	 * unmask by the chip. */
	CHECK_EQ_STR(call_log, "thread(dev-a) ack(5) unmask(5) set_pending(5)");
	CHECK(!irq_to_desc(5)->pending);
	/* The chip delivers it: the thread runs a second time. */
	fake_raise(5);
	CHECK_EQ_INT(fake_thread_run(5, &dev_a), 1);
	CHECK_EQ_INT(dev_a.thread_calls, 2);

	/* A chip that cannot replay: the core runs the thread again. */
	chip_a.chip.set_pending = NULL;
	fake_raise(5);
	dev_a.raise_in_thread = 1;
	CHECK_EQ_INT(fake_thread_run(5, &dev_a), 2);
	CHECK_EQ_INT(dev_a.thread_calls, 4);
	CHECK(!chip_a.masked[5]);
	CHECK_EQ_INT(irq_to_desc(5)->depth, 0);
}

TEST(irq_threaded_edge_without_oneshot_reruns_thread)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_WAKE_THREAD;
	REQUIRE_EQ_INT(irq_request_threaded(5, fake_handler, fake_thread_fn,
					    IRQF_TRIGGER_RISING, "dev-a",
					    &dev_a),
		       0);
	fake_raise(5);
	dev_a.raise_in_thread = 1;
	fake_log_clear();
	/* Not masked: the primary runs during the thread and wakes it. */
	CHECK_EQ_INT(fake_thread_run(5, &dev_a), 2);
	CHECK_EQ_STR(call_log, "thread(dev-a) ack(5) handler(dev-a) "
			       "wake(irq/5-dev-a) thread(dev-a)");
	CHECK_EQ_INT(dev_a.thread_depth, 0);
	CHECK(!dev_a.thread_chip_masked);
}

TEST(irq_threaded_request_rules)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	/* A level line, no primary: only oneshot. */
	CHECK_EQ_INT(irq_request_threaded(3, NULL, fake_thread_fn,
					  IRQF_TRIGGER_HIGH, "dev-a", &dev_a),
		     -EINVAL);
	CHECK(fake_console_count("needs IRQF_ONESHOT") == 1);
	CHECK_EQ_INT(fth.starts, 0);
	CHECK(irq_to_desc(3)->actions == NULL);
	/* An edge line may do without. */
	CHECK_EQ_INT(irq_request_threaded(4, NULL, fake_thread_fn,
					  IRQF_TRIGGER_RISING, "dev-a", &dev_a),
		     0);
	/* No thread function: a plain request. */
	CHECK_EQ_INT(irq_request_threaded(6, fake_handler, NULL,
					  IRQF_TRIGGER_RISING, "dev-b", &dev_b),
		     0);
	CHECK(action_of(6, &dev_b)->thread_fn == NULL);
	CHECK_EQ_INT(fth.starts, 1);
	/* The thread cannot start: refused, the slot and line untouched. */
	fth.start_ret = -ENOMEM;
	CHECK_EQ_INT(irq_request_threaded(7, NULL, fake_thread_fn,
					  IRQF_TRIGGER_RISING, "dev-c", &dev_c),
		     -ENOMEM);
	CHECK(irq_to_desc(7)->actions == NULL);
	CHECK(chip_a.masked[7]);
	/* Started, then refused by the sharing rules: the thread stopped. */
	fth.start_ret = 0;
	fake_log_clear();
	chip_a.set_type_ret = -EIO;
	CHECK_EQ_INT(irq_request_threaded(8, NULL, fake_thread_fn,
					  IRQF_TRIGGER_RISING, "dev-c", &dev_c),
		     -EIO);
	CHECK_EQ_STR(call_log, "start(irq/8-dev-c) set_type(8,0x2) "
			       "stop(irq/8-dev-c)");
	CHECK(irq_to_desc(8)->actions == NULL);
}

TEST(irq_threaded_free_stops_thread_and_gives_back_depth)
{
	unsigned int sh = IRQF_SHARED | IRQF_TRIGGER_HIGH;

	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(irq_request_threaded(3, NULL, fake_thread_fn,
					    sh | IRQF_ONESHOT, "dev-a", &dev_a),
		       0);
	REQUIRE_EQ_INT(irq_request(3, fake_handler, sh, "dev-b", &dev_b), 0);
	fake_raise(3);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 1);
	/* Freed with its thread not yet run: stopped, its hold returned,
	 * and the other device's line back on. */
	fake_log_clear();
	CHECK_EQ_INT(irq_free(3, &dev_a), 0);
	CHECK_EQ_STR(call_log, "stop(irq/3-dev-a) unmask(3)");
	CHECK_EQ_INT(irq_to_desc(3)->depth, 0);
	CHECK_EQ_INT(dev_a.thread_calls, 0);
	fake_raise(3);
	CHECK_EQ_INT(dev_b.calls, 2);
	/* The last action, freed while held: masked at depth 1 again. */
	REQUIRE_EQ_INT(irq_free(3, &dev_b), 0);
	REQUIRE_EQ_INT(irq_request_threaded(3, NULL, fake_thread_fn,
					    IRQF_TRIGGER_HIGH | IRQF_ONESHOT,
					    "dev-a", &dev_a),
		       0);
	fake_raise(3);
	CHECK_EQ_INT(irq_free(3, &dev_a), 0);
	CHECK_EQ_INT(irq_to_desc(3)->depth, 1);
	CHECK(chip_a.masked[3]);
	CHECK_EQ_INT(fth.stops, 2);
}

TEST(irq_threaded_storm_of_wakes_is_not_nobody_cared)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_edge), 0);
	dev_a.ret = IRQ_WAKE_THREAD;
	REQUIRE_EQ_INT(irq_request_threaded(5, fake_handler, fake_thread_fn,
					    IRQF_TRIGGER_RISING, "dev-a",
					    &dev_a),
		       0);
	fake_raise_n(5, IRQ_SPURIOUS_WINDOW);
	CHECK(!irq_to_desc(5)->nobody_cared);
	CHECK_EQ_INT(irq_to_desc(5)->unhandled, 0);
	CHECK_EQ_INT(action_of(5, &dev_a)->handled, IRQ_SPURIOUS_WINDOW);
	/* A plain handler that says IRQ_WAKE_THREAD: handled, said once. */
	dev_b.ret = IRQ_WAKE_THREAD;
	REQUIRE_EQ_INT(
	    irq_request(6, fake_handler, IRQF_TRIGGER_RISING, "dev-b", &dev_b),
	    0);
	fake_console_clear();
	fake_raise_n(6, 3);
	CHECK_EQ_INT(action_of(6, &dev_b)->handled, 3);
	CHECK(fake_console_count("has no thread") == 1);
}

TEST(irq_threaded_print_stats_names_thread)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_level), 0);
	REQUIRE_EQ_INT(
	    irq_request_threaded(9, NULL, fake_thread_fn,
				 IRQF_SHARED | IRQF_TRIGGER_HIGH | IRQF_ONESHOT,
				 "acpi-sci", &dev_a),
	    0);
	REQUIRE_EQ_INT(irq_request(9, fake_handler,
				   IRQF_SHARED | IRQF_TRIGGER_HIGH, "other",
				   &dev_b),
		       0);
	fake_raise(9);
	fake_console_clear();
	irq_print_stats();
	CHECK(fake_console_count("acpi-sci(1) [irq/9-acpi-sci], other(1)") ==
	      1);
}

/* ---- affinity (irq_set_affinity, irq_spread_affinity) ------------------ */

TEST(irq_affinity_set_calls_chip_under_lock)
{
	struct irq_desc *d;

	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0xf);
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_HIGH, "dev", &dev_a), 0);
	d = irq_to_desc(3);
	CHECK_EQ_INT(irq_get_affinity(3), 0x1); /* the boot CPU until set */
	CHECK_EQ_INT(irq_get_effective_affinity(3), 0x1);
	CHECK_EQ_INT(irq_set_affinity(3, 0x4), 0);
	CHECK_EQ_INT(chip_a.set_affinity_n[3], 1);
	CHECK_EQ_INT(chip_a.affinity[3], 0x4);
	CHECK(!chip_a.affinity_unlocked);
	CHECK(!spin_is_held(&d->lock));
	CHECK(fake_irqs_on);
	CHECK_EQ_INT(irq_get_affinity(3), 0x4);
	CHECK_EQ_INT(irq_get_effective_affinity(3), 0x4);
	CHECK(d->affinity_set);
	/* The line still works where it is, and counts on the CPU taking it. */
	fake_cpu_id = 2;
	fake_raise(3);
	fake_cpu_id = 0;
	CHECK_EQ_INT(d->count[2], 1);
	CHECK_EQ_INT(dev_a.calls, 1);
}

TEST(irq_affinity_mask_limited_to_online_cpus)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0x5); /* CPUs 0 and 2 */
	CHECK_EQ_INT(irq_online_cpus(), 0x5);
	CHECK_EQ_INT(irq_cpus_online, 2);
	CHECK_EQ_INT(irq_set_affinity(3, 0xe), 0);
	CHECK_EQ_INT(chip_a.affinity[3], 0x4); /* 1 and 3 are not online */
	CHECK_EQ_INT(irq_get_affinity(3), 0x4);
	/* No online CPU in it: refused before the chip is asked. */
	CHECK_EQ_INT(irq_set_affinity(3, 0xa), -EINVAL);
	CHECK_EQ_INT(irq_set_affinity(3, 0), -EINVAL);
	CHECK_EQ_INT(chip_a.set_affinity_n[3], 1);
	CHECK_EQ_INT(irq_get_affinity(3), 0x4);
}

TEST(irq_affinity_refused_for_per_cpu_and_unroutable_lines)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0x3);
	irq_mark_per_cpu(5, 1);
	CHECK_EQ_INT(irq_set_affinity(5, 0x2), -EINVAL);
	CHECK_EQ_INT(chip_a.set_affinity_n[5], 0);
	CHECK_EQ_INT(irq_set_affinity(NR_IRQS, 0x1), -EINVAL);
	CHECK_EQ_INT(irq_set_affinity(100, 0x1), -EINVAL); /* no chip */
	/* A chip with no set_affinity cannot route. */
	chip_b.chip.set_affinity = NULL;
	REQUIRE_EQ_INT(
	    irq_domain_add(&chip_b.chip, &chip_b, 0, 4, irq_flow_edge), 16);
	CHECK_EQ_INT(irq_set_affinity(16, 0x2), -ENOSYS);
	/* The chip's own refusal leaves the line where it was. */
	CHECK_EQ_INT(irq_set_affinity(3, 0x2), 0);
	chip_a.set_affinity_ret = -EINVAL;
	CHECK_EQ_INT(irq_set_affinity(3, 0x1), -EINVAL);
	CHECK_EQ_INT(irq_get_affinity(3), 0x2);
	CHECK_EQ_INT(irq_get_effective_affinity(3), 0x2);
}

TEST(irq_affinity_effective_one_target_or_a_set)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0xf);
	/* A one-target chip: the lowest CPU of the mask. */
	CHECK_EQ_INT(irq_set_affinity(3, 0xc), 0);
	CHECK_EQ_INT(irq_get_affinity(3), 0xc);
	CHECK_EQ_INT(irq_get_effective_affinity(3), 0x4);
	/* A chip that routes to the set says so. */
	chip_a.affinity_to_set = true;
	CHECK_EQ_INT(irq_set_affinity(3, 0x6), 0);
	CHECK_EQ_INT(irq_get_effective_affinity(3), 0x6);
}

static void request_lines(const unsigned int *lines, unsigned int n)
{
	static struct fake_dev devs[16];

	for (unsigned int i = 0; i < n; i++) {
		fake_dev_init(&devs[i], "spread", IRQ_HANDLED);
		REQUIRE_EQ_INT(irq_request(lines[i], fake_handler,
					   IRQF_TRIGGER_HIGH, "spread",
					   &devs[i]),
			       0);
	}
}

TEST(irq_spread_round_robin_in_irq_order)
{
	static const unsigned int lines[] = {11, 2, 9, 5, 7, 12};

	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0x7);
	request_lines(lines, 6);
	irq_mark_per_cpu(12, 1);		   /* per CPU: never routed */
	CHECK_EQ_INT(irq_set_affinity(7, 0x4), 0); /* placed: stays */
	fake_log_clear();
	irq_spread_affinity();
	/* 2, 5, 9, 11 in number order over CPUs 0, 1, 2, 0; 7 keeps its
	 * place and takes no turn; 3 (no handler) and 12 are not asked. */
	CHECK_EQ_STR(call_log, "set_affinity(2,0x1) set_affinity(5,0x2) "
			       "set_affinity(9,0x4) set_affinity(11,0x1)");
	CHECK_EQ_INT(irq_get_affinity(7), 0x4);
	CHECK_EQ_INT(irq_get_affinity(9), 0x4);
	CHECK_EQ_INT(chip_a.set_affinity_n[12], 0);
	CHECK_EQ_INT(chip_a.set_affinity_n[3], 0);
	CHECK(!irq_to_desc(9)->affinity_set); /* spreading is no placement */
	CHECK(fake_console_count("spread over 3 CPUs") == 1);
}

TEST(irq_spread_skips_offline_cpus_and_one_cpu)
{
	static const unsigned int lines[] = {1, 2, 3};

	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	request_lines(lines, 3);
	irq_spread_affinity(); /* one CPU: nothing to spread */
	CHECK_EQ_INT(chip_a.set_affinity_n[1], 0);
	irq_set_online_cpus(0x9); /* CPUs 0 and 3 */
	fake_log_clear();
	irq_spread_affinity();
	CHECK_EQ_STR(call_log, "set_affinity(1,0x1) set_affinity(2,0x8) "
			       "set_affinity(3,0x1)");
}

TEST(irq_print_stats_one_column_per_online_cpu)
{
	const char *text;

	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_set_online_cpus(0x5);
	REQUIRE_EQ_INT(
	    irq_request(3, fake_handler, IRQF_TRIGGER_HIGH, "dev", &dev_a), 0);
	fake_cpu_id = 2;
	fake_raise_n(3, 7);
	fake_cpu_id = 0;
	fake_console_clear();
	irq_print_stats();
	text = fake_console_text();
	CHECK(strstr(text, "CPU0") != NULL);
	CHECK(strstr(text, "CPU2") != NULL);
	CHECK(strstr(text, "CPU1") == NULL);
	CHECK(strstr(text, "   3          0          7  fakepic") != NULL);
}

static bool per_cpu_lock_seen;

static enum irq_return per_cpu_handler(unsigned int irq, void *dev)
{
	(void)dev;
	if (spin_is_held(&irq_to_desc(irq)->lock)) {
		per_cpu_lock_seen = true;
	}
	return IRQ_NONE;
}

/* A per-CPU line runs without its descriptor's lock (an IPI_STOP handler
 * never returns, and the other CPUs must still take theirs) and has no
 * storm detection (masking would reach one CPU's copy only). */
TEST(irq_per_cpu_lines_lockless_no_storm_detection)
{
	REQUIRE_EQ_INT(fake_setup(irq_flow_fasteoi), 0);
	irq_mark_per_cpu(6, 1);
	REQUIRE_EQ_INT(irq_request(6, per_cpu_handler, 0, "ipi", &dev_a), 0);
	per_cpu_lock_seen = false;
	fake_raise_n(6, IRQ_SPURIOUS_WINDOW + 10);
	CHECK(!per_cpu_lock_seen);
	CHECK(!irq_to_desc(6)->nobody_cared);
	CHECK(!chip_a.masked[6]);
	CHECK_EQ_INT(irq_to_desc(6)->count[0], IRQ_SPURIOUS_WINDOW + 10);
}
