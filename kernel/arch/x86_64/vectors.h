/* x86_64 interrupt vectors above the exceptions, handed out to drivers. */
#ifndef X86_64_VECTORS_H
#define X86_64_VECTORS_H

#define VECTOR_IRQ_BASE 32 /* first vector after the exceptions */

typedef void (*vector_handler_fn)(unsigned int vector, void *data);

/* Route a vector to a controller's dispatch function; -EBUSY if taken. */
int x86_vector_set(unsigned int vector, vector_handler_fn fn, void *data);

#endif
