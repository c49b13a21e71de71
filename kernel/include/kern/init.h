/*
 * The first task: what kernel_main() runs once the devices and their
 * interrupts are up (the shell today). The portable core names no task;
 * the task registers itself:
 *
 *	FIRST_TASK("shell", shell_run);
 *
 * places a descriptor in the linker section "kite_first_task". The linker
 * gives any section whose name is a C identifier the bounds
 * __start_<name> and __stop_<name> (ld.lld and GNU ld both do), so no
 * linker script lists it. Exactly one task must be registered:
 * kernel_main() says so and halts when there is none, or more than one.
 */
#ifndef KERN_INIT_H
#define KERN_INIT_H

#include "kern/compiler.h"

struct first_task {
	const char *name;
	void (*run)(void); /* never returns */
};

#define FIRST_TASK(task_name, fn)                                              \
	static const struct first_task first_task_##fn __used __aligned(8)     \
	    __section("kite_first_task") = {(task_name), (fn)}

#endif
