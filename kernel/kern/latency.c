/*
 * Latency probes: timer deadline to handler and to woken thread, device
 * interrupt to handler and to woken thread, and the thread switch
 * (kern/latency.h). Every step waits with a timeout, so a broken wake-up
 * ends a probe with an error instead of hanging the shell.
 *
 * Cycles are the clocksource's (time_cycles()). A ktimer's deadline is in
 * ns (time_ns()); time_ns() reaches D exactly when the cycle count
 * reaches ceil(D * freq / 1e9) (kern/timer.c computes ns from cycles by
 * truncation), so that is the deadline in cycles.
 */
#include "kern/latency.h"
#include "kern/deferred.h"
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/smp.h"
#include "kern/wait.h"

/* One step (a timer, an interrupt, a wake) that takes longer than this
 * has failed: far above any latency, below a user's patience. */
#define STEP_TIMEOUT_NS (1 * NSEC_PER_SEC)
/* Timer deadlines this far ahead, spread so that they do not fall in
 * step with the time slice or anything periodic. */
#define TIMER_MIN_NS	(100 * NSEC_PER_USEC)
#define TIMER_SPREAD_NS (900 * NSEC_PER_USEC)

static const char *const names[LAT_PROBES] = {
    [LAT_TIMER_HANDLER] = "timer>handler",
    [LAT_TIMER_THREAD] = "timer>thread",
    [LAT_BUSY_THREAD] = "busy:timer>thread",
    [LAT_BUSY_TASKLET] = "busy:tasklet>thread",
    [LAT_IRQ_HANDLER] = "raise>handler",
    [LAT_IRQ_THREAD] = "irq>thread",
    [LAT_SWITCH] = "switch",
    [LAT_IPI_REPLY] = "ipi>reply",
    [LAT_IPI_WAKE] = "ipi-wake>thread",
};

static uint64_t buffers[LAT_PROBES][LATENCY_MAX_SAMPLES];
static bool running; /* one run at a time: the buffers are shared */

/* What the probe threads and handlers share with the caller. */
static struct {
	struct latency_report *r;
	unsigned int samples;
	struct ktimer timer;
	volatile uint64_t deadline, hit, raised;
	volatile bool stop;
	volatile bool replied;	       /* set by the IPI probe's handler */
	unsigned int from_cpu, to_cpu; /* the IPI probes' two CPUs */
	struct completion fired, ack, ping, pong;
	uint32_t seed;
} lat;

const char *latency_probe_name(enum latency_probe p)
{
	return p < LAT_PROBES ? names[p] : "?";
}

