/*
 * The portable interrupt core: descriptors, the three flows, request and
 * free with the sharing rules, disable depth, stray and "nobody cared"
 * detection, statistics. See kern/irq.h for the contract.
 *
 * Locking: a descriptor's lock is held (interrupts off) while its flow
 * and handlers run and while request/free/disable/enable change it, so a
 * handler must not call those on its own line.
 */
#include "kern/irq.h"
#include "kern/errno.h"
#include "kern/irqflags.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/string.h"

#define NR_ACTIONS 64

static struct irq_desc descs[NR_IRQS];
static unsigned int next_irq;
static struct irq_action action_pool[NR_ACTIONS];
static struct spinlock core_lock = SPINLOCK_INIT("irq-core");
static unsigned long spurious_total, error_total, unclaimed_total;
static unsigned int irq_depth[NR_CPUS];

unsigned int irq_cpus_online = 1;

static void flow_stray(struct irq_desc *desc);

void irq_core_init(void)
{
	memset(descs, 0, sizeof(descs));
	memset(action_pool, 0, sizeof(action_pool));
	memset(irq_depth, 0, sizeof(irq_depth));
	next_irq = 0;
	spurious_total = error_total = unclaimed_total = 0;
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		descs[i].irq = i;
		descs[i].flow = flow_stray;
		descs[i].depth = 1; /* masked until the first request */
		descs[i].masked = true;
		spin_lock_init(&descs[i].lock, "irq-desc");
	}
}

struct irq_desc *irq_to_desc(unsigned int irq)
{
	return irq < NR_IRQS ? &descs[irq] : NULL;
}

bool irq_is_per_cpu(unsigned int irq)
{
	return irq < NR_IRQS && descs[irq].per_cpu;
}

void irq_mark_per_cpu(unsigned int first, unsigned int count)
{
	for (unsigned int irq = first; irq < first + count && irq < NR_IRQS;
	     irq++) {
		descs[irq].per_cpu = true;
	}
}

bool in_irq(void)
{
	return irq_depth[arch_cpu_id()] > 0;
}

unsigned long irq_spurious_count(void)
{
	return __atomic_load_n(&spurious_total, __ATOMIC_RELAXED);
}

unsigned long irq_error_count(void)
{
	return __atomic_load_n(&error_total, __ATOMIC_RELAXED);
}

static int (*spurious_selftest)(void);

void irq_set_spurious_selftest(int (*fn)(void))
{
	spurious_selftest = fn;
}

int irq_spurious_selftest(void)
{
	unsigned long flags;
	int ret;

	if (!spurious_selftest) {
		return -ENOSYS;
	}
	flags = arch_irq_save();
	ret = spurious_selftest();
	arch_irq_restore(flags);
	return ret;
}

static int (*unclaimed_selftest)(void);

void irq_set_unclaimed_selftest(int (*fn)(void))
{
	unclaimed_selftest = fn;
}

int irq_unclaimed_selftest(void)
{
	return unclaimed_selftest ? unclaimed_selftest() : -ENOSYS;
}

void irq_note_spurious(void)
{
	__atomic_fetch_add(&spurious_total, 1, __ATOMIC_RELAXED);
}

void irq_note_error(void)
{
	__atomic_fetch_add(&error_total, 1, __ATOMIC_RELAXED);
}

unsigned long irq_unclaimed_count(void)
{
	return __atomic_load_n(&unclaimed_total, __ATOMIC_RELAXED);
}

void irq_note_unclaimed(unsigned int entry)
{
	unsigned long n =
	    __atomic_add_fetch(&unclaimed_total, 1, __ATOMIC_RELAXED);

	irq_note_error();
	if ((n & (n - 1)) == 0) {
		kprintf("irq: interrupt on entry %u, which no controller "
			"owns (#%lu)\n",
			entry, n);
	}
}

/* Called with desc->lock held. */
static void mask_line(struct irq_desc *desc)
{
	if (!desc->masked && desc->chip && desc->chip->mask) {
		desc->chip->mask(desc);
	}
	desc->masked = true;
}

static void unmask_line(struct irq_desc *desc)
{
	if (desc->masked && desc->chip && desc->chip->unmask) {
		desc->chip->unmask(desc);
	}
	desc->masked = false;
}

