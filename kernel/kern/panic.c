/*
 * panic(): say why, show the registers and the call chain, stop this CPU
 * with interrupts off. Never returns.
 */
#include <stdarg.h>

#include "kern/arch.h"
#include "kern/panic.h"
#include "kern/printf.h"

static bool panicking;

void panic(const char *fmt, ...)
{
	va_list ap;

	if (panicking) {
		/* A panic while panicking: print nothing more, stop. */
		arch_halt();
	}
	panicking = true;
	kprintf("\n*** PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_dump_caller();
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
		kprintf("  #%d %p\n", depth, (void *)ret);
		if (next <= fp) {
			/* Stacks grow down: callers' frames are above. */
			break;
		}
		fp = next;
	}
}
