/* The way out of an interrupt: bottom halves, then a possible switch. */
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/sched.h"

void irq_exit(void)
{
	/*
	 * Nested in a handler, or in a tasklet (which runs with interrupts
	 * on): the outer exit runs the rest, and no thread may be switched
	 * away from the middle of a bottom half.
	 */
	if (in_irq() || in_tasklet()) {
		return;
	}
	tasklets_run();
	sched_irq_exit();
}