static uint64_t ns_to_cycles_ceil(uint64_t ns)
{
	uint64_t f = time_cycles_freq();

	return ns / NSEC_PER_SEC * f +
	       (ns % NSEC_PER_SEC * f + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
}

static void add(enum latency_probe p, uint64_t from, uint64_t to)
{
	bench_hist_add(&lat.r->hist[p], to >= from ? to - from : 0);
}

static void fail(enum latency_probe p, const char *why)
{
	if (!lat.r->error[p]) {
		lat.r->error[p] = why;
	}
}

/* ---- timer deadline -> handler, -> woken thread --------------------- */

/* Which probes a timer run fills, and how its function wakes the worker:
 * directly, or through a tasklet (the console input's path). */
struct timer_run {
	enum latency_probe handler, thread; /* LAT_PROBES: none */
	bool via_tasklet;
};

static struct tasklet wake_tasklet;

static void tasklet_fn(void *data)
{
	(void)data;
	complete(&lat.fired);
}

static void timer_fn(struct ktimer *t)
{
	const struct timer_run *run = t->data;

	lat.hit = time_cycles();
	if (run->via_tasklet) {
		tasklet_schedule(&wake_tasklet);
	} else {
		complete(&lat.fired);
	}
}

static uint64_t next_delay_ns(void)
{
	lat.seed = lat.seed * 1103515245u + 12345u;
	return TIMER_MIN_NS + (lat.seed >> 8) % TIMER_SPREAD_NS;
}

/* A wake-up that came no sooner than the waiter's own timeout: the
 * completion was done, its waker missed the waiter. */
static bool wake_was_lost(uint64_t from, uint64_t woke)
{
	uint64_t timeout = ns_to_cycles_ceil(STEP_TIMEOUT_NS);

	return woke > from && woke - from >= timeout - timeout / 10;
}

static void timer_sample(const struct timer_run *run, uint64_t woke)
{
	if (lat.hit < lat.deadline) {
		lat.r->early++;
	}
	if (wake_was_lost(lat.hit, woke)) {
		lat.r->lost_wakeups++;
	}
	if (run->handler < LAT_PROBES) {
		add(run->handler, lat.deadline, lat.hit);
	}
	add(run->thread, lat.deadline, woke);
}

static void timer_worker(void *arg)
{
	const struct timer_run *run = arg;

	lat.timer.data = arg;
	for (unsigned int i = 0; i < lat.samples; i++) {
		uint64_t deadline_ns = time_ns() + next_delay_ns();

		lat.deadline = ns_to_cycles_ceil(deadline_ns);
		ktimer_start(&lat.timer, deadline_ns, 0);
		if (wait_for_completion_timeout(&lat.fired, STEP_TIMEOUT_NS)) {
			ktimer_cancel(&lat.timer);
			if (run->handler < LAT_PROBES) {
				fail(run->handler,
				     "a timer did not fire in 1 s");
			}
			fail(run->thread, "no wake-up within 1 s");
			break;
		}
		timer_sample(run, time_cycles());
	}
	thread_exit(0);
}

/* A thread of lower priority than everything measured, on the CPU
 * whenever they wait: what their wake-up has to preempt. */
static void busy_thread(void *arg)
{
	(void)arg;
	while (!lat.stop) {
		barrier();
	}
	thread_exit(0);
}

static void timer_probe(const struct timer_run *run)
{
	struct thread *t;

	/* Before the worker exists: it outranks us, so it may run (and
	 * wait on this completion) before thread_create returns. */
	completion_init(&lat.fired, "bench-fired");
	t = thread_create(timer_worker, (void *)run, "bench-timer",
			  LATENCY_PRIO);
	if (!t) {
		fail(run->thread, "no thread");
		return;
	}
	thread_join(t);
}

/* The timer probes: idle, then with a busy thread to preempt (directly
 * and through a tasklet). */
static void timer_probes(void)
{
	static const struct timer_run idle = {LAT_TIMER_HANDLER,
					      LAT_TIMER_THREAD, false};
	static const struct timer_run busy = {LAT_PROBES, LAT_BUSY_THREAD,
					      false};
	static const struct timer_run tasklet = {LAT_PROBES, LAT_BUSY_TASKLET,
						 true};
	struct thread *b;

	timer_probe(&idle);
	b = thread_create(busy_thread, NULL, "bench-busy", PRIO_LOW);
	if (!b) {
		fail(LAT_BUSY_THREAD, "no thread");
		fail(LAT_BUSY_TASKLET, "no thread");
		return;
	}
	timer_probe(&busy);
	timer_probe(&tasklet);
	lat.stop = true;
	thread_join(b);
}

/* ---- device interrupt -> handler, -> woken thread ------------------- */

static enum irq_return irq_fn(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	lat.hit = time_cycles();
	complete(&lat.fired);
	return IRQ_HANDLED;
}

/* Says it is ready (ack), then for each interrupt: wakes, records, acks.
 * It outranks the raiser, so it is blocked whenever the raiser runs. */
static void irq_worker(void *arg)
{
	(void)arg;
	complete(&lat.ack);
	for (unsigned int i = 0; i < lat.samples && !lat.stop; i++) {
		uint64_t woke;

		if (wait_for_completion_timeout(&lat.fired, STEP_TIMEOUT_NS)) {
			break; /* the raiser says why */
		}
		woke = time_cycles();
		if (wake_was_lost(lat.hit, woke)) {
			lat.r->lost_wakeups++;
		}
		add(LAT_IRQ_THREAD, lat.hit, woke);
		complete(&lat.ack);
	}
	thread_exit(0);
}

/* The caller's part: raise the line, wait for the worker's ack. */
static void irq_raise_all(unsigned int irq)
{
	for (unsigned int i = 0; i < lat.samples; i++) {
		lat.raised = time_cycles();
		if (irq_set_pending(irq) != 0) {
			fail(LAT_IRQ_HANDLER, "the line cannot be raised");
			break;
		}
		if (wait_for_completion_timeout(&lat.ack, STEP_TIMEOUT_NS)) {
			fail(LAT_IRQ_HANDLER, "no interrupt within 1 s");
			fail(LAT_IRQ_THREAD, "no wake-up within 1 s");
			break;
		}
		add(LAT_IRQ_HANDLER, lat.raised, lat.hit);
	}
}

static const char *irq_probe(void)
{
	static int cookie;
	int irq = irq_find_pendable(true);
	struct thread *t;

	lat.r->irq = irq;
	if (irq < 0) {
		return "no free line that software can raise";
	}
	if (irq_request((unsigned int)irq, irq_fn, IRQF_TRIGGER_RISING, "bench",
			&cookie) != 0) {
		return "could not request the line";
	}
	t = thread_create(irq_worker, NULL, "bench-irq", LATENCY_PRIO);
	if (t) {
		if (wait_for_completion_timeout(&lat.ack, STEP_TIMEOUT_NS)) {
			fail(LAT_IRQ_THREAD, "the worker did not start");
		} else {
			irq_raise_all((unsigned int)irq);
		}
		lat.stop = true;
		thread_join(t);
	}
	irq_free((unsigned int)irq, &cookie);
	return t ? NULL : "no thread";
}

/* ---- thread switch: ping-pong --------------------------------------- */

static void pinger(void *arg)
{
	uint64_t last = 0;

	(void)arg;
	/* One round more than samples: the first includes the start. */
	for (unsigned int i = 0; i <= lat.samples; i++) {
		uint64_t now;

		complete(&lat.ping);
		if (wait_for_completion_timeout(&lat.pong, STEP_TIMEOUT_NS)) {
			fail(LAT_SWITCH, "no pong within 1 s");
			break;
		}
		now = time_cycles();
		if (i > 0) {
			bench_hist_add(&lat.r->hist[LAT_SWITCH],
				       (now - last) / 2);
		}
		last = now;
	}
	lat.stop = true;
	thread_exit(0);
}

static void ponger(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i <= lat.samples && !lat.stop; i++) {
		if (wait_for_completion_timeout(&lat.ping, STEP_TIMEOUT_NS)) {
			break; /* the pinger says why */
		}
		complete(&lat.pong);
	}
	thread_exit(0);
}

