/*
 * amldump: kite's AML interpreter (kernel/firmware/acpi/aml/) run on the
 * host over ACPI table files, printing what it finds of each Device as
 * one JSON line (the format of tests/fixtures/acpi/corpus/README.md and
 * of the golden files captured from ACPICA's acpiexec). See
 * tools/amldump/README.md.
 */
#ifndef TOOLS_AMLDUMP_AMLDUMP_H
#define TOOLS_AMLDUMP_AMLDUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "firmware/acpi/aml/aml.h"

/* ---- memsim.c: the simulated machine behind the interpreter ---------- */

/*
 * Every address space is a sparse byte memory, as acpiexec simulates
 * each operation region with a buffer (its AeRegionHandler): a write is
 * remembered, a read of a byte never written returns the fill byte.
 * PCI_Config is keyed by the config-space offset alone, without the
 * bus/device/function, because acpiexec keys its buffers by the region's
 * address and that is all a PCI_Config region's address is.
 */
struct memsim;
struct table_list;

struct memsim *memsim_create(uint8_t fill);
void memsim_destroy(struct memsim *m);

/* The host ops over m: regions, a virtual clock that Sleep and Stall
 * advance without waiting, log lines to stderr unless quiet. */
struct amldump_host {
	struct memsim *mem;
	uint64_t clock_100ns; /* the Timer opcode's clock */
	bool quiet, debug;
	unsigned long notifies, fatals, log_lines;
	const struct table_list *unloaded; /* for LoadTable (amldump.c) */
};

const struct aml_host_ops *amldump_host_ops(void);

/* ec.c: _REG(EmbeddedControl, 1) below each EC device acpiexec accepts. */
void amldump_ec_reg(struct aml_ns *ns);

/* kprintf.c: whether kprintf stays silent (--quiet). */
extern bool amldump_kprintf_quiet;

/* ---- json.c: output ------------------------------------------------- */

/* A JSON string (quotes included); bytes >= 0x80 as \u00XX. */
void json_string(FILE *f, const char *s, size_t len);
/* The decoded resource template (ACPI 6.5 section 6.4) as a JSON list. */
void json_crs(FILE *f, const uint8_t *crs, uint32_t len);
/* The raw bytes as lowercase hex, quoted. */
void json_hex(FILE *f, const uint8_t *p, uint32_t len);

#endif
