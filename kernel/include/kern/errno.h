/* Error numbers: recoverable API errors are returned negated (-EINVAL). */
#ifndef KERN_ERRNO_H
#define KERN_ERRNO_H

#define EPERM	  1
#define ENOENT	  2
#define EIO	  5
#define E2BIG	  7
#define ENOMEM	  12
#define EFAULT	  14
#define EBUSY	  16
#define EEXIST	  17
#define ENODEV	  19
#define EINVAL	  22
#define ENOSPC	  28
#define ERANGE	  34
#define ENOSYS	  38
#define ENODATA	  61
#define EOVERFLOW 75
#define EBADMSG	  74
#define ETIMEDOUT 110

/* kern/device.c: a device not probed, its range owned by another. */
#define EADDRINUSE 98

#endif