int irq_domain_add(struct irq_chip *chip, void *chip_data,
		   unsigned long hwirq_base, unsigned int count,
		   irq_flow_fn flow)
{
	unsigned long flags = spin_lock_irqsave(&core_lock);
	int base = next_irq;

	if (count > NR_IRQS - next_irq) {
		spin_unlock_irqrestore(&core_lock, flags);
		return -ENOSPC;
	}
	for (unsigned int i = 0; i < count; i++) {
		struct irq_desc *desc = &descs[next_irq + i];

		desc->chip = chip;
		desc->chip_data = chip_data;
		desc->hwirq = hwirq_base + i;
		desc->chip_flow = flow;
	}
	next_irq += count;
	spin_unlock_irqrestore(&core_lock, flags);
	return base;
}

static void print_action_names(const struct irq_desc *desc)
{
	for (const struct irq_action *a = desc->actions; a; a = a->next) {
		kprintf("%s%s", a->name, a->next ? ", " : "");
	}
}

/*
 * Account for one interrupt's outcome. Over a window of
 * IRQ_SPURIOUS_WINDOW interrupts, more than IRQ_SPURIOUS_LIMIT unhandled
 * means the line is stuck or misrouted and would starve the CPU: mask it
 * and name the handlers that were asked.
 */
static void note_result(struct irq_desc *desc, enum irq_return ret)
{
	if (ret == IRQ_NONE) {
		desc->unhandled++;
		desc->window_unhandled++;
	}
	if (++desc->window < IRQ_SPURIOUS_WINDOW) {
		return;
	}
	if (desc->window_unhandled > IRQ_SPURIOUS_LIMIT) {
		kprintf("irq %u (%s %lu): nobody cared (%u of the last %u "
			"unhandled); handlers asked: ",
			desc->irq, desc->chip ? desc->chip->name : "none",
			desc->hwirq, desc->window_unhandled, desc->window);
		print_action_names(desc);
		kprintf("\nirq %u: disabled\n", desc->irq);
		desc->nobody_cared = true;
		mask_line(desc);
	}
	desc->window = 0;
	desc->window_unhandled = 0;
}

/* Run every handler on the line; each one is asked, even after a HANDLED,
 * because on a shared line several devices may be raising it at once. */
static enum irq_return run_actions(struct irq_desc *desc)
{
	enum irq_return ret = IRQ_NONE;

	for (struct irq_action *a = desc->actions; a; a = a->next) {
		if (a->handler(desc->irq, a->dev) == IRQ_HANDLED) {
			a->handled++;
			ret = IRQ_HANDLED;
		}
	}
	note_result(desc, ret);
	return ret;
}

/*
 * The flow of every line nobody has requested (each descriptor starts
 * with it, so dispatch never checks for a missing handler): count it,
 * mask it so it cannot storm, end it at the controller, and say so at
 * the 1st, 2nd, 4th, 8th... occurrence.
 */
static void flow_stray(struct irq_desc *desc)
{
	desc->stray++;
	if (desc->chip && desc->chip->ack) {
		desc->chip->ack(desc);
	}
	/*
	 * Mask at the chip whatever the cached state says: the interrupt
	 * came, so the line is live (firmware may have left it enabled).
	 */
	if (desc->chip && desc->chip->mask) {
		desc->chip->mask(desc);
	}
	desc->masked = true;
	if (desc->chip && desc->chip->eoi) {
		desc->chip->eoi(desc);
	}
	if ((desc->stray & (desc->stray - 1)) == 0) {
		kprintf("irq %u (%s %lu): stray interrupt #%lu, no handler; "
			"line masked\n",
			desc->irq, desc->chip ? desc->chip->name : "no chip",
			desc->hwirq, desc->stray);
	}
}

/* Edge: acknowledge first so a new edge during the handlers is latched. */
void irq_flow_edge(struct irq_desc *desc)
{
	if (desc->chip->ack) {
		desc->chip->ack(desc);
	}
	if (desc->depth) {
		/* An edge is gone once acknowledged: remember it. */
		desc->pending = true;
		mask_line(desc);
		return;
	}
	run_actions(desc);
}

/* Level: mask and acknowledge, run, unmask: the line stays asserted until
 * a handler quiets the device, and must not re-fire meanwhile. */
