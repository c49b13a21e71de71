/* The shell's commands: each is a thin user of a kernel API. */
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/errno.h"
#include "kern/ktest.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/string.h"
#include "kern/trap.h"
#include "shell/commands.h"
#include "shell/shell.h"

static int cmd_help(int argc, char **argv)
{
	if (argc == 2) {
		const struct shell_command *c = shell_find(argv[1]);

		if (!c) {
			kprintf("help: no command '%s' (try 'help')\n",
				argv[1]);
			return -ENOENT;
		}
		shell_print_usage(c);
		return 0;
	}
	for (size_t i = 0; i < shell_command_count; i++) {
		const struct shell_command *c = &shell_commands[i];

		kprintf("  %-11s %-18s %s\n", c->name, c->usage, c->help);
	}
	kprintf("'help CMD' for one; a command given the wrong arguments "
		"prints its usage and does nothing.\n");
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		kprintf("%s%s", i > 1 ? " " : "", argv[i]);
	}
	kprintf("\n");
	return 0;
}

/* Parse a hexadecimal number with or without "0x"; false if malformed. */
static bool parse_hex(const char *s, uintptr_t *out)
{
	uintptr_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	if (!*s || strlen(s) > 2 * sizeof(v)) {
		return false;
	}
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9') {
			d = *s - '0';
		} else if (*s >= 'a' && *s <= 'f') {
			d = *s - 'a' + 10;
		} else if (*s >= 'A' && *s <= 'F') {
			d = *s - 'A' + 10;
		} else {
			return false;
		}
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static int fault_read(int argc, char **argv)
{
	uintptr_t addr = arch_unmapped_addr;
	unsigned long val;

	if (argc > 2 && !parse_hex(argv[2], &addr)) {
		return -EINVAL;
	}
	if (arch_probe_read(addr, &val) == 0) {
		kprintf("read %p: 0x%lx (no fault)\n", (void *)addr, val);
	} else {
		kprintf("read %p: fault survived through the exception table\n",
			(void *)addr);
	}
	return 0;
}

/* Each level keeps a buffer alive across the call so it is not a loop. */
static unsigned long overflow_stack(volatile unsigned long depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth == ~0ul) {
		return 0;
	}
	return overflow_stack(depth + 1) + frame[0];
}

static void fault_stack(void)
{
	if (!arch_stack_guard) {
		kprintf("fault stack: this port has no stack guard yet; an "
			"overflow would not be reported\n");
		return;
	}
	kprintf("overflowing the kernel stack...\n");
	overflow_stack(0);
}

static void overflow_thread(void *arg)
{
	(void)arg;
	kprintf("overflowing the stack of thread %s...\n",
		thread_name(thread_current()));
	overflow_stack(0);
}

/* The report must name this thread, not the shell's. */
static void fault_thread_stack(void)
{
	struct thread *t;

	if (!arch_stack_guard) {
		kprintf("fault thread-stack: this port has no stack guard\n");
		return;
	}
	t = thread_create(overflow_thread, NULL, "overflower", PRIO_HIGH);
	if (t) {
		thread_join(t); /* never returns: the overflow halts */
	}
}

