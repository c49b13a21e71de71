/*
 * libFuzzer target for the AML walker/evaluator (kernel/firmware/acpi/aml.c)
 * and the resource template decoder (resource.c).
 *
 * Each input is used as:
 *  1. a resource template for acpi_res_decode;
 *  2. a full table for aml_enumerate, as it is (the seeds are tables);
 *  3. the AML body of a DSDT (a header is put in front, revision 2, or 1
 *     when the input's first byte is odd, for 32-bit integers);
 *  4. a DSDT and an SSDT, split where the input's first byte says.
 * A host callback returns values derived from the address, so Field reads
 * are exercised; run 3 also refuses the n-th allocation (n from the last
 * byte, 0 for none). Buffers are malloc'd to their exact size, so that ASan
 * catches any read past them. Results must stay inside their arrays and
 * strings must be terminated; a failure traps.
 *
 * Seeds and corpus: tests/fuzz/corpus/fuzz_aml (minimized, kept in git), the
 * fixtures it parses and hand-made bad inputs (scripts/fuzz.py writes
 * both). `make fuzz` runs it, `make fuzz-corpus` minimizes what it found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kern/errno.h"
#include "firmware/acpi/aml.h"
#include "firmware/acpi/resource.h"
#include "kern/mm.h"
#include "../unit/host_mm.h"

static uint64_t fuzz_read(void *ctx, int space, uint64_t addr, int width)
{
	uint64_t x = addr * 0x9E3779B97F4A7C15ull + (uint64_t)space;

	(void)ctx;
	if (width != 8 && width != 16 && width != 32 && width != 64) {
		__builtin_trap();
	}
	return x ^ (x >> 29);
}

static void check_devices(const struct aml_device *devs, int r, unsigned int n,
			  const struct aml_stats *st)
{
	unsigned int i, j;

	if (r != 0 && r != -ENOMEM) {
		__builtin_trap();
	}
	if (n + st->devices_nomem != st->devices ||
	    (n == 0) != (devs == NULL)) {
		__builtin_trap();
	}
	for (i = 0; i < n; i++) {
		const struct aml_device *d = &devs[i];

		if (memchr(d->path, 0, sizeof(d->path)) == NULL ||
		    memchr(d->hid, 0, sizeof(d->hid)) == NULL || d->ncid > 4 ||
		    d->nres > 8 || d->error > 0) {
			__builtin_trap();
		}
		for (j = 0; j < d->ncid; j++) {
			if (memchr(d->cid[j], 0, sizeof(d->cid[j])) == NULL) {
				__builtin_trap();
			}
		}
	}
}

/* Enumerate; with fail != 0 the fail-th allocation is refused (the
 * exhaustion paths must hold up as well as the parser). */
static void run(const uint8_t *const *t, const size_t *l, unsigned int nt,
		unsigned int fail)
{
	unsigned int n = 0;
	struct aml_stats st;
	struct aml_device *devs = NULL;
	int r;

	host_mm_fail_at(fail);
	r = aml_enumerate(t, l, nt, &devs, &n, &st);
	if (r == -ENOMEM && !host_mm_failed()) {
		__builtin_trap(); /* out of memory that was not */
	}
	host_mm_fail_at(0);
	check_devices(devs, r, n, &st);
	kfree(devs);
}

static uint8_t *wrap(const uint8_t *data, size_t size, uint8_t rev,
		     size_t *out_len)
{
	size_t len = 36 + size;
	uint8_t *b = malloc(len);

	if (b == NULL) {
		return NULL;
	}
	memset(b, 0, 36);
	memcpy(b, "DSDT", 4);
	b[4] = (uint8_t)len;
	b[5] = (uint8_t)(len >> 8);
	b[6] = (uint8_t)(len >> 16);
	b[7] = (uint8_t)(len >> 24);
	b[8] = rev;
	memcpy(b + 36, data, size);
	*out_len = len;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_res res[16];
	struct aml_host host = {fuzz_read, NULL};
	unsigned int n = 0, sk = 0;
	const uint8_t *t[2];
	size_t l[2];
	uint8_t *copy, *a, *b;
	int r;

	/* 1 */
	copy = malloc(size ? size : 1);
	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	r = acpi_res_decode(copy, size, res, 16, &n, &sk);
	if ((r != 0 && r != -ENOSPC && r != -EBADMSG) || n > 16 || sk > size) {
		__builtin_trap();
	}

	aml_set_host(size & 1 ? &host : NULL);

	/* 2 */
	t[0] = copy;
	l[0] = size;
	run(t, l, 1, 0);

	/* 3 */
	a = wrap(data, size, size && (data[0] & 1) ? 1 : 2, &l[0]);
	if (a != NULL) {
		t[0] = a;
		run(t, l, 1, size ? data[size - 1] % 8 : 0);
		free(a);
	}

	/* 4 */
	if (size >= 2) {
		size_t k = 1 + (size_t)data[0] * (size - 1) / 256;

		a = wrap(data + 1, k - 1, 2, &l[0]);
		b = wrap(data + k, size - k, 2, &l[1]);
		if (a != NULL && b != NULL) {
			t[0] = a;
			t[1] = b;
			run(t, l, 2, 0);
		}
		free(a);
		free(b);
	}
	aml_set_host(NULL);
	free(copy);
	return 0;
}
