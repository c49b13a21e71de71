/*
 * The in-kernel test cases. They run on the real CPU (or QEMU's model of
 * it) and check what host tests cannot: that traps are taken, reported and
 * returned from, and that the exception table recovers from real faults.
 */
#include "kern/arch.h"
#include "kern/device.h"
#include "kern/panic.h"
#include "kern/errno.h"
#include "kern/input.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/timer.h"
#include "kern/string.h"
#include "kern/trap.h"

static bool test_format_into_buffer(void)
{
	char buf[64];
	int n;

	n = ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lX|%s|%c|%%", -42, 7u,
		      0xabu, 0xdeadbeeful, "kite", 'k');
	KT_CHECK(strcmp(buf, "-42|    7|ab  |DEADBEEF|kite|k|%") == 0);
	KT_CHECK(n == (int)strlen(buf));
	n = ksnprintf(buf, 4, "%zu", (size_t)123456);
	KT_CHECK(n == 6 && strcmp(buf, "123") == 0);
	return true;
}

static bool test_breakpoint_returns(void)
{
	unsigned long before = trap_counts()->breakpoints;
	volatile int after = 0;

	arch_breakpoint();
	after = 1;
	KT_CHECK(after == 1);
	KT_CHECK(trap_counts()->breakpoints == before + 1);
	return true;
}

static bool test_syscall_trap_returns(void)
{
	unsigned long before = trap_counts()->syscalls;

	/* The trap handler answers nr + 1, proving it ran. */
	KT_CHECK(arch_syscall_trap(41) == 42);
	KT_CHECK(trap_counts()->syscalls == before + 1);
	return true;
}

static bool test_fault_read_is_fixed_up(void)
{
	unsigned long before = trap_counts()->fixups, val = 0;
	const struct fault_record *f = trap_last_fixup();

	KT_CHECK(arch_probe_read(arch_unmapped_addr, &val) == -EFAULT);
	KT_CHECK(trap_counts()->fixups == before + 1);
	KT_CHECK(f->code == arch_read_fault_code);
	KT_CHECK(f->addr == arch_unmapped_addr);
	KT_CHECK(f->pc != 0 && extable_find(f->pc) != 0);
	return true;
}

static bool test_undefined_is_fixed_up(void)
{
	unsigned long before = trap_counts()->fixups;
	const struct fault_record *f = trap_last_fixup();

	KT_CHECK(arch_probe_undefined() == -EFAULT);
	KT_CHECK(trap_counts()->fixups == before + 1);
	KT_CHECK(f->code == arch_undefined_code);
	KT_CHECK(extable_find(f->pc) != 0);
	return true;
}

static bool test_probe_read_mapped(void)
{
	static volatile unsigned long word = 0x6b697465ul;
	unsigned long before = trap_counts()->fixups, val = 0;

	KT_CHECK(arch_probe_read((uintptr_t)&word, &val) == 0);
	KT_CHECK(val == 0x6b697465ul);
	KT_CHECK(trap_counts()->fixups == before);
	return true;
}

static bool test_extable_rejects_other_pcs(void)
{
	KT_CHECK(extable_find(0) == 0);
	KT_CHECK(extable_find((uintptr_t)&test_extable_rejects_other_pcs) == 0);
	return true;
}

/* A case that cannot run on this machine says so instead of passing. */
const char *ktest_skip_reason;
#define skip_reason ktest_skip_reason

static bool test_tick_advances(void)
{
	uint64_t before;

	if (!arch_irqs_enabled() || strcmp(timer_source(), "none") == 0) {
		KT_SKIP("no tick source on this port yet");
	}
	before = jiffies_read();
	msleep(50);
	/* At least the time asked for; a loose upper bound (emulation). */
	KT_CHECK(jiffies_read() - before >= 50 * HZ / 1000);
	KT_CHECK(jiffies_read() - before < 5 * HZ);
	return true;
}

static unsigned long shared_calls;

static enum irq_return ktest_shared_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	KASSERT(in_irq());
	shared_calls++;
	return IRQ_NONE; /* not our device: the keyboard's handler owns it */
}

