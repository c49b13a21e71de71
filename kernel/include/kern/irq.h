/*
 * The portable interrupt core.
 *
 * Controllers (8259, IOAPIC, GIC) are struct irq_chip drivers. Each one
 * registers a range of its hardware lines with irq_domain_add() and gets a
 * range of kernel IRQ numbers; every number has a valid struct irq_desc
 * from boot, so an interrupt nobody asked for reaches a handler that
 * counts it as stray, masks the line and says so.
 *
 * Drivers call irq_request() with the number their device's resources
 * name (never a literal) and get their handler called with their cookie;
 * a handler returns IRQ_HANDLED if its device raised the interrupt, else
 * IRQ_NONE. The chip's flow handler (edge, level, fast EOI) decides where
 * ack, mask and EOI happen.
 *
 * Rules: handlers run with interrupts off and never sleep or poll without
 * bound; irq_request/irq_free are not called from handlers.
 */
#ifndef KERN_IRQ_H
#define KERN_IRQ_H

#include "kern/compiler.h"
#include "kern/spinlock.h"

#define NR_IRQS 512
#define NR_CPUS 8

enum irq_return {
	IRQ_NONE,    /* not my device */
	IRQ_HANDLED, /* my device, dealt with */
	/* my device; run the line's thread function (irq_request_threaded) */
	IRQ_WAKE_THREAD,
};

typedef enum irq_return (*irq_handler_fn)(unsigned int irq, void *dev);

/* irq_request() flags. */
#define IRQF_SHARED	     (1u << 0)
#define IRQF_TRIGGER_RISING  (1u << 1)
#define IRQF_TRIGGER_FALLING (1u << 2)
#define IRQF_TRIGGER_HIGH    (1u << 3)
#define IRQF_TRIGGER_LOW     (1u << 4)
#define IRQF_TRIGGER_MASK                                                      \
	(IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING | IRQF_TRIGGER_HIGH |      \
	 IRQF_TRIGGER_LOW)
#define IRQF_TRIGGER_LEVEL (IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW)
/* Threaded: keep the line masked from the primary handler until the
 * thread function is done (required on level-triggered lines). */
#define IRQF_ONESHOT (1u << 5)

struct irq_desc;

/* One interrupt controller's operations; unused ones may be NULL. */
struct irq_chip {
	const char *name;
	void (*mask)(struct irq_desc *desc);
	void (*unmask)(struct irq_desc *desc);
	void (*ack)(struct irq_desc *desc); /* edge: before the handlers */
	void (*eoi)(struct irq_desc *desc); /* after the handlers */
	/* Program the trigger (IRQF_TRIGGER_*); may pick a new flow. */
	int (*set_type)(struct irq_desc *desc, unsigned int type);
	/* Make the line pending from software (GIC ISPENDR, SGIs). */
	int (*set_pending)(struct irq_desc *desc);
	/*
	 * Route the line to the CPUs in mask (a cpumask_t, kern/smp.h; only
	 * online CPUs), as the hardware can: one target (IOAPIC physical
	 * destination, GICv3 GICD_IROUTER) takes the lowest CPU of mask, a
	 * set (GICv2 GICD_ITARGETSR) takes them all. 0, or -EINVAL if no CPU
	 * of mask can be a target. Called with desc->lock held, interrupts
	 * off; an interrupt already in flight still arrives (on the old
	 * CPU). Per-CPU lines have none.
	 */
	int (*set_affinity)(struct irq_desc *desc, uint32_t mask);
	/* Raise this per-CPU line on logical CPU cpu (IPIs: LAPIC ICR,
	 * GICv3 ICC_SGI1R_EL1, GICv2 GICD_SGIR). Any context. */
	int (*send_ipi)(struct irq_desc *desc, unsigned int cpu);
};

#define IRQ_THREAD_NAME_LEN 24 /* "irq/N-name", as THREAD_NAME_LEN */

struct irq_thread; /* kern/irq_thread.c: the kernel thread of an action */

struct irq_action {
	irq_handler_fn handler;
	void *dev;
	const char *name;
	unsigned int flags;
	/* how often this handler said IRQ_HANDLED (or IRQ_WAKE_THREAD) */
	unsigned long handled;
	struct irq_action *next;
	/* Threaded (irq_request_threaded); thread_fn NULL otherwise. */
	irq_handler_fn thread_fn;
	struct irq_thread *thread;
	unsigned long thread_runs; /* thread_fn calls */
	bool thread_run;	   /* woken: run thread_fn (atomic) */
	bool oneshot_held;	   /* holds one disable depth (desc lock) */
	char thread_name[IRQ_THREAD_NAME_LEN];
};

typedef void (*irq_flow_fn)(struct irq_desc *desc);

