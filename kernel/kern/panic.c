/*
 * panic(): say why, show the registers and the call chain, stop this CPU
 * with interrupts off. Never returns.
 */
#include <stdarg.h>

#include "kern/arch.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"

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
	kprintf("\n*** in thread %s\n", thread_name(thread_current()));
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
