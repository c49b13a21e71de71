/*
 * panic(): say why, show the registers and the call chain, stop this CPU
 * with interrupts off. Never returns.
 *
 * With several CPUs: the first CPU to panic wins (an exchange on
 * panic_cpu); a second one halts quietly, counted as stopped. The winner
 * stops the others first (smp_stop_others: each says "CPU n: stopped"),
 * takes the console over, and only then prints, so its report comes out
 * whole, with nothing between its lines.
 */
#include <stdarg.h>

#include "kern/arch.h"
#include "kern/console.h"
#include "kern/irqflags.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/smp.h"

static int panic_cpu = -1; /* the CPU that is panicking (atomic) */

void panic(const char *fmt, ...)
{
	va_list ap;
	int me, none = -1;

	arch_irq_disable();
	me = (int)arch_cpu_id();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* A panic while panicking: on this CPU, print nothing more
		 * and stop; on another, stop quietly (the first one's
		 * report must come out whole). */
		if (none == me) {
			arch_halt();
		}
		smp_stop_self(false);
	}
	console_begin_panic();
	smp_stop_others();
	kprintf("\n*** PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n*** in thread %s\n", thread_name(thread_current()));
	arch_dump_caller();
	if (console_panic_dropped()) {
		kprintf("*** %lu bytes other CPUs printed meanwhile were "
			"dropped\n",
			console_panic_dropped());
	}
	kprintf("*** system halted\n");
	arch_halt();
}

/*
 * Both ports keep frame pointers (-fno-omit-frame-pointer), and on both a
 * frame record is two words: [fp] = caller's fp, [fp + 8] = return address.
 * Reads go through arch_probe_read() so a corrupt chain ends the walk with
 * a note instead of a second fault.
 */
void backtrace_print(uintptr_t fp)
{
	char sym[KSYM_FORMAT_SIZE];

	kprintf("Backtrace:\n");
	for (int depth = 0; depth < 16 && fp; depth++) {
		unsigned long next, ret;

		if (fp & 7) {
			kprintf("  (misaligned frame pointer %p)\n",
				(void *)fp);
			return;
		}
		if (arch_probe_read(fp, &next) ||
		    arch_probe_read(fp + 8, &ret)) {
			kprintf("  (unreadable frame at %p)\n", (void *)fp);
			return;
		}
		if (!ret) {
			break;
		}
		kprintf("  #%d 0x%lx %s\n", depth, ret,
			ksym_format(sym, sizeof(sym), ret, true));
		if (next <= fp) {
			/* Stacks grow down: callers' frames are above. */
			break;
		}
		fp = next;
	}
}

/* How many bytes of code backtrace_print_pc() shows. */
#define CODE_BYTES 8

/*
 * The code bytes are read only when the symbol table places pc and the
 * bytes after it inside one kernel function: that code is mapped, so the
 * read cannot fault (a jump to a wild address is reported by name "?"
 * with no bytes, never with a second fault).
 */
void backtrace_print_pc(uintptr_t pc, const char *what)
{
	char sym[KSYM_FORMAT_SIZE];
	uintptr_t off;
	const struct ksym *s = ksym_lookup(pc, &off);

	kprintf("  #- 0x%lx %s (%s)", pc,
		ksym_format(sym, sizeof(sym), pc, false), what);
	if (s != NULL && s->size >= off + CODE_BYTES) {
		const volatile uint8_t *code = (const volatile uint8_t *)pc;

		kprintf(" code:");
		for (int i = 0; i < CODE_BYTES; i++) {
			kprintf(" %02x", code[i]);
		}
	}
	kprintf("\n");
}
