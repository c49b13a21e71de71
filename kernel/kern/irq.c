/*
 * The portable interrupt core: descriptors, the three flows, request and
 * free with the sharing rules, disable depth, stray and "nobody cared"
 * detection, statistics. See kern/irq.h for the contract.
 *
 * Locking: a descriptor's lock is held (interrupts off) while its flow
 * and handlers run and while request/free/disable/enable change it, so a
 * handler must not call those on its own line.
 *
 * Threaded actions (irq_request_threaded): the primary runs in the flow
 * like any handler; IRQ_WAKE_THREAD sets the action's thread_run and
 * wakes its thread (kern/irq_thread.c), which calls irq_thread_handle().
 * With IRQF_ONESHOT the wake also takes one disable depth (the line is
 * masked at once, before the flow's EOI), given back when thread_fn
 * returns: a level line cannot storm while its device waits for the
 * thread. While the depth is held the flows do not run the handlers; an
 * edge they see meanwhile is remembered (desc->pending) and replayed at
 * the unmask, so the thread runs again.
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
static uint32_t online_cpus; /* 0: CPUs 0 .. irq_cpus_online - 1 */

static void flow_stray(struct irq_desc *desc);

void irq_core_init(void)
{
	memset(descs, 0, sizeof(descs));
	memset(action_pool, 0, sizeof(action_pool));
	memset(irq_depth, 0, sizeof(irq_depth));
	next_irq = 0;
	online_cpus = 0;
	spurious_total = error_total = unclaimed_total = 0;
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		descs[i].irq = i;
		descs[i].flow = flow_stray;
		descs[i].depth = 1; /* masked until the first request */
		descs[i].masked = true;
		spin_lock_init(&descs[i].lock, "irq-desc");
	}
}

void irq_set_online_cpus(uint32_t mask)
{
	__atomic_store_n(&online_cpus, mask, __ATOMIC_RELEASE);
	irq_cpus_online = (unsigned int)__builtin_popcount(mask);
}

uint32_t irq_online_cpus(void)
{
	uint32_t mask = __atomic_load_n(&online_cpus, __ATOMIC_ACQUIRE);
	unsigned int n = irq_cpus_online < NR_CPUS ? irq_cpus_online : NR_CPUS;

	return mask ? mask : (uint32_t)((1ull << n) - 1);
}

struct irq_desc *irq_to_desc(unsigned int irq)
{
	return irq < NR_IRQS ? &descs[irq] : NULL;
}

unsigned long irq_cpu_total(unsigned int cpu)
{
	unsigned long sum = 0;

	if (cpu >= NR_CPUS) {
		return 0;
	}
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		sum += descs[i].count[cpu];
	}
	return sum;
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

static void wake_threads_of(struct irq_desc *desc)
{
	for (struct irq_action *a = desc->actions; a; a = a->next) {
		if (a->thread_fn) {
			__atomic_store_n(&a->thread_run, true,
					 __ATOMIC_RELEASE);
			irq_thread_wake(a);
		}
	}
}

/*
 * Give back one disable depth, lock held: the last one unmasks the line
 * and replays an edge that came while it was disabled, where the chip
 * can raise it again; where it cannot, the line's threads run again
 * (what the edge would have asked of them).
 */
