/*
 * What the scheduler asks of a port to run threads: a saved context (just
 * the stack pointer: the callee-saved registers are pushed on the thread's
 * own stack by the switch) and the switch itself. Implemented in
 * arch/<port>/switch.S.
 *
 * FP/SIMD: none saved. The kernel is built with -mgeneral-regs-only on
 * both ports, so no thread has FP state to lose.
 */
#ifndef KERN_ARCH_THREAD_H
#define KERN_ARCH_THREAD_H

#include "kern/compiler.h"

struct arch_context {
	uintptr_t sp; /* where the switch left the callee-saved frame */
};

/* switch.S on both ports reads and writes sp at this offset (CTX_SP). */
#define ARCH_CONTEXT_SP 0
_Static_assert(offsetof(struct arch_context, sp) == ARCH_CONTEXT_SP,
	       "arch/*/switch.S CTX_SP");

/*
 * Build the first frame on a new stack (top: 16-byte aligned, one past
 * the highest byte) so that the first switch to ctx "returns" into
 * entry(), which must never return. The frame pointer starts at 0, so a
 * backtrace ends there.
 */
void arch_thread_init(struct arch_context *ctx, uintptr_t top,
		      void (*entry)(void));

/*
 * Save the callee-saved registers and SP in from, load to's: returns in
 * the other thread (and, much later, here). Interrupts off, the
 * scheduler's lock held; the thread that resumes releases it.
 */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

#endif
