/* The shell's reader of keys (shell/keyseq.h) from the console input. */
#ifndef SHELL_KEYS_H
#define SHELL_KEYS_H

#include "shell/keyseq.h"

/* Wait (halting) for the next key; the rest of a key that has begun is
 * waited for at most KEYSEQ_TIMEOUT_MS. */
void shell_read_key(struct keyin *k);

#endif