/*
 * A second, shared handler on the real keyboard line: a scan code the
 * controller delivers (through a real interrupt) reaches both handlers;
 * the keyboard's claims it, ours declines, and freeing ours leaves the
 * keyboard working.
 */
static bool test_shared_keyboard_line(void)
{
	static int cookie;
	int irq = -1;
	unsigned long seen;

	if (!input_present()) {
		KT_SKIP("no keyboard controller");
	}
	for (struct device *d = device_first(); d; d = d->next) {
		if (d->driver && device_has_id(d, "PNP0303")) {
			irq = device_irq(d, 0);
		}
	}
	KT_CHECK(irq >= 0);
	KT_CHECK(irq_request(irq, ktest_shared_handler, IRQF_TRIGGER_RISING,
			     "ktest", &cookie) == -EBUSY);
	KT_CHECK(irq_request(irq, ktest_shared_handler,
			     IRQF_SHARED | IRQF_TRIGGER_HIGH, "ktest",
			     &cookie) == -EBUSY);
	KT_CHECK(irq_request(irq, ktest_shared_handler,
			     IRQF_SHARED | IRQF_TRIGGER_RISING, "ktest",
			     &cookie) == 0);
	shared_calls = 0;
	seen = input_bytes_seen();
	/* 0xb9: Space released, harmless whatever the keyboard state. */
	KT_CHECK(input_inject_scancode(0xb9) == 0);
	msleep(20);
	KT_CHECK(shared_calls >= 1);
	KT_CHECK(input_bytes_seen() == seen + 1);
	KT_CHECK(irq_free(irq, &cookie) == 0);
	KT_CHECK(irq_free(irq, &cookie) == -ENOENT);
	shared_calls = 0;
	KT_CHECK(input_inject_scancode(0xb9) == 0);
	msleep(20);
	KT_CHECK(shared_calls == 0);
	KT_CHECK(input_bytes_seen() == seen + 2);
	return true;
}

static unsigned long total_count(const struct irq_desc *d)
{
	unsigned long n = 0;

	for (unsigned int c = 0; c < NR_CPUS; c++) {
		n += d->count[c];
	}
	return n;
}

static volatile unsigned long calls_a, calls_b;

static enum irq_return handler_claims(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	calls_a++;
	return IRQ_HANDLED;
}

static enum irq_return handler_declines(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	calls_b++;
	return IRQ_NONE;
}

/* Wait up to ~100 ms (halting) for *counter to reach want. */
static bool wait_count(volatile unsigned long *counter, unsigned long want)
{
	for (int i = 0; i < 100 && *counter < want; i++) {
		msleep(1);
	}
	return *counter >= want;
}

/*
 * A line raised from software arrives once, through the controller's real
 * path. The lowest pendable line: on a GIC an SGI (ICC_SGI1R / GICD_SGIR),
 * on the PC a LAPIC self-IPI.
 */
static bool test_pended_line_delivered(void)
{
	static int cookie;
	int irq = irq_find_pendable(false);
	const struct irq_desc *d;
	unsigned long before;

	if (irq < 0) {
		KT_SKIP("no software-pendable line on this controller");
	}
	d = irq_to_desc((unsigned int)irq);
	before = total_count(d);
	calls_a = 0;
	KT_CHECK(irq_request((unsigned int)irq, handler_claims,
			     IRQF_TRIGGER_RISING, "ktest-pend", &cookie) == 0);
	KT_CHECK(irq_set_pending((unsigned int)irq) == 0);
	KT_CHECK(wait_count(&calls_a, 1));
	KT_CHECK(calls_a == 1);
	KT_CHECK(total_count(d) == before + 1);
	KT_CHECK(irq_free((unsigned int)irq, &cookie) == 0);
	return true;
}

/* Two shared handlers on a software-pended line (the highest: on a GIC
 * an SPI through GICD_ISPENDR): both asked, one claims. */
