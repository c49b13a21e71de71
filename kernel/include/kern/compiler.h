/* Compiler helpers shared by the portable core and the ports. */
#ifndef KERN_COMPILER_H
#define KERN_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define __noreturn	    __attribute__((noreturn))
#define __packed	    __attribute__((packed))
#define __aligned(n)	    __attribute__((aligned(n)))
#define __section(s)	    __attribute__((section(s)))
#define __used		    __attribute__((used))
#define __unused	    __attribute__((unused))
#define __printf_like(f, a) __attribute__((format(printf, f, a)))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))

/* Keep the compiler from caching or reordering memory across this point. */
#define barrier() __asm__ volatile("" ::: "memory")

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
