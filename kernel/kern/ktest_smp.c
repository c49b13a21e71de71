/*
 * In-kernel tests of the SMP core (KTAP, kern/ktest.h): call-function
 * IPIs to every CPU (waited for, and not), an IPI round trip, and a
 * device line moved with irq_set_affinity() then counted on its new CPU
 * only. Each needs two CPUs online and skips otherwise.
 *
 * The line moved: a GIC SPI nobody uses, raised from software
 * (irq_set_pending: GICD_ISPENDR, GICv3 and GICv2 alike); where there is
 * no such line (the PC: its software-raisable lines are the local APIC's,
 * per CPU), the console UART's, which takes an interrupt for each FIFO's
 * worth we print (the transmit-empty interrupt), on pc and q35 alike.
 * That line is found as the routable line that counted the most
 * interrupts while we printed. Every wait is for a condition, bounded.
 */
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/string.h"

#define WAIT_NS	 (5 * NSEC_PER_SEC) /* generous: -smp 8 on 2 host cores */
#define NEED_TWO "needs 2 CPUs online"

/* ---- call-function ---------------------------------------------------- */

static struct {
	unsigned int ran[NR_CPUS];    /* fn calls seen on each CPU */
	bool irq_off[NR_CPUS];	      /* ran with interrupts off */
	unsigned int cpu_id[NR_CPUS]; /* arch_cpu_id() as it ran */
	unsigned int total;	      /* atomic */
} calls;

static void record_cpu(void *arg)
{
	unsigned int cpu = arch_cpu_id();

	(void)arg;
	calls.ran[cpu % NR_CPUS]++;
	calls.cpu_id[cpu % NR_CPUS] = cpu;
	calls.irq_off[cpu % NR_CPUS] = !arch_irqs_enabled();
	__atomic_fetch_add(&calls.total, 1, __ATOMIC_RELEASE);
}

static bool test_call_function_every_cpu(void)
{
	cpumask_t online = cpu_online_mask();

	if (cpu_online_count() < 2) {
		KT_SKIP(NEED_TWO);
	}
	memset(&calls, 0, sizeof(calls));
	KT_CHECK(smp_call_function(online, record_cpu, NULL, true) == 0);
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		bool on = online & CPUMASK_CPU(c);

		if (on && calls.ran[c] != 1) {
			kprintf("    # CPU %u ran the call %u times\n", c,
				calls.ran[c]);
		}
		KT_CHECK(calls.ran[c] == (on ? 1u : 0u));
		KT_CHECK(!on || calls.cpu_id[c] == c);
		KT_CHECK(!on || calls.irq_off[c]);
	}
	KT_CHECK(calls.total == cpu_online_count());
	return true;
}
KTEST_CASE("smp_call_function_every_cpu", test_call_function_every_cpu);

/* Poll (sleeping 1 ms) until *v reaches want or the time is up. */
static bool wait_total(unsigned int *v, unsigned int want)
{
	uint64_t end = time_ns() + WAIT_NS;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want) {
		if (time_ns() >= end) {
			return false;
		}
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return true;
}

static bool test_call_function_nowait(void)
{
	unsigned long flags;
	cpumask_t others;
	unsigned int n;

	if (cpu_online_count() < 2) {
		KT_SKIP(NEED_TWO);
	}
	memset(&calls, 0, sizeof(calls));
	flags = arch_irq_save();
	others = cpu_online_mask() & ~CPUMASK_CPU(arch_cpu_id());
	arch_irq_restore(flags);
	n = (unsigned int)__builtin_popcount(others);
	/* Four rounds in flight at once, none waited for. */
	for (unsigned int i = 0; i < 4; i++) {
		KT_CHECK(smp_call_function(others, record_cpu, NULL, false) ==
			 0);
	}
	KT_CHECK(wait_total(&calls.total, 4 * n));
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		KT_CHECK(calls.ran[c] == (others & CPUMASK_CPU(c) ? 4u : 0u));
	}
	return true;
}
KTEST_CASE("smp_call_function_nowait_completes", test_call_function_nowait);

static void nothing(void *arg)
{
	(void)arg;
}

/* A round trip to each other CPU: the call returns, the target counted an
 * IPI-call, and it took less than the bound (no timing assert beyond). */