void irq_flow_level(struct irq_desc *desc)
{
	mask_line(desc);
	if (desc->chip->ack) {
		desc->chip->ack(desc);
	}
	if (desc->depth) {
		return;
	}
	run_actions(desc);
	if (!desc->depth && !desc->nobody_cared) {
		unmask_line(desc);
	}
}

/* Fast EOI (GIC, IOAPIC+LAPIC): the controller masks the line by priority
 * until the EOI, which ends every interrupt it acknowledged. */
void irq_flow_fasteoi(struct irq_desc *desc)
{
	if (desc->depth) {
		/* An acknowledged edge would be gone: remember it. */
		if (!(desc->trigger & IRQF_TRIGGER_LEVEL)) {
			desc->pending = true;
		}
		mask_line(desc);
	} else {
		run_actions(desc);
	}
	if (desc->chip->eoi) {
		desc->chip->eoi(desc);
	}
}

void irq_handle(unsigned int irq)
{
	unsigned int cpu = arch_cpu_id();
	struct irq_desc *desc;
	unsigned long flags;

	if (irq >= NR_IRQS) {
		irq_note_error();
		return;
	}
	desc = &descs[irq];
	irq_depth[cpu]++;
	flags = spin_lock_irqsave(&desc->lock);
	desc->count[cpu]++;
	desc->flow(desc);
	spin_unlock_irqrestore(&desc->lock, flags);
	irq_depth[cpu]--;
}

/* Find and claim a slot in one step: the pool is shared by every line,
 * and two CPUs may request different lines at once. */
static struct irq_action *action_alloc(irq_handler_fn handler)
{
	unsigned long flags = spin_lock_irqsave(&core_lock);
	struct irq_action *found = NULL;

	for (unsigned int i = 0; i < NR_ACTIONS && !found; i++) {
		if (!action_pool[i].handler) {
			found = &action_pool[i];
			found->handler = handler;
		}
	}
	spin_unlock_irqrestore(&core_lock, flags);
	return found;
}

static void action_release(struct irq_action *action)
{
	unsigned long flags = spin_lock_irqsave(&core_lock);

	memset(action, 0, sizeof(*action));
	spin_unlock_irqrestore(&core_lock, flags);
}

/* May a new action with these flags join the line's existing ones? */
static int check_sharing(const struct irq_desc *desc, unsigned int flags,
			 void *dev)
{
	const struct irq_action *first = desc->actions;

	if (!first) {
		return 0;
	}
	if (!(flags & IRQF_SHARED) || !(first->flags & IRQF_SHARED)) {
		return -EBUSY;
	}
	if ((flags & IRQF_TRIGGER_MASK) != (first->flags & IRQF_TRIGGER_MASK)) {
		return -EBUSY;
	}
	for (const struct irq_action *a = first; a; a = a->next) {
		if (a->dev == dev) {
			return -EEXIST;
		}
	}
	return 0;
}

/* The first action on a line: program the trigger, reset, unmask. */
static int line_start(struct irq_desc *desc, unsigned int flags)
{
	unsigned int type = flags & IRQF_TRIGGER_MASK;

	if (type && desc->chip->set_type) {
		int ret = desc->chip->set_type(desc, type);

		if (ret < 0) {
			return ret;
		}
	}
	if (type) {
		desc->trigger = type;
	}
	desc->depth = 0;
	desc->pending = false;
	desc->nobody_cared = false;
	desc->window = 0;
	desc->window_unhandled = 0;
	desc->flow = desc->chip_flow;
	unmask_line(desc);
	return 0;
}

int irq_request(unsigned int irq, irq_handler_fn handler, unsigned int flags,
		const char *name, void *dev)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action *action, **tail;
	unsigned long lock_flags;
	int ret;

	if (!desc || !desc->chip || !desc->chip_flow || !handler || !name) {
		return -EINVAL;
	}
	lock_flags = spin_lock_irqsave(&desc->lock);
	ret = check_sharing(desc, flags, dev);
	if (ret < 0) {
		goto out;
	}
	action = action_alloc(handler);
	if (!action) {
		ret = -ENOMEM;
		goto out;
	}
	if (!desc->actions) {
		ret = line_start(desc, flags);
		if (ret < 0) {
			action_release(action);
			goto out;
		}
	}
	*action = (struct irq_action){handler, dev, name, flags, 0, NULL};
	for (tail = &desc->actions; *tail; tail = &(*tail)->next) {
	}
	*tail = action;
