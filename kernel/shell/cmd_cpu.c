/*
 * CPU shell commands: `cpus`, the CPUs the firmware describes (kern/cpu.h)
 * with what kite made of them, and `irqaffinity`, which shows or moves a
 * device line between CPUs (kern/irq.h irq_set_affinity, docs/smp.md).
 */
#include "kern/cpu.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/string.h"
#include "kern/timer.h"
#include "shell/commands.h"

/* CPU cpu's idle thread's share of uptime, in tenths of a percent. */
static unsigned long idle_permille(unsigned int cpu)
{
	uint64_t freq = time_cycles_freq(), up = uptime_ms(), idle_ms;

	if (!freq || !up) {
		return 0;
	}
	idle_ms = sched_cpu_idle_cycles(cpu) / (freq / 1000 ?: 1);
	return idle_ms >= up ? 1000 : (unsigned long)(idle_ms * 1000 / up);
}

static void print_cpu(const struct cpu_info *c)
{
	char extra[64] = "", hwid[24];

	if (c->method[0]) {
		ksnprintf(extra, sizeof(extra), " %s%s%s", c->method,
			  c->conduit[0] ? "/" : "", c->conduit);
	}
	ksnprintf(hwid, sizeof(hwid), "0x%llx", (unsigned long long)c->hwid);
	kprintf("%4u %12s %-14s %-11s", c->num, hwid, cpu_fw_state_name(c->fw),
		cpu_state_name(c->state));
	if (c->state == CPU_ONLINE && c->num < NR_CPUS) {
		unsigned long p = idle_permille(c->num);

		kprintf(" %10lu %3lu.%lu%%", irq_cpu_total(c->num), p / 10,
			p % 10);
	} else {
		kprintf(" %10s %6s", "-", "-");
	}
	kprintf("%s\n", extra);
}

int cmd_cpus(int argc, char **argv)
{
	unsigned int n = cpu_count();

	(void)argc;
	(void)argv;
	kprintf(" CPU        HW-ID FIRMWARE       STATE             IRQS   "
		"IDLE METHOD\n");
	for (unsigned int i = 0; i < n; i++) {
		print_cpu(cpu_get(i));
	}
	kprintf("cpus: %u described by firmware, %u online (NR_CPUS %u)\n", n,
		cpu_online_count(), NR_CPUS);
	if (cpu_dropped()) {
		kprintf("cpus: %lu more left out (no memory)\n", cpu_dropped());
	}
	return 0;
}

/* ---- irqaffinity ------------------------------------------------------ */

/* "0,2" for a mask; "-" for none. */
static const char *cpu_list(char *buf, size_t len, uint32_t mask)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int c = 0; c < NR_CPUS && at < len; c++) {
		if (mask & CPUMASK_CPU(c)) {
			at += (size_t)ksnprintf(buf + at, len - at, "%s%u",
						at ? "," : "", c);
		}
	}
	return buf[0] ? buf : "-";
}

static void print_affinity(unsigned int irq)
{
	char a[32], e[32];

	kprintf("irq %u: affinity %s effective %s\n", irq,
		cpu_list(a, sizeof(a), irq_get_affinity(irq)),
		cpu_list(e, sizeof(e), irq_get_effective_affinity(irq)));
}

static const char *affinity_error(int err)
{
	switch (err) {
	case -ENOSYS:
		return "its controller cannot route it";
	case -EINVAL:
		return "no CPU of the list can take it";
	default:
		return "the controller refused";
	}
}

/* The line to move: a device line with a chip that routes it. */
static int check_line(const char *arg, unsigned int *irq)
{
	unsigned long v;
	const struct irq_desc *d;

	if (!parse_uint(arg, NR_IRQS - 1, &v)) {
		kprintf("irqaffinity: '%s' is no IRQ number (0-%u)\n", arg,
			NR_IRQS - 1);
		return -EINVAL;
	}
	d = irq_to_desc((unsigned int)v);
	if (!d->chip) {
		kprintf("irqaffinity: irq %lu has no controller\n", v);
		return -ENOENT;
	}
	if (d->per_cpu) {
		kprintf("irqaffinity: irq %lu is per CPU (each CPU has its "
			"own): no affinity\n",
			v);
		return -EPERM;
	}
	*irq = (unsigned int)v;
	return 0;
}

