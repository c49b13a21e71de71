/*
 * The `cpus` shell command: the CPUs the firmware describes (kern/cpu.h),
 * one line each. Only CPU 0, the boot CPU, runs kite: nothing starts the
 * others yet (no SMP bring-up), so they read "not started", and only CPU
 * 0 has interrupts and an idle share to show.
 */
#include "kern/cpu.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/timer.h"
#include "shell/commands.h"

/* The idle thread's share of uptime, in tenths of a percent. */
static unsigned long idle_permille(void)
{
	uint64_t freq = time_cycles_freq(), up = uptime_ms(), idle_ms;

	if (!freq || !up) {
		return 0;
	}
	idle_ms = sched_idle_cycles() / (freq / 1000 ?: 1);
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
	if (c->state == CPU_ONLINE) {
		unsigned long p = idle_permille();

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
	kprintf("cpus: %u described by firmware, 1 running; no SMP bring-up "
		"yet: the others are not started\n",
		n);
	if (cpu_dropped()) {
		kprintf("cpus: %lu more left out (no memory)\n", cpu_dropped());
	}
	return 0;
}
