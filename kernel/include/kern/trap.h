/*
 * Portable bookkeeping for synchronous exceptions: the exception table
 * (instructions allowed to fault, and where to resume) and a record of
 * what the trap handlers saw, read by the in-kernel tests and the shell.
 */
#ifndef KERN_TRAP_H
#define KERN_TRAP_H

#include "kern/compiler.h"

/*
 * One exception-table entry: if the instruction at `insn` faults, resume
 * at `fixup`. Entries are emitted next to the instruction by assembly in
 * each port (section "__ex_table") and collected by the linker script.
 */
struct extable_entry {
	uintptr_t insn;
	uintptr_t fixup;
};

/* The fixup address for a faulting instruction, or 0 if it has none. */
uintptr_t extable_find(uintptr_t insn);

/* The last exception that an exception-table fixup survived. */
struct fault_record {
	unsigned long seq;  /* how many fixups so far */
	unsigned long code; /* x86 vector or AArch64 ESR exception class */
	const char *name;   /* "#PF Page Fault", "Data Abort (same EL)" */
	uintptr_t pc;	    /* faulting instruction */
	uintptr_t addr;	    /* CR2 / FAR_EL1, 0 when not meaningful */
};

struct trap_counts {
	unsigned long breakpoints;
	unsigned long syscalls;
	unsigned long fixups;
};

void trap_note_fixup(unsigned long code, const char *name, uintptr_t pc,
		     uintptr_t addr);
void trap_note_breakpoint(void);
void trap_note_syscall(void);
const struct fault_record *trap_last_fixup(void);
const struct trap_counts *trap_counts(void);

#endif
