/* x86_64 interrupt vectors above the exceptions (Intel SDM Vol. 3A, 6.2). */
#ifndef X86_64_VECTORS_H
#define X86_64_VECTORS_H

#define VECTOR_IRQ_BASE	  32   /* first vector after the exceptions */
#define VECTOR_SYSCALL	  0x80 /* the software trap, never an interrupt */
#define NR_VECTORS	  256
#define VECTOR_CLASS_SIZE 16 /* vector / 16 is the APIC priority class */

#endif