static void enable_locked(struct irq_desc *desc)
{
	if (desc->depth == 0) {
		kprintf("irq %u: unbalanced irq_enable\n", desc->irq);
		return;
	}
	if (--desc->depth != 0 || !desc->actions || desc->nobody_cared) {
		return;
	}
	unmask_line(desc);
	if (desc->pending && desc->chip->set_pending) {
		desc->chip->set_pending(desc);
	} else if (desc->pending) {
		wake_threads_of(desc);
	}
	desc->pending = false;
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

/*
 * A primary said IRQ_WAKE_THREAD: that is its device, handled as far as
 * the storm detector goes. A oneshot action holds one disable depth
 * (masking now, before any EOI) until its thread_fn returns.
 */
static enum irq_return wake_thread(struct irq_desc *desc, struct irq_action *a)
{
	if (!a->thread_fn) {
		if (a->handled == 0) {
			kprintf("irq %u: %s returned IRQ_WAKE_THREAD but has "
				"no thread; taken as handled\n",
				desc->irq, a->name);
		}
		return IRQ_HANDLED;
	}
	if ((a->flags & IRQF_ONESHOT) && !a->oneshot_held) {
		a->oneshot_held = true;
		if (desc->depth++ == 0) {
			mask_line(desc);
		}
	}
	__atomic_store_n(&a->thread_run, true, __ATOMIC_RELEASE);
	irq_thread_wake(a);
	return IRQ_HANDLED;
}

/* Run every handler on the line; each one is asked, even after a HANDLED,
 * because on a shared line several devices may be raising it at once. */
static enum irq_return run_actions(struct irq_desc *desc)
{
	enum irq_return ret = IRQ_NONE;

	for (struct irq_action *a = desc->actions; a; a = a->next) {
		enum irq_return r = a->handler(desc->irq, a->dev);

		if (r == IRQ_WAKE_THREAD) {
			r = wake_thread(desc, a);
		}
		if (r == IRQ_HANDLED) {
			/* Atomic: a per-CPU line runs on many CPUs at once. */
			__atomic_fetch_add(&a->handled, 1, __ATOMIC_RELAXED);
			ret = IRQ_HANDLED;
		}
	}
	/* Per-CPU lines have no storm detection: masking would reach one
	 * CPU's copy only, and their state is not under one lock. */
	if (!desc->per_cpu) {
		note_result(desc, ret);
	}
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
	if (desc->per_cpu) {
		/*
		 * No lock: each CPU has its own copy of the line, the
		 * handlers of these (IPIs, local timers) keep per-CPU state,
		 * and one never returns (IPI_STOP) while the others must
		 * still take theirs.
		 */
		desc->count[cpu]++;
		desc->flow(desc);
		irq_depth[cpu]--;
		return;
	}
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

/* Room for one more action with these flags, checked once before taking
 * a slot (and starting a thread) and again when linking it. */
static int sharing_allowed(struct irq_desc *desc, unsigned int flags, void *dev)
{
	unsigned long lock_flags = spin_lock_irqsave(&desc->lock);
	int ret = check_sharing(desc, flags, dev);

	spin_unlock_irqrestore(&desc->lock, lock_flags);
	return ret;
}

/* Link a started action: the line's first one programs and unmasks it. */
static int link_action(struct irq_desc *desc, struct irq_action *action)
{
	unsigned long lock_flags = spin_lock_irqsave(&desc->lock);
	struct irq_action **tail;
	int ret = check_sharing(desc, action->flags, action->dev);

	if (ret == 0 && !desc->actions) {
		ret = line_start(desc, action->flags);
	}
	if (ret == 0) {
		for (tail = &desc->actions; *tail; tail = &(*tail)->next) {
		}
		*tail = action;
	}
	spin_unlock_irqrestore(&desc->lock, lock_flags);
	return ret;
}

static int request_action(unsigned int irq, irq_handler_fn handler,
			  irq_handler_fn thread_fn, unsigned int flags,
			  const char *name, void *dev)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action *action;
	int ret;

	if (!desc || !desc->chip || !desc->chip_flow || !handler || !name) {
		return -EINVAL;
	}
	ret = sharing_allowed(desc, flags, dev);
	if (ret < 0) {
		return ret;
	}
	action = action_alloc(handler);
	if (!action) {
		kprintf("irq %u: no free action slot for %s\n", irq, name);
		return -ENOMEM;
	}
	*action = (struct irq_action){
	    .handler = handler,
	    .dev = dev,
	    .name = name,
	    .flags = flags,
	    .thread_fn = thread_fn,
	};
	if (thread_fn) {
		ksnprintf(action->thread_name, sizeof(action->thread_name),
			  "irq/%u-%s", irq, name);
		ret = irq_thread_start(irq, action);
		if (ret < 0) {
			action_release(action);
			return ret;
		}
	}
	ret = link_action(desc, action);
	if (ret < 0) {
		if (thread_fn) {
			irq_thread_stop(action);
		}
		action_release(action);
	}
	return ret;
}

int irq_request(unsigned int irq, irq_handler_fn handler, unsigned int flags,
		const char *name, void *dev)
{
	return request_action(irq, handler, NULL, flags, name, dev);
}

/* The primary of an action that asked for none: its thread does it all. */
static enum irq_return default_primary(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	return IRQ_WAKE_THREAD;
}

int irq_request_threaded(unsigned int irq, irq_handler_fn primary,
			 irq_handler_fn thread_fn, unsigned int flags,
			 const char *name, void *dev)
{
	const struct irq_desc *desc = irq_to_desc(irq);
	unsigned int trigger = flags & IRQF_TRIGGER_MASK;

	if (!thread_fn) {
		return irq_request(irq, primary, flags, name, dev);
	}
	if (!desc) {
		return -EINVAL;
	}
	trigger = trigger ? trigger : desc->trigger;
	/*
	 * Without a primary nothing quiets a level device in hard IRQ
	 * context: unmasked, the line would fire until the thread ran.
	 */
	if (!primary && (trigger & IRQF_TRIGGER_LEVEL) &&
	    !(flags & IRQF_ONESHOT)) {
		kprintf("irq %u: %s: a level line without a primary needs "
			"IRQF_ONESHOT\n",
			irq, name ? name : "?");
		return -EINVAL;
	}
	return request_action(irq, primary ? primary : default_primary,
			      thread_fn, flags, name, dev);
}

/* Unlink dev's action; the line's last one masks it and makes it stray
 * (its depth is set again once the thread is gone: irq_free). */
static struct irq_action *unlink_action(struct irq_desc *desc, void *dev)
{
	unsigned long flags = spin_lock_irqsave(&desc->lock);
	struct irq_action **pp, *gone = NULL;

	for (pp = &desc->actions; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev == dev) {
			gone = *pp;
			*pp = gone->next;
			break;
		}
	}
	if (gone && !desc->actions) {
		mask_line(desc);
		desc->flow = flow_stray;
		desc->pending = false;
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	return gone;
}

int irq_free(unsigned int irq, void *dev)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action *gone;
	unsigned long flags;

	if (!desc) {
		return -EINVAL;
	}
	gone = unlink_action(desc, dev);
	if (!gone) {
		return -ENOENT;
	}
	/* No primary can wake it now; it may still be running thread_fn. */
	if (gone->thread_fn) {
		irq_thread_stop(gone);
	}
	flags = spin_lock_irqsave(&desc->lock);
	if (gone->oneshot_held) {
		gone->oneshot_held = false;
		enable_locked(desc);
	}
	if (!desc->actions) {
		desc->depth = 1; /* masked until the next request */
		desc->pending = false;
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	action_release(gone);
	return 0;
}

bool irq_thread_pending(const struct irq_action *action)
{
	return __atomic_load_n(&action->thread_run, __ATOMIC_ACQUIRE);
}

bool irq_thread_handle(unsigned int irq, struct irq_action *action)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned long flags;

	if (!desc || !__atomic_exchange_n(&action->thread_run, false,
					  __ATOMIC_ACQ_REL)) {
		return false;
	}
	action->thread_fn(irq, action->dev);
	action->thread_runs++;
	flags = spin_lock_irqsave(&desc->lock);
	if (action->oneshot_held) {
		action->oneshot_held = false;
		enable_locked(desc);
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	return true;
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
	enable_locked(desc);
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
	uint32_t cols = irq_online_cpus();

	kprintf(" IRQ");
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		if (cols & (1u << c)) {
			kprintf("       CPU%u", c);
		}
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
		for (unsigned int c = 0; c < NR_CPUS; c++) {
			if (cols & (1u << c)) {
				kprintf(" %10lu", d->count[c]);
			}
		}
		kprintf("  %-10s %6lu  %-10s  ", d->chip ? d->chip->name : "-",
			d->hwirq, trigger_name(d->trigger));
		for (const struct irq_action *a = d->actions; a; a = a->next) {
			kprintf("%s(%lu)", a->name, a->handled);
			if (a->thread_fn) {
				kprintf(" [%s]", a->thread_name);
			}
			kprintf("%s", a->next ? ", " : "");
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

/* ---- affinity (docs/smp.md) ----------------------------------------- */

/* Can this line be routed at all? Lock held or not: chip and per_cpu are
 * set once by the controller's probe. */
static bool routable(const struct irq_desc *desc)
{
	return desc->chip && desc->chip->set_affinity && !desc->per_cpu;
}

/* Route the line, desc->lock held: mask limited to online CPUs; the
 * chip reports what it could (-EINVAL if none of them). */
static int set_affinity_locked(struct irq_desc *desc, uint32_t mask)
{
	uint32_t was = desc->effective;
	int ret;

	mask &= irq_online_cpus();
	if (!mask) {
		return -EINVAL;
	}
	desc->effective = 0;
	ret = desc->chip->set_affinity(desc, mask);
	if (ret != 0) {
		desc->effective = was;
		return ret;
	}
	desc->affinity = mask;
	if (!(desc->effective & mask)) {
		/* A single-target chip: the lowest CPU (kern/irq.h). */
		desc->effective = mask & -mask;
	}
	return 0;
}

int irq_set_affinity(unsigned int irq, uint32_t mask)
{
	struct irq_desc *desc = irq_to_desc(irq);
	unsigned long flags;
	int ret;

	if (!desc || desc->per_cpu || !desc->chip) {
		return -EINVAL;
	}
	if (!desc->chip->set_affinity) {
		return -ENOSYS;
	}
	/*
	 * Under the line's lock: its flow on another CPU holds the same
	 * lock, so the route never changes under a running handler. An
	 * interrupt the old CPU already took still runs there (after we
	 * unlock); one raised after the chip's write goes to the new CPU:
	 * none is lost (kern/irq.h, struct irq_chip).
	 */
	flags = spin_lock_irqsave(&desc->lock);
	ret = set_affinity_locked(desc, mask);
	if (ret == 0) {
		desc->affinity_set = true;
	}
	spin_unlock_irqrestore(&desc->lock, flags);
	return ret;
}

uint32_t irq_get_affinity(unsigned int irq)
{
	const struct irq_desc *desc = irq_to_desc(irq);
	uint32_t mask;

	if (!desc) {
		return 0;
	}
	mask = __atomic_load_n(&desc->affinity, __ATOMIC_RELAXED);
	return mask ? mask : 1u; /* as the controller came up: the boot CPU */
}

uint32_t irq_get_effective_affinity(unsigned int irq)
{
	const struct irq_desc *desc = irq_to_desc(irq);
	uint32_t mask;

	if (!desc) {
		return 0;
	}
	mask = __atomic_load_n(&desc->effective, __ATOMIC_RELAXED);
	return mask ? mask : 1u;
}

/*
 * The rule (docs/smp.md): the device lines that have a handler and a
 * chip that can route them go, in IRQ number order, round-robin over the
 * online CPUs in CPU number order, the first to CPU 0. A line placed by
 * irq_set_affinity() (or `irqaffinity`) stays where it is and takes no
 * turn. Each line gets one CPU: a single target is what the IOAPIC
 * (physical destination) and GICv3 (GICD_IROUTER) take anyway, and it
 * keeps a device's interrupts in one CPU's cache. Runs again on every
 * call: a line requested later is placed by the next call, or stays on
 * CPU 0.
 */
void irq_spread_affinity(void)
{
	uint32_t online = irq_online_cpus();
	unsigned int cpu = 0, moved = 0, lines = 0;

	if (__builtin_popcount(online) < 2) {
		return;
	}
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		struct irq_desc *desc = &descs[i];
		unsigned long flags;

		if (!routable(desc)) {
			continue;
		}
		flags = spin_lock_irqsave(&desc->lock);
		if (desc->actions && !desc->affinity_set) {
			while (!(online & (1u << cpu))) {
				cpu = (cpu + 1) % NR_CPUS;
			}
			lines++;
			if (set_affinity_locked(desc, 1u << cpu) == 0) {
				moved += cpu != 0;
			} else {
				kprintf("irq %u: could not route to CPU %u\n",
					i, cpu);
			}
			cpu = (cpu + 1) % NR_CPUS;
		}
		spin_unlock_irqrestore(&desc->lock, flags);
	}
	kprintf("irq: %u device lines spread over %d CPUs (%u off CPU 0)\n",
		lines, __builtin_popcount(online), moved);
}
