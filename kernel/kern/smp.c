/*
 * Starting the other CPUs (kern/smp.h, docs/smp.md): the online mask, the
 * per-CPU init hooks, smp_boot() on the boot CPU and smp_secondary_main()
 * on each new one.
 *
 * The boot CPU and a starting CPU agree through the CPU table's state
 * (kern/cpu.h), changed only by compare-and-exchange: the new CPU moves
 * its own entry STARTING -> ONLINE, the boot CPU moves it STARTING ->
 * FAILED when its wait runs out. Exactly one of the two wins, so a CPU
 * that arrives late sees FAILED, stays out of the online mask and halts;
 * it is never half counted.
 */
#include "kern/arch.h"
#include "kern/cpu.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/timer.h"

static cpumask_t online = CPUMASK_CPU(0);

static struct {
	const char *name;
	void (*init)(void);
} hooks[SMP_MAX_INIT_HOOKS];
static unsigned int nr_hooks;

cpumask_t cpu_online_mask(void)
{
	return __atomic_load_n(&online, __ATOMIC_ACQUIRE);
}

unsigned int cpu_online_count(void)
{
	return (unsigned int)__builtin_popcount(cpu_online_mask());
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && (cpu_online_mask() & CPUMASK_CPU(cpu));
}

void smp_cpu_init_register(const char *name, void (*init)(void))
{
	if (nr_hooks >= SMP_MAX_INIT_HOOKS) {
		/* Said at boot: that CPU-local part will not be set up. */
		kprintf("smp: no room for per-CPU init hook %s (max %u): "
			"other CPUs will miss it\n",
			name, SMP_MAX_INIT_HOOKS);
		return;
	}
	hooks[nr_hooks].name = name;
	hooks[nr_hooks].init = init;
	nr_hooks++;
}

/* A CPU that came too late, or whose entry is not its own: stop here,
 * interrupts off, touching nothing shared. */
static __noreturn void give_up(unsigned int cpu)
{
	kprintf("smp: CPU %u arrived after the boot CPU gave up on it (%s): "
		"halted\n",
		cpu, cpu_state_name(cpu_get(cpu)->state));
	arch_halt();
}

void smp_secondary_main(void)
{
	unsigned int cpu = arch_cpu_id();

	/* Not ours any more (the boot CPU timed out): run no hook. */
	if (cpu_get(cpu)->state != CPU_STARTING) {
		give_up(cpu);
	}
	for (unsigned int i = 0; i < nr_hooks; i++) {
		hooks[i].init();
	}
	/* The commit point: from here the boot CPU counts us. */
	if (!cpu_set_state_from(cpu, CPU_STARTING, CPU_ONLINE)) {
		give_up(cpu);
	}
	__atomic_fetch_or(&online, CPUMASK_CPU(cpu), __ATOMIC_RELEASE);
	sched_cpu_idle();
}

/* Milliseconds since start_ns, for the bounded waits (time_ns() works
 * from boot on both ports: the clocksource needs no interrupt). */
static uint64_t ms_since(uint64_t start_ns)
{
	return (time_ns() - start_ns) / 1000000ull;
}

/* Wait for cpu to leave STARTING: spin for the first millisecond (a CPU
 * under emulation often arrives sooner), then sleep 1 ms between looks. */
static bool wait_online(unsigned int cpu)
{
	uint64_t start = time_ns();

	while (ms_since(start) < SMP_START_TIMEOUT_MS) {
		if (cpu_online(cpu)) {
			return true;
		}
		if (ms_since(start) >= 1 && can_sleep() && timer_tick_alive()) {
			msleep(1);
		} else {
			arch_cpu_relax();
		}
	}
	/* The bound ran out: FAILED, unless it went online just now. */
	if (cpu_set_state_from(cpu, CPU_STARTING, CPU_FAILED)) {
		return false;
	}
	/* It won the exchange: its online bit follows at once. */
	while (!cpu_online(cpu)) {
		arch_cpu_relax();
	}
	return true;
}

static void not_started(const struct cpu_info *c, const char *why)
{
	kprintf("smp: CPU %u (hwid 0x%llx) not started: %s\n", c->num,
		(unsigned long long)c->hwid, why);
}

/* Is c one to start? Says why not. */
static bool startable(const struct cpu_info *c)
{
	if (c->state != CPU_NOT_STARTED) {
		return false; /* the boot CPU */
	}
	if (c->num >= NR_CPUS) {
		not_started(c, "above NR_CPUS (8)");
		return false;
	}
	if (c->fw == CPU_FW_DISABLED) {
		not_started(c, "disabled by firmware");
		return false;
	}
	if (c->fw == CPU_FW_ONLINE_CAPABLE) {
		/* ACPI 6.3+ 5.2.12.2: may be enabled later (hot-plug),
		 * not present now; kite has no CPU hot-plug. */
		not_started(c, "online-capable, not enabled (no hot-plug)");
		return false;
	}
	return true;
}

/* Start one CPU and wait for it; true if it came online. */
static bool start_one(const struct cpu_info *c)
{
	uintptr_t stack;
	int err;

	if (!ipi_available()) {
		not_started(c, "the interrupt controller has no IPIs");
		return false;
	}
	stack = sched_cpu_prepare(c->num);
	if (!stack) {
		not_started(c, "no memory for its idle thread");
		return false;
	}
	cpu_set_state(c->num, CPU_STARTING);
	err = arch_cpu_start(c->num, c->hwid, stack);
	if (err < 0) {
		cpu_set_state_from(c->num, CPU_STARTING, CPU_NOT_STARTED);
		kprintf("smp: CPU %u (hwid 0x%llx) not started: start "
			"failed (%d)\n",
			c->num, (unsigned long long)c->hwid, err);
		return false;
	}
	if (!wait_online(c->num)) {
		kprintf("smp: CPU %u (hwid 0x%llx) did not come online in %u "
			"ms: left out\n",
			c->num, (unsigned long long)c->hwid,
			SMP_START_TIMEOUT_MS);
		return false;
	}
	irq_set_online_cpus(cpu_online_mask());
	return true;
}

void smp_boot(void)
{
	uint64_t start = time_ns(), ns;
	unsigned int tried = 1, n = cpu_count();

	for (unsigned int i = 1; i < n; i++) {
		const struct cpu_info *c = cpu_get(i);

		if (startable(c)) {
			tried++;
			start_one(c);
		}
	}
	ns = time_ns() - start;
	kprintf("smp: %u of %u CPUs online in %llu.%03llu ms\n",
		cpu_online_count(), tried, (unsigned long long)(ns / 1000000),
		(unsigned long long)(ns / 1000 % 1000));
	irq_set_online_cpus(cpu_online_mask());
	irq_spread_affinity();
}