static bool test_pended_line_shared(void)
{
	static int cookie_a, cookie_b;
	int irq = irq_find_pendable(true);
	const struct irq_desc *d;
	unsigned long unhandled;

	if (irq < 0) {
		KT_SKIP("no software-pendable line on this controller");
	}
	d = irq_to_desc((unsigned int)irq);
	unhandled = d->unhandled;
	calls_a = calls_b = 0;
	KT_CHECK(irq_request((unsigned int)irq, handler_claims,
			     IRQF_SHARED | IRQF_TRIGGER_RISING, "ktest-a",
			     &cookie_a) == 0);
	KT_CHECK(irq_request((unsigned int)irq, handler_declines,
			     IRQF_SHARED | IRQF_TRIGGER_RISING, "ktest-b",
			     &cookie_b) == 0);
	KT_CHECK(irq_set_pending((unsigned int)irq) == 0);
	KT_CHECK(wait_count(&calls_b, 1));
	KT_CHECK(calls_a == 1 && calls_b == 1);
	KT_CHECK(d->actions->handled == 1 && d->actions->next->handled == 0);
	KT_CHECK(d->unhandled == unhandled);
	KT_CHECK(irq_free((unsigned int)irq, &cookie_a) == 0);
	/* Alone now, the declining handler leaves it unhandled. */
	KT_CHECK(irq_set_pending((unsigned int)irq) == 0);
	KT_CHECK(wait_count(&calls_b, 2));
	KT_CHECK(calls_a == 1);
	KT_CHECK(d->unhandled == unhandled + 1);
	KT_CHECK(irq_free((unsigned int)irq, &cookie_b) == 0);
	return true;
}

/* A stuck device: its interrupt comes back at once, and the only handler
 * keeps saying it is not its device. */
static enum irq_return handler_storm(unsigned int irq, void *dev)
{
	(void)dev;
	calls_b++;
	irq_set_pending(irq);
	return IRQ_NONE;
}

/*
 * A software-pended line that nobody takes (its handler declines, and the
 * line fires again at once): after IRQ_SPURIOUS_WINDOW interrupts of which
 * more than IRQ_SPURIOUS_LIMIT were unhandled the core masks it.
 */
static bool test_pended_line_nobody_cared(void)
{
	static int cookie;
	int irq = irq_find_pendable(true);
	const struct irq_desc *d;
	unsigned long unhandled;

	if (irq < 0) {
		KT_SKIP("no software-pendable line on this controller");
	}
	d = irq_to_desc((unsigned int)irq);
	unhandled = d->unhandled;
	calls_b = 0;
	KT_CHECK(irq_request((unsigned int)irq, handler_storm,
			     IRQF_TRIGGER_RISING, "ktest-storm", &cookie) == 0);
	KT_CHECK(irq_set_pending((unsigned int)irq) == 0);
	for (int i = 0; i < 200 && !d->nobody_cared; i++) {
		msleep(50);
	}
	KT_CHECK(d->nobody_cared);
	KT_CHECK(d->masked);
	KT_CHECK(calls_b == IRQ_SPURIOUS_WINDOW);
	KT_CHECK(d->unhandled - unhandled == IRQ_SPURIOUS_WINDOW);
	/* Masked: nothing more gets through. */
	msleep(20);
	KT_CHECK(calls_b == IRQ_SPURIOUS_WINDOW);
	KT_CHECK(irq_free((unsigned int)irq, &cookie) == 0);
	return true;
}

/*
 * An interrupt on an entry no controller uses is counted and still ended:
 * on x86 a vector left In-Service would block its whole priority class.
 */
static bool test_unclaimed_entry_is_ended(void)
{
	unsigned long before = irq_unclaimed_count();
	int ret;

	if (!arch_irqs_enabled()) {
		KT_SKIP("interrupts are off");
	}
	ret = irq_unclaimed_selftest();
	if (ret == -ENOSYS) {
		KT_SKIP("no controller ends unclaimed interrupts here");
	}
	KT_CHECK(ret == 0);
	KT_CHECK(irq_unclaimed_count() == before + 1);
	return true;
}

static bool test_spurious_is_never_eoied(void)
{
	unsigned long before = irq_spurious_count();
	int eois = irq_spurious_selftest();

	if (eois == -ENOSYS) {
		KT_SKIP("the interrupt controller has no spurious self-test");
	}
	KT_CHECK(eois == 0);
	KT_CHECK(irq_spurious_count() == before + 1);
	return true;
}

static volatile unsigned long stress_handler_prints;