static int cmd_fault(int argc, char **argv)
{
	if (argc < 2) {
		return -EINVAL;
	}
	if (strcmp(argv[1], "read") == 0) {
		return fault_read(argc, argv);
	}
	if (argc != 2) {
		return -EINVAL;
	}
	if (strcmp(argv[1], "undef") == 0) {
		arch_probe_undefined();
		kprintf("undefined instruction survived through the exception "
			"table\n");
	} else if (strcmp(argv[1], "break") == 0) {
		arch_breakpoint();
		kprintf("breakpoint returned, execution continues\n");
	} else if (strcmp(argv[1], "stack") == 0) {
		fault_stack();
	} else if (strcmp(argv[1], "thread-stack") == 0) {
		fault_thread_stack();
	} else if (strcmp(argv[1], "syscall") == 0) {
		unsigned long r = arch_syscall_trap(1);

		kprintf("system call trap returned %lu\n", r);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int cmd_panic(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	panic("requested from the shell");
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("powering off\n");
	arch_poweroff();
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("rebooting\n");
	arch_reboot();
}

static int cmd_acpi(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	platform_print_firmware_tables();
	return 0;
}

static int cmd_gpe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	platform_print_acpi_events();
	return 0;
}

static int cmd_ktest(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ktest_run_all() ? -EIO : 0;
}

/* name, arguments min and max, text?, usage, help, function */
const struct shell_command shell_commands[] = {
    {"help", 0, 1, false, "[CMD]", "list the commands, or explain one",
     cmd_help},
    {"echo", 0, SHELL_MAX_ARGS - 1, true, "TEXT...", "print the words",
     cmd_echo},
    {"fault", 1, 2, false, "read [ADDR]|undef|break|syscall|stack|thread-stack",
     "take an exception and survive it", cmd_fault},
    {"ktest", 0, 0, false, "", "run the in-kernel tests (KTAP)", cmd_ktest},
    {"pslater", 1, 1, false, "MS",
     "ps, printed MS ms from now by a thread of its own", cmd_pslater},
    {"bench", 0, 1, false, "[SAMPLES]",
     "latencies in clocksource cycles: timers, interrupts, switches",
     cmd_bench},
    {"irqstat", 0, 0, false, "", "interrupt counts, like /proc/interrupts",
     cmd_irqstat},
    {"devices", 0, 0, false, "", "devices, resources, drivers", cmd_devices},
    {"acpi", 0, 0, false, "", "the firmware's ACPI tables", cmd_acpi},
    {"gpe", 0, 0, false, "",
     "ACPI events: GPEs, Notify, region accesses, with counts", cmd_gpe},
    {"uptime", 0, 0, false, "", "time since the tick started", cmd_uptime},
    {"ticks", 0, 0, false, "", "the tick count", cmd_ticks},
    {"serialstat", 0, 0, false, "", "serial port counters", cmd_serialstat},
    {"rxcheck", 1, 2, false, "N [poll]",
     "read N raw bytes, print count and CRC-32", cmd_rxcheck},
    {"timerdemo", 0, 0, false, "",
     "\"Timer interrupt!\" each second until a key", cmd_timerdemo},
    {"kbdlayout", 0, 1, false, "[us|uk|de]",
     "show or choose the keyboard layout", cmd_kbdlayout},
    {"keytest", 0, 1, false, "[raw]", "echo keys (or scan codes) until Esc",
     cmd_keytest},
    {"inputstat", 0, 0, false, "", "keyboard counters: keys, dropped, overruns",
     cmd_inputstat},
    {"printstress", 0, 1, false, "[SECONDS]",
     "print from a handler and the shell at once", cmd_printstress},
    {"sleep", 1, 1, false, "MS",
     "sleep MS ms without reading input (keys queue up)", cmd_sleep},
    {"cpus", 0, 0, false, "", "the firmware's CPUs: id, state, irqs, idle",
     cmd_cpus},
    {"irqaffinity", 1, SHELL_MAX_ARGS - 1, false,
     "IRQ [CPU...|rotate MS COUNT]",
     "show or set which CPUs take a line (rotate: move it in the background)",
     cmd_irqaffinity},
    {"ps", 0, 0, false, "", "threads: state, priority, CPU time, waits",
     cmd_ps},
    {"spin", 0, 2, false, "[THREADS SECONDS]",
     "CPU-bound background threads (no args: last run)", cmd_spin},
    {"meminfo", 0, 1, false, "[bench]", "pages free per order, heap per cache",
     cmd_meminfo},
    {"panic", 0, 0, false, "", "panic: registers, backtrace, halt", cmd_panic},
    {"poweroff", 0, 0, false, "", "turn the machine off", cmd_poweroff},
    {"reboot", 0, 0, false, "", "reset the machine", cmd_reboot},
};

const size_t shell_command_count = ARRAY_SIZE(shell_commands);