out:
	spin_unlock_irqrestore(&desc->lock, lock_flags);
	return ret;
}

int irq_free(unsigned int irq, void *dev)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action **pp;
	unsigned long flags;

	if (!desc) {
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&desc->lock);
	for (pp = &desc->actions; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev == dev) {
			struct irq_action *gone = *pp;

			*pp = gone->next;
			action_release(gone);
			if (!desc->actions) {
				mask_line(desc);
				desc->depth = 1;
				desc->flow = flow_stray;
				desc->pending = false;
			}
			spin_unlock_irqrestore(&desc->lock, flags);
			return 0;
		}
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	return -ENOENT;
}

int irq_set_pending(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);

	if (!desc || !desc->chip) {
		return -EINVAL;
	}
	return desc->chip->set_pending ? desc->chip->set_pending(desc)
				       : -ENOSYS;
}

int irq_find_pendable(bool from_top)
{
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		unsigned int irq = from_top ? NR_IRQS - 1 - i : i;
		const struct irq_desc *d = &descs[irq];

		if (d->chip && d->chip->set_pending && !d->actions &&
		    !d->stray && !d->nobody_cared) {
			return (int)irq;
		}
	}
	return -ENOENT;
}

void irq_disable(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned long flags;

	if (!desc) {
		return;
	}
	flags = spin_lock_irqsave(&desc->lock);
	if (desc->depth++ == 0) {
		mask_line(desc);
	}
	spin_unlock_irqrestore(&desc->lock, flags);
}

void irq_enable(unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned long flags;

	if (!desc) {
		return;
	}
	flags = spin_lock_irqsave(&desc->lock);
	if (desc->depth == 0) {
		kprintf("irq %u: unbalanced irq_enable\n", irq);
	} else if (--desc->depth == 0 && desc->actions && !desc->nobody_cared) {
		unmask_line(desc);
		/* Replay an edge that came while disabled, where the chip can
		 * raise it again. */
		if (desc->pending && desc->chip->set_pending) {
			desc->chip->set_pending(desc);
		}
		desc->pending = false;
	}
	spin_unlock_irqrestore(&desc->lock, flags);
}

static const char *trigger_name(unsigned int trigger)
{
	if (trigger & IRQF_TRIGGER_LEVEL) {
		return trigger & IRQF_TRIGGER_HIGH ? "level-high" : "level-low";
	}
	if ((trigger & IRQF_TRIGGER_FALLING) &&
	    (trigger & IRQF_TRIGGER_RISING)) {
		return "edge-both";
	}
	if (trigger & IRQF_TRIGGER_FALLING) {
		return "edge-fall";
	}
	return trigger ? "edge" : "-";
}

void irq_print_stats(void)
{
	kprintf(" IRQ");
	for (unsigned int c = 0; c < irq_cpus_online; c++) {
		kprintf("       CPU%u", c);
	}
	kprintf("  CHIP        HWIRQ  TRIGGER     ACTIONS\n");
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		const struct irq_desc *d = &descs[i];
		unsigned long total = 0;

		for (unsigned int c = 0; c < NR_CPUS; c++) {
			total += d->count[c];
		}
		if (!d->actions && !total) {
			continue;
		}
		kprintf("%4u", i);
		for (unsigned int c = 0; c < irq_cpus_online; c++) {
			kprintf(" %10lu", d->count[c]);
		}
		kprintf("  %-10s %6lu  %-10s  ", d->chip ? d->chip->name : "-",
			d->hwirq, trigger_name(d->trigger));
		for (const struct irq_action *a = d->actions; a; a = a->next) {
			kprintf("%s(%lu)%s", a->name, a->handled,
				a->next ? ", " : "");
		}
		if (d->unhandled) {
			kprintf(" [unhandled %lu]", d->unhandled);
		}
		if (d->stray) {
			kprintf(" [stray %lu]", d->stray);
		}
		if (d->nobody_cared) {
			kprintf(" [disabled: nobody cared]");
		}
		kprintf("\n");
	}
	kprintf(" SPU %10lu\n ERR %10lu\n UNC %10lu\n", irq_spurious_count(),
		irq_error_count(), irq_unclaimed_count());
}