static void stress_hook(uint64_t now)
{
	if (now % 4 == 0) {
		stress_handler_prints++;
		kprintf("    # from the timer handler, tick %llu\n",
			(unsigned long long)now);
	}
}

/*
 * The classic print deadlock: the main code holds the console lock while the
 * timer handler wants to print. Here both print for half a second; it
 * must end, with both outputs through.
 */
static bool test_print_from_handler_no_deadlock(void)
{
	unsigned long main_prints = 0, flags;
	unsigned int cpu;
	uint64_t end;

	if (!arch_irqs_enabled() || strcmp(timer_source(), "none") == 0) {
		KT_SKIP("no tick source on this port yet");
	}
	/* The deadlock this guards against is a handler printing on the CPU
	 * whose thread holds the console: keep this thread on the CPU whose
	 * timer queue gets the hook (started from here), for the run. */
	flags = arch_irq_save();
	cpu = arch_cpu_id();
	arch_irq_restore(flags);
	thread_set_cpus(thread_current(), CPUMASK_CPU(cpu));
	stress_handler_prints = 0;
	end = jiffies_read() + HZ / 2;
	timer_set_hook(stress_hook);
	while (jiffies_read() < end) {
		kprintf("    # from the main loop, line %lu\n", ++main_prints);
	}
	timer_set_hook(NULL);
	thread_set_cpus(thread_current(), CPUMASK_ALL);
	/* Progress on both sides, not a rate: a deadlock stops at the first
	 * collision, while under emulation on a loaded host one line can
	 * take several ticks (seen: 3 main lines in half a second, pc SMP=4).
	 */
	kprintf("    # %lu lines from the main loop, %lu from the handler\n",
		main_prints, stress_handler_prints);
	KT_CHECK(main_prints > 2);
	KT_CHECK(stress_handler_prints > 2);
	return true;
}

static const struct ktest_case cases[] = {
    {"format_into_buffer", test_format_into_buffer},
    {"breakpoint_returns", test_breakpoint_returns},
    {"syscall_trap_returns", test_syscall_trap_returns},
    {"fault_read_is_fixed_up", test_fault_read_is_fixed_up},
    {"undefined_is_fixed_up", test_undefined_is_fixed_up},
    {"probe_read_mapped", test_probe_read_mapped},
    {"extable_rejects_other_pcs", test_extable_rejects_other_pcs},
    {"tick_advances", test_tick_advances},
    {"shared_keyboard_line", test_shared_keyboard_line},
    {"print_from_handler_no_deadlock", test_print_from_handler_no_deadlock},
    {"pended_line_delivered", test_pended_line_delivered},
    {"pended_line_shared", test_pended_line_shared},
    {"pended_line_nobody_cared", test_pended_line_nobody_cared},
    {"spurious_is_never_eoied", test_spurious_is_never_eoied},
    {"unclaimed_entry_is_ended", test_unclaimed_entry_is_ended},
};

extern const struct ktest_case __start_kite_ktest[] __attribute__((weak));
extern const struct ktest_case __stop_kite_ktest[] __attribute__((weak));

/* This file's cases, then those other files register (KTEST_CASE). */
static const struct ktest_case *case_at(size_t i)
{
	return i < ARRAY_SIZE(cases)
		   ? &cases[i]
		   : &__start_kite_ktest[i - ARRAY_SIZE(cases)];
}

int ktest_run_all(void)
{
	size_t n = ARRAY_SIZE(cases) +
		   (size_t)(__stop_kite_ktest - __start_kite_ktest);
	int failed = 0, skipped = 0;

	kprintf("KTAP version 1\n1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct ktest_case *c = case_at(i);
		bool ok;

		skip_reason = NULL;
		ok = c->run();
		failed += !ok;
		if (skip_reason) {
			skipped++;
			kprintf("ok %zu %s # SKIP %s\n", i + 1, c->name,
				skip_reason);
		} else {
			kprintf("%s %zu %s\n", ok ? "ok" : "not ok", i + 1,
				c->name);
		}
	}
	/* A skip is neither: it says the case could not run here. */
	kprintf("# ktest: %zu passed, %d failed, %d skipped\n",
		n - (size_t)failed - (size_t)skipped, failed, skipped);
	return failed;
}
