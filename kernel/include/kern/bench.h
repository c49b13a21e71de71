/*
 * Histograms of measurements (latencies in clocksource cycles, for the
 * shell's `bench`): samples kept in a caller-owned buffer, summarized by
 * nearest rank, and counted into power-of-two buckets. Pure code: no
 * hardware, no globals; the host tests link it.
 */
#ifndef KERN_BENCH_H
#define KERN_BENCH_H

#include "kern/compiler.h"

#define BENCH_BUCKETS 65 /* bucket 0: the value 0; bucket b: [2^(b-1), 2^b) */

struct bench_hist {
	const char *name;
	uint64_t *samples; /* the caller's buffer of cap entries */
	unsigned int cap;
	unsigned int n;
	unsigned long dropped; /* samples past cap: counted, not kept */
};

struct bench_summary {
	unsigned int n;
	uint64_t min, median, p99, max;
};

void bench_hist_init(struct bench_hist *h, const char *name, uint64_t *buf,
		     unsigned int cap);
void bench_hist_add(struct bench_hist *h, uint64_t value);

/*
 * Sorts the samples in place and summarizes them by nearest rank: the
 * p-th percentile is the smallest sample with at least p % of the samples
 * at or below it (so the median of an even count is the lower middle).
 * With no samples every field is 0.
 */
void bench_hist_summarize(struct bench_hist *h, struct bench_summary *s);

/* counts[b] = how many samples fall in bucket b (see BENCH_BUCKETS). */
void bench_hist_buckets(const struct bench_hist *h,
			unsigned int counts[BENCH_BUCKETS]);
/* The bucket of a value: 0 for 0, else 1 + floor(log2(value)). */
unsigned int bench_bucket(uint64_t value);

#endif
