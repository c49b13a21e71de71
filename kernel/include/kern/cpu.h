/*
 * The CPUs the firmware describes (x86: the ACPI MADT's Local APIC and
 * x2APIC entries; AArch64: the device tree's /cpus), one entry each, as
 * the platform code registers them. Groundwork for SMP (issue 11): today
 * only the boot CPU runs and nothing starts the others, so every entry
 * but the boot CPU's stays CPU_NOT_STARTED.
 *
 * The table grows from the heap (kern/mm.h) with no fixed limit; an entry
 * that does not fit is counted (cpu_dropped) and said, never lost
 * silently. Portable: the platform or arch code knows the hardware ids and
 * which one is the boot CPU's, and tells this file.
 */
#ifndef KERN_CPU_H
#define KERN_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* What the firmware says of a CPU. */
enum cpu_fw_state {
	CPU_FW_ENABLED, /* usable now (MADT flags bit 0; DT status okay) */
	CPU_FW_ONLINE_CAPABLE, /* MADT flags bit 1: may be enabled at run time
				*/
	CPU_FW_DISABLED,       /* neither: not to be started */
	CPU_FW_UNLISTED,       /* the boot CPU, though no entry described it */
};

/* What kite has done with it. */
enum cpu_state {
	CPU_ONLINE,	 /* running kite */
	CPU_NOT_STARTED, /* described, not started (disabled, or above
			    NR_CPUS, or no way to start it) */
	CPU_STARTING,	 /* arch_cpu_start() sent, not yet online */
	CPU_FAILED,	 /* did not come online within the bound: left out */
};

#define CPU_METHOD_MAX 16

struct cpu_info {
	unsigned int num; /* logical number; the boot CPU is 0 */
	uint64_t hwid;	  /* x86: (x2)APIC ID; Arm: MPIDR affinity fields */
	enum cpu_fw_state fw;
	enum cpu_state state;
	char method[CPU_METHOD_MAX]; /* Arm enable-method ("psci"), or "" */
	char
	    conduit[CPU_METHOD_MAX]; /* Arm PSCI conduit ("hvc"/"smc"), or "" */
};

/*
 * Add a CPU the firmware describes, in firmware order. method and conduit
 * may be NULL (x86) and are copied (cut to CPU_METHOD_MAX - 1). Returns 0,
 * -EEXIST if hwid is already in the table (the entry is not added), or
 * -ENOMEM (counted in cpu_dropped()).
 */
int cpu_register(uint64_t hwid, enum cpu_fw_state fw, const char *method,
		 const char *conduit);

/*
 * Name the boot CPU by hardware id, after the firmware's CPUs are
 * registered: its entry becomes number 0 and CPU_ONLINE, the others keep
 * their order after it. If no entry has that id, one is added as
 * CPU_FW_UNLISTED. Returns 0 or -ENOMEM.
 */
int cpu_set_boot(uint64_t hwid);

unsigned int cpu_count(void);
/* Entry i (its logical number), or NULL past the end. */
const struct cpu_info *cpu_get(unsigned int i);
/* Entries that could not be stored (allocation failures). */
unsigned long cpu_dropped(void);

/* The bring-up's transitions (kern/smp.c): i must exist. Atomic, so the
 * new CPU and the waiting boot CPU agree: cpu_set_state_from() sets state
 * only if the entry is in from and says whether it did. */
void cpu_set_state(unsigned int i, enum cpu_state state);
bool cpu_set_state_from(unsigned int i, enum cpu_state from,
			enum cpu_state state);

const char *cpu_fw_state_name(enum cpu_fw_state fw);
const char *cpu_state_name(enum cpu_state state);

/* Empty the table (host tests). */
void cpu_table_reset(void);

#endif