static bool test_ipi_round_trip(void)
{
	cpumask_t online = cpu_online_mask();

	if (cpu_online_count() < 2) {
		KT_SKIP(NEED_TWO);
	}
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		unsigned long before;
		uint64_t t0, t1;

		if (!(online & CPUMASK_CPU(c))) {
			continue;
		}
		/* Pinned off c, so the call is always to another CPU. */
		KT_CHECK(thread_set_cpus(thread_current(),
					 online & ~CPUMASK_CPU(c)) == 0);
		before = ipi_received(c, IPI_CALL_FUNCTION);
		t0 = time_cycles();
		KT_CHECK(smp_call_function(CPUMASK_CPU(c), nothing, NULL,
					   true) == 0);
		t1 = time_cycles();
		KT_CHECK(ipi_received(c, IPI_CALL_FUNCTION) > before);
		KT_CHECK(t1 > t0);
	}
	KT_CHECK(thread_set_cpus(thread_current(), CPUMASK_ALL) == 0);
	return true;
}
KTEST_CASE("ipi_round_trip", test_ipi_round_trip);

/* ---- a line moved with irq_set_affinity ------------------------------ */

static struct {
	unsigned int hits[NR_CPUS];
	unsigned int total; /* atomic */
} moved;

static enum irq_return moved_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	moved.hits[arch_cpu_id() % NR_CPUS]++;
	__atomic_fetch_add(&moved.total, 1, __ATOMIC_RELEASE);
	return IRQ_HANDLED;
}

/* A free line this controller can both raise and route (a GIC SPI). */
static int pendable_routable(void)
{
	for (unsigned int i = NR_IRQS; i-- > 0;) {
		const struct irq_desc *d = irq_to_desc(i);

		if (d->chip && d->chip->set_pending && d->chip->set_affinity &&
		    !d->per_cpu && !d->actions && !d->stray &&
		    !d->nobody_cared) {
			return (int)i;
		}
	}
	return -ENOENT;
}

static unsigned long line_total(const struct irq_desc *d)
{
	unsigned long sum = 0;

	for (unsigned int c = 0; c < NR_CPUS; c++) {
		sum += d->count[c];
	}
	return sum;
}

static void print_burst(void)
{
	/* 4 lines: some 15 transmit interrupts with a 16-byte FIFO. */
	for (unsigned int i = 0; i < 4; i++) {
		kprintf("    # smp affinity burst %u: "
			"................................................\n",
			i);
	}
}

/* The routable line that took the most interrupts while we printed: the
 * console UART's (its transmit-empty interrupts). */
static int console_line(void)
{
	static unsigned long before[NR_IRQS];
	unsigned long best = 0;
	int irq = -ENOENT;

	for (unsigned int i = 0; i < NR_IRQS; i++) {
		before[i] = line_total(irq_to_desc(i));
	}
	print_burst();
	thread_sleep_ns(20 * NSEC_PER_MSEC); /* the ring drains */
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		const struct irq_desc *d = irq_to_desc(i);
		unsigned long n = line_total(d) - before[i];

		if (d->chip && d->chip->set_affinity && !d->per_cpu &&
		    d->actions && n > best) {
			best = n;
			irq = (int)i;
		}
	}
	return irq;
}

/* Raise the pendable line once on its way to cpu; true if it ran there. */
static bool raise_on(unsigned int irq, unsigned int cpu)
{
	unsigned int want = moved.total + 1;

	if (irq_set_pending(irq) != 0) {
		return false;
	}
	return wait_total(&moved.total, want) && moved.hits[cpu] > 0;
}

static bool check_pendable_moves(unsigned int irq)
{
	static int cookie;
	const struct irq_desc *d = irq_to_desc(irq);
	cpumask_t online = cpu_online_mask();
	bool ok = true;

	if (irq_request(irq, moved_handler, IRQF_TRIGGER_RISING, "ktest-smp",
			&cookie) != 0) {
		kprintf("    # irq %u: request failed\n", irq);
		return false;
	}
	for (unsigned int c = 0; c < NR_CPUS && ok; c++) {
		unsigned long counts[NR_CPUS];

		if (!(online & CPUMASK_CPU(c))) {
			continue;
		}
		memset(&moved, 0, sizeof(moved));
		ok = irq_set_affinity(irq, CPUMASK_CPU(c)) == 0;
		memcpy(counts, d->count, sizeof(counts));
		ok = ok && raise_on(irq, c) && raise_on(irq, c);
		for (unsigned int o = 0; o < NR_CPUS && ok; o++) {
			unsigned long grew = d->count[o] - counts[o];

			ok = o == c ? grew == 2 : grew == 0;
		}
		if (!ok) {
			kprintf(
			    "    # irq %u moved to CPU %u: hits there %u of "
			    "%u\n",
			    irq, c, moved.hits[c], moved.total);
		}
	}
	irq_free(irq, &cookie);
	return ok;
}

/* Wait until the line counted on cpu since base; then make sure only cpu
 * counts it while we print more. */
static bool check_console_on(unsigned int irq, unsigned int cpu)
{
	const struct irq_desc *d = irq_to_desc(irq);
	unsigned long base = d->count[cpu], counts[NR_CPUS];
	uint64_t end = time_ns() + WAIT_NS;

	KT_CHECK(irq_set_affinity(irq, CPUMASK_CPU(cpu)) == 0);
	/* An interrupt the old CPU had already taken may still finish
	 * there: wait for the first one on the new CPU, then compare. */
	while (d->count[cpu] == base) {
		KT_CHECK(time_ns() < end);
		print_burst();
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	thread_sleep_ns(20 * NSEC_PER_MSEC);
	memcpy(counts, d->count, sizeof(counts));
	print_burst();
	thread_sleep_ns(20 * NSEC_PER_MSEC);
	for (unsigned int o = 0; o < NR_CPUS; o++) {
		unsigned long grew = d->count[o] - counts[o];

		if (o == cpu ? grew == 0 : grew != 0) {
			kprintf("    # irq %u on CPU %u: CPU %u counted %lu\n",
				irq, cpu, o, grew);
			return false;
		}
	}
	return true;
}

static bool test_affinity_moves_line(void)
{
	cpumask_t online = cpu_online_mask();
	int irq;
	uint32_t was;

	if (cpu_online_count() < 2) {
		KT_SKIP(NEED_TWO);
	}
	irq = pendable_routable();
	if (irq >= 0) {
		kprintf("    # a pendable line: irq %d\n", irq);
		return check_pendable_moves((unsigned int)irq);
	}
	irq = console_line();
	if (irq < 0) {
		KT_SKIP("no pendable routable line, no routable console line");
	}
	kprintf("    # the console UART's line: irq %d\n", irq);
	was = irq_get_affinity((unsigned int)irq);
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		if ((online & CPUMASK_CPU(c)) &&
		    !check_console_on((unsigned int)irq, c)) {
			irq_set_affinity((unsigned int)irq, was);
			return false;
		}
	}
	KT_CHECK(irq_set_affinity((unsigned int)irq, was) == 0);
	return true;
}
KTEST_CASE("irq_affinity_counts_on_new_cpu", test_affinity_moves_line);

/* Refusals: per-CPU lines, empty masks, offline CPUs only. */
static bool test_affinity_refusals(void)
{
	cpumask_t offline = CPUMASK_ALL & ~cpu_online_mask();
	int per_cpu = -1, routable = -1;

	for (unsigned int i = 0; i < NR_IRQS; i++) {
		const struct irq_desc *d = irq_to_desc(i);

		if (d->chip && d->per_cpu && per_cpu < 0) {
			per_cpu = (int)i;
		}
		if (d->chip && d->chip->set_affinity && !d->per_cpu &&
		    d->actions && routable < 0) {
			routable = (int)i;
		}
	}
	if (per_cpu >= 0) {
		KT_CHECK(irq_set_affinity((unsigned int)per_cpu, 1) == -EINVAL);
	}
	if (routable < 0) {
		KT_SKIP("no routable line with a handler");
	}
	KT_CHECK(irq_set_affinity((unsigned int)routable, 0) == -EINVAL);
	if (offline) {
		uint32_t before = irq_get_affinity((unsigned int)routable);

		KT_CHECK(irq_set_affinity((unsigned int)routable, offline) ==
			 -EINVAL);
		KT_CHECK(irq_get_affinity((unsigned int)routable) == before);
	}
	return true;
}
KTEST_CASE("irq_affinity_refusals", test_affinity_refusals);
