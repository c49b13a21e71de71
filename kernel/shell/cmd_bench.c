/*
 * bench [N]: the latency table (kern/latency.h, docs/bench.md) in
 * clocksource cycles: per probe the sample count, min, median, p99 and
 * max, then each probe's power-of-two histogram. scripts/bench.py parses
 * the table rows (a name and five numbers).
 */
#include "kern/bench.h"
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/latency.h"
#include "kern/printf.h"
#include "kern/timer.h"
#include "shell/commands.h"

#define BENCH_DEFAULT_SAMPLES 1000

static struct latency_report report;

static void print_row(struct bench_hist *h)
{
	struct bench_summary s;

	bench_hist_summarize(h, &s);
	kprintf("%-20s %6u %8llu %8llu %8llu %8llu\n", h->name, s.n,
		(unsigned long long)s.min, (unsigned long long)s.median,
		(unsigned long long)s.p99, (unsigned long long)s.max);
}

/* "2^k:count" for each non-empty bucket: bucket k holds [2^(k-1), 2^k). */
static void print_buckets(const struct bench_hist *h)
{
	unsigned int counts[BENCH_BUCKETS];

	bench_hist_buckets(h, counts);
	kprintf("  %s:", h->name);
	for (unsigned int b = 0; b < BENCH_BUCKETS; b++) {
		if (counts[b]) {
			kprintf(" <2^%u:%u", b, counts[b]);
		}
	}
	kprintf("%s\n", h->dropped ? " (samples past the buffer dropped)" : "");
}

int cmd_bench(int argc, char **argv)
{
	unsigned long samples = BENCH_DEFAULT_SAMPLES;
	uint64_t freq = time_cycles_freq();
	int err;

	if (argc == 2 && !parse_count(argv[1], LATENCY_MAX_SAMPLES, &samples)) {
		return -EINVAL;
	}
	if (freq == 0) {
		kprintf("bench: no clocksource, nothing to measure with\n");
		return -ENODEV;
	}
	kprintf("bench: %lu samples per probe, in cycles of %s at %llu Hz "
		"(1 us = %llu cycles)\n",
		samples, timer_clocksource(), (unsigned long long)freq,
		(unsigned long long)(freq / 1000000));
	err = latency_measure(&report, (unsigned int)samples);
	if (err) {
		kprintf("bench: %s\n",
			err == -EBUSY ? "already running" : "could not start");
		return err;
	}
	kprintf("%-20s %6s %8s %8s %8s %8s\n", "probe", "n", "min", "median",
		"p99", "max");
	for (unsigned int p = 0; p < LAT_PROBES; p++) {
		if (report.skipped[p]) {
			/* No numbers: scripts/bench.py takes no row. */
			kprintf("%-20s skipped: %s\n", report.hist[p].name,
				report.skipped[p]);
		} else {
			print_row(&report.hist[p]);
		}
	}
	kprintf("histograms (count of samples below each power of two):\n");
	for (unsigned int p = 0; p < LAT_PROBES; p++) {
		if (!report.skipped[p]) {
			print_buckets(&report.hist[p]);
		}
	}
	for (unsigned int p = 0; p < LAT_PROBES; p++) {
		if (report.error[p]) {
			kprintf("bench: %s stopped short: %s\n",
				latency_probe_name(p), report.error[p]);
		}
	}
	kprintf("bench: interrupt probes on irq %d; %lu timer function(s) ran "
		"before their deadline\n",
		report.irq, report.early);
	kprintf("bench: %lu lost wake-up(s): the thread ran only at its own "
		"1 s timeout, though its waker had run\n",
		report.lost_wakeups);
	if (!report.skipped[LAT_IPI_REPLY]) {
		kprintf("bench: IPI probes from CPU %u to CPU %u\n",
			report.ipi_from, report.ipi_to);
	}
	return 0;
}
