/*
 * libFuzzer target for the AML interpreter (kernel/firmware/acpi/aml/) and
 * the resource template decoder (resource.c).
 *
 * Each input is used as:
 *  1. a resource template for acpi_res_decode;
 *  2. a full table for aml_ns_load_table, as it is (the seeds are tables:
 *     the QEMU DSDTs and the real-PC corpus);
 *  3. the AML body of a DSDT (a header is put in front, revision 2, or 1
 *     when the input's first byte is odd, for 32-bit integers), with the
 *     n-th allocation refused (n from the last byte, 0 for none);
 *  4. a DSDT and an SSDT, split where the input's first byte says.
 * After each load the namespace is initialized (_REG, _PIC, _STA/_INI)
 * and every Device described (_HID/_CID/_UID/_STA/_CRS): the evaluator
 * runs on whatever the input holds. Region reads return values derived
 * from the address; writes are dropped. The limits are smaller than the
 * kernel's so that a run stays fast; they are limits all the same (an
 * endless While must end on them). Buffers are malloc'd to their exact
 * size, so that ASan catches any read past them. Results must be
 * terminated strings and sane counts; a failure traps.
 *
 * Seeds and corpus: tests/fuzz/corpus/fuzz_aml (minimized, kept in git),
 * the fixtures it parses and hand-made bad inputs (scripts/fuzz.py writes
 * both). `make fuzz` runs it, `make fuzz-corpus` minimizes what it found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kern/errno.h"
#include "firmware/acpi/aml/aml.h"
#include "firmware/acpi/resource.h"
#include "kern/mm.h"
#include "../unit/host_mm.h"

static int fuzz_rw(void *ctx, const struct aml_region_access *a, bool write,
		   uint64_t *value)
{
	uint64_t x = a->addr * 0x9E3779B97F4A7C15ull + a->space;

	(void)ctx;
	if (a->width != 8 && a->width != 16 && a->width != 32 &&
	    a->width != 64) {
		__builtin_trap();
	}
	if (!write) {
		*value = x ^ (x >> 29);
	}
	return 0;
}

static const struct aml_host_ops fuzz_ops = {.region_rw = fuzz_rw};

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static int check_device(struct aml_node *n, void *arg)
{
	struct aml_ns *ns = arg;
	struct aml_devinfo info;
	char path[256];
	int r = aml_describe(ns, n, &info);

	if (r > 0 || r != info.error || info.ncid > AML_MAX_CID ||
	    !terminated(info.hid, sizeof(info.hid)) ||
	    !terminated(info.uid, sizeof(info.uid)) ||
	    !terminated(info.errmsg, sizeof(info.errmsg)) ||
	    (info.crs_len && info.crs == NULL)) {
		__builtin_trap();
	}
	for (unsigned int i = 0; i < info.ncid; i++) {
		if (!terminated(info.cid[i], sizeof(info.cid[i]))) {
			__builtin_trap();
		}
	}
	if (aml_node_path(n, path, sizeof(path)) == 0 || path[0] != '\\') {
		__builtin_trap();
	}
	aml_devinfo_free(&info);
	return 0;
}

/* Load, bring up, describe; with fail != 0 the fail-th allocation is
 * refused (the exhaustion paths must hold up as well as the parser). */
static void run(const uint8_t *const *t, const size_t *l, unsigned int nt,
		unsigned int fail)
{
	struct aml_limits lim;
	struct aml_ns *ns;
	struct aml_ns_stats st;

	aml_limits_default(&lim);
	lim.ops_per_eval = 20000;
	lim.while_iterations = 2000;
	lim.sleep_ms_total = 100;
	lim.max_alloc = 1u << 20;
	host_mm_fail_at(fail);
	if (aml_ns_create(&fuzz_ops, NULL, &lim, &ns) == 0) {
		for (unsigned int i = 0; i < nt; i++) {
			(void)aml_ns_load_table(ns, t[i], l[i]);
		}
		aml_ns_initialize(ns, 0x7, (int)(l[0] & 1));
		aml_ns_walk(ns, NULL, AML_DEVICE, check_device, ns);
		aml_ns_get_stats(ns, &st);
		if (st.tables > nt ||
		    !terminated(aml_ns_last_error(ns), AML_ERRMSG_LEN)) {
			__builtin_trap();
		}
		aml_ns_destroy(ns);
	} else if (!host_mm_failed()) {
		__builtin_trap(); /* out of memory that was not */
	}
	host_mm_fail_at(0);
}

static uint8_t *wrap(const uint8_t *data, size_t size, const char *sig,
		     uint8_t rev, size_t *out_len)
{
	size_t len = 36 + size;
	uint8_t *b = malloc(len);

	if (b == NULL) {
		return NULL;
	}
	memset(b, 0, 36);
	memcpy(b, sig, 4);
	b[4] = (uint8_t)len;
	b[5] = (uint8_t)(len >> 8);
	b[6] = (uint8_t)(len >> 16);
	b[7] = (uint8_t)(len >> 24);
	b[8] = rev;
	memcpy(b + 36, data, size);
	*out_len = len;
	return b;
}

static void run_split(const uint8_t *data, size_t size)
{
	size_t k = 1 + (size_t)data[0] * (size - 1) / 256;
	const uint8_t *t[2];
	size_t l[2];
	uint8_t *a = wrap(data + 1, k - 1, "DSDT", 2, &l[0]);
	uint8_t *b = wrap(data + k, size - k, "SSDT", 2, &l[1]);

	if (a != NULL && b != NULL) {
		t[0] = a;
		t[1] = b;
		run(t, l, 2, 0);
	}
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_res res[16];
	unsigned int n = 0, sk = 0;
	const uint8_t *t[1];
	size_t l[1];
	uint8_t *copy, *a;
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
	/* 2 */
	t[0] = copy;
	l[0] = size;
	run(t, l, 1, 0);
	/* 3 */
	a = wrap(data, size, "DSDT", size && (data[0] & 1) ? 1 : 2, &l[0]);
	if (a != NULL) {
		t[0] = a;
		run(t, l, 1, size ? data[size - 1] % 8 : 0);
		free(a);
	}
	/* 4 */
	if (size >= 2) {
		run_split(data, size);
	}
	free(copy);
	return 0;
}
