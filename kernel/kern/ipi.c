/*
 * Inter-processor interrupts (kern/smp.h, docs/smp.md): the three IPI
 * lines a controller hands over, sending through the line's chip
 * (send_ipi), the call-function queues and the panic stop.
 *
 * Call-function: a request (fn, arg, the set of CPUs that ran it) comes
 * from a small static pool and is queued, by pointer, on each target
 * CPU's queue; the target's IPI-call handler empties its queue. The
 * request is reference counted (one per target plus the caller while it
 * waits), so a caller that gave up waiting (a CPU did not answer) never
 * leaves a target pointing at a dead stack: the last one to drop it
 * frees it. Every wait here is bounded.
 */
#include "kern/arch.h"
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/smp.h"

#define CALL_POOL	  32	 /* requests in flight, all CPUs */
#define CALL_QUEUE	  16	 /* queued requests per target CPU */
#define CALL_TIMEOUT_MS	  2000	 /* a target that takes longer is named */
#define STOP_TIMEOUT_MS	  1000	 /* panic waits this long for the others */
#define SPIN_PER_MS_GUESS 100000 /* without a clocksource: relax count */

static const char *const ipi_names[NR_IPI] = {
    [IPI_RESCHEDULE] = "IPI-resched",
    [IPI_CALL_FUNCTION] = "IPI-call",
    [IPI_STOP] = "IPI-stop",
};

static unsigned int first_line;
static bool lines_ready;
static unsigned long send_errors;

struct call_req {
	void (*fn)(void *arg);
	void *arg;
	cpumask_t done;	   /* CPUs that ran fn (atomic) */
	unsigned int refs; /* 0 = free slot (atomic) */
};

struct call_queue {
	struct spinlock lock;
	struct call_req *slot[CALL_QUEUE];
	unsigned int head, count;
};

static struct call_req pool[CALL_POOL];
static struct call_queue queues[NR_CPUS];
static cpumask_t stopped; /* CPUs halted by IPI_STOP or a 2nd panic */

/* ---- bounded waits ----------------------------------------------------- */

/* A deadline in ms that works with or without a clocksource (a panic may
 * come before one): time_ns() when it counts, else a relax count. */
struct bound {
	uint64_t start_ns;
	unsigned long spins, max_spins;
	unsigned int ms;
};

static void bound_start(struct bound *b, unsigned int ms)
{
	b->start_ns = time_cycles_freq() ? time_ns() : 0;
	b->spins = 0;
	b->max_spins = (unsigned long)ms * SPIN_PER_MS_GUESS;
	b->ms = ms;
}

static bool bound_expired(struct bound *b)
{
	arch_cpu_relax();
	if (time_cycles_freq()) {
		return time_ns() - b->start_ns >= (uint64_t)b->ms * 1000000ull;
	}
	return ++b->spins >= b->max_spins;
}

/* ---- the lines ----------------------------------------------------- */

static enum irq_return resched_handler(unsigned int irq, void *dev)
{
	/* Nothing to do here: irq_exit() -> sched_irq_exit() on this CPU
	 * sees its need_resched and switches (kern/sched.c). */
	(void)irq;
	(void)dev;
	return IRQ_HANDLED;
}

static void call_run_queue(unsigned int cpu);

static enum irq_return call_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	call_run_queue(arch_cpu_id());
	return IRQ_HANDLED;
}

static enum irq_return stop_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	smp_stop_self(true);
}

static const irq_handler_fn handlers[NR_IPI] = {
    [IPI_RESCHEDULE] = resched_handler,
    [IPI_CALL_FUNCTION] = call_handler,
    [IPI_STOP] = stop_handler,
};

int ipi_register_lines(unsigned int first_irq)
{
	static int cookie;

	for (unsigned int k = 0; k < NR_IPI; k++) {
		struct irq_desc *d = irq_to_desc(first_irq + k);
		int err;

		if (!d || !d->chip || !d->chip->send_ipi || !d->per_cpu) {
			kprintf("ipi: irq %u is no per-CPU line with send_ipi: "
				"no IPIs\n",
				first_irq + k);
			return -EINVAL;
		}
		err = irq_request(first_irq + k, handlers[k], 0, ipi_names[k],
				  &cookie);
		if (err < 0) {
			kprintf("ipi: irq %u (%s): request failed (%d)\n",
				first_irq + k, ipi_names[k], err);
			return err;
		}
	}
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		spin_lock_init(&queues[c].lock, "ipi-call-queue");
	}
	first_line = first_irq;
	__atomic_store_n(&lines_ready, true, __ATOMIC_RELEASE);
	return 0;
}

bool ipi_available(void)
{
	return __atomic_load_n(&lines_ready, __ATOMIC_ACQUIRE);
}

void ipi_send(unsigned int cpu, enum ipi_kind kind)
{
	struct irq_desc *d;
	int err;

	if (!ipi_available() || kind >= NR_IPI || cpu >= NR_CPUS) {
		return;
	}
	d = irq_to_desc(first_line + kind);
	err = d->chip->send_ipi(d, cpu);
	if (err < 0) {
		unsigned long n =
		    __atomic_add_fetch(&send_errors, 1, __ATOMIC_RELAXED);

		if ((n & (n - 1)) == 0) {
			kprintf("ipi: %s to CPU %u not sent (%d), #%lu\n",
				ipi_names[kind], cpu, err, n);
		}
	}
}

void ipi_send_mask(cpumask_t mask, enum ipi_kind kind)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (mask & CPUMASK_CPU(cpu)) {
			ipi_send(cpu, kind);
		}
	}
}

unsigned long ipi_received(unsigned int cpu, enum ipi_kind kind)
{
	if (!ipi_available() || kind >= NR_IPI || cpu >= NR_CPUS) {
		return 0;
	}
	return irq_to_desc(first_line + kind)->count[cpu];
}

/* ---- call-function ------------------------------------------------- */

static struct call_req *req_get(void)
{
	for (unsigned int i = 0; i < CALL_POOL; i++) {
		unsigned int zero = 0;

		/* A placeholder reference claims the slot. */
		if (__atomic_compare_exchange_n(&pool[i].refs, &zero, 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			return &pool[i];
		}
	}
	return NULL;
}

static void req_put(struct call_req *r)
{
	__atomic_fetch_sub(&r->refs, 1, __ATOMIC_ACQ_REL);
}

static void call_run_queue(unsigned int cpu)
{
	struct call_queue *q = &queues[cpu];

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&q->lock);
		struct call_req *r = NULL;

		if (q->count) {
			r = q->slot[q->head];
			q->head = (q->head + 1) % CALL_QUEUE;
			q->count--;
		}
		spin_unlock_irqrestore(&q->lock, flags);
		if (!r) {
			return;
		}
		r->fn(r->arg);
		__atomic_fetch_or(&r->done, CPUMASK_CPU(cpu), __ATOMIC_RELEASE);
		req_put(r);
	}
}

/* Queue r on cpu's queue; false if it stayed full past the bound. */
static bool call_enqueue(unsigned int cpu, struct call_req *r)
{
	struct call_queue *q = &queues[cpu];
	struct bound b;

	bound_start(&b, CALL_TIMEOUT_MS);
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&q->lock);
		bool queued = q->count < CALL_QUEUE;

		if (queued) {
			q->slot[(q->head + q->count) % CALL_QUEUE] = r;
			q->count++;
		}
		spin_unlock_irqrestore(&q->lock, flags);
		if (queued) {
			return true;
		}
		ipi_send(cpu, IPI_CALL_FUNCTION); /* drain it */
		if (bound_expired(&b)) {
			return false;
		}
	}
}

/* Queue r on every CPU of targets and kick them; the CPUs it could not be
 * queued on are named and taken out. Returns the CPUs it went to. */
static cpumask_t call_post(struct call_req *r, cpumask_t targets)
{
	cpumask_t sent = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!(targets & CPUMASK_CPU(cpu))) {
			continue;
		}
		__atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
		if (call_enqueue(cpu, r)) {
			sent |= CPUMASK_CPU(cpu);
		} else {
			req_put(r);
			kprintf("smp_call_function: CPU %u's queue stayed "
				"full for %u ms\n",
				cpu, CALL_TIMEOUT_MS);
		}
	}
	ipi_send_mask(sent, IPI_CALL_FUNCTION);
	return sent;
}

