/*
 * Many CPUs: which are online, starting the others, and how CPUs
 * interrupt each other (IPIs). Portable; kern/smp.c and kern/ipi.c.
 *
 * Logical CPU numbers 0..NR_CPUS-1 are kern/cpu.h's table order (the boot
 * CPU is 0). Each port keeps a per-CPU area reached through a register
 * (x86_64: GS base; AArch64: TPIDR_EL1) so that arch_cpu_id() is one or
 * two instructions on any CPU, from the first C code on.
 *
 * The bring-up, in order (docs/smp.md):
 *   boot CPU, kernel_main -> smp_boot(), interrupts on:
 *     for each CPU the firmware lists as enabled (up to NR_CPUS):
 *       sched_cpu_prepare(cpu) -> its idle thread and stack (guarded);
 *       arch_cpu_start(cpu, hwid, stack_top) -> INIT-SIPI-SIPI / PSCI
 *       CPU_ON; then wait, bounded (SMP_START_TIMEOUT_MS), for the CPU to
 *       mark itself online. Late or failed: reported, CPU_FAILED, left out.
 *   the new CPU, interrupts off:
 *     arch entry (trampoline / PSCI entry) -> its per-CPU area, its
 *     exception vectors, the kernel's page tables, the given stack ->
 *     smp_secondary_main(): the per-CPU init hooks (smp_cpu_init_register,
 *     in registration order: the interrupt controller's local part, then
 *     the local timer), online, then sched_cpu_idle() for ever.
 */
#ifndef KERN_SMP_H
#define KERN_SMP_H

#include "kern/compiler.h"
#include "kern/irq.h" /* NR_CPUS */

/* A set of logical CPUs, bit n for CPU n (NR_CPUS <= 32). */
typedef uint32_t cpumask_t;
#define CPUMASK_CPU(cpu) ((cpumask_t)1u << (cpu))
#define CPUMASK_ALL	 ((cpumask_t)((1ull << NR_CPUS) - 1))

/* How long the boot CPU waits for a started CPU to come online. */
#define SMP_START_TIMEOUT_MS 2000

/* The CPUs running kite (bit set by each CPU as it comes online). */
cpumask_t cpu_online_mask(void);
unsigned int cpu_online_count(void);
bool cpu_online(unsigned int cpu);

/* Start every CPU the firmware lists, then spread device interrupts
 * (irq_spread_affinity). Boot CPU, thread context, interrupts on. */
void smp_boot(void);

/*
 * A port or driver's per-CPU setup, run on each CPU that starts (not on
 * the boot CPU: it did this in its probe), interrupts off, before the CPU
 * is online. At most SMP_MAX_INIT_HOOKS. Registered from probe functions.
 */
#define SMP_MAX_INIT_HOOKS 8
void smp_cpu_init_register(const char *name, void (*init)(void));

/* The new CPU's first portable code (see above). Never returns. */
__noreturn void smp_secondary_main(void);

/* ---- What a port provides ------------------------------------------- */

/*
 * Start logical CPU cpu, hardware id hwid (APIC ID / MPIDR affinity), so
 * that it calls smp_secondary_main() on stack_top with its per-CPU area
 * set (arch_cpu_id() == cpu), interrupts off. 0 if the start was sent
 * (the CPU may still fail to arrive), or a negative errno (said).
 */
int arch_cpu_start(unsigned int cpu, uint64_t hwid, uintptr_t stack_top);

/* ---- Inter-processor interrupts ------------------------------------- */

enum ipi_kind {
	IPI_RESCHEDULE,	   /* run the scheduler on the way out (kern/sched.c) */
	IPI_CALL_FUNCTION, /* run queued smp_call_function() requests */
	IPI_STOP,	   /* halt (panic) */
	NR_IPI,
};

/*
 * The interrupt controller gives the IPI core NR_IPI consecutive per-CPU
 * kernel IRQ numbers, first_irq + kind, whose chip has send_ipi (LAPIC
 * fixed-vector lines; GIC SGIs). Called from the controller's probe; the
 * IPI core requests them (names "IPI-resched", "IPI-call", "IPI-stop").
 */
int ipi_register_lines(unsigned int first_irq);
/* True once a controller registered IPI lines. */
bool ipi_available(void);

/* Send kind to cpu (never needed for the caller itself: runs anyway). */
void ipi_send(unsigned int cpu, enum ipi_kind kind);
void ipi_send_mask(cpumask_t mask, enum ipi_kind kind);
/* IPIs of kind this CPU received (irqstat's IPI rows read the lines). */
unsigned long ipi_received(unsigned int cpu, enum ipi_kind kind);

/*
 * Run fn(arg) on every online CPU in mask (the caller's own included if
 * set, run directly), in hard interrupt context there; with wait, return
 * once all have run it. 0, or -ETIMEDOUT when a CPU did not answer
 * within a bound (said, naming it). Thread context, interrupts on, when
 * wait; never from a handler with wait.
 */
int smp_call_function(cpumask_t mask, void (*fn)(void *arg), void *arg,
		      bool wait);

/*
 * panic(): stop every other online CPU (each says "CPU n: stopped" and
 * halts with interrupts off); returns once they stopped or after a bound.
 */
void smp_stop_others(void);
/*
 * Halt this CPU for good, interrupts off, counted as stopped (so a
 * panicking CPU does not wait for it); with say, print "CPU n: stopped"
 * first. The IPI_STOP handler, and a CPU that panics while another
 * already is (quietly).
 */
__noreturn void smp_stop_self(bool say);
/*
 * A fatal exception halts the machine, not only its CPU (the ports' trap
 * handlers call this before their report): the first CPU to get here
 * stops the others, so that its report comes out whole, as panic()'s
 * does; another CPU faulting fatally meanwhile stops quietly, and a fault
 * on the reporting CPU itself, while it reports, carries on.
 */
void smp_stop_for_fatal(void);

#endif
