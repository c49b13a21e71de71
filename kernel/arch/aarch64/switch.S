/*
 * The context switch (kern/arch_thread.h). AAPCS64 section 6.1.1: x19-x28
 * are callee-saved, x29 is the frame pointer and x30 the link register;
 * SP must be preserved. FP/SIMD v8-v15 would be callee-saved too, but the
 * kernel is -mgeneral-regs-only and never touches them.
 *
 * Frame at ctx->sp (16-byte aligned), lowest address first:
 *   +0 x19 x20  +16 x21 x22  +32 x23 x24  +48 x25 x26  +64 x27 x28
 *   +80 x29 (fp)  +88 x30 (where the switch returns)
 */
#define CTX_SP 0 /* ARCH_CONTEXT_SP, asserted in kern/arch_thread.h */

#define FRAME_FP   80
#define FRAME_LR   88
#define FRAME_SIZE 96

	.text

/* void arch_context_switch(struct arch_context *from (x0), *to (x1)) */
	.globl	arch_context_switch
	.type	arch_context_switch, %function
arch_context_switch:
	sub	sp, sp, #FRAME_SIZE
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #FRAME_FP]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #FRAME_FP]
	add	sp, sp, #FRAME_SIZE
	ret
	.size	arch_context_switch, . - arch_context_switch

/*
 * void arch_thread_init(struct arch_context *ctx (x0), uintptr_t top (x1),
 *                       void (*entry)(void) (x2))
 *
 * The switch pops the frame and "returns" to entry with sp = top; x29 = 0
 * ends a backtrace there.
 */
	.globl	arch_thread_init
	.type	arch_thread_init, %function
arch_thread_init:
	and	x1, x1, #~15
	sub	x9, x1, #FRAME_SIZE
	stp	xzr, xzr, [x9, #0]
	stp	xzr, xzr, [x9, #16]
	stp	xzr, xzr, [x9, #32]
	stp	xzr, xzr, [x9, #48]
	stp	xzr, xzr, [x9, #64]
	stp	xzr, x2, [x9, #FRAME_FP]
	str	x9, [x0, #CTX_SP]
	ret
	.size	arch_thread_init, . - arch_thread_init
