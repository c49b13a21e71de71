/*
 * The in-kernel test cases. They run on the real CPU (or QEMU's model of
 * it) and check what host tests cannot: that traps are taken, reported and
 * returned from, and that the exception table recovers from real faults.
 */
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/ktest.h"
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

static const struct ktest_case cases[] = {
    {"format_into_buffer", test_format_into_buffer},
    {"breakpoint_returns", test_breakpoint_returns},
    {"syscall_trap_returns", test_syscall_trap_returns},
    {"fault_read_is_fixed_up", test_fault_read_is_fixed_up},
    {"undefined_is_fixed_up", test_undefined_is_fixed_up},
    {"probe_read_mapped", test_probe_read_mapped},
    {"extable_rejects_other_pcs", test_extable_rejects_other_pcs},
};

int ktest_run_all(void)
{
	int failed = 0;

	kprintf("KTAP version 1\n1..%zu\n", ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok = cases[i].run();

		failed += !ok;
		kprintf("%s %zu %s\n", ok ? "ok" : "not ok", i + 1,
			cases[i].name);
	}
	kprintf("# ktest: %zu passed, %d failed\n", ARRAY_SIZE(cases) - failed,
		failed);
	return failed;
}
