/* Exception-table lookup and the record of survived exceptions. */
#include "kern/trap.h"

/* Linker-script symbols bounding the collected "__ex_table" sections. */
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

static struct fault_record last_fixup;
static struct trap_counts counts;

/*
 * A linear scan: the table has a handful of entries, and it is only
 * searched on a fault, never on a hot path.
 */
uintptr_t extable_find(uintptr_t insn)
{
	for (const struct extable_entry *e = __ex_table_start;
	     e < __ex_table_end; e++) {
		if (e->insn == insn) {
			return e->fixup;
		}
	}
	return 0;
}

void trap_note_fixup(unsigned long code, const char *name, uintptr_t pc,
		     uintptr_t addr)
{
	counts.fixups++;
	last_fixup = (struct fault_record){
	    .seq = counts.fixups,
	    .code = code,
	    .name = name,
	    .pc = pc,
	    .addr = addr,
	};
}

void trap_note_breakpoint(void)
{
	counts.breakpoints++;
}

void trap_note_syscall(void)
{
	counts.syscalls++;
}

const struct fault_record *trap_last_fixup(void)
{
	return &last_fixup;
}

const struct trap_counts *trap_counts(void)
{
	return &counts;
}
