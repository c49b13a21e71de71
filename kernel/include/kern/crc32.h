/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib computes it. */
#ifndef KERN_CRC32_H
#define KERN_CRC32_H

#include "kern/compiler.h"

/* Start with crc = 0; feed any number of pieces. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
