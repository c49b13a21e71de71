/*
 * Host stand-ins for what the portable core asks of a port and of the
 * console (tests/unit/fake_arch.c), so kern/irq.c and kern/spinlock.c link
 * into the unit test binary:
 *
 *   - the CPU's interrupt flag is a global (fake_irqs_on); arch_irq_save()
 *     and friends read and write it, so a test can see what the core did;
 *   - arch_cpu_id() returns fake_cpu_id (0 unless a test sets it);
 *   - both are per host thread, so a test's pthreads act as CPUs;
 *   - kprintf() output is captured in a buffer tests inspect and clear,
 *     echoed to stdout only when $KITE_UNIT_VERBOSE is set;
 *   - panic() records its message and longjmps back into a test that armed
 *     it with EXPECT_PANIC(stmt); unarmed, it prints and aborts;
 *   - the root hook (arch_irq_entry_claim) hands out entries 32-255 like
 *     the x86 port, and fake_entry_raise() is the CPU taking an interrupt
 *     on one: interrupt flag off, the owner's function, flag restored.
 */
#ifndef TESTS_UNIT_FAKE_ARCH_H
#define TESTS_UNIT_FAKE_ARCH_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "unit.h"

/* The simulated interrupt flag of this thread's CPU: true = enabled. */
extern _Thread_local bool fake_irqs_on;
/* What arch_cpu_id() returns in this thread (0 in a new one). */
extern _Thread_local unsigned int fake_cpu_id;

/* Interrupts on, CPU 0, console capture empty, no panic armed. */
void fake_arch_reset(void);

/* Everything kprintf() printed since the last clear (NUL-terminated). */
const char *fake_console_text(void);
void fake_console_clear(void);
/* True if output was dropped because the capture buffer filled up. */
bool fake_console_overflowed(void);
/* How often needle occurs in the captured output. */
unsigned int fake_console_count(const char *needle);

/* The message of the last panic() ("" if none since the reset). */
const char *fake_panic_message(void);
/* How many panics were caught since the reset. */
unsigned int fake_panic_count(void);

/* Take an interrupt on a root-hook entry; false if nobody claimed it. */
bool fake_entry_raise(unsigned int entry);
/* The fallback's calls (arch_irq_entry_fallback) since the reset. */
unsigned int fake_entry_fallbacks(void);

/* Used by EXPECT_PANIC; the next panic() longjmps to jb (once). */
void fake_panic_arm(jmp_buf *jb);
void fake_panic_disarm(void);

/*
 * Run stmt, which must panic: the panic returns here (the rest of stmt is
 * skipped) and fake_panic_message() says why. A stmt that returns
 * normally is a failed check. Locals that stmt changes and the test reads
 * afterwards must be volatile (setjmp rules).
 */
#define EXPECT_PANIC(stmt)                                                     \
	do {                                                                   \
		jmp_buf fake_panic_jb_;                                        \
		unit_checks++;                                                 \
		if (setjmp(fake_panic_jb_) == 0) {                             \
			fake_panic_arm(&fake_panic_jb_);                       \
			stmt;                                                  \
			fake_panic_disarm();                                   \
			unit_fail(__FILE__, __LINE__,                          \
				  "EXPECT_PANIC(%s): did not panic", #stmt);   \
		}                                                              \
	} while (0)

#endif