struct irq_desc {
	unsigned int irq;
	struct irq_chip *chip; /* NULL: no controller owns this number */
	void *chip_data;
	unsigned long hwirq;
	irq_flow_fn flow;      /* what runs now: chip_flow, or the stray flow */
	irq_flow_fn chip_flow; /* the chip's flow; set_type may change it */
	struct irq_action *actions;
	unsigned int trigger; /* IRQF_TRIGGER_* in force, 0 = unknown */
	unsigned int depth;   /* masked while > 0 */
	bool masked;
	bool nobody_cared; /* masked by the spurious detector */
	bool per_cpu;	   /* banked in each CPU (GIC SGI/PPI, LAPIC LVT) */
	bool pending;	   /* an edge arrived while disabled */
	unsigned long count[NR_CPUS];
	/* Where the line is routed (set_affinity), CPU bits; 0 = as the
	 * controller came up (the boot CPU). */
	uint32_t affinity;
	/* The CPUs the hardware now targets: a chip that routes to a set
	 * (GICv2) writes it in set_affinity; one that takes a single target
	 * may leave it 0 and the core records the lowest CPU of the mask. */
	uint32_t effective;
	bool affinity_set; /* by irq_set_affinity(): spreading leaves it */
	unsigned long unhandled; /* no handler said HANDLED */
	unsigned long stray;	 /* arrived with no handler at all */
	unsigned int window;	 /* interrupts in the current window */
	unsigned int window_unhandled;
	unsigned long last_report; /* stray reports, rate limit */
	struct spinlock lock;
};

/* The flows: which chip calls happen around the handlers. */
void irq_flow_edge(struct irq_desc *desc);
void irq_flow_level(struct irq_desc *desc);
void irq_flow_fasteoi(struct irq_desc *desc);

/*
 * Give hardware lines [hwirq_base, hwirq_base + count) of a chip kernel
 * numbers; returns the first number or -ENOSPC. flow is the default.
 */
int irq_domain_add(struct irq_chip *chip, void *chip_data,
		   unsigned long hwirq_base, unsigned int count,
		   irq_flow_fn flow);

/*
 * The controller-level entry: the chip driver's dispatch calls this with
 * the kernel number it decoded. Runs the flow, counts, detects storms.
 */
void irq_handle(unsigned int irq);

/* A controller saw an interrupt that belongs to no line (8259 IRQ 7/15
 * without ISR bit, GIC INTID 1023, LAPIC spurious vector). */
void irq_note_spurious(void);
/* A controller reported an error (APIC error interrupt, bad vector). */
void irq_note_error(void);

int irq_request(unsigned int irq, irq_handler_fn handler, unsigned int flags,
		const char *name, void *dev);
int irq_free(unsigned int irq, void *dev);

/*
 * A handler in two halves: primary runs in hard interrupt context (NULL:
 * one that returns IRQ_WAKE_THREAD) and returns IRQ_WAKE_THREAD to have
 * thread_fn run in the line's own kernel thread ("irq/N-name"). With
 * IRQF_ONESHOT the line stays masked from the primary until thread_fn
 * returns; an edge that arrives meanwhile runs the thread again.
 */
int irq_request_threaded(unsigned int irq, irq_handler_fn primary,
			 irq_handler_fn thread_fn, unsigned int flags,
			 const char *name, void *dev);

/*
 * The threaded half, between the core and kern/irq_thread.c (the host
 * tests fake the thread side). The core calls:
 *   irq_thread_start(): make the action's thread ("irq/N-name", at
 *     PRIO_IRQ), waiting; 0 or a negative errno;
 *   irq_thread_wake(): from hard interrupt context, thread_run set;
 *   irq_thread_stop(): from irq_free(), the action unlinked: end the
 *     thread and join it.
 * The thread calls irq_thread_handle() each time it wakes: if thread_run
 * was set it clears it, runs thread_fn, ends the oneshot hold (unmasking
 * the line when the depth drops to 0) and returns true. It sleeps again
 * only once irq_thread_pending() is false, so an interrupt during
 * thread_fn runs it again.
 */
int irq_thread_start(unsigned int irq, struct irq_action *action);
void irq_thread_wake(struct irq_action *action);
void irq_thread_stop(struct irq_action *action);
bool irq_thread_handle(unsigned int irq, struct irq_action *action);
bool irq_thread_pending(const struct irq_action *action);

/*
 * The port calls this on the way out of every interrupt, after the root
 * controller's dispatch returned, interrupts still off: pending tasklets
 * run (kern/deferred.h), then the scheduler may switch (kern/sched.h).
 */
void irq_exit(void);

/* Nest by depth: masked from the first disable to the last enable. */
void irq_disable(unsigned int irq);
void irq_enable(unsigned int irq);

struct irq_desc *irq_to_desc(unsigned int irq);
/* The interrupts CPU cpu took: count[cpu] summed over every line. */
unsigned long irq_cpu_total(unsigned int cpu);

/* A line each CPU has its own copy of (a GIC PPI, a local APIC's timer),
 * as its controller marked it: what a per-CPU device (the Arm generic
 * timer) must be wired to. */
bool irq_is_per_cpu(unsigned int irq);
/* A controller marks its per-CPU lines [first, first + count). */
void irq_mark_per_cpu(unsigned int first, unsigned int count);

