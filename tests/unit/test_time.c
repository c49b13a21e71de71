/*
 * Measuring the TSC (kernel/drivers/timer/calibrate.c) against simulated
 * clocks: a vCPU that the host deschedules at random, for long stretches,
 * anywhere (inside a reference read too), must still come out within a
 * few hundred ppm of the true rate; a reference that does not count, or
 * counts garbage, must give no rate at all; a 16-bit reference that
 * wraps unseen while the vCPU is away must not spoil the result. Also the
 * local APIC sanity checks (drivers/irqchip/apic.h) and the FADT's PM
 * timer fields from QEMU's captured tables.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/irqchip/apic.h"
#include "drivers/timer/calibrate.h"
#include "firmware/acpi/acpi.h"
#include "unit.h"

/* ---- A simulated machine: time in ns, a TSC, a reference ------------- */

#define TRUE_TSC_HZ 2600000000ull

static uint64_t sim_ns;	      /* the host's time */
static uint32_t sim_seed;     /* the descheduler's LCG */
static unsigned int sim_odds; /* 1 in sim_odds accesses is descheduled */
static uint64_t sim_away_ns;  /* for up to this long */
static uint64_t sim_away_min; /* plus this */
static uint64_t sim_reads;    /* reference reads */
static int sim_ref_mode;      /* 0 counts, 1 stuck, 2 garbage */

static uint32_t lcg(void)
{
	sim_seed = sim_seed * 1103515245u + 12345u;
	return sim_seed >> 8;
}

/* Every access takes a while, and may be where the host takes the CPU. */
static void sim_step(uint64_t ns)
{
	sim_ns += ns;
	if (sim_odds && lcg() % sim_odds == 0) {
		sim_ns += sim_away_min + (uint64_t)lcg() * 1000 % sim_away_ns;
	}
}

static uint64_t sim_tsc(void)
{
	sim_step(20);
	return sim_ns * (TRUE_TSC_HZ / 1000000) / 1000;
}

static uint64_t sim_ref_read(const struct timer_reference *ref)
{
	uint64_t count;

	sim_reads++;
	sim_step(400); /* a port access or three */
	count = (uint64_t)((unsigned __int128)sim_ns * ref->freq / 1000000000u);
	sim_step(400);
	if (sim_ref_mode == 1) {
		return 0xffff;
	}
	if (sim_ref_mode == 2) {
		return lcg();
	}
	return count & ((1ull << ref->bits) - 1);
}

static const struct timer_reference sim_pit = {
    .name = "PIT", .freq = 1193182, .bits = 16, .read = sim_ref_read};
static const struct timer_reference sim_pm = {
    .name = "ACPI PM timer", .freq = 3579545, .bits = 24, .read = sim_ref_read};

static void sim_reset(unsigned int odds, uint64_t away_ns, uint32_t seed)
{
	sim_ns = 1000000000ull * 7;
	sim_seed = seed;
	sim_odds = odds;
	sim_away_ns = away_ns;
	sim_away_min = 1;
	sim_reads = 0;
	sim_ref_mode = 0;
}

static uint64_t ppm_off(uint64_t hz)
{
	return calibrate_ppm_apart(hz, TRUE_TSC_HZ);
}

TEST(time_calibrate_idle_host)
{
	struct calibrate_result r;

	sim_reset(0, 1, 1);
	clock_calibrate(sim_tsc, &sim_pit, 3, &r);
	CHECK_EQ_INT(r.status, CALIBRATE_OK);
	CHECK_EQ_INT(r.tried, 3);
	CHECK(ppm_off(r.hz) <= 200);
	CHECK(r.err_ppm <= CALIBRATE_MAX_ERR);
	sim_reset(0, 1, 1);
	clock_calibrate(sim_tsc, &sim_pm, 3, &r);
	CHECK_EQ_INT(r.status, CALIBRATE_OK);
	CHECK(ppm_off(r.hz) <= 100);
}

/*
 * The loaded host of issue 9: the vCPU loses the CPU for up to 4 ms
 * about once per 1,000 accesses (a few times per 10 ms window). The old
 * one-shot measurement kept a rate 22-27 % fast; every seed here must
 * stay within 500 ppm, and the bound the result claims must hold.
 */
TEST(time_calibrate_loaded_host)
{
	unsigned int ok = 0;

	for (uint32_t seed = 1; seed <= 40; seed++) {
		const struct timer_reference *ref =
		    seed & 1 ? &sim_pit : &sim_pm;
		struct calibrate_result r;

		sim_reset(1000, 4000000, seed);
		clock_calibrate(sim_tsc, ref, 3, &r);
		if (r.status != CALIBRATE_OK) {
			/* Allowed to give up, never to be wrong. */
			CHECK(r.tried == CALIBRATE_MAX_TRIES);
			continue;
		}
		ok++;
		if (ppm_off(r.hz) > 500 || ppm_off(r.hz) > r.err_ppm + 100) {
			unit_fail(__FILE__, __LINE__,
				  "seed %u, %s: %llu Hz, %llu ppm off, claims "
				  "+-%u",
				  seed, ref->name, (unsigned long long)r.hz,
				  (unsigned long long)ppm_off(r.hz), r.err_ppm);
		}
	}
	CHECK(ok >= 36);
}

/* Most seeds must succeed under that load, not just not lie. */
TEST(time_calibrate_loaded_host_mostly_succeeds)
{
	unsigned int ok = 0;

	for (uint32_t seed = 100; seed < 120; seed++) {
		struct calibrate_result r;

		sim_reset(1000, 4000000, seed);
		clock_calibrate(sim_tsc, &sim_pit, 3, &r);
		ok += r.status == CALIBRATE_OK;
	}
	CHECK(ok >= 18);
}

/* Away for 60-70 ms, longer than the PIT's 55 ms wrap: a window with
 * such a gap is not used, and the rate stays right. */
TEST(time_calibrate_pit_wrap_unseen)
{
	unsigned int ok = 0;

	for (uint32_t seed = 1; seed <= 20; seed++) {
		struct calibrate_result r;

		sim_reset(150000, 10000000, seed);
		sim_away_min = 60000000;
		clock_calibrate(sim_tsc, &sim_pit, 3, &r);
		if (r.status == CALIBRATE_OK) {
			ok++;
			CHECK(ppm_off(r.hz) <= 500);
		}
	}
	CHECK(ok >= 15);
}

/* -M microvm,pit=off: port 0x40 reads the same for ever. */
TEST(time_calibrate_reference_not_counting)
{
	struct calibrate_result r;

	sim_reset(0, 1, 1);
	sim_ref_mode = 1;
	clock_calibrate(sim_tsc, &sim_pit, 3, &r);
	CHECK_EQ_INT(r.status, CALIBRATE_NOT_COUNTING);
	CHECK_EQ_INT(r.tried, 1);
	CHECK(sim_reads <= CALIBRATE_POLL_LIMIT + 1);
}

TEST(time_calibrate_garbage_reference)
{
	struct calibrate_result r;

	sim_reset(0, 1, 3);
	sim_ref_mode = 2;
	clock_calibrate(sim_tsc, &sim_pit, 3, &r);
	CHECK(r.status != CALIBRATE_OK);
	CHECK(r.tried <= CALIBRATE_MAX_TRIES);
}

TEST(time_calibrate_muldiv)
{
	CHECK_EQ_INT(calibrate_muldiv(26000000, 1193182, 11932),
		     26000000ull * 1193182 / 11932);
	CHECK_EQ_INT(calibrate_muldiv(1ull << 62, 1000, 1000), 1ull << 62);
	CHECK_EQ_INT(calibrate_ppm_apart(1001000, 1000000), 1000);
	CHECK_EQ_INT(calibrate_ppm_apart(999000, 1000000), 1000);
}

/* ---- The local APIC's sanity checks ----------------------------------- */

TEST(time_apic_version_plausible)
{
	CHECK(apic_version_plausible(0x00060014));  /* QEMU: 7 LVTs, 0x14 */
	CHECK(apic_version_plausible(0x00030010));  /* a P6's four LVTs */
	CHECK(!apic_version_plausible(0x00000000)); /* the "version 0x0" */
	CHECK(!apic_version_plausible(0xffffffff)); /* nothing decodes it */
	CHECK(!apic_version_plausible(0x00000014)); /* no LVT count */
	CHECK(!apic_version_plausible(0x00060003)); /* an 82489DX, not x86_64 */
}

