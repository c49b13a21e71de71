/* The way out of an interrupt: bottom halves, then a possible switch. */
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/sched.h"

void irq_exit(void)
{
	if (in_irq()) {
		return; /* nested: the outermost exit does this */
	}
	tasklets_run();
	sched_irq_exit();
}
