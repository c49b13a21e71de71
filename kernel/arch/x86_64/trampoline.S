/*
 * Where a started CPU begins (Intel SDM Vol. 3A 8.4.4.1 and 9.9.1): the
 * Start-up IPI's vector VV makes it run real-mode code at CS:IP =
 * VV00:0000, the physical page 0xVV000. smpboot.c copies the code below
 * into such a page below 1 MiB and fills in the header after it; then
 * the CPU goes
 *
 *   16-bit real mode: load the temporary GDT (the header's), set CR0.PE,
 *     far jump into 32-bit code in the same page;
 *   32-bit protected mode, flat segments, paging off: CR4 (PAE) and CR3
 *     (the kernel's PML4, below 4 GiB so a 32-bit mov can load it),
 *     EFER.LME (and NXE, as the boot CPU), then CR0.PG: IA-32e mode, in
 *     compatibility mode still, running from the trampoline page, which
 *     the kernel's tables map at its own address, executable (mmu.c);
 *   a far jump through the header to x86_ap_long_mode in the kernel's
 *     text (below 4 GiB), with the temporary 64-bit code selector.
 *
 * There, in 64-bit mode, the CPU finds its parameters by its own APIC ID
 * in x86_ap_params (stack, per-CPU area) and calls x86_ap_entry(), which
 * loads its own GDT, TSS, the shared IDT and its GS base (smpboot.c).
 *
 * No stack is used before x86_ap_long_mode, no interrupt is taken (IF is
 * clear from INIT and stays clear), and nothing is written to the page:
 * it is mapped read-only once filled in, with the temporary descriptors'
 * accessed bits set so that loading them writes nothing.
 *
 * %ebp holds the page's physical address from the first instructions on.
 */
#include "trampoline.h"

#define CR0_PE		(1 << 0)
#define MSR_EFER	0xc0000080

#define HDR(field)	x86_trampoline_hdr - x86_trampoline_start + field

	.section .rodata, "a"
	.p2align 4
	.globl	x86_trampoline_start, x86_trampoline_32
	.globl	x86_trampoline_hdr, x86_trampoline_end

	.code16
x86_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds			/* the header, by offset */
	movzwl	%ax, %ebp
	shl	$4, %ebp			/* the page's address */
	lgdtl	HDR(TR_GDTR)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	/* The far jump right after setting PE (SDM 9.9.1). */
	ljmpl	*HDR(TR_JMP32)

	.code32
x86_trampoline_32:
	mov	$TR_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	HDR(TR_CR4)(%ebp), %eax
	mov	%eax, %cr4
	mov	HDR(TR_CR3)(%ebp), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	mov	HDR(TR_EFER)(%ebp), %eax
	xor	%edx, %edx
	wrmsr
	/* PG with LME set: IA-32e mode (SDM 9.8.5). The boot CPU's CR0 also
	 * clears the CD and NW bits INIT left set (SDM 9.1.1, Table 9-1). */
	mov	HDR(TR_CR0)(%ebp), %eax
	mov	%eax, %cr0
	ljmpl	*HDR(TR_JMP64)(%ebp)

	.p2align 3
x86_trampoline_hdr:
	.skip	TR_HDR_SIZE
x86_trampoline_end:

/*
 * 64-bit mode, still on the temporary GDT, no stack. This CPU's APIC ID
 * as pc.c's boot_apic_id() reads it (CPUID leaf 0xB EDX where that leaf
 * exists, else leaf 1 EBX[31:24]: the initial APIC ID, which is the one
 * the MADT lists), then its entry in x86_ap_params. A CPU with no valid
 * entry (it was not asked to start, or its entry is gone) halts, counted
 * in x86_ap_strays.
 */
	.text
	.code64
	.globl	x86_ap_long_mode
x86_ap_long_mode:
	mov	$TR_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	cpuid
	cmp	$0xb, %eax
	jb	1f
	mov	$0xb, %eax
	xor	%ecx, %ecx
	cpuid
	test	%ebx, %ebx
	jz	1f
	mov	%edx, %r8d
	jmp	2f
1:	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	mov	%ebx, %r8d
2:	lea	x86_ap_params(%rip), %rsi
	mov	$AP_NR, %ecx
3:	cmpl	$0, AP_VALID(%rsi)
	je	4f
	cmp	AP_HWID(%rsi), %r8d
	je	5f
4:	add	$AP_SIZE, %rsi
	dec	%ecx
	jnz	3b
	lock incl x86_ap_strays(%rip)
	jmp	6f
5:	mov	AP_STACK(%rsi), %rsp
	mov	AP_PERCPU(%rsi), %rdi
	xor	%ebp, %ebp			/* ends the backtrace */
	call	x86_ap_entry
6:	cli
	hlt
	jmp	6b