/*
 * Route a device line to the CPUs in mask (kern/smp.h cpumask_t) through
 * its chip's set_affinity: 0; -EINVAL for a per-CPU line, an empty mask or
 * one with no online CPU; -ENOSYS when the chip cannot route. An
 * interrupt in flight while the line moves is delivered, not lost.
 */
int irq_set_affinity(unsigned int irq, uint32_t mask);
/* The mask in force (desc->affinity, the boot CPU's bit if never set). */
uint32_t irq_get_affinity(unsigned int irq);
/* The CPUs the hardware targets (desc->effective; the boot CPU's bit if
 * never set). */
uint32_t irq_get_effective_affinity(unsigned int irq);
/*
 * Once every CPU is up (smp_boot()): spread the device lines that have a
 * handler and a routable chip over the online CPUs (docs/smp.md gives the
 * rule); lines an irq_set_affinity() placed stay where they are.
 */
void irq_spread_affinity(void);

/* Raise the line from software, as if its device had (self-tests);
 * -ENOSYS when the controller cannot. */
int irq_set_pending(unsigned int irq);

/*
 * A line nobody uses that its controller can raise from software
 * (set_pending): the highest-numbered such line (from_top) or the lowest,
 * so a self-test can reach both ends of a controller (GIC: SPIs at the
 * top, SGIs at the bottom); -ENOENT if there is none.
 */
int irq_find_pendable(bool from_top);

/*
 * The root hook: how a root controller (the one the CPU's interrupt input
 * is wired to: the 8259 pair, the local APIC and its I/O APICs, a GIC)
 * takes the CPU's interrupt entry. Entry numbers are the port's: x86_64
 * has one per IDT vector, 32-255 (vector / 16 is its priority class);
 * AArch64 has one, the IRQ exception (entry 0). The port calls
 * fn(entry, data) with interrupts off for every interrupt taken there.
 */
typedef void (*irq_entry_fn)(unsigned int entry, void *data);

enum irq_entry_prio {
	IRQ_ENTRY_LOW,	/* the lowest free entries */
	IRQ_ENTRY_HIGH, /* the highest free ones (x86: the top class) */
};

/*
 * Claim count consecutive free entries, the first a multiple of align.
 * Returns the first entry, -EINVAL for a count or align the port cannot
 * give, -ENOSPC when no such run is free. Implemented by each port.
 */
int arch_irq_entry_claim(unsigned int count, unsigned int align,
			 enum irq_entry_prio prio, irq_entry_fn fn, void *data);

/*
 * The controller that ends an interrupt on an entry nobody claimed, after
 * the core counted it (x86: the local APIC once it is on: such a vector
 * still sets its In-Service bit, which would block its priority class).
 */
void arch_irq_entry_fallback(irq_entry_fn fn, void *data);

/*
 * The port saw an interrupt on an entry no controller claimed: counted in
 * irq_unclaimed_count() (and ERR), reported at the 1st, 2nd, 4th, ...
 */
void irq_note_unclaimed(unsigned int entry);
unsigned long irq_unclaimed_count(void);

/*
 * Self-test of the unclaimed path, registered by the controller that
 * ends such interrupts (x86: the local APIC): it raises one on an entry
 * nobody uses and returns 0 if it was counted and ended (no In-Service
 * bit left set). Runs with interrupts on; -ENOSYS without one.
 */
void irq_set_unclaimed_selftest(int (*fn)(void));
int irq_unclaimed_selftest(void);

/* Are we inside irq_handle() on this CPU? */
bool in_irq(void);

/*
 * Self-test of the root controller's spurious path: its driver registers a
 * function that makes it take a spurious interrupt through its real
 * dispatch code (8259: IRQ 7 with no ISR bit; GIC: acknowledge with every
 * priority masked, reading 1023) and returns how many EOIs it wrote then,
 * which must be none. irq_spurious_selftest() returns -ENOSYS without one.
 */
void irq_set_spurious_selftest(int (*fn)(void));
int irq_spurious_selftest(void);

/* Totals for the SPU and ERR rows of irqstat. */
unsigned long irq_spurious_count(void);
unsigned long irq_error_count(void);

/* The nobody-cared window: so many interrupts, of which over so many
 * unhandled, mask the line (the ratio Linux uses). */
#define IRQ_SPURIOUS_WINDOW 100000
#define IRQ_SPURIOUS_LIMIT  99900

/* Print the /proc/interrupts-style table (shell `irqstat`). */
void irq_print_stats(void);

/* Every descriptor to its boot state: no chip, no actions, stray flow.
 * Called once at boot (and by the host tests between cases). */
void irq_core_init(void);

/* How many CPUs irqstat shows columns for. */
extern unsigned int irq_cpus_online;
/*
 * The online CPUs (kern/smp.c tells the core as each comes up): irqstat's
 * columns, and what irq_set_affinity() masks are limited to. Sets
 * irq_cpus_online too. Before the first call (and after irq_core_init())
 * the CPUs are 0 .. irq_cpus_online - 1.
 */
void irq_set_online_cpus(uint32_t mask);
uint32_t irq_online_cpus(void);

#endif
