/*
 * The real-mode trampoline (trampoline.S) and its C side (smpboot.c):
 * offsets shared by the assembly and the C that fills them in, checked
 * with _Static_assert in smpboot.c. Plain #defines: included from .S.
 */
#ifndef X86_64_TRAMPOLINE_H
#define X86_64_TRAMPOLINE_H

/* The header the boot CPU fills in the page's copy (after the code). */
#define TR_GDT	    0x00 /* 4 descriptors: null, code32, data, code64 */
#define TR_GDTR	    0x20 /* limit (2 bytes), 32-bit base (4 bytes) */
#define TR_JMP32    0x28 /* far pointer: 32-bit offset, selector */
#define TR_JMP64    0x30 /* far pointer: 32-bit offset, selector */
#define TR_CR0	    0x38
#define TR_CR3	    0x3c /* the kernel's PML4: below 4 GiB */
#define TR_CR4	    0x40
#define TR_EFER	    0x44 /* low word: LME, NXE as the boot CPU has */
#define TR_HDR_SIZE 0x48

/* The temporary GDT's selectors. */
#define TR_CODE32 0x08
#define TR_DATA	  0x10
#define TR_CODE64 0x18

/* One started CPU's parameters (struct ap_params, smpboot.c). */
#define AP_HWID	  0x00 /* 32-bit APIC ID */
#define AP_VALID  0x04 /* 32-bit: non-zero once the rest is written */
#define AP_STACK  0x08 /* 64-bit stack top */
#define AP_PERCPU 0x10 /* 64-bit: its struct x86_percpu */
#define AP_SIZE	  0x18
#define AP_NR	  8 /* NR_CPUS (kern/irq.h), asserted in smpboot.c */

#endif