static int set_cpus(unsigned int irq, int n, char **words)
{
	uint32_t mask = 0;
	int err;

	for (int i = 0; i < n; i++) {
		unsigned long c;

		if (!parse_uint(words[i], NR_CPUS - 1, &c) ||
		    !cpu_online((unsigned int)c)) {
			kprintf("irqaffinity: '%s' is no online CPU\n",
				words[i]);
			return -EINVAL;
		}
		mask |= CPUMASK_CPU(c);
	}
	err = irq_set_affinity(irq, mask);
	if (err < 0) {
		kprintf("irqaffinity: irq %u: %s (%d)\n", irq,
			affinity_error(err), err);
		return err;
	}
	print_affinity(irq);
	return 0;
}

/* One rotation at a time: its thread reads these. */
static struct {
	unsigned int irq;
	unsigned long ms, count;
	bool busy; /* atomic */
} rot;

/* The next online CPU after the lowest one of mask, wrapping. */
static unsigned int next_online(uint32_t mask)
{
	unsigned int from = mask ? (unsigned int)__builtin_ctz(mask) : 0;

	for (unsigned int i = 1; i <= NR_CPUS; i++) {
		unsigned int c = (from + i) % NR_CPUS;

		if (cpu_online(c)) {
			return c;
		}
	}
	return 0;
}

static void rotate_thread(void *arg)
{
	unsigned long done = 0;

	(void)arg;
	for (; done < rot.count; done++) {
		unsigned int c = next_online(irq_get_affinity(rot.irq));
		int err = irq_set_affinity(rot.irq, CPUMASK_CPU(c));

		if (err < 0) {
			kprintf("irqaffinity: irq %u: move to CPU %u failed "
				"(%d): stopped\n",
				rot.irq, c, err);
			break;
		}
		msleep((unsigned int)rot.ms);
	}
	kprintf("irqaffinity: irq %u rotated %lu times\n", rot.irq, done);
	__atomic_store_n(&rot.busy, false, __ATOMIC_RELEASE);
	thread_exit(0);
}

static int rotate(unsigned int irq, const char *ms, const char *count)
{
	struct thread *t;

	if (!parse_count(ms, 60000, &rot.ms) ||
	    !parse_count(count, 1000000, &rot.count)) {
		return -EINVAL;
	}
	if (__atomic_exchange_n(&rot.busy, true, __ATOMIC_ACQUIRE)) {
		kprintf("irqaffinity: a rotation is already running\n");
		return -EBUSY;
	}
	rot.irq = irq;
	/* Said first: the thread outranks us and may print at once. */
	kprintf("irqaffinity: irq %u: moving to the next online CPU every "
		"%lu ms, %lu times\n",
		irq, rot.ms, rot.count);
	/* Above the shell and rxcheck's reader: the moves keep their pace. */
	t = thread_create(rotate_thread, NULL, "irqaffinity", PRIO_HIGH);
	if (!t) {
		__atomic_store_n(&rot.busy, false, __ATOMIC_RELEASE);
		kprintf("irqaffinity: no thread\n");
		return -ENOMEM;
	}
	thread_detach(t);
	return 0;
}

/*
 * irqaffinity IRQ             show where the line goes
 * irqaffinity IRQ CPU...      route it to those CPUs, then show it
 * irqaffinity IRQ rotate MS COUNT
 *                             a thread moves it to the next online CPU
 *                             every MS ms, COUNT times (tests move the
 *                             serial line while rxcheck runs)
 */
int cmd_irqaffinity(int argc, char **argv)
{
	unsigned int irq;
	int err = check_line(argv[1], &irq);

	if (err < 0) {
		return err;
	}
	if (argc == 2) {
		print_affinity(irq);
		return 0;
	}
	if (strcmp(argv[2], "rotate") == 0) {
		return argc == 5 ? rotate(irq, argv[3], argv[4]) : -EINVAL;
	}
	return set_cpus(irq, argc - 2, argv + 2);
}
