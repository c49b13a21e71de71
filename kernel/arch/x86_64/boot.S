/*
 * x86_64 entry through the PVH boot protocol (Xen's "HVM direct boot",
 * which QEMU implements for `-kernel` with an ELF that carries the note
 * below). We are entered in 32-bit protected mode, paging off, flat
 * segments, interrupts off, with %ebx holding the physical address of the
 * hvm_start_info structure.
 *
 * Steps: clear BSS, check the CPU has long mode, identity-map the first
 * 4 GiB with 2 MiB pages, enable PAE + long mode + paging, jump to 64-bit
 * code, then call x86_64_entry(start_info) in setup.c.
 */

#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define PTE_P		(1 << 0)
#define PTE_W		(1 << 1)
#define PTE_PS		(1 << 7)
#define COM1		0x3f8

/* XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical entry point. */
	.section .note.Xen, "a", @note
	.p2align 2
	.long 2f - 1f		/* name size */
	.long 4f - 3f		/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
1:	.asciz "Xen"
2:	.p2align 2
3:	.long pvh_start		/* QEMU reads a 64-bit value: pad with 0 */
	.long 0
4:	.p2align 2

	.section .boot.text, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	mov	%ebx, %ebp			/* keep start_info */
	mov	$boot_stack_top, %esp

	/* BSS: everything between __bss_start and __bss_end. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	mov	%ebp, boot_start_info

	/* Long mode is CPUID 0x80000001 EDX bit 29. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	test	$(1 << 29), %edx
	jz	no_long_mode
	mov	%edx, %esi			/* bit 20: NX, for EFER below */

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	mov	$boot_pdpt, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pml4
	mov	$boot_pd, %eax
	or	$(PTE_P | PTE_W), %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jb	1b

	/* 2048 PD entries of 2 MiB: 0 .. 4 GiB, identity. */
	mov	$(PTE_P | PTE_W | PTE_PS), %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pd(, %ecx, 8)
	add	$0x200000, %eax
	inc	%ecx
	cmp	$2048, %ecx
	jb	1b

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	test	$(1 << 20), %esi		/* NXE is #GP without NX */
	jz	1f
	or	$EFER_NXE, %eax
1:	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PE | CR0_PG | CR0_WP), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_mode_entry

/* Say so on COM1 (no init needed under QEMU) and stop. */
no_long_mode:
	mov	$msg_no_long_mode, %esi
1:	lodsb
	test	%al, %al
	jz	2f
	mov	$COM1, %dx
	out	%al, %dx
	jmp	1b
2:	hlt
	jmp	2b

	.code64
long_mode_entry:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp			/* ends the backtrace */
	mov	boot_start_info(%rip), %edi
	call	x86_64_entry
1:	cli
	hlt
	jmp	1b

	.section .boot.data, "aw"
	.p2align 3
/* Null, 64-bit code (0x08), data (0x10): replaced by gdt.c later. */
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
boot_start_info:
	.long	0
msg_no_long_mode:
	.asciz	"kite: this CPU has no long mode (x86_64); halting\r\n"

	.bss
	.p2align 12
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096

/*
 * The boot stack, with a guard page below it that mmu.c unmaps: an
 * overflow faults there, and the #DF handler runs on its own IST stack.
 */
	.section .bss.stack, "aw", @nobits
	.p2align 12
	.globl boot_stack_guard, boot_stack_top
boot_stack_guard:
	.skip	4096
	.skip	16384
boot_stack_top:
