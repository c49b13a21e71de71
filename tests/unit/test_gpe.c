/*
 * Host tests of the GPE and MCFG table code: the FADT's GPE blocks
 * (firmware/acpi/acpi.c), the register and bit of a GPE number and the
 * \_GPE method names (firmware/acpi/gpe_block.c), and the MCFG's ECAM
 * windows (firmware/acpi/mcfg.c), on QEMU 7.2's captured pc and q35
 * tables (tests/fixtures/acpi) and on copies broken here.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kern/errno.h"
#include "firmware/acpi/acpi.h"
#include "firmware/acpi/gpe_block.h"
#include "firmware/acpi/mcfg.h"
#include "unit.h"

/* Make the 8-bit sum of t[0..len) zero through the byte at at. */
static void fix_sum(uint8_t *t, size_t len, size_t at)
{
	uint8_t s = 0;

	t[at] = 0;
	for (size_t i = 0; i < len; i++) {
		s = (uint8_t)(s + t[i]);
	}
	t[at] = (uint8_t)-s;
}

static uint32_t seg(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

TEST(gpe_pc_fadt_blocks)
{
	size_t len;
	uint8_t *t = unit_load_fixture("acpi/pc/FACP.bin", &len);
	struct acpi_fadt_info f;
	struct acpi_gpe_blocks b;

	REQUIRE(t != NULL);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	/* PIIX4 PM: GPE0 at 0xafe0, 4 bytes (2 status, 2 enable). */
	CHECK_EQ_INT(f.gpe0.addr, 0xafe0);
	CHECK_EQ_INT(f.gpe0.len, 4);
	CHECK(!f.gpe0.memory);
	CHECK_EQ_INT(f.gpe1.addr, 0);
	acpi_gpe_blocks_from_fadt(&f, &b);
	CHECK_EQ_INT(b.count, 1);
	CHECK_EQ_INT(b.b[0].regs, 2);
	CHECK_EQ_INT(acpi_gpe_block_size(&b.b[0]), 16);
	CHECK(b.dropped == NULL);
	free(t);
}

TEST(gpe_q35_fadt_blocks)
{
	size_t len;
	uint8_t *t = unit_load_fixture("acpi/q35/FACP.bin", &len);
	struct acpi_fadt_info f;
	struct acpi_gpe_blocks b;

	REQUIRE(t != NULL);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	/* ICH9: GPE0_STS/GPE0_EN at PMBASE + 0x20, 16 bytes (X_GPE0_BLK
	 * SystemIO gives the same port). */
	CHECK_EQ_INT(f.gpe0.addr, 0x620);
	CHECK_EQ_INT(f.gpe0.len, 16);
	CHECK(!f.gpe0.memory);
	acpi_gpe_blocks_from_fadt(&f, &b);
	CHECK_EQ_INT(b.count, 1);
	CHECK_EQ_INT(acpi_gpe_block_size(&b.b[0]), 64);
	free(t);
}

/* A 244-byte FADT with GPE fields set: legacy 32-bit and X_ GAS. */
static uint8_t *fadt_with(size_t *len)
{
	uint8_t *t = unit_load_fixture("acpi/q35/FACP.bin", len);

	if (t != NULL && *len < 244) {
		free(t);
		return NULL;
	}
	return t;
}

TEST(gpe_fadt_x_forms)
{
	size_t len;
	uint8_t *t = fadt_with(&len);
	struct acpi_fadt_info f;
	struct acpi_gpe_blocks b;

	REQUIRE(t != NULL);
	/* X_GPE0_BLK in SystemMemory wins over GPE0_BLK. */
	t[220] = 0;
	unit_put64(t + 224, 0xfed80000ull);
	/* GPE1: 8 bytes at port 0x1000, base 64. */
	unit_put32(t + 84, 0x1000);
	t[93] = 8;
	t[94] = 64;
	fix_sum(t, len, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	CHECK_EQ_INT(f.gpe0.addr, 0xfed80000ull);
	CHECK(f.gpe0.memory);
	CHECK_EQ_INT(f.gpe1.addr, 0x1000);
	CHECK_EQ_INT(f.gpe1_base, 64);
	acpi_gpe_blocks_from_fadt(&f, &b);
	REQUIRE_EQ_INT(b.count, 2);
	CHECK_EQ_INT(b.b[1].base, 64);
	CHECK_EQ_INT(b.b[1].regs, 4);
	/* An X_ GAS in another space (PCI config, 2): the 32-bit port. */
	t[220] = 2;
	fix_sum(t, len, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	CHECK_EQ_INT(f.gpe0.addr, 0x620);
	CHECK(!f.gpe0.memory);
	/* GPE1_BASE inside GPE0's 64 numbers: GPE1 is left out, said. */
	t[94] = 63;
	fix_sum(t, len, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	acpi_gpe_blocks_from_fadt(&f, &b);
	CHECK_EQ_INT(b.count, 1);
	CHECK(b.dropped != NULL);
	/* An odd length cannot be halved: no block. */
	t[92] = 5;
	fix_sum(t, len, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	CHECK_EQ_INT(f.gpe0.addr, 0);
	/* A table cut before X_GPE0_BLK: the legacy field only. */
	t[92] = 16;
	t[220] = 0;
	unit_put32(t + 4, 220);
	fix_sum(t, 220, 9);
	REQUIRE_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	CHECK_EQ_INT(f.gpe0.addr, 0x620);
	free(t);
}

TEST(gpe_locate)
{
	struct acpi_gpe_blocks b = {
	    .count = 2,
	    .b = {{.addr = 0xafe0, .regs = 2, .base = 0},
		  {.addr = 0x1000, .regs = 4, .base = 64}},
	};
	struct acpi_gpe_reg r;

	REQUIRE_EQ_INT(acpi_gpe_locate(&b, 1, &r), 0);
	CHECK_EQ_INT(r.block, 0);
	CHECK_EQ_INT(r.status_off, 0);
	CHECK_EQ_INT(r.enable_off, 2);
	CHECK_EQ_INT(r.mask, 0x02);
	REQUIRE_EQ_INT(acpi_gpe_locate(&b, 15, &r), 0);
	CHECK_EQ_INT(r.status_off, 1);
	CHECK_EQ_INT(r.enable_off, 3);
	CHECK_EQ_INT(r.mask, 0x80);
	CHECK_EQ_INT(acpi_gpe_locate(&b, 16, &r), -ENOENT);
	CHECK_EQ_INT(acpi_gpe_locate(&b, 63, &r), -ENOENT);
	REQUIRE_EQ_INT(acpi_gpe_locate(&b, 64 + 25, &r), 0);
	CHECK_EQ_INT(r.block, 1);
	CHECK_EQ_INT(r.status_off, 3);
	CHECK_EQ_INT(r.enable_off, 7);
	CHECK_EQ_INT(r.mask, 0x02);
	CHECK_EQ_INT(acpi_gpe_locate(&b, 64 + 32, &r), -ENOENT);
	CHECK_EQ_INT(acpi_gpe_locate(&b, ~0u, &r), -ENOENT);
}

TEST(gpe_method_names)
{
	unsigned int n = 0;
	bool level = false;

	CHECK(acpi_gpe_method_name(seg("_E01"), &n, &level));
	CHECK_EQ_INT(n, 1);
	CHECK(!level);
	CHECK(acpi_gpe_method_name(seg("_LFF"), &n, &level));
	CHECK_EQ_INT(n, 255);
	CHECK(level);
	CHECK(acpi_gpe_method_name(seg("_L1A"), &n, &level));
	CHECK_EQ_INT(n, 0x1a);
	CHECK(!acpi_gpe_method_name(seg("_Q01"), &n, &level));
	CHECK(!acpi_gpe_method_name(seg("_E0G"), &n, &level));
	CHECK(!acpi_gpe_method_name(seg("_e01"), &n, &level));
	CHECK(!acpi_gpe_method_name(seg("_L1a"), &n, &level));
	CHECK(!acpi_gpe_method_name(seg("_HID"), &n, &level));
	CHECK(!acpi_gpe_method_name(seg("XE01"), &n, &level));
}

TEST(gpe_mcfg_q35)
{
	size_t len;
	uint8_t *t = unit_load_fixture("acpi/q35/MCFG.bin", &len);
	struct acpi_mcfg m;
	uint64_t phys = 0;

	REQUIRE(t != NULL);
	REQUIRE_EQ_INT(acpi_parse_mcfg(t, len, &m), 0);
	REQUIRE_EQ_INT(m.count, 1);
	CHECK_EQ_INT(m.w[0].base, 0xb0000000ull);
	CHECK_EQ_INT(m.w[0].segment, 0);
	CHECK_EQ_INT(m.w[0].bus_start, 0);
	CHECK_EQ_INT(m.w[0].bus_end, 255);
	CHECK_EQ_INT(m.bad + m.dropped + m.trailing, 0);
	/* 00:1f.0 (the LPC bridge), register 0x60 (PIRQA_ROUT). */
	REQUIRE_EQ_INT(acpi_mcfg_address(&m, 0, 0, 0x1f, 0, 0x60, &phys), 0);
	CHECK_EQ_INT(phys, 0xb0000000ull + (0x1fu << 15) + 0x60);
	REQUIRE_EQ_INT(acpi_mcfg_address(&m, 0, 3, 2, 1, 0xffc, &phys), 0);
	CHECK_EQ_INT(phys, 0xb0000000ull + (3u << 20) + (2u << 15) +
			       (1u << 12) + 0xffc);
	CHECK_EQ_INT(acpi_mcfg_address(&m, 1, 0, 0, 0, 0, &phys), -ENOENT);
	CHECK_EQ_INT(acpi_mcfg_address(&m, 0, 0, 32, 0, 0, &phys), -EINVAL);
	CHECK_EQ_INT(acpi_mcfg_address(&m, 0, 0, 0, 8, 0, &phys), -EINVAL);
	CHECK_EQ_INT(acpi_mcfg_address(&m, 0, 0, 0, 0, 4096, &phys), -EINVAL);
	free(t);
}

/* An MCFG with n entries (up to 20) built here. */
static size_t mcfg_build(uint8_t *t, unsigned int n)
{
	size_t len = 44 + 16 * (size_t)n;

	memset(t, 0, len);
	memcpy(t, "MCFG", 4);
	unit_put32(t + 4, (uint32_t)len);
	t[8] = 1;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *e = t + 44 + 16 * i;

		unit_put64(e, 0xe0000000ull + ((uint64_t)i << 28));
		e[8] = (uint8_t)i; /* segment i */
		e[10] = 0;
		e[11] = 15;
	}
	fix_sum(t, len, 9);
	return len;
}

TEST(gpe_mcfg_bad)
{
	uint8_t t[44 + 16 * 20 + 8];
	struct acpi_mcfg m;
	uint64_t phys;
	size_t len = mcfg_build(t, 2);

	REQUIRE_EQ_INT(acpi_parse_mcfg(t, len, &m), 0);
	CHECK_EQ_INT(m.count, 2);
	/* Bus 16 is past segment 1's window (0-15). */
	CHECK_EQ_INT(acpi_mcfg_address(&m, 1, 16, 0, 0, 0, &phys), -ENOENT);
	CHECK_EQ_INT(acpi_mcfg_address(&m, 1, 15, 0, 0, 0, &phys), 0);
	CHECK_EQ_INT(acpi_parse_mcfg(t, len - 1, &m), -ERANGE);
	CHECK_EQ_INT(acpi_parse_mcfg(t, 35, &m), -EINVAL);
	CHECK_EQ_INT(acpi_parse_mcfg(NULL, 0, &m), -EINVAL);
	t[20] ^= 1; /* checksum */
	CHECK_EQ_INT(acpi_parse_mcfg(t, len, &m), -EBADMSG);
	/* A header length below 44. */
	len = mcfg_build(t, 0);
	unit_put32(t + 4, 40);
	fix_sum(t, 40, 9);
	CHECK_EQ_INT(acpi_parse_mcfg(t, len, &m), -EBADMSG);
	/* Entry 0: base 0; entry 1: end bus below start; entry 2: wraps;
	 * 8 trailing bytes. */
	len = mcfg_build(t, 4);
	unit_put64(t + 44, 0);
	t[44 + 16 + 10] = 9;
	t[44 + 16 + 11] = 8;
	unit_put64(t + 44 + 32, ~0ull - 4096);
	unit_put32(t + 4, (uint32_t)len + 8);
	fix_sum(t, len + 8, 9);
	REQUIRE_EQ_INT(acpi_parse_mcfg(t, len + 8, &m), 0);
	CHECK_EQ_INT(m.count, 1);
	CHECK_EQ_INT(m.bad, 3);
	CHECK_EQ_INT(m.trailing, 8);
	CHECK_EQ_INT(m.w[0].segment, 3);
	/* More entries than are kept: the rest counted. */
	len = mcfg_build(t, 20);
	REQUIRE_EQ_INT(acpi_parse_mcfg(t, len, &m), 0);
	CHECK_EQ_INT(m.count, ACPI_MCFG_MAX);
	CHECK_EQ_INT(m.dropped, 20 - ACPI_MCFG_MAX);
}

/* Corpus survey figures (tests/fixtures/acpi/corpus). */
struct survey {
	unsigned int fadts, gpe0, gpe1, gpes, mcfgs, windows, bad;
};

static void survey_fadt(const char *dir, struct survey *sv)
{
	char name[320];
	size_t len;
	uint8_t *t;
	struct acpi_fadt_info f;
	struct acpi_gpe_blocks b;

	snprintf(name, sizeof(name), "acpi/corpus/%s/facp.dat", dir);
	t = unit_load_fixture(name, &len);
	if (t == NULL) {
		return;
	}
	sv->fadts++;
	CHECK_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
	acpi_gpe_blocks_from_fadt(&f, &b);
	/* Every machine of the corpus has a GPE0 block; none overlaps. */
	CHECK(b.count >= 1);
	CHECK(b.dropped == NULL);
	sv->gpe0 += b.count >= 1;
	sv->gpe1 += b.count == 2;
	for (unsigned int i = 0; i < b.count; i++) {
		sv->gpes += acpi_gpe_block_size(&b.b[i]);
	}
	free(t);
}

static void survey_mcfg(const char *dir, struct survey *sv)
{
	char name[320], path[400];
	const char *root = getenv("KITE_FIXTURES");
	size_t len;
	uint8_t *t;
	struct acpi_mcfg m;

	snprintf(name, sizeof(name), "acpi/corpus/%s/mcfg.dat", dir);
	snprintf(path, sizeof(path), "%s/%s",
		 root && root[0] ? root : "tests/fixtures", name);
	if (access(path, R_OK) != 0) {
		return; /* a machine without an MCFG */
	}
	t = unit_load_fixture(name, &len);
	if (t == NULL) {
		return;
	}
	sv->mcfgs++;
	CHECK_EQ_INT(acpi_parse_mcfg(t, len, &m), 0);
	CHECK(m.count >= 1);
	sv->windows += m.count;
	sv->bad += m.bad + m.dropped + m.trailing;
	free(t);
}

/* The FADT's GPE blocks and the MCFG of every machine in the corpus:
 * all decode, and the figures are printed. */
static void survey_one(const char *machine, void *arg)
{
	survey_fadt(machine, arg);
	survey_mcfg(machine, arg);
}

TEST(gpe_corpus_survey)
{
	struct survey sv = {0};

	REQUIRE(unit_corpus_each(survey_one, &sv) > 0);
	printf("# gpe corpus: %u FADTs, %u with GPE0, %u with GPE1, %u GPEs; "
	       "%u MCFGs, %u ECAM windows, %u bad entries\n",
	       sv.fadts, sv.gpe0, sv.gpe1, sv.gpes, sv.mcfgs, sv.windows,
	       sv.bad);
	CHECK(sv.fadts >= 40);
	CHECK_EQ_INT(sv.gpe0, sv.fadts);
	CHECK_EQ_INT(sv.bad, 0);
}
