/*
 * In-kernel tests of the kernel's mappings (kern/vm.h): device registers
 * read through ioremap(), their attributes in the page tables, the
 * ioremap use count, and guarded stacks whose guard really faults.
 */
#include "kern/arch.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/mm.h"
#include "kern/string.h"
#include "kern/vm.h"

#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10
#define IOAPIC_VER	0x01 /* IOAPICVER: version 7:0, max entry 23:16 */
#define GICD_TYPER	0x04 /* ITLinesNumber 4:0 (GIC v2 4.3.2, v3 12.9.38) */
#define HPET_CAP_LO	0x00 /* REV_ID 7:0 (IA-PC HPET 1.0a, 2.3.4) */
#define HPET_CAP_HI	0x04 /* COUNTER_CLK_PERIOD, femtoseconds */
#define HPET_PERIOD_MAX 100000000u /* 100 ns: the spec's bound */

extern char boot_stack_guard[];

static struct device *find_device(const char *const *ids, bool unbound)
{
	for (struct device *d = device_first(); d; d = d->next) {
		if (unbound && !d->driver && device_mem(d, 0) &&
		    !vm_is_ram(device_mem(d, 0), PAGE_SIZE)) {
			return d;
		}
		for (unsigned int i = 0; !unbound && ids[i]; i++) {
			if (device_has_id(d, ids[i]) && device_mem(d, 0)) {
				return d;
			}
		}
	}
	return NULL;
}

static const char *const ioapic_ids[] = {"kite,ioapic", NULL};
static const char *const gic_ids[] = {"arm,gic-v3", "arm,cortex-a15-gic",
				      "arm,gic-400", NULL};
static const char *const hpet_ids[] = {"PNP0103", NULL};

/* A register window whose contents are known: I/O APIC, GIC, HPET. */
static struct device *known_device(void)
{
	struct device *d = find_device(ioapic_ids, false);

	if (!d) {
		d = find_device(gic_ids, false);
	}
	return d ? d : find_device(hpet_ids, false);
}

/* The HPET's capabilities: a revision, and a period within the spec. */
static bool hpet_caps_plausible(uint64_t base)
{
	volatile uint32_t *r = ioremap(base, 0x400);
	uint32_t lo, period;

	KT_CHECK(r != NULL);
	lo = r[HPET_CAP_LO / 4];
	period = r[HPET_CAP_HI / 4];
	iounmap((void *)r, 0x400);
	KT_CHECK((lo & 0xff) != 0 && lo != 0xffffffffu);
	KT_CHECK(period != 0 && period <= HPET_PERIOD_MAX);
	return true;
}

/* The I/O APIC's version register, through IOREGSEL/IOWIN (82093AA 3.2). */
static bool ioapic_version_plausible(uint64_t base)
{
	volatile uint32_t *r = ioremap(base, 0x20);
	unsigned long flags;
	uint32_t v;

	KT_CHECK(r != NULL);
	flags = arch_irq_save();
	r[IOAPIC_IOREGSEL / 4] = IOAPIC_VER;
	v = r[IOAPIC_IOWIN / 4];
	arch_irq_restore(flags);
	iounmap((void *)r, 0x20);
	KT_CHECK((v & 0xff) >= 0x01 && (v & 0xff) <= 0x20);
	KT_CHECK(((v >> 16) & 0xff) >= 15 && ((v >> 16) & 0xff) < 240);
	return true;
}

static bool test_ioremap_reads_device_register(void)
{
	struct device *d = known_device();
	volatile uint32_t *r;
	uint32_t typer;

	if (!d) {
		KT_SKIP("no I/O APIC, GIC distributor or HPET described");
	}
	if (device_has_id(d, ioapic_ids[0])) {
		return ioapic_version_plausible(device_mem(d, 0));
	}
	if (device_has_id(d, hpet_ids[0])) {
		return hpet_caps_plausible(device_mem(d, 0));
	}
	r = ioremap(device_mem(d, 0), PAGE_SIZE);
	KT_CHECK(r != NULL);
	typer = r[GICD_TYPER / 4];
	iounmap((void *)r, PAGE_SIZE);
	KT_CHECK(typer != 0xffffffffu);
	KT_CHECK((typer & 0x1f) >= 1); /* at least 64 interrupt lines */
	return true;
}
KTEST_CASE("ioremap_reads_device_register", test_ioremap_reads_device_register);

/* Walk the tables: the register page is a device page, RAM is not. */
static bool test_ioremap_is_uncached(void)
{
	static unsigned long ram_word;
	struct device *d = known_device();
	uint64_t desc, base;
	unsigned int level;

	if (!d) {
		KT_SKIP("no I/O APIC, GIC distributor or HPET described");
	}
	base = device_mem(d, 0);
	KT_CHECK(ioremap(base, PAGE_SIZE) == (void *)(uintptr_t)base);
	KT_CHECK(pt_lookup(arch_vm_pt(), base, &desc, &level));
	KT_CHECK(level == 0 && arch_vm_desc_device(desc));
	iounmap((void *)(uintptr_t)base, PAGE_SIZE);
	KT_CHECK(pt_lookup(arch_vm_pt(), (uintptr_t)&ram_word, &desc, &level));
	KT_CHECK(!arch_vm_desc_device(desc));
	/* RAM is never a device. */
	KT_CHECK(ioremap((uintptr_t)&ram_word, sizeof(ram_word)) == NULL);
	return true;
}
KTEST_CASE("ioremap_is_uncached", test_ioremap_is_uncached);

/* Two users of one page: the first iounmap keeps it, the last unmaps. */
static bool test_iounmap_counts_users(void)
{
	struct device *d = find_device(NULL, true);
	uint64_t desc, base;
	unsigned int level;
	unsigned long v;

	if (!d) {
		KT_SKIP("no unbound memory-mapped device to map");
	}
	base = device_mem(d, 0) & ~(PAGE_SIZE - 1);
	if (pt_lookup(arch_vm_pt(), base, &desc, &level)) {
		KT_SKIP("the unbound device's page is mapped already");
	}
	KT_CHECK(ioremap(base, PAGE_SIZE) != NULL);
	KT_CHECK(ioremap(base + 8, 4) != NULL);
	iounmap((void *)(uintptr_t)base, PAGE_SIZE);
	KT_CHECK(pt_lookup(arch_vm_pt(), base, &desc, &level));
	KT_CHECK(arch_probe_read(base, &v) == 0);
	iounmap((void *)(uintptr_t)(base + 8), 4);
	KT_CHECK(!pt_lookup(arch_vm_pt(), base, &desc, &level));
	KT_CHECK(arch_probe_read(base, &v) == -EFAULT);
	return true;
}
KTEST_CASE("iounmap_counts_users", test_iounmap_counts_users);

static bool test_vm_stack_guard_faults(void)
{
	struct vm_stack st;
	struct mm_stats before, after;
	unsigned long v;
	uintptr_t base;

	/* Once first, so that page tables it grows are not counted. */
	KT_CHECK(vm_stack_alloc(4 * PAGE_SIZE, &st) == 0);
	vm_stack_free(&st);
	mm_get_stats(&before);
	KT_CHECK(vm_stack_alloc(4 * PAGE_SIZE, &st) == 0);
	KT_CHECK(st.top - st.base == 4 * PAGE_SIZE);
	KT_CHECK(st.guard == st.base - PAGE_SIZE);
	memset((void *)st.base, 0x5a, st.top - st.base);
	KT_CHECK(arch_probe_read(st.base, &v) == 0 &&
		 v == 0x5a5a5a5a5a5a5a5aul);
	KT_CHECK(arch_probe_read(st.guard, &v) == -EFAULT);
	KT_CHECK(arch_probe_read(st.base - 8, &v) == -EFAULT);
	KT_CHECK(vm_in_stack_guard(st.guard) && vm_in_stack_guard(st.base - 8));
	KT_CHECK(!vm_in_stack_guard(st.base) && !vm_in_stack_guard(st.top - 8));
	KT_CHECK(vm_in_stack_guard((uintptr_t)boot_stack_guard));
	base = st.base;
	vm_stack_free(&st);
	KT_CHECK(arch_probe_read(base, &v) == -EFAULT);
	KT_CHECK(!vm_in_stack_guard(base - 8));
	mm_get_stats(&after);
	KT_CHECK(after.pages_free == before.pages_free);
	return true;
}
KTEST_CASE("vm_stack_guard_faults", test_vm_stack_guard_faults);

static bool test_vm_stack_bad_sizes_refused(void)
{
	struct vm_stack st;

	KT_CHECK(vm_stack_alloc(0, &st) == -ENOMEM);
	KT_CHECK(vm_stack_alloc(100, &st) == -ENOMEM);
	KT_CHECK(vm_stack_alloc(VM_STACK_SLOT, &st) == -ENOMEM);
	return true;
}
KTEST_CASE("vm_stack_bad_sizes_refused", test_vm_stack_bad_sizes_refused);

/* RAM the direct map leaves out stays out; mapped RAM comes back as is. */
static bool test_firmware_map_refuses_guard(void)
{
	static uint32_t word = 0x1234;
	const uint32_t *p;

	KT_CHECK(firmware_map((uintptr_t)boot_stack_guard, 8) == NULL);
	p = firmware_map((uintptr_t)&word, sizeof(word));
	KT_CHECK(p == &word && *p == 0x1234);
	return true;
}
KTEST_CASE("firmware_map_refuses_guard", test_firmware_map_refuses_guard);

/* The image by section: code read-only, constants neither written nor
 * executed, data and stacks never executed. */
static bool test_image_sections_protected(void)
{
	static const char konst[] = "read-only";
	static unsigned long var;
	struct vm_stack st;
	uint64_t d;
	unsigned int level;

	KT_CHECK(pt_lookup(arch_vm_pt(),
			   (uintptr_t)test_image_sections_protected, &d,
			   &level));
	KT_CHECK(!arch_vm_desc_writable(d) && arch_vm_desc_executable(d));
	KT_CHECK(pt_lookup(arch_vm_pt(), (uintptr_t)konst, &d, &level));
	KT_CHECK(!arch_vm_desc_writable(d) && !arch_vm_desc_executable(d));
	KT_CHECK(pt_lookup(arch_vm_pt(), (uintptr_t)&var, &d, &level));
	KT_CHECK(arch_vm_desc_writable(d) && !arch_vm_desc_executable(d));
	KT_CHECK(vm_stack_alloc(PAGE_SIZE, &st) == 0);
	KT_CHECK(pt_lookup(arch_vm_pt(), st.base, &d, &level));
	KT_CHECK(arch_vm_desc_writable(d) && !arch_vm_desc_executable(d));
	vm_stack_free(&st);
	return true;
}
KTEST_CASE("image_sections_protected", test_image_sections_protected);
