/* The AArch64 IRQ entry point an interrupt controller driver installs. */
#ifndef AARCH64_IRQ_H
#define AARCH64_IRQ_H

/* Called for every IRQ exception taken at EL1, interrupts masked. */
void aarch64_set_irq_handler(void (*handler)(void));

#endif