TEST(time_apic_timer_rate)
{
	/* A register reading 0 once gave a "429 GHz" timer. */
	CHECK_EQ_INT(apic_timer_rate(0xffffffffu, 0, 10), 0);
	/* A count that never moved (or reads all ones). */
	CHECK_EQ_INT(apic_timer_rate(0xffffffffu, 0xffffffffu, 10), 0);
	/* QEMU's 1 GHz bus clock / 16 over 10 ms. */
	CHECK_EQ_INT(apic_timer_rate(0xffffffffu, 0xffffffffu - 625000, 10),
		     62500000);
	/* Faster than any bus clock / 16. */
	CHECK_EQ_INT(apic_timer_rate(0xffffffffu, 0x10000000u, 10), 0);
}

TEST(time_apic_base_address)
{
	CHECK_EQ_INT(apic_base_address(0xfee00900ull), 0xfee00000ull);
	CHECK_EQ_INT(apic_base_address(0xfee00d00ull), 0xfee00000ull);
	CHECK_EQ_INT(apic_base_address(0xfff00000fee00900ull), 0xfee00000ull);
}

/* ---- The FADT's PM timer: QEMU pc and q35 (24 bits at 0x608) ------- */

TEST(time_fadt_pm_timer)
{
	static const char *const fixtures[] = {"acpi/pc/FACP.bin",
					       "acpi/q35/FACP.bin"};

	for (size_t i = 0; i < 2; i++) {
		struct acpi_fadt_info f;
		size_t len;
		uint8_t *t = unit_load_fixture(fixtures[i], &len);

		REQUIRE(t != NULL);
		CHECK_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
		CHECK_EQ_INT(f.pm_tmr, 0x608);
		CHECK(!f.tmr_val_ext);
		t[91] = 0; /* PM_TMR_LEN 0: no PM timer */
		t[9] = (uint8_t)(t[9] + 4);
		CHECK_EQ_INT(acpi_parse_fadt(t, len, &f), 0);
		CHECK_EQ_INT(f.pm_tmr,
			     i == 0 ? 0 : 0x608); /* q35: the X_ GAS */
		free(t);
	}
}

/* The LAPIC one-shot's count for a deadline: rounded up (never early),
 * exact at the 32-bit end, no overflow at the highest rate allowed. */
TEST(time_apic_timer_counts_round_up)
{
	const uint64_t rate = 62500000; /* QEMU: 1 GHz bus / 16 */

	CHECK_EQ_INT(apic_timer_counts(0, rate), 0);
	CHECK_EQ_INT(apic_timer_counts(1, rate), 1);  /* 1 ns: one count */
	CHECK_EQ_INT(apic_timer_counts(16, rate), 1); /* exactly one */
	CHECK_EQ_INT(apic_timer_counts(17, rate), 2); /* just over */
	CHECK_EQ_INT(apic_timer_counts(1000000, rate), 62500); /* 1 ms */
	CHECK_EQ_INT(apic_timer_counts(1500000000, rate), 93750000);
	CHECK_EQ_INT(apic_timer_ns(0xffffffffu, rate), 68719476720ull);
	CHECK(apic_timer_counts(apic_timer_ns(0xffffffffu, rate), rate) <=
	      0xffffffffu);
	/* At APIC_TIMER_MAX_HZ, 60 s: 1.2e11 counts, computed exactly. */
	CHECK_EQ_INT(apic_timer_counts(60000000001ull, APIC_TIMER_MAX_HZ),
		     120000000002ull);
	CHECK_EQ_INT(apic_timer_ns(120000000002ull, APIC_TIMER_MAX_HZ),
		     60000000001ull);
}

/* Two reads of the running count, timed by the TSC: the rate between. */
TEST(time_apic_timer_counts_per_s)
{
	/* 10 ms of a 2.6 GHz TSC, 625000 counts: 62.5 MHz exactly. */
	CHECK_EQ_INT(apic_timer_counts_per_s(625000, 26000000, 2600000000ull),
		     62500000);
	CHECK_EQ_INT(apic_timer_counts_per_s(625000, 0, 2600000000ull), 0);
	/* 3 GHz counted: over APIC_TIMER_MAX_HZ, not believed. */
	CHECK_EQ_INT(apic_timer_counts_per_s(30000000, 26000000, 2600000000ull),
		     0);
}