/* Wait (bounded) until every CPU of sent ran r; names those that did not. */
static int call_wait(struct call_req *r, cpumask_t sent)
{
	cpumask_t late;
	struct bound b;

	bound_start(&b, CALL_TIMEOUT_MS);
	while ((__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) & sent) != sent) {
		if (bound_expired(&b)) {
			break;
		}
	}
	late = sent & ~__atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (late & CPUMASK_CPU(cpu)) {
			kprintf(
			    "smp_call_function: CPU %u did not answer in %u "
			    "ms\n",
			    cpu, CALL_TIMEOUT_MS);
		}
	}
	return late ? -ETIMEDOUT : 0;
}

int smp_call_function(cpumask_t mask, void (*fn)(void *arg), void *arg,
		      bool wait)
{
	unsigned long flags;
	struct call_req *r;
	cpumask_t self, sent, want;
	struct bound b;
	int ret = 0;

	bound_start(&b, CALL_TIMEOUT_MS);
	while (!(r = req_get())) {
		if (bound_expired(&b)) {
			kprintf("smp_call_function: all %u requests busy for "
				"%u ms\n",
				CALL_POOL, CALL_TIMEOUT_MS);
			return -EBUSY;
		}
	}
	r->fn = fn;
	r->arg = arg;
	__atomic_store_n(&r->done, 0, __ATOMIC_RELAXED);
	/* Interrupts off from here: "self" must stay this CPU. */
	flags = arch_irq_save();
	self = CPUMASK_CPU(arch_cpu_id());
	want = mask & cpu_online_mask() & ~self;
	sent = ipi_available() ? call_post(r, want) : 0;
	if (mask & self) {
		fn(arg); /* as the others do: in interrupt-off context */
	}
	arch_irq_restore(flags);
	if (sent != want) {
		ret = -ETIMEDOUT;
	}
	if (wait && call_wait(r, sent) < 0) {
		ret = -ETIMEDOUT;
	}
	req_put(r); /* the placeholder: targets hold their own */
	return ret;
}

/* ---- stop (panic) ------------------------------------------------------ */

void smp_stop_self(bool say)
{
	unsigned int cpu = arch_cpu_id();

	arch_irq_disable();
	if (say) {
		kprintf("CPU %u: stopped\n", cpu);
	}
	__atomic_fetch_or(&stopped, CPUMASK_CPU(cpu), __ATOMIC_RELEASE);
	arch_halt();
}

void smp_stop_others(void)
{
	cpumask_t others = cpu_online_mask() & ~CPUMASK_CPU(arch_cpu_id());
	cpumask_t late;
	struct bound b;

	if (!others || !ipi_available()) {
		return;
	}
	ipi_send_mask(others & ~__atomic_load_n(&stopped, __ATOMIC_ACQUIRE),
		      IPI_STOP);
	bound_start(&b, STOP_TIMEOUT_MS);
	while ((__atomic_load_n(&stopped, __ATOMIC_ACQUIRE) & others) !=
	       others) {
		if (bound_expired(&b)) {
			break;
		}
	}
	/* Whoever held the console (a CPU that did not stop) loses it. */
	console_take_over();
	late = others & ~__atomic_load_n(&stopped, __ATOMIC_ACQUIRE);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (late & CPUMASK_CPU(cpu)) {
			kprintf("CPU %u: did not stop in %u ms (interrupts "
				"off?)\n",
				cpu, STOP_TIMEOUT_MS);
		}
	}
}

void smp_stop_for_fatal(void)
{
	static int fatal_cpu = -1;
	int none = -1, me = (int)arch_cpu_id();

	if (!__atomic_compare_exchange_n(&fatal_cpu, &none, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (none != me) {
			smp_stop_self(false);
		}
		return;
	}
	smp_stop_others();
}
