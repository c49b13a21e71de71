/*
 * What the portable kernel asks of a port (arch/x86_64, arch/aarch64).
 * Everything here is implemented once per architecture.
 */
#ifndef KERN_ARCH_H
#define KERN_ARCH_H

#include "kern/compiler.h"

/* "x86_64" or "aarch64". */
extern const char arch_name[];

/*
 * Describe the machine's devices and register their drivers (the PC's
 * legacy devices, later ACPI; the device tree on AArch64). Called once,
 * after the interrupt core is initialised and before devices_probe().
 */
void arch_devices_init(void);

/*
 * What the page allocator must never hand out (kern/mm.h): the kernel
 * image, the boot stack, the DTB, ACPI tables, boot structures. The port's
 * own static list; *n gets its length.
 */
struct mm_reserved;
const struct mm_reserved *arch_mm_reserved(unsigned int *n);

/* A hint to the CPU inside a polling loop (pause / yield). */
void arch_cpu_relax(void);

/* Interrupts off on this CPU, then halt forever. */
__noreturn void arch_halt(void);

/* Turn the machine off; halts if the machine ignores the request. */
__noreturn void arch_poweroff(void);

/* Reset the machine (QEMU with -no-reboot exits instead). */
__noreturn void arch_reboot(void);

/*
 * Leave the emulator with a verdict (in-kernel tests): code 0 = success.
 * x86_64 uses QEMU's isa-debug-exit, AArch64 semihosting SYS_EXIT.
 * Falls back to arch_poweroff() when no such device is present.
 */
__noreturn void arch_emulator_exit(int code);

/*
 * Guarded accesses. Each contains one instruction registered in the
 * exception table: if it faults, the trap handler reports the fault and
 * resumes at the fixup, and the function returns -EFAULT.
 */
int arch_probe_read(uintptr_t addr, unsigned long *val);
int arch_probe_undefined(void);
/* One 32-bit load, for device registers that take no 64-bit access
 * (AArch64 only so far: its GIC drivers check firmware addresses). */
int arch_probe_read32(uintptr_t addr, uint32_t *val);

/*
 * For tests and the shell's `fault` command: an address that is never
 * mapped, and the trap codes (x86 vector / AArch64 ESR class) that a read
 * of it and an undefined instruction raise.
 */
extern const uintptr_t arch_unmapped_addr;
extern const unsigned long arch_read_fault_code;
extern const unsigned long arch_undefined_code;

/*
 * True when the boot stack has an unmapped guard page and stack faults
 * are taken on a separate stack, so overflowing it is reported (x86_64:
 * #DF on an IST stack). False where an overflow would go unreported.
 */
extern const bool arch_stack_guard;

/* A breakpoint instruction (int3 / brk) that the trap handler steps over. */
void arch_breakpoint(void);

/* A software trap that returns (int $0x80 / svc #0); returns its number. */
unsigned long arch_syscall_trap(unsigned long nr);

/* Print the registers of the caller of panic() and a backtrace. */
void arch_dump_caller(void);

/* Where the current frame-pointer chain starts. */
static inline uintptr_t arch_frame_address(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

#endif