/* ---- IPI round trip, IPI wake-up (SMP) ------------------------------ */

static struct thread *start(thread_fn fn, const char *name,
			    enum latency_probe a, enum latency_probe b);

static void reply_fn(void *arg)
{
	(void)arg;
	lat.replied = true; /* the flag the sender spins on */
}

/* From from_cpu: a call-function to to_cpu, spinning until its handler's
 * flag shows; send to seen in cycles. Not waited through
 * smp_call_function: its own bookkeeping is not the IPI's cost. */
static void ipi_reply_probe(void)
{
	uint64_t timeout = ns_to_cycles_ceil(STEP_TIMEOUT_NS);

	for (unsigned int i = 0; i < lat.samples; i++) {
		uint64_t sent;

		lat.replied = false;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		sent = time_cycles();
		if (smp_call_function(CPUMASK_CPU(lat.to_cpu), reply_fn, NULL,
				      false) != 0) {
			fail(LAT_IPI_REPLY, "the call could not be queued");
			return;
		}
		while (!lat.replied) {
			if (time_cycles() - sent > timeout) {
				fail(LAT_IPI_REPLY, "no reply within 1 s");
				return;
			}
			arch_cpu_relax();
		}
		add(LAT_IPI_REPLY, sent, time_cycles());
	}
}

/* Is a thread queued on c (about to sleep, or asleep)? */
static bool has_waiter(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);
	bool queued = c->wq.head != NULL;

	spin_unlock_irqrestore(&c->wq.lock, flags);
	return queued;
}

static unsigned int this_cpu(void)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();

	arch_irq_restore(flags);
	return cpu;
}

/* Pinned on to_cpu: for each wake, the cycles since the waker's
 * complete(); a wake-up that ran on another CPU is an error. */
static void ipi_wake_worker(void *arg)
{
	(void)arg;
	if (thread_set_cpus(thread_current(), CPUMASK_CPU(lat.to_cpu)) != 0 ||
	    this_cpu() != lat.to_cpu) {
		fail(LAT_IPI_WAKE, "could not pin the woken thread");
		lat.stop = true;
	}
	complete(&lat.ack);
	for (unsigned int i = 0; i < lat.samples && !lat.stop; i++) {
		if (wait_for_completion_timeout(&lat.fired, STEP_TIMEOUT_NS)) {
			break; /* the waker says why */
		}
		add(LAT_IPI_WAKE, lat.raised, time_cycles());
		if (this_cpu() != lat.to_cpu) {
			fail(LAT_IPI_WAKE, "woken on the wrong CPU");
		}
		complete(&lat.ack);
	}
	thread_exit(0);
}

/* Wake the worker once it is queued on the completion (asleep, or about
 * to be: a wake then finds it still running, which the IPI may not need;
 * the queue check keeps that window to a few instructions). */
static bool ipi_wake_one(void)
{
	uint64_t end;

	if (wait_for_completion_timeout(&lat.ack, STEP_TIMEOUT_NS)) {
		fail(LAT_IPI_WAKE, "the woken thread did not come back");
		return false;
	}
	end = time_ns() + STEP_TIMEOUT_NS;
	while (!has_waiter(&lat.fired)) {
		if (time_ns() > end) {
			fail(LAT_IPI_WAKE, "the thread did not wait");
			return false;
		}
		arch_cpu_relax();
	}
	lat.raised = time_cycles();
	complete(&lat.fired);
	return true;
}

static void ipi_wake_probe(void)
{
	struct thread *w;

	w = thread_create(ipi_wake_worker, NULL, "bench-ipi-wake",
			  LATENCY_PRIO);
	if (!w) {
		fail(LAT_IPI_WAKE, "no thread");
		return;
	}
	for (unsigned int i = 0; i < lat.samples && !lat.stop; i++) {
		if (!ipi_wake_one()) {
			break;
		}
	}
	lat.stop = true;
	complete(&lat.fired); /* a worker still waiting ends */
	thread_join(w);
}

/* The IPI probes' driver, pinned on from_cpu. */
static void ipi_driver(void *arg)
{
	(void)arg;
	if (thread_set_cpus(thread_current(), CPUMASK_CPU(lat.from_cpu)) != 0 ||
	    this_cpu() != lat.from_cpu) {
		fail(LAT_IPI_REPLY, "could not pin the sender");
		fail(LAT_IPI_WAKE, "could not pin the waker");
		thread_exit(0);
	}
	ipi_reply_probe();
	ipi_wake_probe();
	thread_exit(0);
}

/* Two CPUs: the boot CPU sends, the lowest other online one receives. */
static void ipi_probes(void)
{
	cpumask_t others = cpu_online_mask() & ~CPUMASK_CPU(0);
	struct thread *t;

	if (!others || !cpu_online(0)) {
		lat.r->skipped[LAT_IPI_REPLY] = "1 CPU online";
		lat.r->skipped[LAT_IPI_WAKE] = "1 CPU online";
		return;
	}
	lat.from_cpu = 0;
	lat.to_cpu = (unsigned int)__builtin_ctz(others);
	lat.r->ipi_from = lat.from_cpu;
	lat.r->ipi_to = lat.to_cpu;
	t = start(ipi_driver, "bench-ipi", LAT_IPI_REPLY, LAT_IPI_WAKE);
	if (t) {
		thread_join(t);
	}
}

/* ---- the run -------------------------------------------------------- */

static void reset(struct latency_report *r, unsigned int samples)
{
	for (unsigned int p = 0; p < LAT_PROBES; p++) {
		bench_hist_init(&r->hist[p], names[p], buffers[p],
				LATENCY_MAX_SAMPLES);
		r->error[p] = NULL;
		r->skipped[p] = NULL;
	}
	r->early = 0;
	r->lost_wakeups = 0;
	r->irq = -ENOENT;
	lat.r = r;
	lat.samples = samples;
	lat.seed = (uint32_t)time_cycles();
	ktimer_init(&lat.timer, timer_fn, NULL, "bench");
	tasklet_init(&wake_tasklet, tasklet_fn, NULL, "bench");
}

/* Fresh completions and stop flag for the next probe. */
static void rearm(void)
{
	lat.stop = false;
	completion_init(&lat.fired, "bench-fired");
	completion_init(&lat.ack, "bench-ack");
	completion_init(&lat.ping, "bench-ping");
	completion_init(&lat.pong, "bench-pong");
}

/* Start fn in a thread at LATENCY_PRIO; false (and the probes marked) if
 * none could be made. */
static struct thread *start(thread_fn fn, const char *name,
			    enum latency_probe a, enum latency_probe b)
{
	struct thread *t = thread_create(fn, NULL, name, LATENCY_PRIO);

	if (!t) {
		fail(a, "no thread");
		fail(b, "no thread");
	}
	return t;
}

int latency_measure(struct latency_report *r, unsigned int samples)
{
	struct thread *t, *u;
	const char *why;

	if (samples == 0 || samples > LATENCY_MAX_SAMPLES) {
		return -EINVAL;
	}
	if (__atomic_exchange_n(&running, true, __ATOMIC_ACQUIRE)) {
		return -EBUSY;
	}
	reset(r, samples);

	rearm();
	timer_probes();

	rearm();
	if ((why = irq_probe())) {
		fail(LAT_IRQ_HANDLER, why);
		fail(LAT_IRQ_THREAD, why);
	}

	rearm();
	t = start(ponger, "bench-pong", LAT_SWITCH, LAT_SWITCH);
	u = t ? start(pinger, "bench-ping", LAT_SWITCH, LAT_SWITCH) : NULL;
	if (!u) {
		lat.stop = true; /* the ponger times out and ends */
	}
	if (u) {
		thread_join(u);
	}
	if (t) {
		thread_join(t);
	}

	rearm();
	ipi_probes();
	__atomic_store_n(&running, false, __ATOMIC_RELEASE);
	return 0;
}
