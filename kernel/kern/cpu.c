/*
 * The firmware's list of CPUs (see kern/cpu.h): an array grown from the
 * heap, doubling, filled by the platform code at boot before any other CPU
 * could run, so it takes no lock. Readers (the `cpus` shell command) come
 * after boot.
 */
#include "kern/cpu.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"

static struct cpu_info *cpus;
static unsigned int ncpus, cap;
static unsigned long dropped;

static void copy_name(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, CPU_METHOD_MAX - 1) : 0;

	if (n) {
		memcpy(dst, src, n);
	}
	dst[n] = '\0';
}

static struct cpu_info *find(uint64_t hwid)
{
	for (unsigned int i = 0; i < ncpus; i++) {
		if (cpus[i].hwid == hwid) {
			return &cpus[i];
		}
	}
	return NULL;
}

/* Room for one more entry; false (counted, said) if the heap has none. */
static bool grow(uint64_t hwid)
{
	unsigned int ncap = cap ? 2 * cap : 4;
	struct cpu_info *n;

	if (ncpus < cap) {
		return true;
	}
	n = krealloc(cpus, ncap * sizeof(*n), 0);
	if (!n) {
		dropped++;
		kprintf(
		    "cpu: no memory for CPU 0x%llx: left out of the table\n",
		    (unsigned long long)hwid);
		return false;
	}
	cpus = n;
	cap = ncap;
	return true;
}

int cpu_register(uint64_t hwid, enum cpu_fw_state fw, const char *method,
		 const char *conduit)
{
	struct cpu_info *c;

	if (find(hwid)) {
		return -EEXIST;
	}
	if (!grow(hwid)) {
		return -ENOMEM;
	}
	c = &cpus[ncpus];
	memset(c, 0, sizeof(*c));
	c->num = ncpus++;
	c->hwid = hwid;
	c->fw = fw;
	c->state = CPU_NOT_STARTED;
	copy_name(c->method, method);
	copy_name(c->conduit, conduit);
	return 0;
}

int cpu_set_boot(uint64_t hwid)
{
	struct cpu_info *c = find(hwid), boot;
	unsigned int at;

	if (!c) {
		int err = cpu_register(hwid, CPU_FW_UNLISTED, NULL, NULL);

		if (err < 0) {
			return err;
		}
		c = &cpus[ncpus - 1];
	}
	/* Move it to the front, the others keep their order after it. */
	at = (unsigned int)(c - cpus);
	boot = *c;
	memmove(&cpus[1], &cpus[0], at * sizeof(*cpus));
	cpus[0] = boot;
	cpus[0].state = CPU_ONLINE;
	for (unsigned int i = 0; i < ncpus; i++) {
		cpus[i].num = i;
	}
	return 0;
}

unsigned int cpu_count(void)
{
	return ncpus;
}

const struct cpu_info *cpu_get(unsigned int i)
{
	return i < ncpus ? &cpus[i] : NULL;
}

unsigned long cpu_dropped(void)
{
	return dropped;
}

const char *cpu_fw_state_name(enum cpu_fw_state fw)
{
	switch (fw) {
	case CPU_FW_ENABLED:
		return "enabled";
	case CPU_FW_ONLINE_CAPABLE:
		return "online-capable";
	case CPU_FW_DISABLED:
		return "disabled";
	case CPU_FW_UNLISTED:
		return "unlisted";
	}
	return "?";
}

const char *cpu_state_name(enum cpu_state state)
{
	switch (state) {
	case CPU_ONLINE:
		return "online";
	case CPU_NOT_STARTED:
		return "not started";
	case CPU_STARTING:
		return "starting";
	case CPU_FAILED:
		return "failed";
	}
	return "?";
}

void cpu_table_reset(void)
{
	kfree(cpus);
	cpus = NULL;
	ncpus = cap = 0;
	dropped = 0;
}

void cpu_set_state(unsigned int i, enum cpu_state state)
{
	__atomic_store_n(&cpus[i].state, state, __ATOMIC_RELEASE);
}

bool cpu_set_state_from(unsigned int i, enum cpu_state from,
			enum cpu_state state)
{
	return __atomic_compare_exchange_n(&cpus[i].state, &from, state, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
