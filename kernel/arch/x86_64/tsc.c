/*
 * The TSC's rate (Intel SDM Vol. 3B, 17.17 "Time-Stamp Counter").
 * CPUID leaf 0x15 states it on recent Intel CPUs (TSC = crystal Hz x
 * EBX / EAX, SDM Vol. 2A CPUID), but QEMU's TCG and most hypervisors
 * leave it out, so the TSC is measured against reference clocks of fixed
 * rate (drivers/timer/calibrate.c: bracketed reads, several windows, the
 * best kept once others agree with it), and the measurement must be a
 * plausible TSC rate and agree with a second reference when there is
 * one. The tick is no clock: under emulation its interrupts get lost
 * when the host is busy; the TSC's count does not.
 */
#include "tsc.h"
#include "asm/msr.h"
#include "drivers/timer/calibrate.h"
#include "kern/printf.h"

/* Plausible TSC rates: any x86_64 CPU runs its TSC at some hundreds of
 * MHz to a few GHz. (-M microvm's port B-less PIT once gave 2.082 MHz.) */
#define TSC_MIN_HZ 200000000ull
#define TSC_MAX_HZ 10000000000ull

#define PRIMARY_WINDOWS 3    /* agreeing windows against the first reference */
#define CHECK_WINDOWS	2    /* against the one that checks it */
#define REFS_AGREE_PPM	2000 /* two references, or a reference and CPUID */

#define MHZ(hz)                                                                \
	(unsigned long long)((hz) / 1000000),                                  \
	    (unsigned long long)((hz) / 1000 % 1000)

/* CPUID leaf 0x15's exact rate, 0 if not given; *base_hz from leaf 0x16
 * (the processor's base frequency: near the TSC's, not exact). */
static uint64_t cpuid_tsc_hz(uint64_t *base_hz)
{
	uint32_t max, a, b, c, d;

	*base_hz = 0;
	cpuid(0, &max, &b, &c, &d);
	if (max >= 0x16) {
		cpuid(0x16, &a, &b, &c, &d);
		*base_hz = (uint64_t)(a & 0xffff) * 1000000;
	}
	if (max < 0x15) {
		return 0;
	}
	cpuid(0x15, &a, &b, &c, &d);
	if (a == 0 || b == 0 || c == 0) {
		return 0;
	}
	return (uint64_t)c * b / a;
}

/* The TSC against ref; false (said) if that gives no trustworthy rate. */
static bool measure(const struct timer_reference *ref, unsigned int want,
		    uint64_t *hz)
{
	struct calibrate_result r;

	clock_calibrate(rdtsc, ref, want, &r);
	if (r.status != CALIBRATE_OK) {
		kprintf("tsc: the %s gives no rate: %s (%u windows, %u good)\n",
			ref->name, calibrate_status_name(r.status), r.tried,
			r.good);
		return false;
	}
	if (r.hz < TSC_MIN_HZ || r.hz > TSC_MAX_HZ) {
		kprintf("tsc: %llu.%03llu MHz against the %s is no TSC rate "
			"(%llu-%llu MHz): the %s is not used\n",
			MHZ(r.hz), ref->name, TSC_MIN_HZ / 1000000,
			TSC_MAX_HZ / 1000000, ref->name);
		return false;
	}
	kprintf("tsc: %llu.%03llu MHz against the %s (best of %u windows, "
		"+-%u ppm, %u agree)\n",
		MHZ(r.hz), ref->name, r.tried, r.err_ppm, r.agreeing);
	*hz = r.hz;
	return true;
}

/* Two references disagree: CPUID 0x15 may say which is right, else
 * neither is trusted. */
static uint64_t settle(uint64_t first, uint64_t second, uint64_t cpuid_hz)
{
	if (cpuid_hz &&
	    calibrate_ppm_apart(first, cpuid_hz) <= REFS_AGREE_PPM) {
		return first;
	}
	if (cpuid_hz &&
	    calibrate_ppm_apart(second, cpuid_hz) <= REFS_AGREE_PPM) {
		return second;
	}
	return 0;
}

/* The first reference that measures, checked by the next that does. */
static uint64_t measure_refs(const struct timer_reference *const *refs,
			     unsigned int n, uint64_t cpuid_hz)
{
	uint64_t hz = 0, check;
	unsigned int i = 0;

	while (i < n && !measure(refs[i], PRIMARY_WINDOWS, &hz)) {
		i++;
	}
	for (unsigned int j = i + 1; hz && j < n; j++) {
		if (!measure(refs[j], CHECK_WINDOWS, &check)) {
			continue;
		}
		if (calibrate_ppm_apart(check, hz) > REFS_AGREE_PPM) {
			kprintf(
			    "tsc: the %s and the %s disagree by %llu ppm\n",
			    refs[i]->name, refs[j]->name,
			    (unsigned long long)calibrate_ppm_apart(check, hz));
			return settle(hz, check, cpuid_hz);
		}
		return hz;
	}
	if (hz) {
		kprintf("tsc: no second reference to check the %s against\n",
			refs[i]->name);
	}
	return hz;
}

uint64_t tsc_calibrate(const struct timer_reference *const *refs,
		       unsigned int nrefs)
{
	uint64_t base_hz, cpuid_hz = cpuid_tsc_hz(&base_hz);
	uint64_t hz = measure_refs(refs, nrefs, cpuid_hz);

	if (hz && cpuid_hz &&
	    calibrate_ppm_apart(hz, cpuid_hz) > REFS_AGREE_PPM) {
		kprintf(
		    "tsc: CPUID 0x15 says %llu.%03llu MHz; the measured "
		    "rate is kept (the reference runs at wall-clock rate)\n",
		    MHZ(cpuid_hz));
	}
	if (!hz && cpuid_hz >= TSC_MIN_HZ && cpuid_hz <= TSC_MAX_HZ) {
		hz = cpuid_hz;
		kprintf("tsc: %llu.%03llu MHz from CPUID 0x15, unchecked\n",
			MHZ(hz));
	}
	if (!hz) {
		kprintf("tsc: no trustworthy reference clock: uptime counts "
			"ticks, which a busy host loses (it runs slow)\n");
		return 0;
	}
	if (base_hz && calibrate_ppm_apart(hz, base_hz) > 100000) {
		kprintf("tsc: note: CPUID 0x16 gives a %llu MHz base "
			"frequency\n",
			(unsigned long long)(base_hz / 1000000));
	}
	timer_set_clocksource("tsc", rdtsc, hz);
	return hz;
}
