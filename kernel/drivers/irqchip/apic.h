/* What the local APIC, the I/O APICs and the PC platform share. */
#ifndef DRIVERS_IRQCHIP_APIC_H
#define DRIVERS_IRQCHIP_APIC_H

#include "kern/compiler.h"

#define APIC_MAX_GSI 64 /* GSIs the I/O APIC driver routes */

/* The platform's description of an I/O APIC (device platform_data). */
struct apic_ioapic_data {
	uint32_t gsi_base;
};

/* The platform's description of the local APIC (device platform_data). */
struct apic_lapic_data {
	/* LINT0/LINT1 wired as NMI (from the MADT's Local APIC NMI). */
	bool lint_nmi[2];
	bool lint_nmi_low[2];
	bool lint_nmi_level[2];
};

/* The platform's description of the local APIC timer (platform_data):
 * the TSC's rate, measured before any driver probes; 0 if unknown. */
struct apic_timer_data {
	uint64_t tsc_hz;
};

void lapic_eoi(void);
uint32_t lapic_id(void);

/*
 * The 8259 path with a local APIC: put it in virtual-wire mode (Intel
 * MultiProcessor Specification 1.4, 3.6.2.2; SDM Vol. 3A 11.5.1): the
 * APIC software-enabled, LINT0 ExtINT (the 8259's INTR passes through),
 * LINT1 NMI. Firmware usually does it; QEMU's -M microvm firmware does
 * not, and then no 8259 interrupt reaches the CPU. Nothing to do when
 * the CPU has no APIC or firmware left it globally disabled (the 8259
 * then drives INTR directly). 0, or -ENODEV if the APIC that
 * IA32_APIC_BASE names does not answer like one (said).
 */
int lapic_virtual_wire(void);

/*
 * For the platform's choice of interrupt path, before any driver probes:
 * does a local APIC, enabled, answer at the address IA32_APIC_BASE gives
 * (its version register plausible)? Reads only; says so when not.
 */
bool lapic_answers(void);

/* ---- Sanity checks on what the hardware reports (host-tested) -------- */

/* IA32_APIC_BASE (SDM Vol. 3A 11.4.4): the APIC's physical base in bits
 * 12 up to MAXPHYADDR (at most 51), global enable bit 11, x2APIC bit 10. */
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define APIC_BASE_ENABLE    (1ull << 11)
#define APIC_BASE_X2APIC    (1ull << 10)

static inline uint64_t apic_base_address(uint64_t apic_base_msr)
{
	return apic_base_msr & APIC_BASE_ADDR_MASK;
}

/*
 * The Local APIC Version Register (SDM Vol. 3A 11.4.8, Figure 11-7):
 * version in bits 7:0, 1XH for an integrated APIC (every x86_64 CPU);
 * Max LVT Entry in bits 23:16, the LVT count minus one (3 on the P6,
 * 6 on QEMU, a few more with CMCI and thermal entries). A read of no
 * device at all (all zeros, all ones) is neither.
 */
static inline bool apic_version_plausible(uint32_t reg)
{
	uint32_t version = reg & 0xff, max_lvt = (reg >> 16) & 0xff;

	return version >= 0x10 && version <= 0x1f && max_lvt >= 3 &&
	       max_lvt <= 15;
}

/* The LAPIC timer's rate from counting down from `initial` for `ms`:
 * 0 unless the count moved and did not run out (a register reading 0
 * once gave "429 GHz"), or the rate is over APIC_TIMER_MAX_HZ. */
#define APIC_TIMER_MAX_HZ 2000000000ull /* bus clock / 16: far below */

static inline uint64_t apic_timer_rate(uint32_t initial, uint32_t left,
				       unsigned int ms)
{
	uint64_t hz;

	if (left == 0 || left >= initial || ms == 0) {
		return 0;
	}
	hz = (uint64_t)(initial - left) * 1000 / ms;
	return hz > APIC_TIMER_MAX_HZ ? 0 : hz;
}

/* Timer counts (at rate Hz, <= APIC_TIMER_MAX_HZ) for ns nanoseconds,
 * rounded up so a one-shot never ends early; and back, rounded down.
 * Without 128-bit arithmetic: each product stays below 2^63. */
static inline uint64_t apic_timer_counts(uint64_t ns, uint64_t rate)
{
	const uint64_t g = 1000000000ull;

	return ns / g * rate + (ns % g * rate + g - 1) / g;
}

static inline uint64_t apic_timer_ns(uint64_t counts, uint64_t rate)
{
	return counts / rate * 1000000000ull +
	       counts % rate * 1000000000ull / rate;
}

/* The rate of a count that moved `counts` in `tsc` TSC cycles at tsc_hz:
 * counts * tsc_hz / tsc, exact while counts < 2^29 (CALIBRATE_MS at
 * APIC_TIMER_MAX_HZ is far less) and tsc_hz < 2^34 (16 GHz); 0 if absurd. */
static inline uint64_t apic_timer_counts_per_s(uint64_t counts, uint64_t tsc,
					       uint64_t tsc_hz)
{
	uint64_t hz = tsc ? counts * tsc_hz / tsc : 0;

	return hz > APIC_TIMER_MAX_HZ ? 0 : hz;
}

/* The version register (IOAPICVER) of the I/O APIC at MMIO address addr,
 * read before its device is probed, so that the platform can judge it
 * (the caller checks that addr is mapped and not RAM). */
uint32_t ioapic_read_version(uintptr_t addr);

#endif
