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
 * Can the local APIC driver send a start-up to APIC ID apic_id? 0; else
 * says why (once for the 8259 path) and returns -ENODEV (no local APIC
 * driver: `noapic`, or none answered) or -ERANGE (an ID above 255 needs
 * x2APIC mode, which this CPU lacks: the xAPIC ICR has 8 destination
 * bits).
 */
int lapic_cpu_reachable(uint64_t apic_id);

/*
 * INIT-SIPI-SIPI to apic_id (SDM Vol. 3A 8.4.4.1; MultiProcessor
 * Specification 1.4, B.4): the CPU starts in real mode at page
 * sipi_page (its physical address >> 12, below 1 MiB). 0 once the IPIs
 * were sent (the CPU may still not arrive), -ETIMEDOUT if the ICR stayed
 * busy (said). Thread context: it waits 10 ms, then 2 x 200 us.
 */
int lapic_start_cpu(uint32_t apic_id, unsigned int sipi_page);

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

/* ---- The Interrupt Command Register (SDM Vol. 3A 11.6.1) -------------- */

/* Low word fields (Figure 11-12): vector 7:0, delivery mode 10:8,
 * destination mode 11 (0 = physical), delivery status 12 (xAPIC only),
 * level 14, trigger mode 15, shorthand 19:18. */
#define APIC_ICR_VECTOR_MASK 0xffu
#define APIC_ICR_FIXED	     (0u << 8)
#define APIC_ICR_INIT	     (5u << 8)
#define APIC_ICR_STARTUP     (6u << 8)
#define APIC_ICR_PHYSICAL    (0u << 11)
#define APIC_ICR_PENDING     (1u << 12)
#define APIC_ICR_ASSERT	     (1u << 14)
#define APIC_ICR_LEVEL	     (1u << 15)
/* xAPIC: the destination is ICR bits 63:56, the high word's 31:24;
 * x2APIC: the 64-bit ICR MSR (0x830) carries a 32-bit destination in
 * bits 63:32 (SDM 11.12.9). */
#define APIC_ICR_XAPIC_DEST_SHIFT 24
#define APIC_XAPIC_MAX_ID	  0xffu

/* A fixed, edge, physical-destination interrupt on vector. */
static inline uint32_t apic_icr_fixed(unsigned int vector)
{
	return APIC_ICR_FIXED | APIC_ICR_PHYSICAL | APIC_ICR_ASSERT |
	       (vector & APIC_ICR_VECTOR_MASK);
}

/* INIT, level triggered; assert, or de-assert (the 82489DX's "INIT level
 * de-assert", MP spec B.4; the integrated APIC ignores it). */
static inline uint32_t apic_icr_init(bool assert)
{
	return APIC_ICR_INIT | APIC_ICR_PHYSICAL | APIC_ICR_LEVEL |
	       (assert ? APIC_ICR_ASSERT : 0);
}

/* Start-up IPI: its vector field is the page the CPU starts at, the
 * physical address 0x000VV000 (SDM 8.4.4.1). */
static inline uint32_t apic_icr_startup(unsigned int page)
{
	return APIC_ICR_STARTUP | APIC_ICR_PHYSICAL | APIC_ICR_ASSERT |
	       (page & APIC_ICR_VECTOR_MASK);
}

/* A physical destination the xAPIC's 8-bit field can name? */
static inline bool apic_xapic_dest_ok(uint64_t apic_id)
{
	return apic_id <= APIC_XAPIC_MAX_ID;
}

/* The xAPIC ICR high word for a physical destination (<= 255). */
static inline uint32_t apic_icr_xapic_high(uint32_t apic_id)
{
	return (apic_id & APIC_XAPIC_MAX_ID) << APIC_ICR_XAPIC_DEST_SHIFT;
}

/* The x2APIC ICR, one 64-bit MSR write. */
static inline uint64_t apic_icr_x2apic(uint32_t apic_id, uint32_t low)
{
	return (uint64_t)apic_id << 32 | low;
}

/* ---- I/O APIC redirection entries (82093AA 3.2.4) ------------------- */

/*
 * The high word of a redirection entry in physical destination mode:
 * Destination, bits 63:56 (the high word's 31:24; the 82093AA decodes
 * 4 bits of it, later I/O APICs 8); bits 55:32 reserved, 0. An APIC ID
 * above 255 is no physical destination without interrupt remapping.
 */
#define APIC_RTE_DEST_SHIFT 24
#define APIC_RTE_MAX_DEST   0xffu

static inline bool apic_rte_dest_ok(uint64_t apic_id)
{
	return apic_id <= APIC_RTE_MAX_DEST;
}

static inline uint32_t apic_rte_high(uint32_t apic_id)
{
	return (apic_id & APIC_RTE_MAX_DEST) << APIC_RTE_DEST_SHIFT;
}

/*
 * Where a redirection entry for the CPUs in mask (bit n: logical CPU n)
 * points: the lowest CPU of mask whose APIC ID (hwid[n], n < ncpus) a
 * physical destination can name; -1 if none can.
 */
static inline int apic_rte_pick(uint32_t mask, const uint64_t *hwid,
				unsigned int ncpus)
{
	for (unsigned int cpu = 0; cpu < ncpus && cpu < 32; cpu++) {
		if ((mask & (1u << cpu)) && apic_rte_dest_ok(hwid[cpu])) {
			return (int)cpu;
		}
	}
	return -1;
}

/* The version register (IOAPICVER) of the I/O APIC at MMIO address addr,
 * read before its device is probed, so that the platform can judge it
 * (the caller checks that addr is mapped and not RAM). */
uint32_t ioapic_read_version(uintptr_t addr);

#endif
