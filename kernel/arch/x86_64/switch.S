/*
 * The context switch (kern/arch_thread.h). SysV AMD64 ABI section 3.2.1:
 * rbx, rbp and r12-r15 belong to the caller and must survive a call;
 * everything else may be clobbered, so the switch saves only these six
 * (on the old thread's stack) and its rsp (in from->sp). The return
 * address the call pushed is the seventh word of the frame.
 *
 * Frame at ctx->sp, lowest address first:
 *   +0 r15  +8 r14  +16 r13  +24 r12  +32 rbx  +40 rbp  +48 return rip
 */
#define CTX_SP 0 /* ARCH_CONTEXT_SP, asserted in kern/arch_thread.h */

#define FRAME_RBP 40
#define FRAME_RIP 48
#define FRAME_SIZE 56 /* the six registers and the return address */

	.text

/* void arch_context_switch(struct arch_context *from (rdi), *to (rsi)) */
	.globl	arch_context_switch
	.type	arch_context_switch, @function
arch_context_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, CTX_SP(%rdi)
	movq	CTX_SP(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	arch_context_switch, . - arch_context_switch

/*
 * void arch_thread_init(struct arch_context *ctx (rdi), uintptr_t top (rsi),
 *                       void (*entry)(void) (rdx))
 *
 * Above the frame one zero word: entry() starts with rsp = top - 8, as
 * if called (rsp + 8 16-byte aligned, ABI 3.2.2), and a backtrace finds
 * a zero return address there.
 */
	.globl	arch_thread_init
	.type	arch_thread_init, @function
arch_thread_init:
	andq	$-16, %rsi
	leaq	-(FRAME_SIZE + 8)(%rsi), %rax
	movq	$0, FRAME_SIZE(%rax)
	movq	%rdx, FRAME_RIP(%rax)
	xorl	%ecx, %ecx
	movq	%rcx, 0(%rax)
	movq	%rcx, 8(%rax)
	movq	%rcx, 16(%rax)
	movq	%rcx, 24(%rax)
	movq	%rcx, 32(%rax)
	movq	%rcx, FRAME_RBP(%rax)
	movq	%rax, CTX_SP(%rdi)
	ret
	.size	arch_thread_init, . - arch_thread_init

